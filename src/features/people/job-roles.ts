export const JOB_ROLES = {
  social_worker: 'Social worker',
  senior_practitioner: 'Senior practitioner',
  family_support_worker: 'Family support worker',
  youth_worker: 'Youth worker',
  business_support: 'Business support',
  team_manager: 'Team manager',
  service_manager: 'Service manager',
  assistant_director: 'Assistant director',
  health_and_safety_officer: 'Health and safety officer',
  complaints_officer: 'Complaints officer',
  information_governance_officer: 'Information governance officer',
  administrator: 'Administrator',
  other: 'Other',
} as const;
export type JobRole = keyof typeof JOB_ROLES;
export const JOB_ROLE_KEYS = Object.keys(JOB_ROLES) as [JobRole, ...JobRole[]];

/** Accepts the key or the label ("Social worker", "social_worker", "Social Worker"). */
export function parseJobRole(value: string): JobRole | null {
  const v = value.trim().toLowerCase();
  for (const [key, label] of Object.entries(JOB_ROLES)) {
    if (v === key || v === label.toLowerCase()) return key as JobRole;
  }
  return null;
}
