import type { Kysely } from 'kysely';
import type { DB } from '../../db/schema.ts';
import type { AuditRepository } from '../audit/repository.ts';
import type { StaffRepository } from '../people/repository.ts';
import type { Actor } from '../auth/actor.ts';
import { actorFields } from '../audit/service.ts';
import { can } from '../auth/access.ts';
import { maySee, relationTo } from '../visits/access.ts';
import { CASE_SYSTEMS } from '../visits/schema.ts';
import { londonDate, londonTime } from '../../time/london.ts';
import { ForbiddenError, NotFoundError, ValidationError } from '../../errors.ts';
import { inTransaction } from '../../db/transaction.ts';
import type { IncidentRow, IncidentsRepository } from './repository.ts';
import {
  CATEGORIES, PERPETRATOR_TYPES, SUPPORT_ITEMS, SUPPORT_KEYS, SUPPORT_STATUSES, VERBAL_CHANNELS,
  debriefProblem, debriefWindow, isUrgent, meetingDeadline, riddor,
} from './rules.ts';
import { draftValues, parseReportForm, type ResponseForm } from './schema.ts';

export interface IncidentsDeps {
  db: Kysely<DB>;
  incidents: IncidentsRepository;
  staff: StaffRepository;
  audit: AuditRepository;
  /** The clock; tests move it. */
  now?: () => Date;
}

/** How the actor stands towards an incident: the facts the visibility rules are made of. */
export interface IncidentRelation { employee: boolean; reporter: boolean; manager: boolean; healthAndSafety: boolean }

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
  const { db, incidents, staff, audit } = deps;
  const now = deps.now ?? (() => new Date());

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

  return {
    formContext,

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
        };
        const incidentId = existing ? (await incidents.update(trx, existing.id, patch), existing.id)
          : await incidents.create(trx, { employeeId, reportedBy: me, reportedByAccount: actor.accountId }, patch);
        await audit.appendIn(trx, { ...actorFields(actor), action: 'incident.submit', entityType: 'incident', entityId: incidentId, detail: { categories: form.categories, onBehalf } });
        return incidentId;
      });
    },

    /** The employee agrees with a report made on their behalf. */
    async confirm(actor: Actor, id: number) {
      const { i, r } = await load(actor, id);
      if (!r.employee) throw new ForbiddenError('Only the person the incident happened to can confirm the report');
      if (i.status !== 'awaiting_confirmation') throw new ValidationError([{ field: 'form', message: 'This report does not need confirming' }]);
      await inTransaction(db, async (trx) => {
        await incidents.update(trx, id, { status: 'open', confirmed_at: now() });
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

    /** One incident for its page, with what the actor may do and the rule outcomes. */
    async view(actor: Actor, id: number) {
      const { i, r } = await load(actor, id);
      const at = now();
      const respondValues: Record<string, unknown> = { notes: i.response_notes ?? '' };
      for (const [k, v] of Object.entries(i.support ?? {})) respondValues[`support-${k}`] = v;
      if (i.meeting_held_at) Object.assign(respondValues, dateBoxes('meeting', i.meeting_held_at));
      if (i.debrief_at) Object.assign(respondValues, dateBoxes('debrief', i.debrief_at));
      if (i.police_right_told_at) Object.assign(respondValues, dateBoxes('policeTold', i.police_right_told_at));
      return {
        incident: i,
        categoryLabels: i.categories.map((c) => (CATEGORIES as Record<string, string>)[c] ?? c),
        verbalChannelLabel: i.verbal_channel ? (VERBAL_CHANNELS as Record<string, string>)[i.verbal_channel] ?? i.verbal_channel : null,
        perpetratorLabel: i.perpetrator_type ? (PERPETRATOR_TYPES as Record<string, string>)[i.perpetrator_type] ?? i.perpetrator_type : null,
        caseSystemLabel: i.perpetrator_case_system ? (CASE_SYSTEMS as Record<string, string>)[i.perpetrator_case_system] ?? i.perpetrator_case_system : null,
        urgent: isUrgent(i.categories),
        meetingOverdue: Boolean(i.meeting_due_at && !i.meeting_held_at && i.meeting_due_at < at),
        debriefWindow: i.occurred_at ? debriefWindow(i.occurred_at) : null,
        riddor: i.occurred_at ? riddor(i.occurred_at, { categories: i.categories, specifiedInjury: false, daysIncapacitated: i.days_off }) : null,
        support: SUPPORT_KEYS.map((k) => ({ key: k, text: SUPPORT_ITEMS[k], status: (i.support ?? {})[k] ?? null, statusText: (SUPPORT_STATUSES as Record<string, string>)[(i.support ?? {})[k] ?? ''] ?? 'Not offered' })),
        supportStatuses: options(SUPPORT_STATUSES),
        mayConfirm: r.employee && i.status === 'awaiting_confirmation',
        mayRespond: r.manager && i.status !== 'draft',
        respondValues,
      };
    },

    /** The incidents the actor may see, drafts of their own first. */
    async list(actor: Actor) {
      const scope = can(actor, 'incidents.view_all') ? 'all' as const
        : actor.staffId === null ? null : { staffId: actor.staffId, reportIds: (await staff.reports(actor.staffId)).map((r) => r.id) };
      const rows = scope === null ? [] : await incidents.list(scope);
      const mine = can(actor, 'incidents.view_all') && actor.staffId !== null ? await incidents.list({ staffId: actor.staffId, reportIds: [] }) : [];
      const all = [...mine.filter((m) => m.status === 'draft'), ...rows];
      const at = now();
      return {
        incidents: all.map((i) => ({
          ...i,
          categoryLabels: i.categories.map((c) => (CATEGORIES as Record<string, string>)[c] ?? c),
          meetingOverdue: Boolean(i.meeting_due_at && !i.meeting_held_at && i.meeting_due_at < at && i.status === 'open'),
        })),
        mayReport: actor.staffId !== null,
      };
    },
  };
}

export type IncidentsService = ReturnType<typeof buildIncidentsService>;
