import type { Transaction } from 'kysely';
import type { DB } from '../../db/schema.ts';
import type { AuditRepository } from '../audit/repository.ts';
import type { VisitsRepository } from '../visits/repository.ts';
import type { Actor } from '../auth/actor.ts';
import { actorFields } from '../audit/service.ts';
import { NotFoundError, ValidationError } from '../../errors.ts';
import { timers } from './timers-repository.ts';
import type { EscalationEngine } from './engine.ts';
import type { AlertsRepository } from './repository.ts';
import type { Responders } from './responders.ts';
import { DEFAULT_PAUSE_MINUTES, type Step } from './policy.ts';

export const OUTCOMES = { safe: 'Safe', false_alarm: 'False alarm', incident: 'Incident' } as const;
export type Outcome = keyof typeof OUTCOMES;

/** Responding to an alert: "I'm handling it", "Escalate now", and closing it with an outcome. */
export function buildAlertResponse(deps: {
  repo: AlertsRepository;
  visits: VisitsRepository;
  audit: AuditRepository;
  engine: EscalationEngine;
  responders: Responders;
}) {
  const {
    repo,
    visits,
    audit,
    engine,
    responders: { load, mustAct },
  } = deps;

  async function note(
    trx: Transaction<DB>,
    alert: { id: string; visit_id: number | null },
    actor: Actor,
    type: string,
    text: string,
  ) {
    await repo.addEvent(trx, { alert_id: alert.id, visit_id: alert.visit_id, type, actor_id: actor.staffId, text });
  }

  /** Same lock order as every other writer: the alert's pending timers, then the alert. */
  async function lockAlert(trx: Transaction<DB>, alertId: string) {
    const pending = await timers.pending(trx, 'alert_step', alertId);
    const row = await repo.lock(trx, alertId);
    if (!row) throw new NotFoundError('Alert');
    return { pending, row };
  }

  return {
    /** "I'm handling it": acknowledges and pauses escalation; it resumes unless resolved. */
    async acknowledge(actor: Actor, alertId: string, minutes = DEFAULT_PAUSE_MINUTES) {
      const alert = await load(alertId);
      await mustAct(actor, alert);
      await repo.transaction(async (trx) => {
        const { row } = await lockAlert(trx, alertId);
        if (row.status === 'resolved')
          throw new ValidationError([{ field: 'alert', message: 'This alert has already been closed' }]);
        const until = new Date(Date.now() + minutes * 60_000);
        await repo.acknowledge(trx, alertId, actor.staffId, until);
        await timers.postpone(trx, alertId, until);
        await note(
          trx,
          row,
          actor,
          'acknowledged',
          `${actor.displayName} is handling it; escalation paused for ${minutes} minutes`,
        );
        await audit.appendIn(trx, {
          ...actorFields(actor),
          action: 'alert.acknowledge',
          entityType: 'alert',
          entityId: alertId,
        });
      });
    },

    /** "Can't reach them, escalate now": fires the next step immediately. */
    async escalateNow(actor: Actor, alertId: string) {
      const alert = await load(alertId);
      await mustAct(actor, alert);
      await repo.transaction(async (trx) => {
        const { pending, row } = await lockAlert(trx, alertId);
        if (row.status === 'resolved')
          throw new ValidationError([{ field: 'alert', message: 'This alert has already been closed' }]);
        await note(trx, row, actor, 'escalate_now', `${actor.displayName} could not reach them and escalated now`);
        let next = pending[0];
        if (!next) await note(trx, row, actor, 'no_more_steps', 'There are no further steps on the escalation route');
        await repo.reopen(trx, alertId);
        // "Escalate now" never escalates to the person who pressed it: a step that would tell only
        // them (the line manager pressing it, say) is fired, and the next one follows at once.
        while (next) {
          await timers.markFired(trx, next.id);
          await engine.fireSteps(trx, [{ alertId, step: next.seq }]);
          if (actor.staffId !== null) await repo.withdrawPending(trx, alertId, next.seq, actor.staffId);
          if (await repo.toldOthers(trx, alertId, next.seq, actor.staffId)) break;
          const skipped = (row.policy as Step[])[next.seq]?.label ?? `step ${next.seq + 1}`;
          next = (await timers.pending(trx, 'alert_step', alertId))[0];
          await note(
            trx,
            row,
            actor,
            'escalate_skip',
            next
              ? `${skipped} would only have told ${actor.displayName}: escalated to the next step`
              : `${skipped} would only have told ${actor.displayName}, and there are no further steps on the escalation route`,
          );
        }
        await audit.appendIn(trx, {
          ...actorFields(actor),
          action: 'alert.escalate_now',
          entityType: 'alert',
          entityId: alertId,
        });
      });
    },

    /** Closing needs an outcome: safe, false alarm or incident. */
    async resolve(actor: Actor, alertId: string, outcome: Outcome, notes: string | null) {
      const alert = await load(alertId);
      await mustAct(actor, alert);
      await repo.transaction(async (trx) => {
        if (alert.visit_id) await timers.lockVisitDue(trx, alert.visit_id);
        const { row } = await lockAlert(trx, alertId);
        if (row.status === 'resolved')
          throw new ValidationError([{ field: 'outcome', message: 'This alert has already been closed' }]);
        await repo.resolve(trx, alertId, { outcome, outcome_notes: notes, resolved_by: actor.accountId });
        await timers.cancel(trx, 'alert_step', alertId);
        if (row.visit_id) {
          // The responder has dealt with it: the session closes, and a new one can be started.
          await timers.cancel(trx, 'visit_due', row.visit_id);
          await visits.closeRunning(trx, row.visit_id);
        }
        await note(
          trx,
          row,
          actor,
          'resolved',
          `Closed by ${actor.displayName}: ${OUTCOMES[outcome]}${notes ? ` – ${notes}` : ''}`,
        );
        await audit.appendIn(trx, {
          ...actorFields(actor),
          action: 'alert.resolve',
          entityType: 'alert',
          entityId: alertId,
          detail: { outcome },
        });
      });
    },
  };
}
