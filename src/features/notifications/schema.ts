import { z } from 'zod';
import { NOTIFICATION_STATUSES } from './inbox-repository.ts';

const base64url = (message: string, min: number, max: number) =>
  z
    .string({ error: message })
    .trim()
    .regex(/^[A-Za-z0-9_-]+={0,2}$/, message)
    .min(min, message)
    .max(max, message);

/** A browser's PushSubscription, as push.js posts it (flat, JSON or a form). */
export const pushSubscriptionForm = z.object({
  endpoint: z
    .string({ error: 'The browser gave no push endpoint' })
    .trim()
    .max(2000, 'The push endpoint is too long')
    .refine((v) => {
      try {
        return new URL(v).protocol === 'https:';
      } catch {
        return false;
      }
    }, 'The push endpoint must be an https address'),
  p256dh: base64url('The browser gave no valid push key', 80, 120),
  auth: base64url('The browser gave no valid push secret', 16, 40),
});
export type PushSubscriptionForm = z.output<typeof pushSubscriptionForm>;

export const outboxQuery = z.object({
  status: z
    .union([z.literal(''), z.enum(NOTIFICATION_STATUSES)], { error: 'Choose a status from the list' })
    .optional()
    .transform((v) => v || null),
  page: z.coerce
    .number()
    .int()
    .min(1)
    .max(10_000)
    .optional()
    .catch(1)
    .transform((v) => v ?? 1),
});
