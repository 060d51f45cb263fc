import type { Transaction } from 'kysely';
import type { DB } from '../../db/schema.ts';
import type { AlertsRepository } from '../alerts/repository.ts';
import type { StaffRepository } from '../people/repository.ts';
import type { VisitsRepository } from './repository.ts';
import type { Actor } from '../auth/actor.ts';
import { ForbiddenError, NotFoundError } from '../../errors.ts';
import { mayActFor, maySee, relationTo } from './access.ts';

/** Who may see a visit, and who may plan and run sessions for a worker. */
export function buildVisitGuards(deps: { visits: VisitsRepository; staff: StaffRepository }) {
  const { visits, staff } = deps;

  async function mustActFor(actor: Actor, workerId: number) {
    if (!mayActFor(await relationTo(staff, actor, workerId)))
      throw new ForbiddenError('You can only plan and run sessions for yourself, or for people you support or manage');
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

  return { mustActFor, viewable };
}

export type VisitGuards = ReturnType<typeof buildVisitGuards>;

/** Writes a row of a visit's timeline (through the alerts repository, which owns the timeline). */
export async function visitEvent(
  alerts: AlertsRepository,
  trx: Transaction<DB>,
  visitId: number,
  actor: Actor,
  type: string,
  text: string,
  alertId: string | null = null,
) {
  await alerts.addEvent(trx, { visit_id: visitId, alert_id: alertId, type, actor_id: actor.staffId, text });
}
