import type { Kysely, Transaction } from 'kysely';
import type { DB } from '../../db/schema.ts';
import type { AuditRepository, Executor } from '../audit/repository.ts';
import type { Actor } from '../auth/actor.ts';
import { actorFields } from '../audit/service.ts';
import { can } from '../auth/access.ts';
import { ForbiddenError, NotFoundError, ValidationError } from '../../errors.ts';
import { inTransaction } from '../../db/transaction.ts';
import { londonToday, longDate } from '../../time/london.ts';
import type { WorkingDayCalendar } from '../../time/working-days.ts';
import type { HolidaysService } from '../holidays/service.ts';
import type { ComplaintsRepository, ListFilter } from './repository.ts';
import { PER_PAGE } from '../../web/paging.ts';
import {
  ACTION_KINDS, CHANNELS, COMPLAINANT_TYPES, DISCIPLINARY_OUTCOMES, FINDINGS, PROCEDURES, REFERRAL_BODIES, STAGE_NAMES, ALLEGATION_GROUPS,
  allegationLabel, allegationTheme, breached, extensionProblem, financialYearBands, isLateComplaint, milestones, openMilestone, overallOutcome,
  reminderKind, stage3RequestBy, staffWithUnrelatedComplaints, type Procedure, type StageNumber, type StageRecord,
} from './rules.ts';
import type { ActionForm, ComplaintForm, PeriodForm } from './schema.ts';
import { validateComplaintImport, type ComplaintImportRow } from './import.ts';
import { importBusy, lockImports, writeInHundreds, type ImportProgress } from '../imports/file.ts';
import type { StaffRepository } from '../people/repository.ts';

export interface ComplaintsDeps {
  db: Kysely<DB>;
  complaints: ComplaintsRepository;
  audit: AuditRepository;
  holidays: Pick<HolidaysService, 'calendars'>;
  /** The management line, for a senior manager's scope. */
  staff: Pick<StaffRepository, 'reports'>;
  now?: () => Date;
}

/** What `statistics` answers: seed 004's yearly table and seed 003 Q10's repeat-complaints question. */
export interface ComplaintStatisticsQuery {
  /** Inclusive ISO dates (London calendar days) of the period; complaints count by the date received. */
  from: string;
  to: string;
  /** Which procedure's complaints to count. Default 'statutory_children' (seed 004 counts statutory complaints). */
  procedure?: Procedure | 'all';
  /** Count only complaints naming staff in these job roles (e.g. ['social_worker']). Default: any. */
  jobRoles?: string[];
  /** Staff with at least this many complaints from unrelated complainants (default 2, seed 003 Q10). */
  repeatThreshold?: number;
}
export interface ComplaintYearRow {
  /** "2015/16", or a part-year cut short by the period, like "Apr–Sep 2016". */
  label: string; from: string; to: string; partYear: boolean;
  received: number;
  /** Received less withdrawn and not investigated (e.g. refused during an active police investigation). */
  investigated: number;
  withdrawn: number;
  notInvestigated: number;
  upheldOrPartiallyUpheld: number;
}
export interface ComplaintStatistics {
  from: string; to: string; procedure: Procedure | 'all';
  years: ComplaintYearRow[];
  totals: Omit<ComplaintYearRow, 'label' | 'from' | 'to' | 'partYear'>;
  repeatStaff: {
    count: number;
    /** `name` is null unless the caller may see complaints naming staff (complaints team, senior managers). */
    staff: { staffId: number; name: string | null; jobRole: string; teamName: string | null; complaints: number; unrelatedComplainants: number }[];
  };
  /** Disciplinary outcomes of dismissal dated within the period, for staff in `jobRoles` (all when not given). */
  dismissals: number;
}

const fullName = (p: { given_name: string; family_name: string }) => `${p.given_name} ${p.family_name}`;
const stageRecord = (s: { stage: number; started_on: string; extended_to: string | null; responded_on: string | null; panel_held_on: string | null; report_on: string | null }): StageRecord =>
  ({ stage: s.stage as StageNumber, started_on: s.started_on, extended_to: s.extended_to, responded_on: s.responded_on, panel_held_on: s.panel_held_on, report_on: s.report_on });

