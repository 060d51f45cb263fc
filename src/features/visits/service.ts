import type { Kysely, Transaction } from 'kysely';
import type { DB } from '../../db/schema.ts';
import type { StaffRepository } from '../people/repository.ts';
import type { AuditRepository } from '../audit/repository.ts';
import type { VisitsRepository, VisitInput } from './repository.ts';
import type { RiskGate } from './risk-gate.ts';
import type { Actor } from '../auth/actor.ts';
import { actorFields } from '../audit/service.ts';
import { ForbiddenError, NotFoundError, ValidationError, type FieldError } from '../../errors.ts';
import { inTransaction } from '../../db/transaction.ts';
import { timers } from '../alerts/timers.ts';
import { dayTimerSubject } from '../alerts/engine.ts';
import { addDays, defaultFinish, isoDate, londonDate, londonDayBounds, londonToUtc } from '../../time/london.ts';
import { mayActFor, maySee, relationTo } from './access.ts';
import type { HistoryFilter, VisitForm } from './schema.ts';
import type { HistoryScope } from './repository.ts';
import { can } from '../auth/access.ts';
import { hasRole } from '../auth/actor.ts';

export interface VisitsDeps {
  db: Kysely<DB>;
  visits: VisitsRepository;
  staff: StaffRepository;
  audit: AuditRepository;
  risk: RiskGate;
  /** Wakes the escalation loop after a change, so a deadline already past fires at once. */
  onChange?: () => void;
}

const MAX_MINUTES = 16 * 60;

