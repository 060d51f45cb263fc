import { z } from 'zod';
import { optionalText, requiredId } from '../../web/validation.ts';

export const startForm = z.object({
  buildingId: requiredId('Select the building to lock down'),
  location: z.enum(['inside', 'outside'], { error: 'Select whether the incident is inside or outside the building' }),
  details: optionalText(300),
});
export type StartForm = z.output<typeof startForm>;

export const allClearForm = z.object({ note: optionalText(500) });
