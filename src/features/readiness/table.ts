import type { Readiness } from '../training/index.ts';
import { JOB_ROLES } from '../people/job-roles.ts';

/** The readiness rows as a sheet (CSV and ODS export): one row per person. */
export function readinessTable(rows: readonly Readiness[]): (string | number)[][] {
  const yes = (b: boolean) => (b ? 'Yes' : 'No');
  return [
    [
      'Name',
      'Employee number',
      'Team',
      'Job role',
      'Ready to work alone',
      'Buddy allocated',
      'Emergency details current',
      'Duress PIN set',
      'Required training current',
      'Missing or expired',
      'Next expiry',
      'Refresher advised',
      'Risk assessments due',
      'Team policy',
    ],
    ...rows.map((r) => [
      r.name,
      r.employeeNumber,
      r.teamName ?? '',
      (JOB_ROLES as Record<string, string>)[r.jobRole] ?? r.jobRole,
      yes(r.ready),
      yes(r.buddy),
      yes(r.packCurrent),
      yes(r.duressPin),
      yes(r.trainingCurrent),
      r.lacking.join('; '),
      r.nextExpiry ?? '',
      r.outstanding.map((d) => `${d.course_name} by ${d.due_on}`).join('; '),
      r.assessmentsDue,
      r.policy,
    ]),
  ];
}
