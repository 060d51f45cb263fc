export const ROLES = [
  'worker',
  'team_manager',
  'service_manager',
  'assistant_director',
  'business_support',
  'health_and_safety_officer',
  'complaints_officer',
  'foi_officer',
  'registers_officer',
  'duty_officer',
  'information_governance_officer',
  'admin',
] as const;
export type Role = (typeof ROLES)[number];

export const ROLE_LABELS: Record<Role, string> = {
  worker: 'Worker',
  team_manager: 'Team manager',
  service_manager: 'Service manager',
  assistant_director: 'Assistant director',
  business_support: 'Business support',
  health_and_safety_officer: 'Health and safety officer',
  complaints_officer: 'Complaints officer',
  foi_officer: 'Information governance (FOI) officer',
  registers_officer: 'Registers officer',
  duty_officer: 'Duty officer (answers the office phone)',
  information_governance_officer: 'Information governance officer (retention, subject access)',
  admin: 'Administrator',
};

export function isRole(value: string): value is Role {
  return (ROLES as readonly string[]).includes(value);
}

/** Who is acting: a signed-in person or an API token's owner. */
export interface Actor {
  accountId: number;
  staffId: number | null;
  email: string;
  displayName: string;
  roles: Role[];
  ip: string | null;
  via: 'session' | 'token';
}

export function hasRole(actor: Actor, ...roles: Role[]): boolean {
  return actor.roles.some((r) => roles.includes(r));
}
