import type { Kysely, Transaction } from 'kysely';
import type { DB } from '../../db/schema.ts';
import type { AuditRepository, Executor } from '../audit/repository.ts';
import type { StaffRepository } from '../people/repository.ts';
import type { Actor } from '../auth/actor.ts';
import { actorFields } from '../audit/service.ts';
import { can } from '../auth/access.ts';
import { maySee, relationTo } from '../visits/access.ts';
import { CASE_SYSTEMS } from '../visits/schema.ts';
import { londonDate, londonTime } from '../../time/london.ts';
import { ForbiddenError, NotFoundError, ValidationError, type FieldError } from '../../errors.ts';
import { inTransaction } from '../../db/transaction.ts';
import { allBatches, type IncidentListStatus, type IncidentRow, type IncidentsRepository, type StatsFilter } from './repository.ts';
import { PER_PAGE } from '../../web/paging.ts';
import type { RiskRepository } from '../risk/repository.ts';
import { FLAG_CATEGORIES } from '../risk/rules.ts';
import { endOfLondonDay, londonToday, longDate } from '../../time/london.ts';
import {
  CATEGORIES, PERPETRATOR_TYPES, SUPPORT_ITEMS, SUPPORT_KEYS, SUPPORT_STATUSES, VERBAL_CHANNELS,
  debriefProblem, debriefWindow, isUrgent, meetingDeadline, riddor,
  COURT_OUTCOMES, FLAG_SUBJECTS, LEGAL_ACTIONS, POLICE_OUTCOMES, actionOverdue, closeProblems, escalationTarget, isSerious, meetingMissed,
  policeProblems, riddorAlertsDue, seriousReasons, flagReviewAlert, meetingReminderDue,
} from './rules.ts';
import {
  draftProblems, draftValues, parseReportForm, type ActionForm, type IncidentFlagForm, type InvestigationForm, type LegalActionForm, type PoliceForm,
  type ResponseForm, type RiddorForm,
} from './schema.ts';
import { fromAggregates } from './stats.ts';
import { validateIncidentImport, type ImportedIncident } from './import.ts';
import { importBusy, lockImports, writeInHundreds, type ImportProgress } from '../imports/file.ts';
import type { RowError } from '../people/import-staff.ts';

export interface IncidentsDeps {
  db: Kysely<DB>;
  incidents: IncidentsRepository;
  staff: StaffRepository;
  audit: AuditRepository;
  /** Warning flags raised from an incident go in the risk gate's store. */
  risk: RiskRepository;
  /** Absolute base for links in messages. */
  baseUrl?: string;
  /** The clock; tests move it. */
  now?: () => Date;
}

/** How the actor stands towards an incident: the facts the visibility rules are made of. */
export interface IncidentRelation { employee: boolean; reporter: boolean; manager: boolean; healthAndSafety: boolean }

export type IncidentImportResult = { ok: true; created: number } | { ok: false; errors: RowError[] };

/** What RIDDOR and the serious rule make of an incident's facts, stored so lists and statistics can use them. */
export function derivedFacts(i: { occurred_at: Date | null; categories: string[]; injured: boolean | null; specified_injury: boolean; days_off: number | null; major_incident: boolean; marked_serious: boolean }) {
  const r = i.occurred_at ? riddor(i.occurred_at, { categories: i.categories, specifiedInjury: i.specified_injury, daysIncapacitated: i.days_off }) : null;
  const reportable = Boolean(r?.reportable);
  return {
    riddor_kind: r?.kind ?? null,
    riddor_report_by: r && r.reportable ? r.reportBy : null,
    serious: isSerious({ categories: i.categories, injured: Boolean(i.injured), riddorReportable: reportable, majorIncident: i.major_incident, markedSerious: i.marked_serious }),
  };
}

const label = (labels: Record<string, string>, key: string | null) => (key ? labels[key] ?? key : null);

const options = (labels: Record<string, string>) => Object.entries(labels).map(([value, text]) => ({ value, text }));
const dateBoxes = (prefix: string, at: Date) => {
  const [y, m, d] = londonDate(at).split('-');
  return { [`${prefix}-day`]: String(Number(d)), [`${prefix}-month`]: String(Number(m)), [`${prefix}-year`]: y!, [`${prefix}-time`]: londonTime(at) };
};

/**
 * Violence at work (HS157): reports, drafts, reporting on an employee's behalf and their
 * confirmation, and the manager's response with its deadlines (seed 001 §12–13, seed 002).
 * Visible only to the people involved, their management chain and health and safety.
 */
