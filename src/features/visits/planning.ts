import type { AuditRepository } from '../audit/repository.ts';
import type { AlertsRepository } from '../alerts/repository.ts';
import type { VisitsRepository, VisitInput } from './repository.ts';
import type { RiskGate } from './risk-gate.ts';
import type { Actor } from '../auth/actor.ts';
import { actorFields } from '../audit/service.ts';
import { ValidationError, type FieldError } from '../../errors.ts';
import { addDays, isoDate, londonToUtc } from '../../time/london.ts';
import type { VisitForm } from './schema.ts';
import { visitEvent, type VisitGuards } from './guards.ts';

const MAX_MINUTES = 16 * 60;

/** Planning sessions: a new one, an edit before it starts, a calendar import, a cancellation. */
export function buildVisitPlanning(deps: {
  visits: VisitsRepository;
  alerts: AlertsRepository;
  audit: AuditRepository;
  risk: RiskGate;
  guards: VisitGuards;
}) {
  const {
    visits,
    alerts,
    audit,
    risk,
    guards: { mustActFor, viewable },
  } = deps;

  /** How far in the past a session may end and still be planned (a visit entered just after it ended). */
  const PAST_GRACE_MS = 12 * 3_600_000;

  async function toInput(actor: Actor, form: VisitForm): Promise<VisitInput> {
    const errors: FieldError[] = [];
    const workerId = form.workerId ?? actor.staffId;
    if (workerId === null) throw new ValidationError([{ field: 'workerId', message: 'Select who is doing the visit' }]);
    const date = isoDate(form['date-day'], form['date-month'], form['date-year']);
    const startsAt = date ? londonToUtc(date, form.startTime) : null;
    const sameDayEnd = date ? londonToUtc(date, form.endTime) : null;
    // An end at or before the start is after midnight (late youth work, out-of-hours call-outs), unless that would be too long to be meant.
    const nextDayEnd =
      date && startsAt && sameDayEnd && sameDayEnd <= startsAt ? londonToUtc(addDays(date, 1), form.endTime) : null;
    const endsAt =
      nextDayEnd && startsAt && (nextDayEnd.getTime() - startsAt.getTime()) / 60000 <= MAX_MINUTES
        ? nextDayEnd
        : sameDayEnd;
    if (!date) errors.push({ field: 'date-day', message: 'The date must be a real date' });
    else if (!startsAt)
      errors.push({
        field: 'startTime',
        message: 'That start time does not exist on that day (the clocks go forward)',
      });
    if (startsAt && !endsAt)
      errors.push({ field: 'endTime', message: 'That end time does not exist on that day (the clocks go forward)' });
    if (startsAt && endsAt && endsAt <= startsAt) {
      // The hint says an earlier end is after midnight; say why that reading did not apply here.
      const overnightHours = nextDayEnd ? Math.round((nextDayEnd.getTime() - startsAt.getTime()) / 3_600_000) : null;
      errors.push({
        field: 'endTime',
        message: overnightHours
          ? `An end time earlier than the start is taken as after midnight, which would make this session ${overnightHours} hours long. A session can last at most 16 hours: check the start and end times`
          : 'The expected end must be after the start',
      });
    }
    // Harbour watches sessions from now on: one that ended long ago could only raise a false alarm.
    if (endsAt && endsAt.getTime() < Date.now() - PAST_GRACE_MS) {
      errors.push({
        field: 'date-day',
        message:
          'That visit has already ended. Plan visits that are happening today or later; to record something that happened on a past visit, report an incident',
      });
    }
    if (startsAt && endsAt && (endsAt.getTime() - startsAt.getTime()) / 60000 > MAX_MINUTES)
      errors.push({ field: 'endTime', message: 'A session can last at most 16 hours' });
    if (form.kind === 'visit' && !form.address && !form.postcode)
      errors.push({ field: 'address', message: 'Enter the address or postcode of the visit' });
    if (
      (form.kind === 'office' || form.kind === 'building_lone_working' || form.kind === 'key_holder_callout') &&
      !form.buildingId &&
      !form.address
    ) {
      errors.push({ field: 'buildingId', message: 'Select the building' });
    }
    if (form.caseId && !form.caseSystem)
      errors.push({ field: 'caseSystem', message: 'Select the case system for the case ID' });
    if (form.jointPartnerId !== null) {
      // "Two trained staff": someone else, current, a field worker in the same team.
      const problem = await risk.partnerProblem(form.jointPartnerId, workerId);
      if (problem) errors.push({ field: 'jointPartnerId', message: problem });
    }
    if (errors.length) throw new ValidationError(errors);
    // Every kind of session is rated when it carries an address or a case (null when it carries neither).
    const riskRating = await risk.rate({
      kind: form.kind,
      caseSystem: form.caseSystem,
      caseId: form.caseId,
      postcode: form.postcode,
      address: form.address,
      referralType: form.referralType,
    });
    return {
      workerId,
      kind: form.kind,
      startsAt: startsAt!,
      endsAt: endsAt!,
      address: form.address,
      postcode: form.postcode,
      latitude: form.latitude,
      longitude: form.longitude,
      caseSystem: form.caseSystem,
      caseId: form.caseId,
      description: form.description,
      jointPartnerId: form.jointPartnerId,
      notes: form.notes,
      buildingId: form.buildingId,
      referralType: form.referralType,
      riskRating,
    };
  }

  return {
    async plan(actor: Actor, form: VisitForm) {
      const input = await toInput(actor, form);
      await mustActFor(actor, input.workerId);
      return visits.transaction(async (trx) => {
        const id = await visits.create(trx, input, actor.accountId);
        await visitEvent(alerts, trx, id, actor, 'planned', `Planned by ${actor.displayName}`);
        await audit.appendIn(trx, { ...actorFields(actor), action: 'visit.plan', entityType: 'visit', entityId: id });
        await risk.afterSave(trx, id, null, actor);
        return id;
      });
    },

    /**
     * Edits a planned session. Its risk assessment, controls and precautions stay; the gate runs
     * again (the light may change; a new joint partner must confirm and be agreed again).
     */
    async edit(actor: Actor, visitId: number, form: VisitForm) {
      const { visit } = await viewable(actor, visitId);
      await mustActFor(actor, visit.worker_id);
      const input = await toInput(actor, { ...form, workerId: visit.worker_id });
      if (visit.state !== 'planned')
        throw new ValidationError([{ field: 'visit', message: 'Only a visit that has not started can be changed' }]);
      await visits.transaction(async (trx) => {
        const v = await visits.lockForSession(trx, visitId);
        if (!v || v.state !== 'planned')
          throw new ValidationError([{ field: 'visit', message: 'Only a visit that has not started can be changed' }]);
        // A session moved to a council building stays there: the building is kept, the edit is of the home address.
        const moved = v.home_address !== null || v.home_postcode !== null;
        await visits.update(trx, visitId, {
          ...input,
          buildingId: moved ? v.building_id : input.buildingId,
          source: v.source,
          icalUid: v.ical_uid,
        });
        await visitEvent(alerts, trx, visitId, actor, 'edited', `Plan changed by ${actor.displayName}`);
        await audit.appendIn(trx, {
          ...actorFields(actor),
          action: 'visit.edit',
          entityType: 'visit',
          entityId: visitId,
        });
        await risk.afterSave(
          trx,
          visitId,
          { joint_partner_id: v.joint_partner_id, home_address: v.home_address, home_postcode: v.home_postcode },
          actor,
        );
      });
    },
    /** For imports: several visits already validated by the caller. */
    async planMany(actor: Actor, inputs: VisitInput[]) {
      for (const workerId of new Set(inputs.map((i) => i.workerId))) await mustActFor(actor, workerId);
      return visits.transaction(async (trx) => {
        const ids: number[] = [];
        for (const input of inputs) {
          const id = await visits.create(trx, input, actor.accountId);
          await visitEvent(alerts, trx, id, actor, 'planned', `Imported from a calendar by ${actor.displayName}`);
          ids.push(id);
        }
        await audit.appendIn(trx, {
          ...actorFields(actor),
          action: 'visit.import',
          entityType: 'visit',
          entityId: null,
          detail: { count: ids.length },
        });
        return ids;
      });
    },
    async cancel(actor: Actor, visitId: number) {
      const { visit } = await viewable(actor, visitId);
      await mustActFor(actor, visit.worker_id);
      if (visit.state !== 'planned')
        throw new ValidationError([{ field: 'visit', message: 'Only a visit that has not started can be cancelled' }]);
      await visits.transaction(async (trx) => {
        await visits.cancelPlanned(trx, visitId);
        await visitEvent(alerts, trx, visitId, actor, 'cancelled', `Cancelled by ${actor.displayName}`);
      });
    },
  };
}
