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
  /** Complaints naming a member of staff: only the complaints team and senior managers (not health and safety, not administrators). */
  'complaints.view': ['complaints_officer', 'service_manager', 'assistant_director'],
  /** Record complaints and their stages, findings, actions, referrals; import historic complaints. */
  'complaints.manage': ['complaints_officer'],
  /** Yearly complaint statistics and the repeat-complaints count (no complainant details), e.g. for FOI answers. */
  'complaints.statistics': ['complaints_officer', 'service_manager', 'assistant_director', 'foi_officer'],
  /** The Purple File phone screen (seed 001 Appendix B): whoever answers the office phone. */
  'purple_file.use': ['business_support', 'team_manager', 'service_manager', 'assistant_director', 'duty_officer'],
  /** Declare a major incident (Appendix C) from a lockdown or on its own, and see the list. Responders to an alert may declare from it. */
  'major_incidents.declare': [
    'business_support',
    'team_manager',
    'service_manager',
    'assistant_director',
    'duty_officer',
    'health_and_safety_officer',
  ],
  /** FOI requests (requester details are personal data), the statistics with their unsuppressed figures, draft responses, publishing to the disclosure log. */
  'foi.manage': ['foi_officer'],
  /** The retention schedule (issue 20): what is due, legal holds, runs. */
  'retention.manage': ['admin', 'information_governance_officer'],
  /** Subject access exports: everything Harbour holds about a person, emergency pack included (each export audited). */
  'subject_access.export': ['information_governance_officer'],
} as const satisfies Record<string, readonly Role[] | 'any'>;

export type Permission = keyof typeof PERMISSIONS;

export function can(actor: Actor, permission: Permission): boolean {
  const allowed = PERMISSIONS[permission];
  if (allowed === 'any') return true;
  return hasRole(actor, ...(allowed as readonly Role[]));
}
