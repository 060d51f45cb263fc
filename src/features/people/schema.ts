import { z } from 'zod';
import { JOB_ROLE_KEYS } from './job-roles.ts';
import { checkbox, email, optionalId, optionalPhone, requiredText } from '../../web/validation.ts';

export const staffForm = z.object({
  employeeNumber: requiredText('Enter the employee number', 20).regex(
    /^[A-Za-z0-9-]+$/,
    'Employee number must only include letters, numbers and hyphens',
  ),
  givenName: requiredText('Enter the first name', 100),
  familyName: requiredText('Enter the last name', 100),
  email: email(),
  jobRole: z.enum(JOB_ROLE_KEYS, { error: 'Select a job role' }),
  teamId: optionalId('Select a team'),
  lineManagerId: optionalId('Select a line manager'),
  workMobile: optionalPhone(),
  personalMobile: optionalPhone(),
  outOfHoursPhone: optionalPhone(),
  baseBuildingId: optionalId('Select a base building'),
  active: checkbox,
});
export type StaffForm = z.output<typeof staffForm>;

export const buddyForm = z.object({ buddyId: optionalId('Select a buddy from the list') });
