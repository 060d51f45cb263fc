import type { StaffRepository } from '../people/repository.ts';
import type { Actor } from '../auth/actor.ts';
import { NotFoundError } from '../../errors.ts';
import { maySee, relationTo } from '../visits/access.ts';
import type { AlertsRepository } from './repository.ts';
import type { Responders } from './responders.ts';
import type { AlertKind, Step } from './policy.ts';

/** An alert's page and the list of alerts, for the people who respond to them. */
export function buildAlertReading(deps: { repo: AlertsRepository; staff: StaffRepository; responders: Responders }) {
  const {
    repo,
    staff,
    responders: { load, mustRespond },
  } = deps;
  return {
    async view(actor: Actor, alertId: string) {
      const alert = await load(alertId);
      // A silent alarm is invisible to the worker who raised it: as if it did not exist.
      if (alert.kind === 'duress' && actor.staffId === alert.worker_id) throw new NotFoundError('Alert');
      await mustRespond(actor, alertId, alert.worker_id);
      const [events, chain] = await Promise.all([repo.events(alertId, alert.visit_id), staff.chain(alert.worker_id)]);
      const steps = alert.policy as Step[];
      const nextTimer = await repo.nextStepTimer(alertId);
      const nextStep = nextTimer
        ? { label: steps[nextTimer.seq]?.label ?? `Step ${nextTimer.seq + 1}`, at: nextTimer.fire_at }
        : null;
      return {
        alert,
        events,
        chain,
        steps,
        currentStep: steps[Math.max(0, alert.next_step - 1)] ?? null,
        nextStep,
        isWorker: actor.staffId === alert.worker_id,
      };
    },

    /**
     * One page of the alerts about people the actor responds to, newest first: open ones (not yet
     * closed) unless `closed`, narrowed by kind and a search of the worker's name or the postcode.
     */
    async listFor(actor: Actor, filter: { q: string; kind: AlertKind | null; closed: boolean; page: number }) {
      // One relation lookup per worker with such alerts, however many alerts they have.
      const workers = await repo.listWorkers(filter);
      const seen: number[] = [];
      for (const workerId of workers) if (maySee(await relationTo(staff, actor, workerId))) seen.push(workerId);
      if (!seen.length) return { rows: [], total: 0, page: 1 };
      // A worker's own duress alarm is silent: never listed to them.
      return repo.listPage(filter, seen, actor.staffId, filter.page);
    },
  };
}
