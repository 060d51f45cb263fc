import type { Transaction } from 'kysely';
import type { DB } from '../../db/schema.ts';
import type { AlertsRepository } from '../alerts/repository.ts';
import type { VisitsRepository } from './repository.ts';
import type { RiskGate } from './risk-gate.ts';
import type { Actor } from '../auth/actor.ts';
import { NotFoundError, ValidationError } from '../../errors.ts';
import { timers } from '../alerts/timers-repository.ts';
import { visitEvent, type VisitGuards } from './guards.ts';
import type { ArmEndOfDay } from './day.ts';

/** A running session: arrive, extend, end ("Visit over, I'm safe") and check in. */
export function buildVisitSession(deps: {
  visits: VisitsRepository;
  alerts: AlertsRepository;
  risk: RiskGate;
  guards: VisitGuards;
  armEndOfDay: ArmEndOfDay;
  /** Wakes the escalation loop after a change, so a deadline already past fires at once. */
  onChange?: () => void;
}) {
  const {
    visits,
    alerts,
    risk,
    armEndOfDay,
    guards: { mustActFor, viewable },
  } = deps;

  /** A worker who acts (extends, ends) is evidently safe: any open overdue alert closes. */
  async function resolveOpenAlerts(trx: Transaction<DB>, visitId: number, actor: Actor, why: string) {
    const open = await alerts.openForVisit(trx, visitId, 'overdue');
    for (const a of open) {
      await alerts.closeSafe(trx, a.id, why, actor.accountId);
      await timers.cancel(trx, 'alert_step', a.id);
      await visitEvent(alerts, trx, visitId, actor, 'resolved', `Alert closed: safe (${why})`, a.id);
    }
  }

  return {
    /** "I've arrived": the session starts and its deadline is armed. */
    async arrive(actor: Actor, visitId: number, location: { lat: number; lng: number } | null = null) {
      const { visit } = await viewable(actor, visitId);
      await mustActFor(actor, visit.worker_id);
      await visits.transaction(async (trx) => {
        const v = await visits.lockForSession(trx, visitId);
        if (!v) throw new NotFoundError('Visit');
        if (v.state !== 'planned')
          throw new ValidationError([{ field: 'visit', message: 'This session has already started' }]);
        const problems = await risk.startProblems(trx, visitId);
        if (problems.length) throw new ValidationError(problems.map((message) => ({ field: 'risk', message })));
        const now = new Date();
        const planned = new Date(v.ends_at).getTime() - new Date(v.starts_at).getTime();
        // Arriving late keeps the planned length, so the deadline is never already past.
        const due = new Date(Math.max(new Date(v.ends_at).getTime(), now.getTime() + Math.min(planned, 15 * 60_000)));
        // Location minimised (issue 20): only the worker's own device location, never that of someone marking them as arrived.
        await visits.setState(trx, visitId, {
          state: 'in_progress',
          arrived_at: now,
          due_at: due,
          last_check_in_at: now,
          ...(location && actor.staffId === v.worker_id ? { last_location: JSON.stringify(location) } : {}),
        });
        await timers.arm(trx, 'visit_due', visitId, v.deadline_seq, due);
        await armEndOfDay(trx, v.worker_id, new Date(v.starts_at), due);
        await visitEvent(
          alerts,
          trx,
          visitId,
          actor,
          'arrived',
          actor.staffId === v.worker_id ? 'Arrived' : `Marked as arrived by ${actor.displayName}`,
        );
      });
      deps.onChange?.();
    },

    /** "Extend by…": moves the deadline; if it had already fired, the alert closes and a new deadline is armed. */
    async extend(actor: Actor, visitId: number, minutes: number) {
      const { visit } = await viewable(actor, visitId);
      await mustActFor(actor, visit.worker_id);
      await visits.transaction(async (trx) => {
        const v = await visits.lockForSession(trx, visitId);
        if (!v || (v.state !== 'in_progress' && v.state !== 'overdue'))
          throw new ValidationError([{ field: 'minutes', message: 'Only a session in progress can be extended' }]);
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
        await visits.setState(trx, visitId, {
          state: 'in_progress',
          due_at: due,
          deadline_seq: seq,
          last_check_in_at: now,
        });
        await timers.arm(trx, 'visit_due', visitId, seq, due);
        await armEndOfDay(trx, v.worker_id, new Date(v.starts_at), due);
        await visitEvent(alerts, trx, visitId, actor, 'extended', `Extended by ${minutes} minutes`);
      });
      deps.onChange?.();
    },

    /** "Visit over, I'm safe". */
    async end(actor: Actor, visitId: number) {
      const { visit } = await viewable(actor, visitId);
      await mustActFor(actor, visit.worker_id);
      await visits.transaction(async (trx) => {
        const v = await visits.lockForSession(trx, visitId);
        if (!v || (v.state !== 'in_progress' && v.state !== 'overdue'))
          throw new ValidationError([{ field: 'visit', message: 'This session is not running' }]);
        await timers.cancel(trx, 'visit_due', visitId);
        await resolveOpenAlerts(trx, visitId, actor, 'the worker ended the session safely');
        await visits.setState(trx, visitId, {
          state: 'completed',
          ended_at: new Date(),
          due_at: null,
          last_check_in_at: new Date(),
        });
        await visitEvent(
          alerts,
          trx,
          visitId,
          actor,
          'ended',
          actor.staffId === v.worker_id ? 'Visit over, safe' : `Ended by ${actor.displayName}`,
        );
      });
    },

    /** A check-in during a session ("I'm OK", optionally with the device location): recorded, no deadline change. */
    async checkIn(actor: Actor, visitId: number, location: { lat: number; lng: number } | null) {
      const at = new Date();
      const text = location ? 'Checked in, location shared' : 'Checked in';
      const loc = location ? JSON.stringify(location) : null;
      // The common case, the worker checking in on their own running session, is one statement.
      if (actor.staffId !== null && (await visits.checkIn(visitId, actor.staffId, loc, text, actor.staffId)))
        return { at };
      const v = await visits.get(visitId);
      if (!v) throw new NotFoundError('Visit');
      if (actor.staffId !== v.worker_id) await mustActFor(actor, v.worker_id);
      // Someone checking in for the worker: their own device location is not the worker's, so none is kept (issue 20).
      const ok = actor.staffId !== v.worker_id && (await visits.checkIn(visitId, actor.staffId, null, 'Checked in'));
      if (!ok) throw new ValidationError([{ field: 'visit', message: 'This session is not running' }]);
      return { at };
    },
  };
}
