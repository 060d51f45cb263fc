import type { StaffRepository } from '../people/repository.ts';
import type { Actor } from '../auth/actor.ts';
import { ForbiddenError, NotFoundError } from '../../errors.ts';
import { maySee, relationTo } from '../visits/access.ts';
import type { AlertsRepository } from './repository.ts';

/** Who may see and act on an alert, and the alert itself (404 for an id that is not one). */
export function buildResponders(deps: { repo: AlertsRepository; staff: StaffRepository }) {
  const { repo, staff } = deps;

  async function load(alertId: string) {
    if (!/^\d{1,18}$/.test(alertId)) throw new NotFoundError('Alert');
    const a = await repo.detail(alertId);
    if (!a) throw new NotFoundError('Alert');
    return a;
  }

  /** Responders: anyone the alert was sent to, and anyone who may see the worker (buddy, managers, team business support). */
  async function mustRespond(actor: Actor, alertId: string, workerId: number) {
    if (maySee(await relationTo(staff, actor, workerId))) return;
    if (actor.staffId !== null) {
      if (await repo.sentTo(alertId, actor.staffId)) return;
    }
    throw new ForbiddenError('Only the people alerted, and the worker’s buddy and managers, can see this alert');
  }

  /**
   * Acting on an alert: never its subject. A silent alarm's subject gets the same 404 as its page
   * (someone else may be holding the phone, and alert ids are sequential); an overdue worker acts
   * on their session instead ("Visit over" or "Extend" close the alert).
   */
  async function mustAct(actor: Actor, alert: { id: string; kind: string; worker_id: number }) {
    if (actor.staffId === alert.worker_id) {
      if (alert.kind === 'duress') throw new NotFoundError('Alert');
      throw new ForbiddenError(
        'An alert about you is answered by the people alerted: end or extend your session to say you are safe',
      );
    }
    await mustRespond(actor, alert.id, alert.worker_id);
  }

  return { load, mustRespond, mustAct };
}

export type Responders = ReturnType<typeof buildResponders>;
