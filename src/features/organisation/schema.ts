import { z } from 'zod';
import { optionalId, requiredId, requiredText } from '../../web/validation.ts';

export const directorateForm = z.object({ name: requiredText('Enter the directorate name', 120) });
export const serviceForm = z.object({
  name: requiredText('Enter the service name', 120),
  directorateId: requiredId('Select a directorate'),
  /** The designated safeguarding lead, told after a Purple File call (seed 001 Appendix B). */
  safeguardingLeadId: optionalId('Select the designated safeguarding lead'),
});
export const teamForm = z.object({
  name: requiredText('Enter the team name', 120),
  serviceId: requiredId('Select a service'),
  managerId: optionalId('Select a team manager'),
});
