import type { Actor } from '../auth/actor.ts';
import { actorFields } from '../audit/service.ts';
import { maySee, relationTo } from '../visits/access.ts';
import { CASE_SYSTEMS } from '../visits/schema.ts';
import { ForbiddenError, ValidationError, type FieldError } from '../../errors.ts';
import { CATEGORIES, PERPETRATOR_TYPES, VERBAL_CHANNELS, meetingDeadline } from './rules.ts';
import { draftProblems, draftValues, parseReportForm } from './schema.ts';
import { derivedFacts } from './facts.ts';
import { dateBoxes, options, type IncidentsContext } from './context.ts';

/**
 * Reporting (HS157): a new report pre-filled from a visit or an alert, drafts, submitting, reporting on
 * an employee's behalf and their confirmation (seed 001 §12).
 */
export function buildReporting(ctx: IncidentsContext) {
  const { incidents, staff, audit, now, baseUrl, load, requireStaff, tellManager } = ctx;

  /** The people one may report for: oneself, and (for managers) everyone below them. */
  async function employeeChoices(actor: Actor) {
    if (actor.staffId === null) return [];
    const reports = await staff.reports(actor.staffId);
    const named = await incidents.staffNamed(reports.map((r) => r.id));
    return [
      { id: actor.staffId, name: 'Myself' },
      ...named.map((p) => ({ id: p.id, name: p.name ?? `Staff ${p.id}` })),
    ];
  }

  const formContext = async (actor: Actor) => ({
    employees: await employeeChoices(actor),
    categories: options(CATEGORIES),
    verbalChannels: options(VERBAL_CHANNELS),
    perpetratorTypes: options(PERPETRATOR_TYPES),
    caseSystems: options(CASE_SYSTEMS),
    buildings: await incidents.buildings(),
  });

  /** Checks the employee chosen: oneself or someone one manages. */
  async function employeeFor(actor: Actor, employeeId: number | null): Promise<number> {
    const me = requireStaff(actor);
    if (employeeId === null || employeeId === me) return me;
    const reports = await staff.reports(me);
    if (!reports.some((r) => r.id === employeeId))
      throw new ValidationError([
        { field: 'employeeId', message: 'You can only report for yourself or for someone you manage' },
      ]);
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
          if (visit.building_id) values.buildingId = String(visit.building_id);
          if (!values['occurred-day'])
            Object.assign(values, dateBoxes('occurred', visit.arrived_at ?? visit.starts_at));
          values.loneWorking =
            visit.kind === 'visit' || visit.kind === 'building_lone_working' || visit.kind === 'home_working'
              ? 'yes'
              : undefined;
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
      if (existing && (existing.status !== 'draft' || existing.reported_by !== me))
        throw new ForbiddenError('This report has been submitted and can no longer be edited');
      // Submitting: every problem at once, an over-long field alongside the others.
      if (action === 'submit') reportAllAtOnce(body, now());
      const raw = draftValues(body);
      if (action === 'draft') {
        const rawEmployee = Number(raw.employeeId);
        const employeeId =
          Number.isInteger(rawEmployee) && rawEmployee > 0 ? await employeeFor(actor, rawEmployee) : me;
        return incidents.transaction(async (trx) => {
          const patch = { draft: JSON.stringify(raw), employee_id: employeeId };
          const incidentId = existing
            ? (await incidents.update(trx, existing.id, patch), existing.id)
            : await incidents.create(
                trx,
                { employeeId, reportedBy: me, reportedByAccount: actor.accountId },
                { draft: patch.draft },
              );
          await audit.appendIn(trx, {
            ...actorFields(actor),
            action: 'incident.draft',
            entityType: 'incident',
            entityId: incidentId,
            detail: {},
          });
          return incidentId;
        });
      }
      const form = parseReportForm(body, now());
      const employeeId = await employeeFor(actor, form.employeeId);
      const onBehalf = employeeId !== me;
      const submittedAt = now();
      const buildingId =
        form.buildingId ??
        (form.visitId === null ? null : ((await incidents.visit(form.visitId))?.building_id ?? null));
      const lineManager = (await staff.chain(employeeId))[0] ?? null;
      return incidents.transaction(async (trx) => {
        const patch = {
          status: onBehalf ? 'awaiting_confirmation' : 'open',
          employee_id: employeeId,
          draft: JSON.stringify(raw),
          occurred_at: form.occurredAt,
          location: form.location,
          visit_id: form.visitId,
          alert_id: form.alertId,
          lone_working: form.loneWorking,
          categories: form.categories,
          verbal_channel: form.verbalChannel,
          perpetrator_type: form.perpetratorType,
          perpetrator_case_system: form.perpetratorCaseSystem,
          perpetrator_case_id: form.perpetratorCaseId,
          others_present: form.othersPresent,
          witnesses: form.witnesses,
          injured: form.injured,
          injury_nature: form.injuryNature,
          injury_body_part: form.injuryBodyPart,
          first_aid: form.firstAid,
          hospital: form.hospital,
          days_off: form.daysOff,
          narrative: form.narrative,
          submitted_at: submittedAt,
          confirmed_at: onBehalf ? null : submittedAt,
          meeting_due_at: meetingDeadline(form.occurredAt, form.categories),
          building_id: buildingId,
          ...derivedFacts({
            occurred_at: form.occurredAt,
            categories: form.categories,
            injured: form.injured,
            specified_injury: false,
            days_off: form.daysOff,
            major_incident: false,
            marked_serious: false,
          }),
        };
        const incidentId = existing
          ? (await incidents.update(trx, existing.id, patch), existing.id)
          : await incidents.create(trx, { employeeId, reportedBy: me, reportedByAccount: actor.accountId }, patch);
        await audit.appendIn(trx, {
          ...actorFields(actor),
          action: 'incident.submit',
          entityType: 'incident',
          entityId: incidentId,
          detail: { categories: form.categories, onBehalf },
        });
        if (onBehalf) {
          await incidents.notify(trx, {
            recipientId: employeeId,
            at: submittedAt,
            link: `${baseUrl}/incidents/${incidentId}`,
            subject: 'Please confirm an incident report made for you',
            body: 'Your manager has reported an incident on your behalf. Read it and confirm it is right, or tell them what is wrong.',
          });
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
      if (i.status !== 'awaiting_confirmation')
        throw new ValidationError([{ field: 'form', message: 'This report does not need confirming' }]);
      const lineManager = (await staff.chain(i.employee_id))[0] ?? null;
      await incidents.transaction(async (trx) => {
        await incidents.update(trx, id, { status: 'open', confirmed_at: now() });
        if (lineManager && i.meeting_due_at) await tellManager(trx, lineManager.id, id, i.meeting_due_at, now());
        await audit.appendIn(trx, {
          ...actorFields(actor),
          action: 'incident.confirm',
          entityType: 'incident',
          entityId: id,
          detail: {},
        });
      });
    },
  };
}

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
