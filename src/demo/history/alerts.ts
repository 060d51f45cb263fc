import type { Transaction } from 'kysely';
import type { DB } from '../../db/schema.ts';
import { DEFAULT_POLICIES } from '../../features/alerts/policy.ts';
import type { Random } from './random.ts';
import { type Person, at, plusMinutes, addDays, insertMany, insertPlain } from './shared.ts';

/** A few alerts over the year, all resolved: overdue visits where the worker was safe (most), a false alarm, one that became an incident. */
export async function alertHistory(trx: Transaction<DB>, people: Person[], rnd: Random, today: string) {
  const workers = new Set(
    people
      .filter((p) => ['social_worker', 'family_support_worker', 'youth_worker'].includes(p.job_role))
      .map((p) => p.id),
  );
  const candidates = (
    await trx
      .selectFrom('visits')
      .select(['id', 'worker_id', 'ends_at'])
      .where('state', '=', 'completed')
      .where('source', '=', 'manual')
      .where('ends_at', '<', at(addDays(today, -2), 0))
      .orderBy('id')
      .execute()
  ).filter((v) => workers.has(v.worker_id));
  if (!candidates.length) return 0;
  const chosen = Array.from({ length: 14 }, () => candidates[rnd.int(0, candidates.length - 1)]!).filter(
    (v, i, all) => all.findIndex((w) => w.id === v.id) === i,
  );
  const policy = JSON.stringify(DEFAULT_POLICIES.overdue);
  const plans = chosen.map((v, i) => {
    const opened = new Date(v.ends_at);
    const steps = rnd.int(1, 3);
    const outcome = i === 0 ? 'incident' : i === 1 ? 'false_alarm' : 'safe';
    return { v, opened, steps, outcome, resolved: plusMinutes(opened, 5 * steps + rnd.int(1, 4)) };
  });
  const ids = await insertMany(
    trx,
    'alerts',
    plans.map((p) => ({
      visit_id: p.v.id,
      worker_id: p.v.worker_id,
      work_date: null,
      kind: 'overdue',
      status: 'resolved',
      policy,
      next_step: p.steps,
      opened_at: p.opened,
      deadline_at: p.opened,
      acknowledged_by: null,
      acknowledged_at: null,
      paused_until: null,
      outcome: p.outcome,
      outcome_notes:
        p.outcome === 'safe'
          ? 'Phone battery ran out; called in from the car.'
          : p.outcome === 'false_alarm'
            ? 'Forgot to end the visit.'
            : 'The worker was threatened; an incident report was made.',
      resolved_by: null,
      resolved_at: p.resolved,
    })),
  );
  await insertPlain(
    trx,
    'alert_steps_fired',
    plans.flatMap((p, i) =>
      Array.from({ length: p.steps }, (_, s) => ({
        alert_id: String(ids[i]),
        step: s,
        fired_at: plusMinutes(p.opened, 5 * s),
        fired_by: 'demo',
      })),
    ),
  );
  await insertPlain(
    trx,
    'timeline_events',
    plans.flatMap((p, i) => [
      {
        visit_id: p.v.id,
        alert_id: String(ids[i]),
        at: p.opened,
        type: 'overdue',
        actor_id: null,
        text: 'No check-in by the deadline: alert raised',
      },
      {
        visit_id: p.v.id,
        alert_id: String(ids[i]),
        at: p.resolved,
        type: 'resolved',
        actor_id: null,
        text: `Alert closed: ${p.outcome.replace('_', ' ')}`,
      },
    ]),
  );
  return ids.length;
}
