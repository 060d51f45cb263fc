import type { Kysely } from 'kysely';
import type { DB } from '../../db/schema.ts';
import type { AuditRepository } from '../audit/repository.ts';
import type { StaffRepository } from '../people/repository.ts';
import type { OrganisationRepository } from '../organisation/repository.ts';
import type { Actor } from '../auth/actor.ts';
import { actorFields } from '../audit/service.ts';
import { can } from '../auth/access.ts';
import { ForbiddenError, NotFoundError, ValidationError } from '../../errors.ts';
import { inTransaction } from '../../db/transaction.ts';
import type { RegisterFilter, RegistersRepository } from './repository.ts';
import {
  GIFT_KINDS, GIFT_RESPONSES, GIVER_TYPES, INTEREST_KINDS, declarationYear, formatPounds, giftProblems, isConfidential, isLate, isSeniorOfficer, lectureFeeKept,
  needsOverride, publishable, publishedDecision, remindersDue, valueBand,
  type GiftKind, type GiftResponse, type InterestKind, type ReminderSchedule,
} from './rules.ts';
import { JOB_ROLES } from '../people/job-roles.ts';
import { londonToday } from '../../time/london.ts';
import type { SheetCell } from '../../web/spreadsheet.ts';
import type { DeclarationForm, GiftForm, InterestForm, ReportFilterForm } from './schema.ts';

export interface RegistersSettings extends ReminderSchedule {
  /** Published register: entries at or above this value, in pence. */
  publicationThresholdPence: number;
  /** Whether /registers/published is served at all (REGISTERS_PUBLISH; the Code does not ask for it). */
  publish?: boolean;
  /** L.1: a gift from a contractor or supplier worth more than this (pence) needs a manager's override to accept. */
  significantGiftPence?: number;
  /** The delegated manager (Appendix 1) who signs for people with nobody above them: a member of staff's email. */
  delegateEmail?: string | null;
}
export const DEFAULT_REGISTERS_SETTINGS: RegistersSettings = { reminderIntervalDays: 7, escalateAfterDays: 14, publicationThresholdPence: 5000, publish: false, significantGiftPence: 2500, delegateEmail: null };

export interface RegistersDeps {
  db: Kysely<DB>;
  registers: RegistersRepository;
  staff: StaffRepository;
  organisation: OrganisationRepository;
  audit: AuditRepository;
  settings?: RegistersSettings;
  now?: () => Date;
}

const interestLabel = (k: string) => INTEREST_KINDS[k as InterestKind] ?? k;
const giftKindLabel = (k: string) => GIFT_KINDS[k as GiftKind] ?? k;
const responseLabel = (k: string) => GIFT_RESPONSES[k as GiftResponse] ?? k;
const name = (p: { given_name: string; family_name: string }) => `${p.given_name} ${p.family_name}`;
const post = (jobRole: string) => (JOB_ROLES as Record<string, string>)[jobRole] ?? jobRole;
const day = (d: Date | string | null): SheetCell => (d === null ? null : { date: typeof d === 'string' ? d.slice(0, 10) : londonToday(d) });

