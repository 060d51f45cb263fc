import { z } from 'zod';

/** Form posts arrive as strings; the service checks them all at once and names each field. */
const text = z
  .string()
  .optional()
  .transform((v) => v ?? '');
export const holdForm = z.object({ kind: text, recordId: text, reason: text });
export const releaseForm = z.object({ reason: text });
