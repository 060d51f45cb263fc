import { z } from 'zod';
import { optionalId, optionalPhone, postcode, requiredText } from '../../web/validation.ts';

export const buildingForm = z.object({
  name: requiredText('Enter the building name', 120),
  address: requiredText('Enter the site address', 300),
  postcode: postcode(),
  sitePhone: optionalPhone(),
  facilitiesHelpdeskPhone: optionalPhone(),
  communitySafetyPhone: optionalPhone(),
  buildingManagerId: optionalId('Select a building manager'),
  keyHolderIds: z
    .union([z.string(), z.array(z.string())])
    .optional()
    .transform((v) => (v === undefined ? [] : Array.isArray(v) ? v : [v]).filter(Boolean).map(Number))
    .refine((ids) => ids.every((n) => Number.isInteger(n) && n > 0), 'Select key holders from the list'),
});
export type BuildingForm = z.output<typeof buildingForm>;
