import { z } from 'zod';
import { checkbox, optionalText, requiredId } from '../../web/validation.ts';

export const startForm = z.object({
  buildingId: requiredId('Select the building to lock down'),
  location: z.enum(['inside', 'outside'], { error: 'Select whether the incident is inside or outside the building' }),
  details: optionalText(300),
});
export type StartForm = z.output<typeof startForm>;

export const allClearForm = z.object({
  policeAttended: z.enum(['yes', 'no'], { error: 'Select whether the police attended' }),
  policeAllClear: checkbox,
  /** A senior manager ending it from elsewhere says why (checked by the service, which knows who is where). */
  reason: optionalText(500),
  note: optionalText(500),
});
export type AllClearForm = z.output<typeof allClearForm>;