export function buildVisitsService(deps: VisitsDeps) {
  const { db, visits, staff, audit, risk } = deps;

  async function mustActFor(actor: Actor, workerId: number) {
    if (!mayActFor(await relationTo(staff, actor, workerId))) throw new ForbiddenError('You can only plan and run sessions for yourself, or for people you support or manage');
  }

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
    const nextDayEnd = date && startsAt && sameDayEnd && sameDayEnd <= startsAt ? londonToUtc(addDays(date, 1), form.endTime) : null;
    const endsAt = nextDayEnd && startsAt && (nextDayEnd.getTime() - startsAt.getTime()) / 60000 <= MAX_MINUTES ? nextDayEnd : sameDayEnd;
    if (!date) errors.push({ field: 'date-day', message: 'The date must be a real date' });
    else if (!startsAt) errors.push({ field: 'startTime', message: 'That start time does not exist on that day (the clocks go forward)' });
    if (startsAt && !endsAt) errors.push({ field: 'endTime', message: 'That end time does not exist on that day (the clocks go forward)' });
    if (startsAt && endsAt && endsAt <= startsAt) {
      // The hint says an earlier end is after midnight; say why that reading did not apply here.
      const overnightHours = nextDayEnd ? Math.round((nextDayEnd.getTime() - startsAt.getTime()) / 3_600_000) : null;
      errors.push({ field: 'endTime', message: overnightHours
        ? `An end time earlier than the start is taken as after midnight, which would make this session ${overnightHours} hours long. A session can last at most 16 hours: check the start and end times`
        : 'The expected end must be after the start' });
    }
    // Harbour watches sessions from now on: one that ended long ago could only raise a false alarm.
    if (endsAt && endsAt.getTime() < Date.now() - PAST_GRACE_MS) {
      errors.push({ field: 'date-day', message: 'That visit has already ended. Plan visits that are happening today or later; to record something that happened on a past visit, report an incident' });
    }
    if (startsAt && endsAt && (endsAt.getTime() - startsAt.getTime()) / 60000 > MAX_MINUTES) errors.push({ field: 'endTime', message: 'A session can last at most 16 hours' });
    if (form.kind === 'visit' && !form.address && !form.postcode) errors.push({ field: 'address', message: 'Enter the address or postcode of the visit' });
    if ((form.kind === 'office' || form.kind === 'building_lone_working' || form.kind === 'key_holder_callout') && !form.buildingId && !form.address) {
      errors.push({ field: 'buildingId', message: 'Select the building' });
    }
    if (form.caseId && !form.caseSystem) errors.push({ field: 'caseSystem', message: 'Select the case system for the case ID' });
    if (form.jointPartnerId !== null) {
      // "Two trained staff": someone else, current, a field worker in the same team.
      const problem = await risk.partnerProblem(form.jointPartnerId, workerId);
      if (problem) errors.push({ field: 'jointPartnerId', message: problem });
    }
    if (errors.length) throw new ValidationError(errors);
    // Every kind of session is rated when it carries an address or a case (null when it carries neither).
    const riskRating = await risk.rate({ kind: form.kind, caseSystem: form.caseSystem, caseId: form.caseId, postcode: form.postcode, address: form.address, referralType: form.referralType });
    return {
      workerId, kind: form.kind, startsAt: startsAt!, endsAt: endsAt!, address: form.address, postcode: form.postcode,
      latitude: form.latitude, longitude: form.longitude, caseSystem: form.caseSystem, caseId: form.caseId, description: form.description,
      jointPartnerId: form.jointPartnerId, notes: form.notes, buildingId: form.buildingId, referralType: form.referralType, riskRating,
    };
  }

  async function historyScope(actor: Actor): Promise<HistoryScope | null> {
    if (can(actor, 'people.view_all') || can(actor, 'organisation.manage')) return 'all';
    if (actor.staffId === null) return null;
    const me = hasRole(actor, 'business_support') ? await staff.get(actor.staffId) : undefined;
    return { staffId: actor.staffId, supportsTeamId: me?.team_id ?? null };
  }

  async function viewable(actor: Actor, visitId: number) {
    const v = await visits.get(visitId);
    if (!v) throw new NotFoundError('Visit');
    const relation = await relationTo(staff, actor, v.worker_id);
    // The joint visit partner sees the visit they are asked to go on (to confirm it), nothing more.
    const partner = actor.staffId !== null && v.joint_partner_id === actor.staffId;
    if (!maySee(relation) && !partner) throw new ForbiddenError();
    return { visit: v, relation, partner };
  }

  /**
   * The finishing time of the worker's day: 17:00 or the end of their last session, whichever is later.
   * The working day is the day the session started: a late visit that runs past midnight still belongs to it,
   * so its "finished and safe" confirms the day the worker was working.
   */
  async function armEndOfDay(trx: Transaction<DB>, workerId: number, sessionStart: Date, until: Date) {
    const workDate = londonDate(sessionStart);
    const finish = new Date(Math.max(defaultFinish(workDate).getTime(), until.getTime() + 15 * 60_000));
    const row = await trx.insertInto('day_confirmations').values({ worker_id: workerId, work_date: workDate, finish_at: finish })
      .onConflict((oc) => oc.columns(['worker_id', 'work_date']).doUpdateSet((eb) => ({ finish_at: eb.fn('greatest', ['day_confirmations.finish_at', eb.ref('excluded.finish_at')]) })))
      .returning(['finish_at', 'confirmed_at']).executeTakeFirstOrThrow();
    if (!row.confirmed_at) await timers.arm(trx, 'end_of_day', dayTimerSubject(workerId, workDate), 0, new Date(row.finish_at));
  }

  async function openWorkDate(trx: Transaction<DB>, workerId: number) {
    const today = londonDate(new Date());
    const yesterday = addDays(today, -1);
    const open = await trx.selectFrom('day_confirmations').select('work_date').where('worker_id', '=', workerId)
      .where('work_date', '=', yesterday).where('confirmed_at', 'is', null).executeTakeFirst();
    return open ? yesterday : today;
  }

  async function timeline(trx: Transaction<DB>, visitId: number, actor: Actor, type: string, text: string, alertId: string | null = null) {
    await trx.insertInto('timeline_events').values({ visit_id: visitId, alert_id: alertId, type, actor_id: actor.staffId, text }).execute();
  }

  /** A worker who acts (extends, ends) is evidently safe: any open overdue alert closes. */
  async function resolveOpenAlerts(trx: Transaction<DB>, visitId: number, actor: Actor, why: string) {
    const open = await trx.selectFrom('alerts').select(['id']).where('visit_id', '=', visitId).where('status', '<>', 'resolved').where('kind', '=', 'overdue').forUpdate().execute();
    for (const a of open) {
      await trx.updateTable('alerts').set({ status: 'resolved', outcome: 'safe', outcome_notes: why, resolved_by: actor.accountId, resolved_at: new Date() }).where('id', '=', a.id).execute();
      await timers.cancel(trx, 'alert_step', a.id);
      await timeline(trx, visitId, actor, 'resolved', `Alert closed: safe (${why})`, a.id);
    }
  }

  return {
    viewable,
    async plan(actor: Actor, form: VisitForm) {
      const input = await toInput(actor, form);
      await mustActFor(actor, input.workerId);
      return inTransaction(db, async (trx) => {
        const id = await visits.create(trx, input, actor.accountId);
        await timeline(trx, id, actor, 'planned', `Planned by ${actor.displayName}`);
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
      if (visit.state !== 'planned') throw new ValidationError([{ field: 'visit', message: 'Only a visit that has not started can be changed' }]);
      await inTransaction(db, async (trx) => {
        const v = await visits.lockForSession(trx, visitId);
        if (!v || v.state !== 'planned') throw new ValidationError([{ field: 'visit', message: 'Only a visit that has not started can be changed' }]);
        // A session moved to a council building stays there: the building is kept, the edit is of the home address.
        const moved = v.home_address !== null || v.home_postcode !== null;
        await visits.update(trx, visitId, { ...input, buildingId: moved ? v.building_id : input.buildingId, source: v.source, icalUid: v.ical_uid });
        await timeline(trx, visitId, actor, 'edited', `Plan changed by ${actor.displayName}`);
        await audit.appendIn(trx, { ...actorFields(actor), action: 'visit.edit', entityType: 'visit', entityId: visitId });
        await risk.afterSave(trx, visitId, { joint_partner_id: v.joint_partner_id, home_address: v.home_address, home_postcode: v.home_postcode }, actor);
      });
    },
    /** For imports: several visits already validated by the caller. */
    async planMany(actor: Actor, inputs: VisitInput[]) {
      for (const workerId of new Set(inputs.map((i) => i.workerId))) await mustActFor(actor, workerId);
      return inTransaction(db, async (trx) => {
        const ids: number[] = [];
        for (const input of inputs) {
          const id = await visits.create(trx, input, actor.accountId);
          await timeline(trx, id, actor, 'planned', `Imported from a calendar by ${actor.displayName}`);
          ids.push(id);
        }
        await audit.appendIn(trx, { ...actorFields(actor), action: 'visit.import', entityType: 'visit', entityId: null, detail: { count: ids.length } });
        return ids;
      });
    },
    async cancel(actor: Actor, visitId: number) {
      const { visit } = await viewable(actor, visitId);
      await mustActFor(actor, visit.worker_id);
      if (visit.state !== 'planned') throw new ValidationError([{ field: 'visit', message: 'Only a visit that has not started can be cancelled' }]);
      await inTransaction(db, async (trx) => {
        await trx.updateTable('visits').set({ state: 'cancelled', updated_at: new Date() }).where('id', '=', visitId).where('state', '=', 'planned').execute();
        await timeline(trx, visitId, actor, 'cancelled', `Cancelled by ${actor.displayName}`);
      });
    },

    /** "I've arrived": the session starts and its deadline is armed. */
    async arrive(actor: Actor, visitId: number, location: { lat: number; lng: number } | null = null) {
      const { visit } = await viewable(actor, visitId);
      await mustActFor(actor, visit.worker_id);
      await inTransaction(db, async (trx) => {
        const v = await visits.lockForSession(trx, visitId);
        if (!v) throw new NotFoundError('Visit');
        if (v.state !== 'planned') throw new ValidationError([{ field: 'visit', message: 'This session has already started' }]);
        const problems = await risk.startProblems(trx, visitId);
        if (problems.length) throw new ValidationError(problems.map((message) => ({ field: 'risk', message })));
        const now = new Date();
        const planned = new Date(v.ends_at).getTime() - new Date(v.starts_at).getTime();
        // Arriving late keeps the planned length, so the deadline is never already past.
        const due = new Date(Math.max(new Date(v.ends_at).getTime(), now.getTime() + Math.min(planned, 15 * 60_000)));
        // Location minimised (issue 20): only the worker's own device location, never that of someone marking them as arrived.
        await visits.setState(trx, visitId, { state: 'in_progress', arrived_at: now, due_at: due, last_check_in_at: now, ...(location && actor.staffId === v.worker_id ? { last_location: JSON.stringify(location) } : {}) });
        await timers.arm(trx, 'visit_due', visitId, v.deadline_seq, due);
        await armEndOfDay(trx, v.worker_id, new Date(v.starts_at), due);
        await timeline(trx, visitId, actor, 'arrived', actor.staffId === v.worker_id ? 'Arrived' : `Marked as arrived by ${actor.displayName}`);
      });
      deps.onChange?.();
    },

    /** "Extend by…": moves the deadline; if it had already fired, the alert closes and a new deadline is armed. */
    async extend(actor: Actor, visitId: number, minutes: number) {
      const { visit } = await viewable(actor, visitId);
      await mustActFor(actor, visit.worker_id);
      await inTransaction(db, async (trx) => {
        const v = await visits.lockForSession(trx, visitId);
        if (!v || (v.state !== 'in_progress' && v.state !== 'overdue')) throw new ValidationError([{ field: 'minutes', message: 'Only a session in progress can be extended' }]);
        const now = new Date();
        const base = v.state === 'overdue' ? now.getTime() : Math.max(now.getTime(), new Date(v.due_at!).getTime());
        const due = new Date(base + minutes * 60_000);
        const pending = await timers.pending(trx, 'visit_due', visitId);
        let seq = v.deadline_seq;
        if (pending.length === 0) {
          // The deadline fired (the worker was overdue): re-arm with the next sequence number.
          seq += 1;
          await resolveOpenAlerts(trx, visitId, actor, 'the worker extended the session');
        }
        await visits.setState(trx, visitId, { state: 'in_progress', due_at: due, deadline_seq: seq, last_check_in_at: now });
        await timers.arm(trx, 'visit_due', visitId, seq, due);
        await armEndOfDay(trx, v.worker_id, new Date(v.starts_at), due);
        await timeline(trx, visitId, actor, 'extended', `Extended by ${minutes} minutes`);
      });
      deps.onChange?.();
    },

    /** "Visit over, I'm safe". */
    async end(actor: Actor, visitId: number) {
      const { visit } = await viewable(actor, visitId);
      await mustActFor(actor, visit.worker_id);
      await inTransaction(db, async (trx) => {
        const v = await visits.lockForSession(trx, visitId);
        if (!v || (v.state !== 'in_progress' && v.state !== 'overdue')) throw new ValidationError([{ field: 'visit', message: 'This session is not running' }]);
        await timers.cancel(trx, 'visit_due', visitId);
        await resolveOpenAlerts(trx, visitId, actor, 'the worker ended the session safely');
        await visits.setState(trx, visitId, { state: 'completed', ended_at: new Date(), due_at: null, last_check_in_at: new Date() });
        await timeline(trx, visitId, actor, 'ended', actor.staffId === v.worker_id ? 'Visit over, safe' : `Ended by ${actor.displayName}`);
      });
    },

    /** A check-in during a session ("I'm OK", optionally with the device location): recorded, no deadline change. */
    async checkIn(actor: Actor, visitId: number, location: { lat: number; lng: number } | null) {
      const at = new Date();
      const text = location ? 'Checked in, location shared' : 'Checked in';
      const loc = location ? JSON.stringify(location) : null;
      // The common case, the worker checking in on their own running session, is one statement.
      if (actor.staffId !== null && (await visits.checkIn(visitId, actor.staffId, loc, text, actor.staffId))) return { at };
      const v = await visits.get(visitId);
      if (!v) throw new NotFoundError('Visit');
      if (actor.staffId !== v.worker_id) await mustActFor(actor, v.worker_id);
      // Someone checking in for the worker: their own device location is not the worker's, so none is kept (issue 20).
      const ok = actor.staffId !== v.worker_id && (await visits.checkIn(visitId, actor.staffId, null, 'Checked in'));
      if (!ok) throw new ValidationError([{ field: 'visit', message: 'This session is not running' }]);
      return { at };
    },

    /** "Finished and safe" at the end of the day: the buddy sees it; the end-of-day check stands down. */
    async finishDay(actor: Actor, workerId: number) {
      await mustActFor(actor, workerId);
      await inTransaction(db, async (trx) => {
        // Not while a session runs or an alarm is open: the buddy would read "safe" beside it. The
        // reason never names a silent alarm (someone else may be holding the phone).
        const running = await trx.selectFrom('visits').select('id').where('worker_id', '=', workerId).where('state', 'in', ['in_progress', 'overdue']).executeTakeFirst();
        if (running) throw new ValidationError([{ field: 'finish', message: 'A session is still running. Say "Visit over, I’m safe" on it first, then finish for the day' }]);
        const alarm = await trx.selectFrom('alerts').select('kind').where('worker_id', '=', workerId).where('kind', 'in', ['overdue', 'duress']).where('status', '<>', 'resolved').executeTakeFirst();
        if (alarm) throw new ValidationError([{ field: 'finish', message: alarm.kind === 'duress' ? 'Harbour cannot record that yet. Ring the office to finish for the day' : 'An alert about a missed check-in is still open. Ring your buddy or manager so they can close it, then finish for the day' }]);
        // After midnight the day still open is yesterday's (a late session); otherwise it is today.
        const workDate = await openWorkDate(trx, workerId);
        const subject = dayTimerSubject(workerId, workDate);
        await timers.pending(trx, 'end_of_day', subject);
        await trx.insertInto('day_confirmations').values({ worker_id: workerId, work_date: workDate, finish_at: new Date(), confirmed_at: new Date() })
          .onConflict((oc) => oc.columns(['worker_id', 'work_date']).doUpdateSet({ confirmed_at: new Date() })).execute();
        await timers.cancel(trx, 'end_of_day', subject);
        // Every end-of-day alert still open for this worker stands down: they have said they are safe.
        const open = await trx.selectFrom('alerts').select('id').where('worker_id', '=', workerId)
          .where('kind', '=', 'end_of_day').where('status', '<>', 'resolved').forUpdate().execute();
        for (const a of open) {
          await trx.updateTable('alerts').set({ status: 'resolved', outcome: 'safe', outcome_notes: 'Finished and safe', resolved_by: actor.accountId, resolved_at: new Date() }).where('id', '=', a.id).execute();
          await timers.cancel(trx, 'alert_step', a.id);
        }
        await trx.insertInto('timeline_events').values({ type: 'finished', actor_id: workerId, text: 'Finished for the day and safe', alert_id: open[0]?.id ?? null }).execute();
        await audit.appendIn(trx, { ...actorFields(actor), action: 'day.finished', entityType: 'staff', entityId: workerId });
      });
    },

    async dayStatus(workerId: number) {
      const workDate = londonDate(new Date());
      return (await db.selectFrom('day_confirmations').selectAll().where('worker_id', '=', workerId).where('work_date', '=', workDate).executeTakeFirst()) ?? null;
    },

    /** The worker's sessions for today and anything still running. */
    async myDay(actor: Actor) {
      if (actor.staffId === null) return { today: [], active: [], next: null, jointRequests: [] };
      const { start, end } = londonDayBounds(londonDate(new Date()));
      const [rows, active, jointRequests] = await Promise.all([visits.between([actor.staffId], start, end), visits.active([actor.staffId]), visits.awaitingPartner(actor.staffId)]);
      // A planned session shows its light now: a flag raised since planning counts.
      const today = [];
      for (const v of rows) today.push(v.state === 'planned' ? { ...v, risk_rating: await risk.liveRating(v.id) } : v);
      // The worker's home: the running session first, then the next visit still to start today.
      const next = today.filter((v) => v.state === 'planned').sort((a, b) => new Date(a.starts_at).getTime() - new Date(b.starts_at).getTime())[0] ?? null;
      return { today, active, next, jointRequests };
    },

    /**
     * Visit history: one page of the visits the actor could open, newest first. The scope is the rule
     * of `viewable` (see access.ts): administrators and those who see everyone get every visit; anyone
     * else their own, their joint visits, and those of the people they buddy, manage (the whole line) or,
     * as business support, whose team they support. A list row carries no alert, so it never tells
     * anyone, least of all its subject, that a silent alarm was raised.
     */
    async history(actor: Actor, filter: HistoryFilter, page: number) {
      const scope = await historyScope(actor);
      if (scope === null) return { rows: [], total: 0, page: 1, seesOthers: false };
      const seesOthers = scope === 'all' || scope.supportsTeamId !== null || await visits.looksAfterAnyone(scope.staffId);
      return { ...(await visits.history(scope, filter, page)), seesOthers };
    },

    /** The light of a session now (the planned one, once it has started). */
    async liveRating(visitId: number, state: string, planned: string | null) {
      return state === 'planned' ? risk.liveRating(visitId) : planned;
    },

    async timelineFor(actor: Actor, visitId: number) {
      const { visit } = await viewable(actor, visitId);
      let q = db.selectFrom('timeline_events as e').leftJoin('staff as s', 's.id', 'e.actor_id')
        .select(['e.id', 'e.at', 'e.type', 'e.text', 'e.alert_id', 's.given_name', 's.family_name'])
        .where('e.visit_id', '=', visitId);
      // A silent alarm leaves no trace on the worker's own screen (anyone may be looking at it).
      if (actor.staffId === visit.worker_id) {
        q = q.where(({ not, exists, selectFrom }) => not(exists(selectFrom('alerts as da').select('da.id').whereRef('da.id', '=', 'e.alert_id').where('da.kind', '=', 'duress'))));
      }
      return q.orderBy('e.at').orderBy('e.id').execute();
    },
  };
}

export type VisitsService = ReturnType<typeof buildVisitsService>;