export function buildIncidentsService(deps: IncidentsDeps) {
  const { db, incidents, staff, audit, risk } = deps;
  const now = deps.now ?? (() => new Date());
  const baseUrl = deps.baseUrl ?? '';

  async function relation(actor: Actor, i: IncidentRow): Promise<IncidentRelation> {
    const me = actor.staffId;
    const chain = me === null ? [] : await staff.chain(i.employee_id);
    return {
      employee: me !== null && me === i.employee_id,
      reporter: me !== null && me === i.reported_by,
      manager: me !== null && chain.some((c) => c.id === me),
      healthAndSafety: can(actor, 'incidents.view_all'),
    };
  }
  /** Managers in the chain and health and safety record the follow-up: police, RIDDOR, investigation, flags, legal action. */
  const mayManage = (r: IncidentRelation) => r.manager || r.healthAndSafety;
  const maySeeIncident = (r: IncidentRelation, status: string) => (status === 'draft' ? r.reporter : r.employee || r.reporter || r.manager || r.healthAndSafety);

  async function load(actor: Actor, id: number) {
    const i = await incidents.get(id);
    if (!i) throw new NotFoundError('No such incident');
    const r = await relation(actor, i);
    // Someone who may not see it is not told it exists.
    if (!maySeeIncident(r, i.status)) throw new NotFoundError('No such incident');
    return { i, r };
  }

  /** The people one may report for: oneself, and (for managers) everyone below them. */
  async function employeeChoices(actor: Actor) {
    if (actor.staffId === null) return [];
    const reports = await staff.reports(actor.staffId);
    const named = await incidents.staffNamed(reports.map((r) => r.id));
    return [{ id: actor.staffId, name: 'Myself' }, ...named.map((p) => ({ id: p.id, name: p.name ?? `Staff ${p.id}` }))];
  }

  const formContext = async (actor: Actor) => ({
    employees: await employeeChoices(actor),
    categories: options(CATEGORIES),
    verbalChannels: options(VERBAL_CHANNELS),
    perpetratorTypes: options(PERPETRATOR_TYPES),
    caseSystems: options(CASE_SYSTEMS),
    buildings: await incidents.buildings(),
  });

  function requireStaff(actor: Actor): number {
    if (actor.staffId === null) throw new ForbiddenError('Only people with a staff record can report an incident');
    return actor.staffId;
  }

  /** Checks the employee chosen: oneself or someone one manages. */
  async function employeeFor(actor: Actor, employeeId: number | null): Promise<number> {
    const me = requireStaff(actor);
    if (employeeId === null || employeeId === me) return me;
    const reports = await staff.reports(me);
    if (!reports.some((r) => r.id === employeeId)) throw new ValidationError([{ field: 'employeeId', message: 'You can only report for yourself or for someone you manage' }]);
    return employeeId;
  }

  function requireSubmitted(i: IncidentRow) {
    if (i.status === 'draft' || i.status === 'awaiting_confirmation' || !i.occurred_at) {
      throw new ValidationError([{ field: 'form', message: i.status === 'draft' ? 'The report has not been submitted yet' : 'The person it happened to has not confirmed the report yet' }]);
    }
  }

  /** Tells the line manager a report is in and when they must meet the employee (seed 002). */
  async function tellManager(trx: Executor, managerId: number, incidentId: number, dueAt: Date, at: Date) {
    await incidents.notify(trx, { recipientId: managerId, at, link: `${baseUrl}/incidents/${incidentId}`, subject: `Incident reported: meet by ${londonTime(dueAt)} on ${longDate(londonDate(dueAt))}`,
      body: `An incident has been reported by someone you manage. Meet them by ${londonTime(dueAt)} on ${longDate(londonDate(dueAt))}, offer support and record your response in Harbour. If the meeting is not recorded by then, it is escalated to your manager.` });
  }

  /** Tells the employee's team (and anyone extra), in Harbour, about a warning flag. */
  async function tellTeam(trx: Executor, employeeId: number, subject: string, body: string, extra: number[] = []) {
    const recipients = new Set([...(await incidents.teamOf(employeeId, trx)), ...extra]);
    for (const recipientId of recipients) await incidents.notify(trx, { recipientId, subject, body, link: `${baseUrl}/risk/flags`, at: now() });
  }
  const where = (f: { caseSystem: string | null; caseId: string | null; postcode: string | null }) =>
    (f.caseId ? `${(CASE_SYSTEMS as Record<string, string>)[f.caseSystem ?? ''] ?? f.caseSystem} case ${f.caseId}` : `the address at ${f.postcode}`);

  function requireMonitor(actor: Actor) {
    if (!can(actor, 'incidents.view_all')) throw new ForbiddenError('Only health and safety can see the incident statistics');
  }

  /** Who may own an investigation action: people who can see the incident (the employee, their management chain) and the actor. */
  async function ownerChoices(actor: Actor, i: IncidentRow) {
    const chain = await staff.chain(i.employee_id);
    const ids = new Set<number>([i.employee_id, ...chain.map((c) => c.id), ...(actor.staffId === null ? [] : [actor.staffId])]);
    return (await incidents.staffNamed([...ids])).map((p) => ({ id: p.id, name: p.name ?? `Staff ${p.id}` }));
  }


  /** Checks a historic incidents CSV in full without writing anything: every problem, with its line. */
  async function checkImport(actor: Actor, csvText: string, ex: Executor = db) {
    requireMonitor(actor);
    return validateIncidentImport(csvText, await incidents.importContext(ex), londonToday(now()));
  }
  /** The one audit entry of a finished import. */
  const auditImport = (trx: Transaction<DB>, actor: Actor, fileName: string, created: number) =>
    audit.appendIn(trx, { ...actorFields(actor), action: 'incident.import', entityType: 'incident', entityId: null, detail: { file: fileName, created } });
  async function writeImportRows(trx: Executor, actor: Actor, rows: ImportedIncident[], at: Date) {
    for (const row of rows) {
      const base = {
        status: row.status, occurred_at: row.occurredAt, location: row.location, building_id: row.buildingId, lone_working: row.loneWorking,
        categories: row.categories, verbal_channel: row.verbalChannel, perpetrator_type: row.perpetratorType, injured: row.injured, injury_nature: row.injuryNature,
        days_off: row.daysOff, specified_injury: row.specifiedInjury, narrative: row.narrative, police_reported: row.policeReported,
        police_reported_on: row.policeReportedOn, crime_reference: row.crimeReference, police_outcome: row.policeOutcome, court_outcome: row.courtOutcome,
        hse_reference: row.hseReference, hse_reported_on: row.hseReportedOn, submitted_at: at, confirmed_at: at, closed_at: row.status === 'closed' ? at : null,
        source: 'import', import_reference: row.reference,
      };
      const facts = derivedFacts({ occurred_at: row.occurredAt, categories: row.categories, injured: row.injured, specified_injury: row.specifiedInjury, days_off: row.daysOff, major_incident: false, marked_serious: false });
      const id = await incidents.create(trx, { employeeId: row.employeeId, reportedBy: null, reportedByAccount: actor.accountId }, { ...base, ...facts });
      for (const a of row.actionsTaken) await incidents.addLegalAction(trx, id, { ...a, notes: 'Imported' }, actor.staffId);
    }
  }
  return {
    formContext,

    /** Throws ForbiddenError unless the actor monitors incidents (health and safety). */
    assertMonitor: (actor: Actor) => requireMonitor(actor),

    /** A blank report, pre-filled from a visit or an alert the actor may see. */
    async newReport(actor: Actor, from: { visitId: number | null; alertId: number | null }) {
      requireStaff(actor);
      const values: Record<string, unknown> = {};
      let visitId = from.visitId;
      if (from.alertId !== null) {
        const alert = await incidents.alert(from.alertId);
        if (alert && maySee(await relationTo(staff, actor, alert.worker_id))) {
          values.alertId = String(alert.id);
          Object.assign(values, dateBoxes('occurred', alert.opened_at));
          if (alert.worker_id !== actor.staffId) values.employeeId = String(alert.worker_id);
          visitId = visitId ?? alert.visit_id;
        }
      }
      if (visitId !== null) {
        const visit = await incidents.visit(visitId);
        if (visit && maySee(await relationTo(staff, actor, visit.worker_id))) {
          values.visitId = String(visit.id);
          values.location = [visit.address, visit.postcode].filter(Boolean).join(', ');
          if (visit.building_id) values.buildingId = String(visit.building_id);
          if (!values['occurred-day']) Object.assign(values, dateBoxes('occurred', visit.arrived_at ?? visit.starts_at));
          values.loneWorking = visit.kind === 'visit' || visit.kind === 'building_lone_working' || visit.kind === 'home_working' ? 'yes' : undefined;
          if (visit.worker_id !== actor.staffId) values.employeeId = String(visit.worker_id);
        }
      }
      return { values, ...(await formContext(actor)) };
    },

    /** A draft the reporter is still writing: its saved values for the form. */
    async draft(actor: Actor, id: number) {
      const { i } = await load(actor, id);
      if (i.status !== 'draft') return null;
      return { id: i.id, values: i.draft, ...(await formContext(actor)) };
    },

    /**
     * Saves a report: `draft` keeps what was typed, checking nothing but size; `submit` checks every
     * field. Reporting for someone else waits for them to confirm. Returns the incident id.
     */
    async save(actor: Actor, id: number | null, body: unknown, action: 'draft' | 'submit'): Promise<number> {
      const me = requireStaff(actor);
      const existing = id === null ? null : (await load(actor, id)).i;
      if (existing && (existing.status !== 'draft' || existing.reported_by !== me)) throw new ForbiddenError('This report has been submitted and can no longer be edited');
      // Submitting: every problem at once, an over-long field alongside the others.
      if (action === 'submit') reportAllAtOnce(body, now());
      const raw = draftValues(body);
      if (action === 'draft') {
        const rawEmployee = Number(raw.employeeId);
        const employeeId = Number.isInteger(rawEmployee) && rawEmployee > 0 ? await employeeFor(actor, rawEmployee) : me;
        return inTransaction(db, async (trx) => {
          const patch = { draft: JSON.stringify(raw), employee_id: employeeId };
          const incidentId = existing ? (await incidents.update(trx, existing.id, patch), existing.id)
            : await incidents.create(trx, { employeeId, reportedBy: me, reportedByAccount: actor.accountId }, { draft: patch.draft });
          await audit.appendIn(trx, { ...actorFields(actor), action: 'incident.draft', entityType: 'incident', entityId: incidentId, detail: {} });
          return incidentId;
        });
      }
      const form = parseReportForm(body, now());
      const employeeId = await employeeFor(actor, form.employeeId);
      const onBehalf = employeeId !== me;
      const submittedAt = now();
      const buildingId = form.buildingId ?? (form.visitId === null ? null : (await incidents.visit(form.visitId))?.building_id ?? null);
      const lineManager = (await staff.chain(employeeId))[0] ?? null;
      return inTransaction(db, async (trx) => {
        const patch = {
          status: onBehalf ? 'awaiting_confirmation' : 'open',
          employee_id: employeeId,
          draft: JSON.stringify(raw),
          occurred_at: form.occurredAt, location: form.location, visit_id: form.visitId, alert_id: form.alertId,
          lone_working: form.loneWorking, categories: form.categories, verbal_channel: form.verbalChannel,
          perpetrator_type: form.perpetratorType, perpetrator_case_system: form.perpetratorCaseSystem, perpetrator_case_id: form.perpetratorCaseId,
          others_present: form.othersPresent, witnesses: form.witnesses, injured: form.injured, injury_nature: form.injuryNature,
          injury_body_part: form.injuryBodyPart, first_aid: form.firstAid, hospital: form.hospital, days_off: form.daysOff, narrative: form.narrative,
          submitted_at: submittedAt, confirmed_at: onBehalf ? null : submittedAt,
          meeting_due_at: meetingDeadline(form.occurredAt, form.categories),
          building_id: buildingId,
          ...derivedFacts({ occurred_at: form.occurredAt, categories: form.categories, injured: form.injured, specified_injury: false, days_off: form.daysOff, major_incident: false, marked_serious: false }),
        };
        const incidentId = existing ? (await incidents.update(trx, existing.id, patch), existing.id)
          : await incidents.create(trx, { employeeId, reportedBy: me, reportedByAccount: actor.accountId }, patch);
        await audit.appendIn(trx, { ...actorFields(actor), action: 'incident.submit', entityType: 'incident', entityId: incidentId, detail: { categories: form.categories, onBehalf } });
        if (onBehalf) {
          await incidents.notify(trx, { recipientId: employeeId, at: submittedAt, link: `${baseUrl}/incidents/${incidentId}`, subject: 'Please confirm an incident report made for you',
            body: 'Your manager has reported an incident on your behalf. Read it and confirm it is right, or tell them what is wrong.' });
        } else if (lineManager && lineManager.id !== me) {
          await tellManager(trx, lineManager.id, incidentId, patch.meeting_due_at, submittedAt);
        }
        return incidentId;
      });
    },

    /** The employee agrees with a report made on their behalf. */
    async confirm(actor: Actor, id: number) {
      const { i, r } = await load(actor, id);
      if (!r.employee) throw new ForbiddenError('Only the person the incident happened to can confirm the report');
      if (i.status !== 'awaiting_confirmation') throw new ValidationError([{ field: 'form', message: 'This report does not need confirming' }]);
      const lineManager = (await staff.chain(i.employee_id))[0] ?? null;
      await inTransaction(db, async (trx) => {
        await incidents.update(trx, id, { status: 'open', confirmed_at: now() });
        if (lineManager && i.meeting_due_at) await tellManager(trx, lineManager.id, id, i.meeting_due_at, now());
        await audit.appendIn(trx, { ...actorFields(actor), action: 'incident.confirm', entityType: 'incident', entityId: id, detail: {} });
      });
    },

    /** The manager's response: meeting, support offered, debrief, telling them of their right to report to the police. */
    async respond(actor: Actor, id: number, form: ResponseForm) {
      const { i, r } = await load(actor, id);
      if (!r.manager) throw new ForbiddenError('Only the managers of the person the incident happened to can record the response');
      if (i.status === 'draft' || !i.occurred_at) throw new ValidationError([{ field: 'form', message: 'The report has not been submitted yet' }]);
      const errors = [];
      if (form.meetingHeldAt && form.meetingHeldAt < i.occurred_at) errors.push({ field: 'meeting-day', message: 'The meeting must be after the incident' });
      if (form.meetingHeldAt && form.meetingHeldAt > now()) errors.push({ field: 'meeting-day', message: 'The meeting date must be today or in the past' });
      const debrief = form.debriefAt ? debriefProblem(i.occurred_at, form.debriefAt) : null;
      if (debrief) errors.push({ field: 'debrief-day', message: debrief });
      if (form.policeRightToldAt && form.policeRightToldAt > now()) errors.push({ field: 'policeTold-day', message: 'The date you told them must be today or in the past' });
      if (errors.length) throw new ValidationError(errors);
      await inTransaction(db, async (trx) => {
        await incidents.update(trx, id, {
          meeting_held_at: form.meetingHeldAt, debrief_at: form.debriefAt, police_right_told_at: form.policeRightToldAt,
          support: JSON.stringify(form.support), response_notes: form.notes, responded_by: actor.staffId, responded_at: now(),
        });
        await audit.appendIn(trx, { ...actorFields(actor), action: 'incident.respond', entityType: 'incident', entityId: id, detail: { support: form.support, debrief: Boolean(form.debriefAt) } });
      });
    },

    // ---- Escalation of a missed meeting (job) ----

    /**
     * The job: every open incident whose meeting deadline has passed with no meeting recorded is
     * escalated to the next manager above the line manager (or, with nobody above, to health and
     * safety), exactly once: the claim, the message and the audit entry commit together.
     */
    async escalateMissedMeetings() {
      const at = now();
      let escalated = 0, reminded = 0;
      // First the reminders to line managers whose deadline is near (each incident once).
      for await (const candidate of allBatches((after) => incidents.meetingsDueSoon(at, after))) {
        if (!meetingReminderDue(candidate, at)) continue;
        const lineManager = (await staff.chain(candidate.employee_id))[0];
        if (!lineManager) continue;
        const ok = await inTransaction(db, async (trx) => {
          if (!(await incidents.recordAlerts(trx, candidate.id, ['meeting.reminder'], at))) throw new Rollback();
          const due = candidate.meeting_due_at!;
          await incidents.notify(trx, { recipientId: lineManager.id, at, link: `${baseUrl}/incidents/${candidate.id}`,
            subject: `Reminder: incident meeting due by ${londonTime(due)} on ${longDate(londonDate(due))}`,
            body: `You have not yet recorded meeting the person who reported incident ${candidate.id}. Meet them by ${londonTime(due)} on ${longDate(londonDate(due))} and record it in Harbour, or it is escalated to your manager.` });
          await audit.appendIn(trx, { ...actorFields(null), action: 'incident.meeting_reminder', entityType: 'incident', entityId: candidate.id, detail: { to: lineManager.id } });
          return true;
        }).catch((e: unknown) => { if (e instanceof Rollback) return false; throw e; });
        if (ok) reminded++;
      }
      for await (const candidate of allBatches((after) => incidents.missedMeetings(at, after))) {
        if (!meetingMissed(candidate, at)) continue;
        const chain = await staff.chain(candidate.employee_id);
        const target = escalationTarget(chain);
        const recipients = target !== null ? [target] : await incidents.healthAndSafetyStaff();
        const done = await inTransaction(db, async (trx) => {
          if (!(await incidents.claimEscalation(trx, candidate.id, target, at))) return false;
          const i = (await incidents.get(candidate.id, trx))!;
          const lineManager = chain[0] ? `${chain[0].given_name} ${chain[0].family_name}` : 'Their line manager';
          for (const recipientId of recipients) {
            await incidents.notify(trx, {
              recipientId, at, link: `${baseUrl}/incidents/${i.id}`,
              subject: `Missed incident meeting: ${i.employee_name}`,
              body: `${lineManager} was due to meet ${i.employee_name} about the incident on ${longDate(londonDate(i.occurred_at!))} by ${londonTime(i.meeting_due_at!)} on ${longDate(londonDate(i.meeting_due_at!))}, and no meeting has been recorded. Please make sure they are met and supported.`,
            });
          }
          await audit.appendIn(trx, { ...actorFields(null), action: 'incident.meeting_escalated', entityType: 'incident', entityId: i.id, detail: { to: target, recipients } });
          return true;
        });
        if (done) escalated++;
      }
      return { escalated, reminded };
    },

    /** The job: alerts health and safety before each RIDDOR deadline (and once overdue), each alert exactly once. */
    async sendRiddorAlerts() {
      const at = now();
      const today = londonToday(at);
      const recipients = await incidents.healthAndSafetyStaff();
      let sent = 0;
      for (const r of await incidents.riddorOutstanding()) {
        const due = riddorAlertsDue({ kind: r.riddor_kind, reportBy: r.report_by, reported: false }, today, r.sent);
        if (!due.send) continue;
        const subject = {
          'riddor.notify_now': `RIDDOR: notify the HSE without delay (incident ${r.id})`,
          'riddor.due_in_3_days': `RIDDOR report due by ${r.report_by} (incident ${r.id})`,
          'riddor.due_tomorrow': `RIDDOR report due by ${r.report_by}: 1 day left (incident ${r.id})`,
          'riddor.overdue': `RIDDOR report overdue since ${r.report_by} (incident ${r.id})`,
        }[due.send];
        const body = r.riddor_kind === 'specified_injury'
          ? `Incident ${r.id} is a specified injury under RIDDOR regulation 4(1): notify the HSE without delay, and report within 10 days, by ${r.report_by}. Record the HSE reference in Harbour once reported.`
          : `Incident ${r.id} led to more than 7 consecutive days off normal work: report it to the HSE within 15 days of the incident, by ${r.report_by}. Record the HSE reference in Harbour once reported.`;
        const ok = await inTransaction(db, async (trx) => {
          if (!(await incidents.recordAlerts(trx, r.id, due.record, at))) throw new Rollback();
          for (const recipientId of recipients) await incidents.notify(trx, { recipientId, subject, body, link: `${baseUrl}/incidents/${r.id}#riddor`, at });
          await audit.appendIn(trx, { ...actorFields(null), action: 'incident.riddor_alert', entityType: 'incident', entityId: r.id, detail: { alert: due.send, recipients } });
          return true;
        }).catch((e: unknown) => { if (e instanceof Rollback) return false; throw e; });
        if (ok) sent++;
      }
      return { sent };
    },

    // ---- Police, RIDDOR, serious ----

    /** Police and prosecution: the employee, their managers and health and safety may record it. */
    async recordPolice(actor: Actor, id: number, form: PoliceForm) {
      const { i, r } = await load(actor, id);
      if (!(r.employee || mayManage(r))) throw new ForbiddenError('Only the person it happened to, their managers and health and safety can record the police report');
      requireSubmitted(i);
      const errors = policeProblems(form, londonDate(i.occurred_at!), londonToday(now()));
      if (errors.length) throw new ValidationError(errors);
      await inTransaction(db, async (trx) => {
        await incidents.update(trx, id, {
          police_reported: form.reported, police_reported_on: form.reportedOn, crime_reference: form.crimeReference, police_outcome: form.outcome,
          court_outcome: form.courtOutcome, court_attended: form.courtAttended, court_notes: form.courtNotes,
        });
        await audit.appendIn(trx, { ...actorFields(actor), action: 'incident.police', entityType: 'incident', entityId: id, detail: { reported: form.reported, outcome: form.outcome, court: form.courtOutcome } });
      });
    },

    /** RIDDOR facts and the report to the HSE; the outcome and whether it is serious follow from them. */
    async recordRiddor(actor: Actor, id: number, form: RiddorForm) {
      const { i, r } = await load(actor, id);
      if (!mayManage(r)) throw new ForbiddenError('Only the managers of the person it happened to and health and safety can record RIDDOR');
      requireSubmitted(i);
      if (form.hseReportedOn && (form.hseReportedOn < londonDate(i.occurred_at!) || form.hseReportedOn > londonToday(now()))) {
        throw new ValidationError([{ field: 'hseOn-day', message: 'The date reported to the HSE must be between the day of the incident and today' }]);
      }
      const facts = derivedFacts({ ...i, specified_injury: form.specifiedInjury, days_off: form.daysOff });
      await inTransaction(db, async (trx) => {
        await incidents.update(trx, id, { specified_injury: form.specifiedInjury, days_off: form.daysOff, hse_reference: form.hseReference, hse_reported_on: form.hseReportedOn, ...facts });
        await audit.appendIn(trx, { ...actorFields(actor), action: 'incident.riddor', entityType: 'incident', entityId: id, detail: { kind: facts.riddor_kind, reportBy: facts.riddor_report_by, reported: Boolean(form.hseReportedOn) } });
      });
    },

    /** A manager marks an incident serious (or a major incident); serious by rule stays serious. */
    async markSerious(actor: Actor, id: number, form: { markedSerious: boolean; majorIncident: boolean }) {
      const { i, r } = await load(actor, id);
      if (!mayManage(r)) throw new ForbiddenError('Only the managers of the person it happened to and health and safety can mark an incident serious');
      requireSubmitted(i);
      const facts = derivedFacts({ ...i, marked_serious: form.markedSerious, major_incident: form.majorIncident });
      await inTransaction(db, async (trx) => {
        await incidents.update(trx, id, { marked_serious: form.markedSerious, major_incident: form.majorIncident, ...facts });
        await audit.appendIn(trx, { ...actorFields(actor), action: 'incident.serious', entityType: 'incident', entityId: id, detail: { ...form, serious: facts.serious } });
      });
    },

    // ---- HS160 investigation, actions, close ----

    async investigationView(actor: Actor, id: number) {
      const { i, r } = await load(actor, id);
      if (!mayManage(r)) throw new ForbiddenError('Only the managers of the person it happened to and health and safety can see the investigation');
      requireSubmitted(i);
      const [investigation, actions, owners] = await Promise.all([incidents.investigation(id), incidents.actions(id), ownerChoices(actor, i)]);
      const today = londonToday(now());
      return {
        incident: i, investigation: investigation ?? null,
        actions: actions.map((a) => ({ ...a, overdue: actionOverdue(a, today) })),
        owners,
        reasons: seriousReasons({ categories: i.categories, injured: Boolean(i.injured), riddorReportable: i.riddor_report_by !== null, majorIncident: i.major_incident, markedSerious: i.marked_serious }),
        closed: i.status === 'closed',
        investigationValues: investigation ? {
          statements: investigation.statements ?? '', chronology: investigation.chronology ?? '', triggers: investigation.triggers ?? '', findings: investigation.findings ?? '',
          riskReview: investigation.risk_review ?? '', teamCommunicated: investigation.team_communicated ?? '', providersToWarn: investigation.providers_to_warn ?? '',
        } : {},
      };
    },

    async saveInvestigation(actor: Actor, id: number, form: InvestigationForm) {
      const { i, r } = await load(actor, id);
      if (!mayManage(r)) throw new ForbiddenError('Only the managers of the person it happened to and health and safety can record the investigation');
      requireSubmitted(i);
      if (i.status === 'closed') throw new ValidationError([{ field: 'statements', message: 'This incident is closed: its investigation can no longer be changed' }]);
      await inTransaction(db, async (trx) => {
        await incidents.saveInvestigation(trx, id, {
          statements: form.statements, chronology: form.chronology, triggers: form.triggers, findings: form.findings,
          risk_review: form.riskReview, team_communicated: form.teamCommunicated, providers_to_warn: form.providersToWarn,
        }, actor.staffId);
        await audit.appendIn(trx, { ...actorFields(actor), action: 'incident.investigation', entityType: 'incident', entityId: id, detail: { findings: Boolean(form.findings) } });
      });
    },

    async addAction(actor: Actor, id: number, form: ActionForm) {
      const { i, r } = await load(actor, id);
      if (!mayManage(r)) throw new ForbiddenError('Only the managers of the person it happened to and health and safety can add investigation actions');
      requireSubmitted(i);
      if (i.status === 'closed') throw new ValidationError([{ field: 'actionDescription', message: 'This incident is closed: add no more actions' }]);
      if (!(await ownerChoices(actor, i)).some((o) => o.id === form.ownerId)) throw new ValidationError([{ field: 'actionOwnerId', message: 'Select an owner from the list' }]);
      if (form.dueOn < londonToday(now())) throw new ValidationError([{ field: 'actionDue-day', message: 'The due date must be today or in the future' }]);
      return inTransaction(db, async (trx) => {
        const actionId = await incidents.addAction(trx, id, form);
        await incidents.notify(trx, { recipientId: form.ownerId, at: now(), link: `${baseUrl}/incidents/${id}#your-actions`,
          subject: `Incident action for you, due ${form.dueOn}`, body: `You own an action from the investigation of incident ${id}: ${form.description}. It is due by ${form.dueOn}.` });
        await audit.appendIn(trx, { ...actorFields(actor), action: 'incident.action_add', entityType: 'incident', entityId: id, detail: { action: actionId, owner: form.ownerId, dueOn: form.dueOn } });
        return actionId;
      });
    },

    /** Marks an action done: its owner, the managers and health and safety. Done stays done. */
    async actionDone(actor: Actor, id: number, actionId: number) {
      const { i, r } = await load(actor, id);
      const actions = await incidents.actions(id);
      const action = actions.find((a) => a.id === actionId);
      if (!action) throw new NotFoundError('No such action');
      if (!(mayManage(r) || action.owner_id === actor.staffId)) throw new ForbiddenError('Only the owner of the action, the managers and health and safety can mark it done');
      requireSubmitted(i);
      if (action.done_at) return;
      await inTransaction(db, async (trx) => {
        await incidents.actionDone(trx, id, actionId, actor.staffId, now());
        await audit.appendIn(trx, { ...actorFields(actor), action: 'incident.action_done', entityType: 'incident', entityId: id, detail: { action: actionId } });
      });
    },

    /** Closes the incident (and its investigation). A serious one needs findings; every action must be done. Closing twice changes nothing. */
    async close(actor: Actor, id: number) {
      const { i, r } = await load(actor, id);
      if (!mayManage(r)) throw new ForbiddenError('Only the managers of the person it happened to and health and safety can close an incident');
      if (i.status === 'closed') return;
      const investigation = await incidents.investigation(id);
      const problems = closeProblems({ status: i.status, serious: i.serious, findings: investigation?.findings ?? null, openActions: await incidents.openActionCount(id) });
      if (problems.length) throw new ValidationError(problems.map((message) => ({ field: 'close', message })));
      const at = now();
      await inTransaction(db, async (trx) => {
        await incidents.update(trx, id, { status: 'closed', closed_at: at, closed_by: actor.staffId });
        if (investigation) await trx.updateTable('incident_investigations').set({ closed_at: at, closed_by: actor.staffId }).where('incident_id', '=', id).execute();
        await audit.appendIn(trx, { ...actorFields(actor), action: 'incident.close', entityType: 'incident', entityId: id, detail: {} });
      });
    },

    // ---- Warning flags and legal action ----

    /** Flags the perpetrator (a person by their case record, a case or an address) in the risk gate's store: visits there become RED. */
    async raiseFlag(actor: Actor, id: number, form: IncidentFlagForm) {
      const { i, r } = await load(actor, id);
      if (!mayManage(r) || !can(actor, 'risk.flags.manage')) throw new ForbiddenError('Only the managers of the person it happened to and health and safety can raise a warning flag');
      requireSubmitted(i);
      if (form.reviewOn <= londonToday(now())) throw new ValidationError([{ field: 'flagReview-day', message: 'The review date must be in the future' }]);
      return inTransaction(db, async (trx) => {
        const description = `${form.reason} (incident ${id}, ${londonDate(i.occurred_at!)})`;
        const flagId = await risk.createFlag(trx, { caseSystem: form.caseSystem, caseId: form.caseId, postcode: form.postcode, category: form.category, description, expiresAt: endOfLondonDay(form.reviewOn), source: 'incident' }, actor.accountId);
        await incidents.linkFlag(trx, { incidentId: id, flagId, subject: form.subject, reason: form.reason, reviewOn: form.reviewOn, raisedBy: actor.staffId });
        await tellTeam(trx, i.employee_id, `Warning flag: ${where(form)}`,
          `A warning flag has been raised on ${where(form)} after an incident: ${form.reason}. Visits there are rated RED: plan a joint visit, a meeting in a council building, or get your manager's approval. It is due for review by ${form.reviewOn}.`);
        await audit.appendIn(trx, { ...actorFields(actor), action: 'warning_flag.raise', entityType: 'warning_flag', entityId: flagId, detail: { incident: id, subject: form.subject, category: form.category, caseSystem: form.caseSystem, caseId: form.caseId, postcode: form.postcode, reviewOn: form.reviewOn } });
        return flagId;
      });
    },

    /** Renews a flag raised from this incident after review, to a new review date; the team is told. */
    async renewFlag(actor: Actor, id: number, flagId: number, reviewOn: string) {
      const { i, r } = await load(actor, id);
      if (!mayManage(r) || !can(actor, 'risk.flags.manage')) throw new ForbiddenError('Only the managers of the person it happened to and health and safety can renew a warning flag');
      const flag = (await incidents.flags(id)).find((f) => f.id === flagId);
      if (!flag) throw new ValidationError([{ field: 'renewFlagId', message: 'Select a warning flag raised from this incident' }]);
      if (flag.withdrawn_at) throw new ValidationError([{ field: 'renewFlagId', message: 'That warning flag has been withdrawn' }]);
      if (reviewOn <= londonToday(now())) throw new ValidationError([{ field: 'renewReview-day', message: 'The new review date must be in the future' }]);
      await inTransaction(db, async (trx) => {
        await risk.renewFlag(trx, flagId, endOfLondonDay(reviewOn));
        await incidents.setFlagReview(trx, id, flagId, reviewOn);
        await tellTeam(trx, i.employee_id, `Warning flag renewed: ${where({ caseSystem: flag.case_system, caseId: flag.case_id, postcode: flag.postcode })}`,
          `The warning flag on ${where({ caseSystem: flag.case_system, caseId: flag.case_id, postcode: flag.postcode })} (${flag.reason}) has been reviewed and renewed until ${reviewOn}. Visits there stay RED.`);
        await audit.appendIn(trx, { ...actorFields(actor), action: 'warning_flag.renew', entityType: 'warning_flag', entityId: flagId, detail: { incident: id, reviewOn } });
      });
    },

    /** The job: 7 days before a flag's review date, and once it has expired unrenewed, the raiser and the team are told, once each. */
    async sendFlagReviews() {
      const at = now();
      const today = londonToday(at);
      let sent = 0;
      for (const f of await incidents.flagsForReview(at)) {
        const kind = flagReviewAlert(f.review_on, today, f.sent, f.flag_id);
        if (!kind) continue;
        const place = where({ caseSystem: f.case_system, caseId: f.case_id, postcode: f.postcode });
        const expired = kind.startsWith('flag.expired');
        const ok = await inTransaction(db, async (trx) => {
          if (!(await incidents.recordAlerts(trx, f.incident_id, [kind], at))) throw new Rollback();
          const extra = f.raised_by === null ? [] : [f.raised_by];
          await tellTeam(trx, f.employee_id, expired ? `Warning flag expired: ${place}` : `Warning flag due for review: ${place}`,
            expired
              ? `The warning flag on ${place} (${f.reason}) reached its review date, ${f.review_on}, without being renewed, so it no longer applies. If the risk remains, a manager can raise it again from incident ${f.incident_id}.`
              : `The warning flag on ${place} (${f.reason}) is due for review by ${f.review_on}. A manager should review it and renew it from incident ${f.incident_id}, or let it expire.`, extra);
          await audit.appendIn(trx, { ...actorFields(null), action: expired ? 'warning_flag.expired_notice' : 'warning_flag.review_notice', entityType: 'warning_flag', entityId: f.flag_id, detail: { incident: f.incident_id, reviewOn: f.review_on } });
          return true;
        }).catch((e: unknown) => { if (e instanceof Rollback) return false; throw e; });
        if (ok) sent++;
      }
      return { sent };
    },

    async addLegalAction(actor: Actor, id: number, form: LegalActionForm) {
      const { i, r } = await load(actor, id);
      if (!mayManage(r)) throw new ForbiddenError('Only the managers of the person it happened to and health and safety can record legal and service actions');
      requireSubmitted(i);
      if (form.actionOn < londonDate(i.occurred_at!)) throw new ValidationError([{ field: 'legalOn-day', message: 'The date of the action must be on or after the day of the incident' }]);
      return inTransaction(db, async (trx) => {
        const actionId = await incidents.addLegalAction(trx, id, form, actor.staffId);
        await audit.appendIn(trx, { ...actorFields(actor), action: 'incident.legal_action', entityType: 'incident', entityId: id, detail: { kind: form.kind, on: form.actionOn } });
        return actionId;
      });
    },

    // ---- Monitoring for health and safety ----

    /** The dashboard: statistics for the filter, the choices for the filter form. Health and safety only. */
    async dashboard(actor: Actor, filter: StatsFilter) {
      requireMonitor(actor);
      const today = londonToday(now());
      const [aggregates, teams, buildings] = await Promise.all([incidents.aggregate(filter, today), incidents.teams(), incidents.buildings()]);
      return { stats: fromAggregates(aggregates, today), teams, buildings, categories: options(CATEGORIES) };
    },

    /**
     * The statistics without an actor check, for other features that publish aggregates (FOI
     * answers): counts by category, police-reported, prosecuted, successful prosecutions, and more.
     */
    async statistics(filter: StatsFilter & { jobRole?: string | null }) {
      const today = londonToday(now());
      return fromAggregates(await incidents.aggregate(filter, today), today);
    },

    /** The filtered incidents as a table (header first) for CSV and ODS. Health and safety only. */
    async exportTable(actor: Actor, filter: StatsFilter): Promise<string[][]> {
      requireMonitor(actor);
      const rows = await incidents.statisticsRows(filter, londonToday(now()));
      const yn = (b: boolean | null) => (b === null ? '' : b ? 'yes' : 'no');
      return [
        ['Incident', 'Date', 'Time', 'Happened to', 'Team', 'Building', 'Location', 'Working alone', 'Categories', 'Verbal channel', 'Perpetrator', 'Injured', 'Days off',
          'Serious', 'RIDDOR', 'RIDDOR report by', 'HSE reference', 'HSE reported on', 'Reported to police', 'Police reported on', 'Crime reference', 'Police outcome',
          'Court outcome', 'Court attended', 'Status', 'Open actions', 'Overdue actions', 'Source'],
        ...rows.map((r) => [
          String(r.id), londonDate(r.occurred_at), londonTime(r.occurred_at), r.employee_name ?? '', r.team_name ?? '', r.building_name ?? '', r.location ?? '', yn(r.lone_working),
          r.categories.map((c) => label(CATEGORIES, c)).join('; '), label(VERBAL_CHANNELS, r.verbal_channel) ?? '', label(PERPETRATOR_TYPES, r.perpetrator_type) ?? '',
          yn(r.injured), r.days_off === null ? '' : String(r.days_off), yn(r.serious), r.riddor_kind === 'specified_injury' || r.riddor_kind === 'over_seven_day' ? 'Reportable' : 'Not reportable',
          r.riddor_report_by ?? '', r.hse_reference ?? '', r.hse_reported_on ?? '', yn(r.police_reported), r.police_on ?? '', r.crime_reference ?? '',
          label(POLICE_OUTCOMES, r.police_outcome) ?? '', label(COURT_OUTCOMES, r.court_outcome) ?? '', yn(r.court_attended), r.status === 'closed' ? 'Closed' : 'Open',
          String(r.open_actions), String(r.overdue_actions), r.source === 'import' ? 'Imported' : 'Harbour',
        ]),
      ];
    },

    checkImport,

    /** Writes checked import rows (a batch of the file, in order) in the caller's transaction. */
    writeImportRows,
    auditImport,

    /** Historic incidents from CSV: every row checked first; all applied in one transaction with one audit entry, or none. */
    async importHistoric(actor: Actor, csvText: string, fileName = 'upload.csv', onProgress?: ImportProgress): Promise<IncidentImportResult> {
      const at = now();
      return inTransaction(db, async (trx): Promise<IncidentImportResult> => {
        // Checked again inside the transaction, after any other import of incidents has finished.
        const busy = await lockImports(trx, 'incidents');
        if (busy) return { ok: false, errors: [importBusy('incidents', busy)] };
        const { rows, errors } = await checkImport(actor, csvText, trx);
        if (errors.length) return { ok: false, errors };
        await writeInHundreds(rows, (batch) => writeImportRows(trx, actor, batch, at), onProgress);
        await auditImport(trx, actor, fileName, rows.length);
        return { ok: true as const, created: rows.length };
      });
    },

    /** One incident for its page, with what the actor may do and the rule outcomes. */
    async view(actor: Actor, id: number) {
      const { i, r } = await load(actor, id);
      const at = now();
      const respondValues: Record<string, unknown> = { notes: i.response_notes ?? '' };
      for (const [k, v] of Object.entries(i.support ?? {})) respondValues[`support-${k}`] = v;
      if (i.meeting_held_at) Object.assign(respondValues, dateBoxes('meeting', i.meeting_held_at));
      if (i.debrief_at) Object.assign(respondValues, dateBoxes('debrief', i.debrief_at));
      if (i.police_right_told_at) Object.assign(respondValues, dateBoxes('policeTold', i.police_right_told_at));
      const yn = (b: boolean | null) => (b === null ? '' : b ? 'yes' : 'no');
      const day = (prefix: string, iso: string | null) => {
        if (!iso) return {};
        const [y, m, d] = iso.split('-');
        return { [`${prefix}-day`]: String(Number(d)), [`${prefix}-month`]: String(Number(m)), [`${prefix}-year`]: y! };
      };
      Object.assign(respondValues, {
        policeReported: yn(i.police_reported), crimeReference: i.crime_reference ?? '', policeOutcome: i.police_outcome ?? '', courtOutcome: i.court_outcome ?? '',
        courtAttended: yn(i.court_attended), courtNotes: i.court_notes ?? '', ...day('policeOn', i.police_on),
        specifiedInjury: i.specified_injury ? 'yes' : 'no', riddorDaysOff: i.days_off === null ? '' : String(i.days_off), hseReference: i.hse_reference ?? '', ...day('hseOn', i.hse_on),
        serious: [...(i.marked_serious ? ['marked'] : []), ...(i.major_incident ? ['major'] : [])],
        flagSubject: i.perpetrator_case_id ? 'person' : '', flagCaseSystem: i.perpetrator_case_system ?? '', flagCaseId: i.perpetrator_case_id ?? '', flagCategory: 'violence',
      });
      const managing = mayManage(r) && i.status !== 'draft' && i.status !== 'awaiting_confirmation';
      const [flags, legalActions, investigation, actions] = managing
        ? await Promise.all([incidents.flags(id), incidents.legalActions(id), incidents.investigation(id), incidents.actions(id)])
        : [[], [], undefined, await incidents.actions(id)];
      const riddorOutcome = i.occurred_at ? riddor(i.occurred_at, { categories: i.categories, specifiedInjury: i.specified_injury, daysIncapacitated: i.days_off }) : null;
      return {
        managing,
        mayRecordPolice: (r.employee || mayManage(r)) && i.status !== 'draft' && i.status !== 'awaiting_confirmation',
        mayFlag: managing && can(actor, 'risk.flags.manage'),
        seriousReasons: seriousReasons({ categories: i.categories, injured: Boolean(i.injured), riddorReportable: Boolean(riddorOutcome?.reportable), majorIncident: i.major_incident, markedSerious: i.marked_serious }),
        policeOutcomeLabel: label(POLICE_OUTCOMES, i.police_outcome), courtOutcomeLabel: label(COURT_OUTCOMES, i.court_outcome),
        policeOutcomes: options(POLICE_OUTCOMES), courtOutcomes: options(COURT_OUTCOMES),
        flags: flags.map((f) => ({ ...f, subjectLabel: label(FLAG_SUBJECTS, f.subject), categoryLabel: (FLAG_CATEGORIES as Record<string, { label: string }>)[f.category]?.label ?? f.category, live: !f.withdrawn_at && (!f.expires_at || f.expires_at > at) })),
        flagSubjects: options(FLAG_SUBJECTS),
        caseSystems: options(CASE_SYSTEMS),
        flagCategories: Object.entries(FLAG_CATEGORIES).map(([value, c]) => ({ value, text: c.label })),
        legalActions: legalActions.map((a) => ({ ...a, kindLabel: label(LEGAL_ACTIONS, a.kind) })),
        legalKinds: options(LEGAL_ACTIONS),
        investigation: investigation ?? null,
        yourActions: actions.filter((a) => a.owner_id === actor.staffId && !a.done_at).map((a) => ({ ...a, overdue: actionOverdue(a, londonToday(at)) })),
        openActions: actions.filter((a) => !a.done_at).length,
        overdueActions: actions.filter((a) => actionOverdue(a, londonToday(at))).length,
        incident: i,
        categoryLabels: i.categories.map((c) => (CATEGORIES as Record<string, string>)[c] ?? c),
        verbalChannelLabel: i.verbal_channel ? (VERBAL_CHANNELS as Record<string, string>)[i.verbal_channel] ?? i.verbal_channel : null,
        perpetratorLabel: i.perpetrator_type ? (PERPETRATOR_TYPES as Record<string, string>)[i.perpetrator_type] ?? i.perpetrator_type : null,
        caseSystemLabel: i.perpetrator_case_system ? (CASE_SYSTEMS as Record<string, string>)[i.perpetrator_case_system] ?? i.perpetrator_case_system : null,
        urgent: isUrgent(i.categories),
        meetingOverdue: Boolean(i.meeting_due_at && !i.meeting_held_at && i.meeting_due_at < at),
        debriefWindow: i.occurred_at ? debriefWindow(i.occurred_at) : null,
        riddor: riddorOutcome,
        support: SUPPORT_KEYS.map((k) => ({ key: k, text: SUPPORT_ITEMS[k], status: (i.support ?? {})[k] ?? null, statusText: (SUPPORT_STATUSES as Record<string, string>)[(i.support ?? {})[k] ?? ''] ?? 'Not offered' })),
        supportStatuses: options(SUPPORT_STATUSES),
        mayConfirm: r.employee && i.status === 'awaiting_confirmation',
        mayRespond: r.manager && i.status !== 'draft',
        respondValues,
      };
    },

    /**
     * A page of the incidents the actor may see, filtered, with the total. Someone who sees every
     * submitted report also sees their own drafts, above the list on its first page.
     */
    async list(actor: Actor, filter: { q?: string | null; status?: IncidentListStatus | null; page?: number } = {}) {
      const scope = can(actor, 'incidents.view_all') ? 'all' as const
        : actor.staffId === null ? null : { staffId: actor.staffId, reportIds: (await staff.reports(actor.staffId)).map((r) => r.id) };
      const page = filter.page ?? 1;
      const found = scope === null ? { rows: [], total: 0 }
        : await incidents.list(scope, { q: filter.q ?? null, status: filter.status ?? null, limit: PER_PAGE, offset: (page - 1) * PER_PAGE });
      const ownDrafts = page === 1 && scope === 'all' && actor.staffId !== null && (!filter.status || filter.status === 'draft')
        ? (await incidents.list({ staffId: actor.staffId, reportIds: [] }, { q: filter.q ?? null, status: 'draft', limit: PER_PAGE })).rows
        : [];
      const at = now();
      return {
        incidents: [...ownDrafts, ...found.rows].map((i) => ({
          ...i,
          categoryLabels: i.categories.map((c) => (CATEGORIES as Record<string, string>)[c] ?? c),
          meetingOverdue: Boolean(i.meeting_due_at && !i.meeting_held_at && i.meeting_due_at < at && i.status === 'open'),
        })),
        total: found.total,
        ownDrafts: ownDrafts.length,
        mayReport: actor.staffId !== null,
        mayMonitor: can(actor, 'incidents.view_all'),
      };
    },
  };
}

export type IncidentsService = ReturnType<typeof buildIncidentsService>;

/** Checks a report to be submitted and its field sizes together, so no error hides another. */
function reportAllAtOnce(body: unknown, at: Date) {
  const sizes = draftProblems(body);
  let errors: FieldError[] = [];
  try {
    parseReportForm(body, at);
  } catch (e) {
    if (!(e instanceof ValidationError)) throw e;
    errors = e.errors;
  }
  const all = [...errors.filter((e) => !sizes.some((s) => s.field === e.field)), ...sizes];
  if (all.length) throw new ValidationError(all);
}

/** Thrown inside a transaction to roll it back quietly. */
class Rollback extends Error {}
