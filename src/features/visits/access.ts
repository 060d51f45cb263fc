import type { StaffRepository } from '../people/repository.ts';
import { can } from '../auth/access.ts';
import { hasRole, type Actor } from '../auth/actor.ts';

/** How the actor stands towards a worker: the facts lone-working access rules are made of. */
export interface Relation {
  self: boolean;
  buddy: boolean;
  manager: boolean;
  teamBusinessSupport: boolean;
  viewAll: boolean;
  admin: boolean;
}

export async function relationTo(staff: StaffRepository, actor: Actor, workerId: number): Promise<Relation> {
  const viewAll = can(actor, 'people.view_all');
  const admin = can(actor, 'organisation.manage');
  if (actor.staffId === null)
    return { self: false, buddy: false, manager: false, teamBusinessSupport: false, viewAll, admin };
  if (actor.staffId === workerId)
    return { self: true, buddy: false, manager: false, teamBusinessSupport: false, viewAll, admin };
  const [worker, me, chain] = await Promise.all([staff.get(workerId), staff.get(actor.staffId), staff.chain(workerId)]);
  return {
    self: false,
    buddy: worker?.buddy_id === actor.staffId,
    manager: chain.some((c) => c.id === actor.staffId),
    teamBusinessSupport: hasRole(actor, 'business_support') && me?.team_id !== null && me?.team_id === worker?.team_id,
    viewAll,
    admin,
  };
}

/** May plan, start or end sessions for the worker: the worker, team business support, their managers. */
export const mayActFor = (r: Relation) => r.self || r.teamBusinessSupport || r.manager || r.admin;
/** May see where the worker is and respond to their alerts. */
export const maySee = (r: Relation) => r.self || r.buddy || r.manager || r.teamBusinessSupport || r.viewAll || r.admin;
