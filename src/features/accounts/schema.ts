import { z } from 'zod';
import { ROLES } from '../auth/actor.ts';
import { email, optionalId, requiredText } from '../../web/validation.ts';

const roleList = z
  .union([z.string(), z.array(z.string())])
  .optional()
  .transform((v) => (v === undefined ? [] : Array.isArray(v) ? v : [v]))
  .pipe(z.array(z.enum(ROLES, { error: 'Select roles from the list' })).min(1, 'Select at least one role'));

export const accountForm = z.object({
  email: email(),
  displayName: requiredText('Enter the name to show', 120),
  password: z
    .string()
    .min(12, 'Password must be 12 characters or more')
    .max(256, 'Password must be 256 characters or fewer'),
  staffId: optionalId('Select a member of staff'),
  roles: roleList,
});

export const rolesForm = z.object({ roles: roleList });

export const tokenForm = z.object({
  name: requiredText('Enter a name for the token', 80),
  expiresInDays: z
    .union(
      [
        z.literal(''),
        z.coerce
          .number({ error: 'Enter a whole number of days' })
          .int('Enter a whole number of days')
          .min(1, 'Enter between 1 and 365 days')
          .max(365, 'Enter between 1 and 365 days'),
      ],
      { error: 'Enter a whole number of days' },
    )
    .optional()
    .transform((v) => (v === '' || v === undefined ? null : v)),
});
