import { hasRole, type Actor, type Role } from './actor.ts';

/**
 * Role-based permissions. Relationship rules (my buddy, my reports, my chain) are applied by the
 * services on top of these, because they depend on data, not only on roles.
 */
export const PERMISSIONS = {
  /** Create and edit directorates, services, teams, staff, buildings; import staff. */
  'organisation.manage': ['admin'],
  /** See every team and person, not only one's own and one's reports'. */
  'people.view_all': ['admin', 'assistant_director', 'health_and_safety_officer'],
  /** See teams across one's own service. */
  'people.view_service': ['service_manager'],
  'accounts.manage': ['admin'],
  'audit.view': ['admin'],
  /** Everyone signed in may see building response numbers and the Major Incident Contact List. */
  'buildings.view': 'any',
  'major_incidents.view': 'any',
  /** Raise warning flags on cases and addresses and see them all (others see only those on their own visits). */
  'risk.flags.manage': ['team_manager', 'service_manager', 'assistant_director', 'health_and_safety_officer', 'admin'],
  /** See risk assessments due for review for the teams one manages (or all, for see-everything roles). */
  'risk.reviews.view': ['team_manager', 'service_manager', 'assistant_director', 'health_and_safety_officer', 'admin'],
  /** The Outbox: every notification and its delivery attempts. */
  'outbox.view': ['admin', 'health_and_safety_officer', 'business_support'],
  /** The registers team: every declaration of interest and gifts entry, suppliers, politically restricted posts. */
  'registers.view_all': ['registers_officer'],
  /** Every violence-at-work incident report (others see only their own, and their reports' as managers). Not complaints staff. */
  'incidents.view_all': ['health_and_safety_officer'],
} as const satisfies Record<string, readonly Role[] | 'any'>;

export type Permission = keyof typeof PERMISSIONS;

export function can(actor: Actor, permission: Permission): boolean {
  const allowed = PERMISSIONS[permission];
  if (allowed === 'any') return true;
  return hasRole(actor, ...(allowed as readonly Role[]));
}