/** Seed 002: annual declarations of interest and the register of gifts, hospitality, legacies and sponsorship. */
export function buildRegistersService(deps: RegistersDeps) {
  const { db, registers: repo, staff, organisation, audit } = deps;
  const settings = { ...DEFAULT_REGISTERS_SETTINGS, ...deps.settings };
  const now = deps.now ?? (() => new Date());

  const viewAll = (actor: Actor) => can(actor, 'registers.view_all');

  /** The configured delegated manager (REGISTERS_DELEGATE_EMAIL), if that person is on the staff. */
  const delegate = async () => (settings.delegateEmail ? (await repo.staffByEmail(settings.delegateEmail)) ?? null : null);
  const isDelegate = async (actor: Actor) => actor.staffId !== null && (await delegate())?.id === actor.staffId;

  /** Whose entries the actor sees: everyone (registers team), or themselves and their reports (the delegate: and the top of each chain). */
  async function visibleStaff(actor: Actor): Promise<number[] | 'all'> {
    if (viewAll(actor)) return 'all';
    if (actor.staffId === null) return [];
    const top = (await isDelegate(actor)) ? await repo.topOfChain() : [];
    return [actor.staffId, ...(await staff.reports(actor.staffId)).map((r) => r.id), ...top];
  }

  /**
   * Appendix 1, "Signed (Managing Director or Delegated Manager)": the named signer of a person's
   * declarations is their line manager; at the top of a chain, the configured delegate, or else the
   * registers officer. Nobody signs their own.
   */
  async function namedSigner(staffId: number): Promise<{ id: number | null; name: string; as: string }> {
    const [first] = await staff.chain(staffId);
    if (first) return { id: first.id, name: name(first), as: 'line manager' };
    const d = await delegate();
    if (d && d.id !== staffId) return { id: d.id, name: name(d), as: 'delegated manager' };
    return { id: null, name: 'The registers officer', as: 'registers officer' };
  }

  /** Manager in the person's chain, the delegate for the top of a chain, or the registers team; never oneself. */
  async function mayDecideFor(actor: Actor, staffId: number) {
    if (actor.staffId === staffId) return false;
    if (viewAll(actor)) return true;
    if (actor.staffId === null) return false;
    const chain = await staff.chain(staffId);
    if (chain.some((c) => c.id === actor.staffId)) return true;
    return chain.length === 0 && (await isDelegate(actor));
  }

  /** H.6: a confidential interest is seen by the person, their named signer, whoever signed it, and the registers team. */
  async function seesConfidential(actor: Actor, staffId: number, signedBy: number | null) {
    if (viewAll(actor) || actor.staffId === staffId) return true;
    if (actor.staffId === null) return false;
    return signedBy === actor.staffId || (await namedSigner(staffId)).id === actor.staffId;
  }

  async function mustSee(actor: Actor, staffId: number) {
    const ids = await visibleStaff(actor);
    if (ids !== 'all' && !ids.includes(staffId)) throw new ForbiddenError('You can only see your own entries and those of the people you manage');
  }

  const signer = (actor: Actor) => ({ staffId: actor.staffId, name: actor.displayName });

  function mustHaveStaff(actor: Actor): number {
    if (actor.staffId === null) throw new ForbiddenError('Only members of staff make declarations and register entries');
    return actor.staffId;
  }

  async function filterFor(actor: Actor, form: ReportFilterForm): Promise<RegisterFilter> {
    return { staffIds: await visibleStaff(actor), directorateId: form.directorateId, teamId: form.teamId, from: form.from, to: form.to };
  }
  /** Senior managers' register: keeps only service managers and above when asked. */
  const seniorFilter = <T extends { job_role: string }>(form: ReportFilterForm, rows: T[]) => (form.seniorOnly ? rows.filter((r) => isSeniorOfficer(r.job_role)) : rows);

  const decorateGift = (g: Awaited<ReturnType<RegistersRepository['gifts']>>[number]) => ({
    ...g, kindLabel: giftKindLabel(g.kind), responseLabel: responseLabel(g.response), value: formatPounds(g.value_pence), person: name(g),
    giverLabel: GIVER_TYPES[g.giver_type],
  });

  return {
    settings,

    /** The registers home: my declaration this year, my entries, what awaits my action. */
    async overview(actor: Actor) {
      const year = declarationYear(now());
      const ids = await visibleStaff(actor);
      const me = actor.staffId === null ? null : await repo.person(actor.staffId);
      const [declarations, gifts] = await Promise.all([repo.declarations({ staffIds: ids }), repo.gifts({ staffIds: ids })]);
      const mine = declarations.filter((d) => d.staff_id === actor.staffId);
      const others = declarations.filter((d) => d.staff_id !== actor.staffId);
      return {
        year,
        me,
        declaredThisYear: mine.some((d) => d.year === year),
        myDeclarations: mine,
        myGifts: gifts.filter((g) => g.staff_id === actor.staffId).map(decorateGift),
        awaitingDeclarations: others.filter((d) => d.awaiting_action > 0 || !d.signed_off_at),
        awaitingGifts: gifts.filter((g) => g.staff_id !== actor.staffId && g.status === 'pending').map(decorateGift),
        viewAll: viewAll(actor),
        staffChoices: viewAll(actor) ? await repo.activeStaff() : [],
      };
    },

    async newDeclaration(actor: Actor) {
      const staffId = mustHaveStaff(actor);
      const year = declarationYear(now());
      const [me, suppliers, existing] = await Promise.all([repo.person(staffId), repo.suppliers(), repo.declarationFor(staffId, year)]);
      return { me, year, kinds: INTEREST_KINDS, suppliers, existing: existing?.id ?? null };
    },

    /** One declaration per person per year: a change of circumstances is added to it. */
    async declare(actor: Actor, form: DeclarationForm) {
      const staffId = mustHaveStaff(actor);
      const year = declarationYear(now());
      const already = () => new ValidationError([{ field: 'declaration', message: `You have already made your declaration for ${year}: add any new interest to it from the registers page` }]);
      if (await repo.declarationFor(staffId, year)) throw already();
      if (form.interest?.supplierId && !(await repo.suppliers()).some((s) => s.id === form.interest!.supplierId)) throw new ValidationError([{ field: 'supplierId', message: 'Select a contractor or supplier from the list' }]);
      return inTransaction(db, async (trx) => {
        const id = await repo.createDeclaration(trx, { staffId, year, noConflict: form.interest === null, accountId: actor.accountId });
        if (form.interest) await repo.addInterest(trx, id, form.interest);
        await audit.appendIn(trx, { ...actorFields(actor), action: 'declaration.make', entityType: 'interest_declaration', entityId: id, detail: { year, noConflict: form.interest === null, kind: form.interest?.kind ?? null } });
        return id;
      }).catch((e: unknown) => {
        if ((e as { code?: string }).code === '23505') throw already();
        throw e;
      });
    },

    async declaration(actor: Actor, id: number) {
      const d = await repo.declaration(id);
      if (!d) throw new NotFoundError('Declaration');
      await mustSee(actor, d.staff_id);
      const [person, all, canSignOff, signer, suppliers] = await Promise.all([repo.person(d.staff_id), repo.interests(id), mayDecideFor(actor, d.staff_id), namedSigner(d.staff_id), repo.suppliers()]);
      const interests = [];
      for (const i of all) if (!isConfidential(i.kind) || (await seesConfidential(actor, d.staff_id, i.signed_off_by))) interests.push(i);
      return {
        declaration: d, person, isOwn: actor.staffId === d.staff_id, canSignOff, signer, suppliers,
        interests: interests.map((i) => ({
          ...i, kindLabel: interestLabel(i.kind), confidential: isConfidential(i.kind),
          lectureFee: i.lecture_fee_pence === null ? null : formatPounds(i.lecture_fee_pence),
          feeKept: i.lecture_fee_pence === null || i.lecture_in_council_time === null ? null : formatPounds(lectureFeeKept(i.lecture_fee_pence, i.lecture_in_council_time)),
        })),
        hiddenConfidential: all.length - interests.length,
        /** H.5: an interest in a contractor in a live tender. */
        tenderWarnings: interests.filter((i) => i.live_tender).map((i) => i.supplier_name!),
        canSignDeclaration: canSignOff && d.signed_off_at === null,
        kinds: INTEREST_KINDS,
      };
    },

    /** Circumstances changed: another interest on one's own declaration. */
    async addInterest(actor: Actor, declarationId: number, form: InterestForm) {
      const d = await repo.declaration(declarationId);
      if (!d) throw new NotFoundError('Declaration');
      if (d.staff_id !== actor.staffId) throw new ForbiddenError('Only the person who made the declaration can add to it');
      if (form.supplierId && !(await repo.suppliers()).some((s) => s.id === form.supplierId)) throw new ValidationError([{ field: 'supplierId', message: 'Select a contractor or supplier from the list' }]);
      await inTransaction(db, async (trx) => {
        const id = await repo.addInterest(trx, declarationId, form);
        await audit.appendIn(trx, { ...actorFields(actor), action: 'declaration.add_interest', entityType: 'interest_declaration', entityId: declarationId, detail: { interestId: id, kind: form.kind } });
      });
    },

    /** The manager records the management action to prevent a conflict of interest, and signs it off. */
    async signOff(actor: Actor, declarationId: number, interestId: number, action: string) {
      const d = await repo.declaration(declarationId);
      if (!d) throw new NotFoundError('Declaration');
      if (!(await mayDecideFor(actor, d.staff_id))) throw new ForbiddenError('Only the person’s manager, or the registers team, can sign off a declaration');
      const interest = (await repo.interests(declarationId)).find((i) => i.id === interestId);
      if (!interest) throw new NotFoundError('Interest');
      if (interest.signed_off_at) throw new ValidationError([{ field: `action-${interestId}`, message: 'This interest has already been signed off' }]);
      if (isConfidential(interest.kind) && !(await seesConfidential(actor, d.staff_id, null))) throw new NotFoundError('Interest');
      await inTransaction(db, async (trx) => {
        await repo.signOff(trx, interestId, action, signer(actor));
        await audit.appendIn(trx, { ...actorFields(actor), action: 'declaration.sign_off', entityType: 'interest_declaration', entityId: declarationId, detail: { interestId } });
      });
    },

    /** Appendix 1: the manager (or delegate) signs the whole declaration, a nil one too, once each interest has its management action. */
    async signDeclaration(actor: Actor, declarationId: number) {
      const d = await repo.declaration(declarationId);
      if (!d) throw new NotFoundError('Declaration');
      if (!(await mayDecideFor(actor, d.staff_id))) throw new ForbiddenError('Only the person’s manager, the delegated manager or the registers team can sign a declaration');
      if (d.signed_off_at) throw new ValidationError([{ field: 'confirm', message: 'This declaration has already been signed' }]);
      const open = (await repo.interests(declarationId)).filter((i) => !i.signed_off_at);
      if (open.length) throw new ValidationError([{ field: 'confirm', message: `Record the management action for each interest before you sign the declaration (${open.length} still to do)` }]);
      await inTransaction(db, async (trx) => {
        if (!(await repo.signDeclaration(trx, declarationId, signer(actor)))) throw new ValidationError([{ field: 'confirm', message: 'This declaration has already been signed' }]);
        await audit.appendIn(trx, { ...actorFields(actor), action: 'declaration.sign', entityType: 'interest_declaration', entityId: declarationId, detail: { noConflict: d.no_conflict } });
      });
    },

    // ---- Gifts, hospitality, legacies, sponsorship ----
    async giftFormContext(actor?: Actor) {
      const managers = actor?.staffId ? (await staff.chain(actor.staffId)).map((c) => ({ id: c.id, name: name(c) })) : [];
      return { kinds: GIFT_KINDS, responses: GIFT_RESPONSES, giverTypes: GIVER_TYPES, suppliers: await repo.suppliers(), managers, significant: formatPounds(settings.significantGiftPence!) };
    },

    async recordGift(actor: Actor, form: GiftForm) {
      const staffId = mustHaveStaff(actor);
      const errors = giftProblems(form);
      if (form.supplierId !== null && !(await repo.suppliers()).some((s) => s.id === form.supplierId)) errors.push({ field: 'supplierId', message: 'Select a contractor or supplier from the list' });
      const chain = await staff.chain(staffId);
      const authoriser = form.authorisedById ? chain.find((c) => c.id === form.authorisedById) : undefined;
      if (form.authorisedById && !authoriser) errors.push({ field: 'authorisedById', message: 'Select one of your managers: hospitality is authorised by a manager above you' });
      if (errors.length) throw new ValidationError(errors);
      const giverType = form.giverType ?? 'organisation';
      const eventOn = form.kind === 'hospitality' ? form.eventOn ?? null : null;
      const late = isLate(form.kind, eventOn, londonToday(now()));
      const override = needsOverride({ ...form, giverType }, settings.significantGiftPence!);
      const authorisedBy = form.kind === 'hospitality' && authoriser ? { id: authoriser.id, name: name(authoriser) } : null;
      const person = await repo.person(staffId);
      return inTransaction(db, async (trx) => {
        const id = await repo.createGift(trx, staffId, { ...form, giverType, eventOn, authorisedBy, late, needsOverride: override, authorisedInAdvance: authorisedBy !== null && !late });
        await audit.appendIn(trx, { ...actorFields(actor), action: 'gift.record', entityType: 'gift_entry', entityId: id, detail: { kind: form.kind, response: form.response, valuePence: form.valuePence, supplierId: form.supplierId, giverType, late, needsOverride: override } });
        // L.2, L.3: the manager is told of every gift and legacy (and of anything needing their decision).
        const manager = chain[0];
        if (manager && (form.kind === 'gift' || form.kind === 'legacy' || override)) {
          const who = person ? name(person) : actor.displayName;
          await repo.notify(trx, {
            recipientId: manager.id, link: `/registers/gifts/${id}`,
            subject: `${who} recorded a ${giftKindLabel(form.kind).toLowerCase()}${override ? ' that needs your override' : ''}`,
            body: `${who} recorded a ${giftKindLabel(form.kind).toLowerCase()} offered by ${form.offeredBy}, worth ${formatPounds(form.valuePence)}: ${responseLabel(form.response).toLowerCase()}.${override ? ' It is a significant gift from a client, contractor or supplier (Kent Code L.1): it may be kept only if you override with a reason.' : ''}`,
          });
        }
        return id;
      });
    },

    async gift(actor: Actor, id: number) {
      const [g] = await repo.gifts({ staffIds: 'all', giftId: id });
      if (!g) throw new NotFoundError('Entry');
      await mustSee(actor, g.staff_id);
      return { entry: decorateGift(g), canDecide: g.status === 'pending' && (await mayDecideFor(actor, g.staff_id)) };
    },

    async decideGift(actor: Actor, id: number, decision: { decision: 'approved' | 'declined'; note: string | null }) {
      const [g] = await repo.gifts({ staffIds: 'all', giftId: id });
      if (!g) throw new NotFoundError('Entry');
      if (!(await mayDecideFor(actor, g.staff_id))) throw new ForbiddenError('Only the person’s manager, or the registers team, can approve or decline an entry');
      if (g.status !== 'pending') throw new ValidationError([{ field: 'decision', message: 'A decision has already been made on this entry' }]);
      if (decision.decision === 'declined' && !decision.note) throw new ValidationError([{ field: 'note', message: 'Enter why you are declining the entry' }]);
      const override = g.needs_override && decision.decision === 'approved';
      if (override && (!decision.note || decision.note.length < 10)) {
        throw new ValidationError([{ field: 'note', message: 'This is a significant gift from a client, contractor or supplier (L.1): enter your reason for overriding the rule and letting them keep it' }]);
      }
      await inTransaction(db, async (trx) => {
        await repo.decide(trx, id, { status: decision.decision, note: decision.note, ...signer(actor), overrideReason: override ? decision.note : null });
        await audit.appendIn(trx, { ...actorFields(actor), action: `gift.${decision.decision === 'approved' ? 'approve' : 'decline'}`, entityType: 'gift_entry', entityId: id, detail: {} });
      });
    },

    // ---- Registers team ----
    async suppliers(actor: Actor) {
      if (!viewAll(actor)) throw new ForbiddenError();
      const [suppliers, interests] = await Promise.all([repo.suppliers(), repo.supplierInterests()]);
      // H.5: who must not be given the tender documents without the Managing Director's authority.
      return {
        suppliers: suppliers.map((sp) => ({
          ...sp, interested: interests.filter((i) => i.supplier_id === sp.id).map((i) => `${name(i)} (${interestLabel(i.kind).replace(/ \(.*\)$/, '').toLowerCase()}${i.contract ? `, ${i.contract}` : ''})`),
        })),
      };
    },
    async addSupplier(actor: Actor, form: { name: string; liveTender: boolean }) {
      if (!viewAll(actor)) throw new ForbiddenError();
      if (await repo.supplierByName(form.name)) throw new ValidationError([{ field: 'name', message: 'That contractor or supplier is already on the list' }]);
      await inTransaction(db, async (trx) => {
        const id = await repo.createSupplier(trx, form);
        await audit.appendIn(trx, { ...actorFields(actor), action: 'supplier.create', entityType: 'supplier', entityId: id, detail: { liveTender: form.liveTender } });
      });
    },
    async setPoliticalRestriction(actor: Actor, form: { staffId: number; restricted: boolean }) {
      if (!viewAll(actor)) throw new ForbiddenError();
      if (!(await repo.person(form.staffId))) throw new ValidationError([{ field: 'staffId', message: 'Select a member of staff from the list' }]);
      await inTransaction(db, async (trx) => {
        await repo.setPoliticallyRestricted(trx, form.staffId, form.restricted);
        await audit.appendIn(trx, { ...actorFields(actor), action: 'staff.political_restriction', entityType: 'staff', entityId: form.staffId, detail: { restricted: form.restricted } });
      });
    },

    // ---- Reports ----
    async report(actor: Actor, form: ReportFilterForm) {
      const filter = { ...(await filterFor(actor, form)), includeConfidential: true };
      const [declarations, all, gifts, directorates, teams, d] = await Promise.all([
        repo.declarations(filter), repo.interestRows(filter), repo.gifts(filter), organisation.directorates(), organisation.teams('all'), delegate(),
      ]);
      // H.6: a confidential interest only for the person, their signing manager (or whoever signed it) and the registers team.
      const me = actor.staffId;
      const interests = all.filter((r) => !isConfidential(r.kind) || viewAll(actor) || (me !== null && (r.staff_id === me || r.line_manager_id === me || r.signed_off_by === me || (r.line_manager_id === null && d?.id === me))));
      return {
        declarations,
        interests: seniorFilter(form, interests).map((i) => ({ ...i, kindLabel: interestLabel(i.kind), person: name(i) })),
        gifts: seniorFilter(form, gifts).map(decorateGift),
        directorates, teams,
      };
    },
    /** The declarations export: typed cells, posts in words; H.6 interests are never in it. */
    async interestsTable(actor: Actor, form: ReportFilterForm): Promise<SheetCell[][]> {
      const rows = seniorFilter(form, await repo.interestRows({ ...(await filterFor(actor, form)), includeConfidential: false }));
      return [
        ['Name', 'Post', 'Team', 'Directorate', 'Year', 'Declared', 'Interest', 'Description', 'Contractor or supplier', 'Contract', 'Lecture fee', 'Consent needed', 'Consent reference', 'Management action', 'Signed off by', 'Signed off', 'Declaration signed by', 'Declaration signed'],
        ...rows.map((r) => [name(r), post(r.job_role), r.team_name ?? '', r.directorate_name ?? '', r.year, day(r.declared_at), interestLabel(r.kind), r.description,
          r.supplier_name ?? '', r.contract ?? '', r.lecture_fee_pence === null ? null : { gbp: r.lecture_fee_pence / 100 },
          r.consent_needed, r.consent_reference ?? '', r.management_action ?? '', r.signed_off_name ?? '', day(r.signed_off_at), r.declaration_signed_by ?? '', day(r.declaration_signed_at)]),
      ];
    },
    async giftsTable(actor: Actor, form: ReportFilterForm): Promise<SheetCell[][]> {
      const rows = seniorFilter(form, await repo.gifts(await filterFor(actor, form)));
      return [
        ['Name', 'Post', 'Team', 'Directorate', 'Type', 'Offered on', 'Event date', 'Description', 'Offered by', 'Giver', 'Contractor or supplier', 'Live tender', 'Estimated value', 'Response', 'Refusal letter', 'Authorised in advance by', 'Recorded late', 'Reason', 'Needs override (L.1)', 'Override reason', 'Decision', 'Decided by'],
        ...rows.map((r) => [name(r), post(r.job_role), r.team_name ?? '', r.directorate_name ?? '', giftKindLabel(r.kind), day(r.offered_on), day(r.event_on), r.description, r.offered_by, GIVER_TYPES[r.giver_type], r.supplier_name ?? '',
          r.live_tender, { gbp: r.value_pence / 100 }, responseLabel(r.response), r.refusal_letter ?? '', r.authorised_by_name ?? '', r.late, r.reason, r.needs_override, r.override_reason ?? '', r.status, r.decided_by_name ?? '']),
      ];
    },

    /**
     * The published register (only when REGISTERS_PUBLISH is on): senior officers' decided gifts and
     * hospitality at or above the threshold, never from a client or a private individual. Name, post,
     * type, value band and decision: nothing else.
     */
    async published() {
      if (!settings.publish) throw new NotFoundError('Page');
      const rows = await repo.gifts({ staffIds: 'all' });
      return {
        threshold: formatPounds(settings.publicationThresholdPence),
        entries: rows.filter((r) => publishable(r, settings.publicationThresholdPence)).map((r) => ({
          name: name(r), post: post(r.job_role), kind: giftKindLabel(r.kind), valueBand: valueBand(r.value_pence), decision: publishedDecision(r),
        })),
      };
    },

    /** The daily job: remind those who have not declared this year; tell their manager after the set days. */
    async sendReminders() {
      const at = now();
      const year = declarationYear(at);
      const people = await repo.undeclared(year);
      let reminders = 0, escalations = 0;
      for (const p of people) {
        const due = remindersDue(at, { sent: p.sent, hasManager: p.line_manager_id !== null }, settings);
        if (!due.length) continue;
        await inTransaction(db, async (trx) => {
          for (const kind of due) {
            if (kind === 'reminder') {
              await repo.recordReminder(trx, { staffId: p.id, year, kind, recipientId: p.id, at, link: '/registers/declarations/new',
                subject: `Make your ${year} declaration of interests`,
                body: `You have not yet made your annual declaration of interests for ${year} (Kent Code H.1). Declare any interests, or confirm you have no conflict of interest.` });
              reminders++;
            } else {
              await repo.recordReminder(trx, { staffId: p.id, year, kind, recipientId: p.line_manager_id!, at, link: '/registers',
                subject: `${name(p)} has not made their ${year} declaration of interests`,
                body: `${name(p)} has been reminded but has not yet made their annual declaration of interests for ${year}. Please follow this up with them.` });
              escalations++;
            }
          }
        });
      }
      return { reminders, escalations };
    },
    isSeniorOfficer,
  };
}

export type RegistersService = ReturnType<typeof buildRegistersService>;