export function buildComplaintsService(deps: ComplaintsDeps) {
  const { db, complaints: repo, audit } = deps;
  const now = deps.now ?? (() => new Date());
  const today = () => londonToday(now());
  const calendar = async (): Promise<WorkingDayCalendar> => (await deps.holidays.calendars()).complaints;

  const mustView = (actor: Actor) => {
    if (!can(actor, 'complaints.view')) throw new ForbiddenError('Only the complaints team and senior managers can see complaints about staff');
  };
  const mustManage = (actor: Actor) => {
    if (!can(actor, 'complaints.manage')) throw new ForbiddenError('Only the complaints team can record and update complaints');
  };
  async function load(id: number) {
    const c = await repo.complaint(id);
    if (!c) throw new NotFoundError('Complaint');
    return c;
  }
  /**
   * Which complaints a reader may see. The complaints team sees them all. A service manager or
   * assistant director sees those about people in their own management line (or recorded against
   * one of its teams): a complaint is personal data about the staff named, and a manager elsewhere
   * has no reason to read it. Nobody sees a complaint that names them. Null means every complaint.
   */
  async function lineOf(actor: Actor): Promise<{ staff: Set<number>; teams: Set<number> } | null> {
    if (can(actor, 'complaints.manage')) return null;
    const line = actor.staffId === null ? [] : await deps.staff.reports(actor.staffId);
    return { staff: new Set(line.map((r) => r.id)), teams: new Set(line.map((r) => r.team_id).filter((t): t is number => t !== null)) };
  }
  async function visible(actor: Actor, onlyIds: number[] | null = null): Promise<Set<number> | null> {
    const line = await lineOf(actor);
    if (!line) return null;
    if (actor.staffId === null) return new Set();
    return repo.visibleTo(actor.staffId, [...line.staff], [...line.teams], onlyIds);
  }
  async function mustSee(actor: Actor, id: number) {
    mustView(actor);
    const scope = await visible(actor, [id]);
    // As if it did not exist: the reader learns nothing about complaints outside their line.
    if (scope && !scope.has(id)) throw new NotFoundError('Complaint');
  }
  const within = <T extends { id: number }>(rows: T[], scope: Set<number> | null) => (scope ? rows.filter((r) => scope.has(r.id)) : rows);
  const finished = (c: { withdrawn_on: string | null; not_investigated_on: string | null; closed_on: string | null }) => Boolean(c.withdrawn_on || c.not_investigated_on || c.closed_on);
  async function mustBeOpen(id: number) {
    const c = await load(id);
    if (finished(c)) throw new ValidationError([{ field: 'form', message: 'This complaint is closed' }]);
    return c;
  }
  async function change(actor: Actor, id: number, action: string, detail: Record<string, unknown>, fn: (trx: import('kysely').Transaction<DB>) => Promise<void>) {
    await inTransaction(db, async (trx) => {
      await fn(trx);
      await audit.appendIn(trx, { ...actorFields(actor), action, entityType: 'complaint', entityId: id, detail });
    });
  }

  async function statistics(actor: Actor, q: ComplaintStatisticsQuery): Promise<ComplaintStatistics> {
    if (!can(actor, 'complaints.statistics')) throw new ForbiddenError('You cannot see complaint statistics');
    const procedure = q.procedure ?? 'statutory_children';
    const rows = (await repo.summaries({ from: q.from, to: q.to })).filter((r) => procedure === 'all' || r.procedure === procedure);
    const allStaff = await repo.staffByIds([...new Set(rows.flatMap((r) => r.staff_ids))]);
    const roleOf = new Map(allStaff.map((s) => [s.id, s.job_role]));
    const inRoles = (staffIds: number[]) => !q.jobRoles?.length || staffIds.some((s) => q.jobRoles!.includes(roleOf.get(s) ?? ''));
    const counted = rows.filter((r) => inRoles(r.staff_ids));
    const count = (list: typeof counted) => {
      const withdrawn = list.filter((r) => r.withdrawn_on).length;
      const notInvestigated = list.filter((r) => !r.withdrawn_on && r.not_investigated_on).length;
      return {
        received: list.length, withdrawn, notInvestigated, investigated: list.length - withdrawn - notInvestigated,
        upheldOrPartiallyUpheld: list.filter((r) => !r.withdrawn_on && !r.not_investigated_on && (r.outcome === 'upheld' || r.outcome === 'partially_upheld')).length,
      };
    };
    const years = financialYearBands(q.from, q.to).map((b) => ({ ...b, ...count(counted.filter((r) => r.received_on >= b.from && r.received_on <= b.to)) }));
    const repeat = staffWithUnrelatedComplaints(
      counted.map((r) => ({ id: r.id, receivedOn: r.received_on, staffIds: r.staff_ids.filter((s) => !q.jobRoles?.length || q.jobRoles.includes(roleOf.get(s) ?? '')), household: r.household, complainantName: r.complainant_name })),
      { from: q.from, to: q.to }, q.repeatThreshold ?? 2);
    // Names only for the complaints team, and for a senior manager only of people in their own line
    // (or its teams). Others with statistics (FOI officers) get figures without names.
    const line = can(actor, 'complaints.view') ? await lineOf(actor) : null;
    const byId = new Map(allStaff.map((s) => [s.id, s]));
    const named = (staffId: number) => can(actor, 'complaints.manage')
      || (line !== null && staffId !== actor.staffId && (line.staff.has(staffId) || line.teams.has(byId.get(staffId)?.team_id ?? -1)));
    const dismissals = (await repo.dismissals(q.from, q.to)).filter((d) => !q.jobRoles?.length || q.jobRoles.includes(d.job_role ?? ''));
    return {
      from: q.from, to: q.to, procedure, years, totals: count(counted),
      repeatStaff: {
        count: repeat.length,
        staff: repeat.map((r) => {
          const s = byId.get(r.staffId);
          return { staffId: r.staffId, name: named(r.staffId) && s ? fullName(s) : null, jobRole: s?.job_role ?? '', teamName: s?.team_name ?? null, complaints: r.complaints, unrelatedComplainants: r.unrelatedComplainants };
        }),
      },
      dismissals: dismissals.length,
    };
  }

  async function stageViews(stages: Awaited<ReturnType<ComplaintsRepository['stages']>>) {
    const cal = await calendar();
    const t = today();
    return stages.map((s) => {
      const rec = stageRecord(s);
      const ms = milestones(cal, rec).map((m) => ({ ...m, breached: breached(m, t) }));
      return { ...s, name: STAGE_NAMES[s.stage as StageNumber], milestones: ms, open: openMilestone(cal, rec), breached: ms.some((m) => m.breached),
        stage3RequestBy: s.stage === 2 && s.responded_on ? stage3RequestBy(cal, s.responded_on) : null };
    });
  }

  /** The one audit entry of a finished import. */
  const auditImport = (trx: Transaction<DB>, actor: Actor, fileName: string, rows: number) =>
    audit.appendIn(trx, { ...actorFields(actor), action: 'complaint.import', entityType: 'complaint', entityId: null, detail: { fileName, rows } });
  async function writeImportRows(trx: Executor, actor: Actor, rows: ComplaintImportRow[]) {
    for (const r of rows) {
      const { id } = await repo.create(trx, { ...r, complainantContact: null, lateReason: r.lateReason, summary: r.summary ?? '', source: 'import' }, actor.accountId);
      await repo.addStaff(trx, id, r.staffIds);
      await repo.addAllegations(trx, id, r.categories.map((category) => ({ category, detail: null, finding: r.outcome })));
      if (r.stageReached) for (let n = 1; n <= r.stageReached; n++) await repo.createStage(trx, { complaintId: id, stage: n, startedOn: r.receivedOn, respondedOn: r.closedOn ?? r.receivedOn });
      for (const staffId of r.disciplinaryOutcome ? r.staffIds.slice(0, 1) : []) {
        await repo.addAction(trx, { complaintId: id, staffId, kind: 'disciplinary_investigation', detail: 'Imported', disciplinaryOutcome: r.disciplinaryOutcome, outcomeOn: r.disciplinaryOutcomeOn });
      }
      for (const d of r.disciplinaryOutcomes) {
        await repo.addAction(trx, { complaintId: id, staffId: d.staffId, kind: 'disciplinary_investigation', detail: 'Imported', disciplinaryOutcome: d.outcome, outcomeOn: d.on });
      }
      for (const kind of r.actions) await repo.addAction(trx, { complaintId: id, staffId: null, kind, detail: 'Imported' });
      for (const ref of r.referrals) await repo.addReferral(trx, { complaintId: id, ...ref });
    }
  }

  /** Checks a historic complaints CSV in full without writing anything: every problem, with its line. */
  async function checkImport(actor: Actor, text: string, ex: Executor = db) {
    mustManage(actor);
    const staff = await repo.staffByEmployeeNumber(ex);
    const teams = await repo.teams(ex);
    const references = await repo.references(ex);
    return validateComplaintImport(text, {
      staff: new Map(staff.map((s) => [s.employee_number.toUpperCase(), s.id])),
      teams: new Map(teams.map((t) => [t.name.toLowerCase(), { id: t.id, serviceId: t.service_id }])),
      references,
    });
  }

  return {
    statistics,

    async formContext() {
      return { teams: await repo.teams(), staff: await repo.activeStaff(), channels: CHANNELS, procedures: PROCEDURES, complainantTypes: COMPLAINANT_TYPES, allegationGroups: ALLEGATION_GROUPS };
    },

    /** Records a complaint, opens stage 1 on the date received, and tells each member of staff named. */
    async record(actor: Actor, form: ComplaintForm) {
      mustManage(actor);
      const errors = [];
      if (form.receivedOn > today()) errors.push({ field: 'receivedOn-day', message: 'The date received must be today or in the past' });
      if (form.matterOn && form.matterOn > form.receivedOn) errors.push({ field: 'matterOn-day', message: 'The matter complained about must be on or before the date received' });
      if (isLateComplaint(form.matterOn, form.receivedOn) && !form.lateReason) errors.push({ field: 'lateReason', message: 'The complaint was made more than a year after the matter: enter why it is accepted late' });
      const teams = await repo.teams();
      const team = form.teamId === null ? null : teams.find((t) => t.id === form.teamId);
      if (form.teamId !== null && !team) errors.push({ field: 'teamId', message: 'Select a team from the list' });
      const byNumber = new Map((await repo.staffByEmployeeNumber()).map((s) => [s.employee_number.toUpperCase(), s.id]));
      const unknown = (form.staffNumbers ?? []).filter((n) => !byNumber.has(n));
      if (unknown.length) errors.push({ field: 'otherStaff', message: `Not in Harbour: ${unknown.join(', ')}. Enter employee numbers, like E1001` });
      const staffIds = [...new Set([...form.staffIds, ...(form.staffNumbers ?? []).flatMap((n) => (byNumber.has(n) ? [byNumber.get(n)!] : []))])];
      const staff = await repo.staffByIds(staffIds);
      if (staff.length !== staffIds.length) errors.push({ field: 'staffIds', message: 'Select staff from the list' });
      if (errors.length) throw new ValidationError(errors);
      const at = now();
      return inTransaction(db, async (trx) => {
        const { id, reference } = await repo.create(trx, { ...form, serviceId: team?.service_id ?? null, lateReason: isLateComplaint(form.matterOn, form.receivedOn) ? form.lateReason : null }, actor.accountId);
        await repo.addStaff(trx, id, staffIds);
        await repo.addAllegations(trx, id, form.allegations.map((category) => ({ category, detail: null })));
        await repo.createStage(trx, { complaintId: id, stage: 1, startedOn: form.receivedOn });
        for (const s of staff) {
          // The procedure: the member of staff complained about is told, without the complainant's details.
          await repo.notify(trx, { recipientId: s.id, at, link: null, subject: `A complaint has been made about you (${reference})`,
            body: `The complaints team has received a complaint that names you (${reference}, received ${form.receivedOn}). It will be handled under the ${PROCEDURES[form.procedure].toLowerCase()}. Your manager or the complaints team will contact you about it; you will be able to respond.` });
          await repo.markNotified(trx, id, s.id);
        }
        await audit.appendIn(trx, { ...actorFields(actor), action: 'complaint.record', entityType: 'complaint', entityId: id, detail: { reference, procedure: form.procedure, staffIds, allegations: form.allegations } });
        return id;
      });
    },

    /**
     * One page of the complaints the reader may see, newest first, and how many match in all.
     * Search covers the reference and the names of the staff (the columns the list shows); the
     * complainant's name only for the complaints team. "Breached" needs the working-day calendar,
     * so every matching complaint is weighed here and then the page is cut: nothing is capped.
     */
    async list(actor: Actor, f: PeriodForm & ListFilter & { breached?: boolean }, page = 1) {
      mustView(actor);
      const canManage = can(actor, 'complaints.manage');
      const [all, stages, teams, scope] = await Promise.all([repo.summaries({ ...f, searchComplainant: canManage }), repo.allStages({ from: f.from, to: f.to }), repo.teams(), visible(actor)]);
      const rows = within(all, scope);
      const cal = await calendar();
      const t = today();
      const byComplaint = new Map<number, { due: string | null; breached: boolean }>();
      for (const s of stages) {
        const rec = stageRecord(s);
        const open = s.finished ? null : openMilestone(cal, rec);
        const anyBreach = milestones(cal, rec).some((m) => breached(m, t));
        const prev = byComplaint.get(s.complaint_id);
        byComplaint.set(s.complaint_id, { due: open?.due ?? prev?.due ?? null, breached: anyBreach || (prev?.breached ?? false) });
      }
      const matching = f.breached ? rows.filter((r) => byComplaint.get(r.id)?.breached) : rows;
      const total = matching.length;
      const current = Math.min(Math.max(1, page), Math.max(1, Math.ceil(total / PER_PAGE)));
      return {
        teams, total, page: current,
        complaints: matching.slice((current - 1) * PER_PAGE, current * PER_PAGE).map((r) => ({
          ...r, procedureLabel: PROCEDURES[r.procedure as Procedure] ?? r.procedure, outcomeLabel: r.outcome ? FINDINGS[r.outcome as keyof typeof FINDINGS] : null,
          status: r.withdrawn_on ? 'Withdrawn' : r.not_investigated_on ? 'Not investigated' : r.closed_on ? 'Closed' : r.stage ? `Stage ${r.stage}` : 'Open',
          due: finished(r) ? null : byComplaint.get(r.id)?.due ?? null, breached: byComplaint.get(r.id)?.breached ?? false,
        })),
        canManage,
      };
    },

    /** The complaint's page. Contact details are personal data: every read is audited. */
    async detail(actor: Actor, id: number) {
      await mustSee(actor, id);
      const c = await load(id);
      const [staff, allegations, stages, actions, referrals, attachments] = await Promise.all([
        repo.staffOn(id), repo.allegations(id), repo.stages(id), repo.actions(id), repo.referrals(id), repo.attachments(id),
      ]);
      await audit.append({ ...actorFields(actor), action: 'complaint.view', entityType: 'complaint', entityId: id, detail: {} });
      const views = await stageViews(stages);
      const current = views.at(-1) ?? null;
      const derived = overallOutcome(allegations.map((a) => a.finding));
      return {
        complaint: { ...c, procedureLabel: PROCEDURES[c.procedure as Procedure] ?? c.procedure, channelLabel: CHANNELS[c.channel as keyof typeof CHANNELS] ?? c.channel,
          complainantTypeLabel: COMPLAINANT_TYPES[c.complainant_type as keyof typeof COMPLAINANT_TYPES] ?? c.complainant_type,
          late: isLateComplaint(c.matter_on, c.received_on) },
        staff, stages: views, current,
        allegations: allegations.map((a) => ({ ...a, label: allegationLabel(a.category), theme: allegationTheme(a.category), findingLabel: a.finding ? FINDINGS[a.finding as keyof typeof FINDINGS] : null })),
        outcome: derived, outcomeLabel: derived ? FINDINGS[derived] : null,
        actions: actions.map((a) => ({ ...a, kindLabel: ACTION_KINDS[a.kind as keyof typeof ACTION_KINDS] ?? a.kind,
          outcomeLabel: a.disciplinary_outcome ? DISCIPLINARY_OUTCOMES[a.disciplinary_outcome as keyof typeof DISCIPLINARY_OUTCOMES] : null })),
        referrals: referrals.map((r) => ({ ...r, bodyLabel: REFERRAL_BODIES[r.body as keyof typeof REFERRAL_BODIES] ?? r.body })),
        attachments,
        finished: finished(c),
        canManage: can(actor, 'complaints.manage'),
        nextStage: !finished(c) && current?.responded_on && current.stage < 3 ? current.stage + 1 : null,
        options: { findings: FINDINGS, actionKinds: ACTION_KINDS, disciplinaryOutcomes: DISCIPLINARY_OUTCOMES, referralBodies: REFERRAL_BODIES },
      };
    },

    async startStage2(actor: Actor, id: number, form: { startedOn: string; investigatingOfficer: string; independentPerson: string }) {
      mustManage(actor);
      const c = await mustBeOpen(id);
      const stages = await repo.stages(id);
      const s1 = stages.find((s) => s.stage === 1);
      if (stages.some((s) => s.stage >= 2)) throw new ValidationError([{ field: 'stage2StartedOn-day', message: 'Stage 2 has already started' }]);
      if (!s1?.responded_on) throw new ValidationError([{ field: 'stage2StartedOn-day', message: 'Record the stage 1 response before starting stage 2' }]);
      if (form.startedOn < s1.responded_on) throw new ValidationError([{ field: 'stage2StartedOn-day', message: 'Stage 2 must start on or after the stage 1 response' }]);
      await change(actor, id, 'complaint.stage2', { reference: c.reference }, async (trx) => {
        await repo.createStage(trx, { complaintId: id, stage: 2, ...form });
      });
    },

    async requestStage3(actor: Actor, id: number, requestedOn: string) {
      mustManage(actor);
      await mustBeOpen(id);
      const stages = await repo.stages(id);
      const s2 = stages.find((s) => s.stage === 2);
      if (stages.some((s) => s.stage === 3)) throw new ValidationError([{ field: 'stage3RequestedOn-day', message: 'A review panel has already been requested' }]);
      if (!s2?.responded_on) throw new ValidationError([{ field: 'stage3RequestedOn-day', message: 'Record the stage 2 response before a review panel is requested' }]);
      const by = stage3RequestBy(await calendar(), s2.responded_on);
      if (requestedOn < s2.responded_on) throw new ValidationError([{ field: 'stage3RequestedOn-day', message: 'The request must be on or after the stage 2 response' }]);
      if (requestedOn > by) throw new ValidationError([{ field: 'stage3RequestedOn-day', message: `A review panel must be requested within 20 working days of the stage 2 response, by ${longDate(by)}` }]);
      await change(actor, id, 'complaint.stage3', { requestedOn }, async (trx) => {
        await repo.createStage(trx, { complaintId: id, stage: 3, startedOn: requestedOn });
      });
    },

    async extend(actor: Actor, id: number, stage: number, form: { to: string; reason: string }) {
      mustManage(actor);
      await mustBeOpen(id);
      const s = (await repo.stages(id)).find((x) => x.stage === stage);
      if (!s) throw new NotFoundError('Stage');
      const problem = extensionProblem(await calendar(), stageRecord(s), form.to);
      if (problem) throw new ValidationError([{ field: 'extendTo-day', message: problem }]);
      await change(actor, id, 'complaint.extend', { stage, to: form.to, reason: form.reason }, async (trx) => {
        await repo.updateStage(trx, s.id, { extended_to: form.to, extension_reason: form.reason });
      });
    },

    /** Stage dates: the response (every stage); at stage 3 also the panel meeting and its report. */
    async stageDate(actor: Actor, id: number, stage: number, what: 'responded' | 'panel' | 'report', on: string) {
      mustManage(actor);
      await mustBeOpen(id);
      const s = (await repo.stages(id)).find((x) => x.stage === stage);
      if (!s) throw new NotFoundError('Stage');
      const field = 'milestoneOn-day';
      if (on > today()) throw new ValidationError([{ field, message: 'The date must be today or in the past' }]);
      if (on < s.started_on) throw new ValidationError([{ field, message: `The date must be on or after the stage started, ${longDate(s.started_on)}` }]);
      if (s.responded_on) throw new ValidationError([{ field, message: 'This stage has already been responded to' }]);
      if (stage === 3) {
        if (what === 'panel' && s.panel_held_on) throw new ValidationError([{ field, message: 'The panel meeting is already recorded' }]);
        if (what === 'report' && !s.panel_held_on) throw new ValidationError([{ field, message: 'Record the panel meeting first' }]);
        if (what === 'report' && (s.report_on || on < s.panel_held_on!)) throw new ValidationError([{ field, message: 'The report must follow the panel meeting, once' }]);
        if (what === 'responded' && !s.report_on) throw new ValidationError([{ field, message: 'Record the panel report first' }]);
      } else if (what !== 'responded') throw new ValidationError([{ field, message: 'Only stage 3 has a panel' }]);
      const column = what === 'responded' ? 'responded_on' : what === 'panel' ? 'panel_held_on' : 'report_on';
      await change(actor, id, `complaint.stage_${what}`, { stage, on }, async (trx) => {
        await repo.updateStage(trx, s.id, { [column]: on });
      });
    },

    async withdraw(actor: Actor, id: number, form: { on: string; reason: string }, kind: 'withdrawn' | 'not_investigated') {
      mustManage(actor);
      const c = await mustBeOpen(id);
      if (form.on < c.received_on) throw new ValidationError([{ field: 'closeOn-day', message: 'The date must be on or after the complaint was received' }]);
      await change(actor, id, kind === 'withdrawn' ? 'complaint.withdraw' : 'complaint.not_investigated', { on: form.on, reason: form.reason }, async (trx) => {
        await repo.update(trx, id, kind === 'withdrawn' ? { withdrawn_on: form.on, withdrawn_reason: form.reason } : { not_investigated_on: form.on, not_investigated_reason: form.reason });
      });
    },

    async allegationIds(id: number) {
      return (await repo.allegations(id)).map((a) => a.id);
    },

    /** A finding on each allegation; the overall outcome follows from them. */
    async recordFindings(actor: Actor, id: number, form: { on: string; findings: { id: number; finding: string }[] }) {
      mustManage(actor);
      await load(id);
      const allegations = await repo.allegations(id);
      const findings = allegations.map((a) => form.findings.find((f) => f.id === a.id)?.finding ?? a.finding);
      const outcome = overallOutcome(findings);
      await change(actor, id, 'complaint.findings', { findings: form.findings, outcome }, async (trx) => {
        for (const f of form.findings) await repo.setFinding(trx, f.id, f.finding, form.on);
        await repo.update(trx, id, { outcome });
      });
      return outcome;
    },

    async addAction(actor: Actor, id: number, form: ActionForm) {
      mustManage(actor);
      await load(id);
      if (form.staffId !== null && !(await repo.staffOn(id)).some((s) => s.id === form.staffId)) throw new ValidationError([{ field: 'actionStaffId', message: 'Select one of the staff complained about' }]);
      if (form.kind === 'disciplinary_investigation' && form.staffId === null) throw new ValidationError([{ field: 'actionStaffId', message: 'Select who the disciplinary investigation is about' }]);
      await change(actor, id, 'complaint.action', { kind: form.kind, staffId: form.staffId }, async (trx) => {
        await repo.addAction(trx, { complaintId: id, ...form });
      });
    },

    async disciplinaryOutcome(actor: Actor, id: number, actionId: number, form: { outcome: string; on: string }) {
      mustManage(actor);
      const action = (await repo.actions(id)).find((a) => a.id === actionId);
      if (!action) throw new NotFoundError('Action');
      if (action.kind !== 'disciplinary_investigation') throw new ValidationError([{ field: `outcome-${actionId}`, message: 'Only a disciplinary investigation has an outcome' }]);
      if (action.disciplinary_outcome) throw new ValidationError([{ field: `outcome-${actionId}`, message: 'The outcome is already recorded' }]);
      await change(actor, id, 'complaint.disciplinary_outcome', { actionId, outcome: form.outcome, on: form.on }, async (trx) => {
        await repo.setDisciplinaryOutcome(trx, actionId, form.outcome, form.on);
      });
    },

    async addReferral(actor: Actor, id: number, form: { body: string; referredOn: string; decision: string | null; decidedOn: string | null }) {
      mustManage(actor);
      await load(id);
      if (form.decidedOn && form.decidedOn < form.referredOn) throw new ValidationError([{ field: 'decidedOn-day', message: 'The decision must be on or after the referral' }]);
      await change(actor, id, 'complaint.referral', { body: form.body, referredOn: form.referredOn }, async (trx) => {
        await repo.addReferral(trx, { complaintId: id, ...form });
      });
    },

    /** A decision that came later (for the Ombudsman, its decision on the complaint). */
    async decideReferral(actor: Actor, id: number, referralId: number, form: { decision: string; on: string }) {
      mustManage(actor);
      const r = (await repo.referrals(id)).find((x) => x.id === referralId);
      if (!r) throw new NotFoundError('Referral');
      if (r.decision) throw new ValidationError([{ field: `decision-${referralId}`, message: 'The decision is already recorded' }]);
      if (form.on < r.referred_on) throw new ValidationError([{ field: `decidedOn-${referralId}-day`, message: 'The decision must be on or after the referral' }]);
      await change(actor, id, 'complaint.referral_decision', { referralId, on: form.on }, async (trx) => {
        await repo.decideReferral(trx, referralId, form.decision, form.on);
      });
    },

    /**
     * Names another member of staff on an open complaint (an investigation often finds someone else
     * involved). They are told, as at recording, without the complainant's details.
     */
    async nameStaff(actor: Actor, id: number, form: { staffNumber: string }) {
      mustManage(actor);
      const c = await mustBeOpen(id);
      const person = (await repo.staffByEmployeeNumber()).find((s) => s.employee_number.toUpperCase() === form.staffNumber);
      if (!person) throw new ValidationError([{ field: 'staffNumber', message: `Not in Harbour: ${form.staffNumber}. Enter an employee number, like E1001` }]);
      if ((await repo.staffOn(id)).some((s) => s.id === person.id)) throw new ValidationError([{ field: 'staffNumber', message: 'That member of staff is already named on this complaint' }]);
      const at = now();
      await change(actor, id, 'complaint.name_staff', { staffId: person.id }, async (trx) => {
        await repo.addStaff(trx, id, [person.id]);
        await repo.notify(trx, { recipientId: person.id, at, link: null, subject: `A complaint has been made about you (${c.reference})`,
          body: `The complaints team has a complaint that names you (${c.reference}, received ${c.received_on}). It will be handled under the ${(PROCEDURES[c.procedure as Procedure] ?? c.procedure).toLowerCase()}. Your manager or the complaints team will contact you about it; you will be able to respond.` });
        await repo.markNotified(trx, id, person.id);
      });
    },

    async learning(actor: Actor, id: number, form: { learning: string; closedOn: string | null }) {
      mustManage(actor);
      const c = await load(id);
      if (form.closedOn && form.closedOn < c.received_on) throw new ValidationError([{ field: 'closedOn-day', message: 'The complaint cannot close before it was received' }]);
      await change(actor, id, 'complaint.learning', { closedOn: form.closedOn }, async (trx) => {
        await repo.update(trx, id, { learning: form.learning, ...(form.closedOn ? { closed_on: form.closedOn } : {}) });
      });
    },

    async attach(actor: Actor, id: number, file: { fileName: string; contentType: string; content: Buffer }) {
      mustManage(actor);
      await load(id);
      if (file.content.length === 0) throw new ValidationError([{ field: 'file', message: 'The selected file is empty' }]);
      await change(actor, id, 'complaint.attach', { fileName: file.fileName, bytes: file.content.length }, async (trx) => {
        await repo.addAttachment(trx, { complaintId: id, ...file, uploadedBy: actor.accountId });
      });
    },

    async attachment(actor: Actor, id: number, attachmentId: number) {
      await mustSee(actor, id);
      const a = await repo.attachment(id, attachmentId);
      if (!a) throw new NotFoundError('Attachment');
      await audit.append({ ...actorFields(actor), action: 'complaint.attachment_view', entityType: 'complaint', entityId: id, detail: { attachmentId } });
      return a;
    },

    /** Section 4: repeat patterns, themes by team, time to respond, extension and breach rates. */
    async patterns(actor: Actor, f: { from: string; to: string }) {
      mustView(actor);
      const [all, allStages, scope] = await Promise.all([repo.summaries({ from: f.from, to: f.to }), repo.allStages({ from: f.from, to: f.to }), visible(actor)]);
      const rows = within(all, scope);
      const stages = scope ? allStages.filter((st) => scope.has(st.complaint_id)) : allStages;
      const repeat = staffWithUnrelatedComplaints(rows.map((r) => ({ id: r.id, receivedOn: r.received_on, staffIds: r.staff_ids, household: r.household, complainantName: r.complainant_name })), f);
      const people = new Map((await repo.staffByIds(repeat.map((r) => r.staffId))).map((s) => [s.id, s]));
      const refs = new Map(rows.map((r) => [r.id, r.reference]));
      const themes = new Map<string, Map<string, number>>();
      for (const r of rows) {
        const team = r.team_name ?? 'No team recorded';
        const byTheme = themes.get(team) ?? new Map<string, number>();
        for (const c of r.categories) byTheme.set(allegationTheme(c), (byTheme.get(allegationTheme(c)) ?? 0) + 1);
        themes.set(team, byTheme);
      }
      const themeNames = ALLEGATION_GROUPS.map((g) => g.label);
      const cal = await calendar();
      const t = today();
      const stageStats = ([1, 2, 3] as const).map((n) => {
        const list = stages.filter((s) => s.stage === n);
        const responded = list.filter((s) => s.responded_on);
        const days = responded.map((s) => cal.workingDaysBetween(s.started_on, s.responded_on!)).sort((a, b) => a - b);
        const breachedCount = list.filter((s) => milestones(cal, stageRecord(s)).some((m) => (s.finished && !m.done ? false : breached(m, t)))).length;
        const pct = (k: number) => (list.length ? Math.round((100 * k) / list.length) : 0);
        return {
          stage: n, name: STAGE_NAMES[n], count: list.length, responded: responded.length,
          averageDays: days.length ? Math.round((10 * days.reduce((a, b) => a + b, 0)) / days.length) / 10 : null,
          medianDays: days.length ? days[Math.floor(days.length / 2)]! : null,
          extended: list.filter((s) => s.extended_to).length, extensionRate: pct(list.filter((s) => s.extended_to).length),
          breached: breachedCount, breachRate: pct(breachedCount),
        };
      });
      return {
        from: f.from, to: f.to,
        repeat: repeat.map((r) => ({ ...r, person: people.get(r.staffId), references: r.complaintIds.map((id) => ({ id, reference: refs.get(id) })) })),
        themeNames,
        themes: [...themes].sort(([a], [b]) => a.localeCompare(b)).map(([team, m]) => ({ team, counts: themeNames.map((n) => m.get(n) ?? 0) })),
        stageStats,
      };
    },

    /** Open deadlines that are breached or due within 5 working days, for the dashboard. */
    async deadlines(actor: Actor) {
      mustView(actor);
      const cal = await calendar();
      const t = today();
      const scope = await visible(actor);
      return (await repo.allStages()).filter((s) => !s.finished && (!scope || scope.has(s.complaint_id))).flatMap((s) => {
        const m = openMilestone(cal, stageRecord(s));
        if (!m) return [];
        const left = t > m.due ? -cal.workingDaysBetween(m.due, t) : cal.workingDaysBetween(t, m.due);
        return left <= 5 ? [{ complaintId: s.complaint_id, reference: s.reference, stage: s.stage, label: m.label, due: m.due, breached: t > m.due, workingDaysLeft: left }] : [];
      }).sort((a, b) => a.due.localeCompare(b.due));
    },

    /** Seed 004's table for the screen and the CSV/ODS export. */
    async yearlyTable(actor: Actor, q: ComplaintStatisticsQuery): Promise<(string | number)[][]> {
      const s = await statistics(actor, q);
      return [
        ['Year', 'Statutory complaints received', 'Number investigated', 'Number withdrawn by complainants', 'Number not investigated', 'Number upheld or partially upheld'],
        ...s.years.map((y) => [y.label, y.received, y.investigated, y.withdrawn, y.notInvestigated, y.upheldOrPartiallyUpheld]),
        ['Total', s.totals.received, s.totals.investigated, s.totals.withdrawn, s.totals.notInvestigated, s.totals.upheldOrPartiallyUpheld],
      ];
    },

    async dismissals(actor: Actor, q: { from: string; to: string; jobRoles?: string[] }) {
      mustView(actor);
      const [rows, scope] = await Promise.all([repo.dismissals(q.from, q.to), visible(actor)]);
      return rows.filter((d) => (!scope || scope.has(d.complaint_id)) && (!q.jobRoles?.length || q.jobRoles.includes(d.job_role ?? '')));
    },

    checkImport,

    /** Writes checked import rows (a batch of the file, in order) in the caller's transaction. */
    writeImportRows,
    auditImport,

    /**
     * Historic complaints from CSV: every row checked first (in the transaction, one import at a time); all imported or none.
     * `onProgress` is told after every 100 rows written (inside the transaction: nothing is kept until all are).
     */
    async importHistoric(actor: Actor, text: string, fileName: string, onProgress?: ImportProgress) {
      return inTransaction(db, async (trx) => {
        // Checked again inside the transaction, after any other import of complaints has finished.
        const busy = await lockImports(trx, 'complaints');
        if (busy) return { ok: false as const, errors: [importBusy('complaints', busy)] };
        const { rows, errors } = await checkImport(actor, text, trx);
        if (errors.length) return { ok: false as const, errors };
        await writeInHundreds(rows, (batch) => writeImportRows(trx, actor, batch), onProgress);
        await auditImport(trx, actor, fileName, rows.length);
        return { ok: true as const, imported: rows.length };
      });
    },

    /** The daily job: remind the complaints team of deadlines 2 working days ahead, and of breaches. */
    async sendReminders() {
      const cal = await calendar();
      const t = today();
      const at = now();
      const team = await repo.complaintsTeam();
      let sent = 0;
      for (const s of (await repo.allStages()).filter((x) => !x.finished)) {
        const m = openMilestone(cal, stageRecord(s));
        if (!m) continue;
        const kind = reminderKind(cal, m.due, t);
        if (!kind) continue;
        await inTransaction(db, async (trx) => {
          if (!(await repo.recordReminder(trx, { stageId: s.id, milestone: m.key, dueOn: m.due, kind }))) return;
          for (const recipientId of team) {
            await repo.notify(trx, {
              recipientId, at, link: `/complaints/${s.complaint_id}`,
              subject: kind === 'breached' ? `Deadline missed: ${s.reference ?? ''} ${m.label}` : `Deadline soon: ${s.reference ?? ''} ${m.label} by ${m.due}`,
              body: kind === 'breached'
                ? `The ${m.label.toLowerCase()} for complaint ${s.reference ?? ''} was due by ${m.due} and has not been recorded.`
                : `The ${m.label.toLowerCase()} for complaint ${s.reference ?? ''} is due by ${m.due}. Record it, or record an extension with its reason.`,
            });
            sent++;
          }
        });
      }
      return { sent };
    },
  };
}

export type ComplaintsService = ReturnType<typeof buildComplaintsService>;
