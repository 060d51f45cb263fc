import { z } from 'zod';

/** Form posts arrive as strings; the service checks them all at once and names each field. */
const text = z
  .string()
  .optional()
  .transform((v) => v ?? '');
export const staffForm = z.object({ staffId: text });
export const publicForm = z.object({ kind: text, name: text, reference: text });
