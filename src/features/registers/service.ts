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
  GIFT_KINDS, GIFT_RESPONSES, INTEREST_KINDS, declarationYear, formatPounds, giftProblems, isSeniorOfficer, publishable, remindersDue,
  type GiftKind, type GiftResponse, type InterestKind, type ReminderSchedule,
} from './rules.ts';
import type { DeclarationForm, GiftForm, InterestForm, ReportFilterForm } from './schema.ts';

export interface RegistersSettings extends ReminderSchedule {
  /** Published register: entries at or above this value, in pence. */
  publicationThresholdPence: number;
}
export const DEFAULT_REGISTERS_SETTINGS: RegistersSettings = { reminderIntervalDays: 7, escalateAfterDays: 14, publicationThresholdPence: 5000 };

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

/** Seed 002: annual declarations of interest and the register of gifts, hospitality, legacies and sponsorship. */
export function buildRegistersService(deps: RegistersDeps) {
  const { db, registers: repo, staff, organisation, audit } = deps;
  const settings = deps.settings ?? DEFAULT_REGISTERS_SETTINGS;
  const now = deps.now ?? (() => new Date());

  const viewAll = (actor: Actor) => can(actor, 'registers.view_all');

  /** Whose entries the actor sees: everyone (registers team), or themselves and their reports. */
  async function visibleStaff(actor: Actor): Promise<number[] | 'all'> {
    if (viewAll(actor)) return 'all';
    if (actor.staffId === null) return [];
    return [actor.staffId, ...(await staff.reports(actor.staffId)).map((r) => r.id)];
  }

  /** Manager in the person's chain, or the registers team (the managing director's delegate); never oneself. */
  async function mayDecideFor(actor: Actor, staffId: number) {
    if (actor.staffId === staffId) return false;
    if (viewAll(actor)) return true;
    if (actor.staffId === null) return false;
    return (await staff.chain(staffId)).some((c) => c.id === actor.staffId);
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
        awaitingDeclarations: others.filter((d) => d.awaiting_action > 0),
        awaitingGifts: gifts.filter((g) => g.staff_id !== actor.staffId && g.status === 'pending').map(decorateGift),
        viewAll: viewAll(actor),
        staffChoices: viewAll(actor) ? await repo.activeStaff() : [],
      };
    },

    async newDeclaration(actor: Actor) {
      const staffId = mustHaveStaff(actor);
      return { me: await repo.person(staffId), year: declarationYear(now()), kinds: INTEREST_KINDS };
    },

    async declare(actor: Actor, form: DeclarationForm) {
      const staffId = mustHaveStaff(actor);
      const year = declarationYear(now());
      return inTransaction(db, async (trx) => {
        const id = await repo.createDeclaration(trx, { staffId, year, noConflict: form.interest === null, accountId: actor.accountId });
        if (form.interest) await repo.addInterest(trx, id, form.interest);
        await audit.appendIn(trx, { ...actorFields(actor), action: 'declaration.make', entityType: 'interest_declaration', entityId: id, detail: { year, noConflict: form.interest === null, kind: form.interest?.kind ?? null } });
        return id;
      });
    },

    async declaration(actor: Actor, id: number) {
      const d = await repo.declaration(id);
      if (!d) throw new NotFoundError('Declaration');
      await mustSee(actor, d.staff_id);
      const [person, interests, canSignOff] = await Promise.all([repo.person(d.staff_id), repo.interests(id), mayDecideFor(actor, d.staff_id)]);
      return {
        declaration: d, person, isOwn: actor.staffId === d.staff_id, canSignOff,
        interests: interests.map((i) => ({ ...i, kindLabel: interestLabel(i.kind) })),
        kinds: INTEREST_KINDS,
      };
    },

    /** Circumstances changed: another interest on one's own declaration. */
    async addInterest(actor: Actor, declarationId: number, form: InterestForm) {
      const d = await repo.declaration(declarationId);
      if (!d) throw new NotFoundError('Declaration');
      if (d.staff_id !== actor.staffId) throw new ForbiddenError('Only the person who made the declaration can add to it');
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
      await inTransaction(db, async (trx) => {
        await repo.signOff(trx, interestId, action, signer(actor));
        await audit.appendIn(trx, { ...actorFields(actor), action: 'declaration.sign_off', entityType: 'interest_declaration', entityId: declarationId, detail: { interestId } });
      });
    },

    // ---- Gifts, hospitality, legacies, sponsorship ----
    async giftFormContext() {
      return { kinds: GIFT_KINDS, responses: GIFT_RESPONSES, suppliers: await repo.suppliers() };
    },

    async recordGift(actor: Actor, form: GiftForm) {
      const staffId = mustHaveStaff(actor);
      const errors = giftProblems(form);
      if (form.supplierId !== null && !(await repo.suppliers()).some((s) => s.id === form.supplierId)) errors.push({ field: 'supplierId', message: 'Select a contractor or supplier from the list' });
      if (errors.length) throw new ValidationError(errors);
      return inTransaction(db, async (trx) => {
        const id = await repo.createGift(trx, staffId, form);
        await audit.appendIn(trx, { ...actorFields(actor), action: 'gift.record', entityType: 'gift_entry', entityId: id, detail: { kind: form.kind, response: form.response, valuePence: form.valuePence, supplierId: form.supplierId } });
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
      await inTransaction(db, async (trx) => {
        await repo.decide(trx, id, { status: decision.decision, note: decision.note, ...signer(actor) });
        await audit.appendIn(trx, { ...actorFields(actor), action: `gift.${decision.decision === 'approved' ? 'approve' : 'decline'}`, entityType: 'gift_entry', entityId: id, detail: {} });
      });
    },

    // ---- Registers team ----
    async suppliers(actor: Actor) {
      if (!viewAll(actor)) throw new ForbiddenError();
      return { suppliers: await repo.suppliers() };
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
      const filter = await filterFor(actor, form);
      const [declarations, interests, gifts, directorates, teams] = await Promise.all([
        repo.declarations(filter), repo.interestRows(filter), repo.gifts(filter), organisation.directorates(), organisation.teams('all'),
      ]);
      return {
        declarations,
        interests: seniorFilter(form, interests).map((i) => ({ ...i, kindLabel: interestLabel(i.kind), person: name(i) })),
        gifts: seniorFilter(form, gifts).map(decorateGift),
        directorates, teams,
      };
    },
    async interestsTable(actor: Actor, form: ReportFilterForm): Promise<string[][]> {
      const rows = seniorFilter(form, await repo.interestRows(await filterFor(actor, form)));
      return [
        ['Name', 'Post', 'Team', 'Directorate', 'Year', 'Declared', 'Interest', 'Description', 'Consent needed', 'Consent reference', 'Management action', 'Signed off by', 'Signed off'],
        ...rows.map((r) => [name(r), r.job_role, r.team_name ?? '', r.directorate_name ?? '', String(r.year), r.declared_at.toISOString().slice(0, 10), interestLabel(r.kind), r.description,
          r.consent_needed ? 'Yes' : 'No', r.consent_reference ?? '', r.management_action ?? '', r.signed_off_name ?? '', r.signed_off_at ? r.signed_off_at.toISOString().slice(0, 10) : '']),
      ];
    },
    async giftsTable(actor: Actor, form: ReportFilterForm): Promise<string[][]> {
      const rows = seniorFilter(form, await repo.gifts(await filterFor(actor, form)));
      return [
        ['Name', 'Post', 'Team', 'Directorate', 'Type', 'Offered on', 'Description', 'Offered by', 'Contractor or supplier', 'Live tender', 'Estimated value', 'Response', 'Refusal letter', 'Authorised in advance', 'Reason', 'Decision', 'Decided by'],
        ...rows.map((r) => [name(r), r.job_role, r.team_name ?? '', r.directorate_name ?? '', giftKindLabel(r.kind), r.offered_on, r.description, r.offered_by, r.supplier_name ?? '',
          r.live_tender ? 'Yes' : 'No', formatPounds(r.value_pence), responseLabel(r.response), r.refusal_letter ?? '', r.authorised_in_advance ? 'Yes' : 'No', r.reason, r.status, r.decided_by_name ?? '']),
      ];
    },

    /** The published register: senior officers' gifts and hospitality at or above the threshold; name and post only. */
    async published() {
      const rows = await repo.gifts({ staffIds: 'all' });
      return {
        threshold: formatPounds(settings.publicationThresholdPence),
        entries: rows.filter((r) => publishable(r, settings.publicationThresholdPence)).map((r) => ({
          name: name(r), post: r.job_role, kind: giftKindLabel(r.kind), offeredOn: r.offered_on, description: r.description,
          offeredBy: r.supplier_name ?? r.offered_by, value: formatPounds(r.value_pence), response: responseLabel(r.response), decision: r.status,
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
