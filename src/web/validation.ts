import { z } from 'zod';
import { ValidationError, type FieldError } from '../errors.ts';
import { isoDate } from '../time/london.ts';

/** Turns zod issues into field errors for govukErrorSummary (first message per field). */
export function fieldErrors(error: z.ZodError): FieldError[] {
  const seen = new Set<string>();
  const out: FieldError[] = [];
  for (const issue of error.issues) {
    const field = issue.path.map(String).join('-') || 'form';
    if (seen.has(field)) continue;
    seen.add(field);
    // The shared length rule below cannot know the field's name; the error summary must say it.
    out.push({
      field,
      message: issue.message.startsWith('Must be ')
        ? `${fieldLabel(field)} must be ${issue.message.slice(8)}`
        : issue.message,
    });
  }
  return out;
}

/** A field's name as words for a message: `perpetratorName` and `given_name` → "Perpetrator name", "Given name". */
export function fieldLabel(field: string): string {
  const words = field
    .replace(/([a-z\d])([A-Z])/g, '$1 $2')
    .replace(/[_-]+/g, ' ')
    .trim()
    .toLowerCase();
  return words ? words[0]!.toUpperCase() + words.slice(1) : 'This field';
}

/** Validates input at the edge, throwing a ValidationError the form handler re-renders. */
export function parseWith<S extends z.ZodType>(schema: S, input: unknown): z.output<S> {
  const result = schema.safeParse(input ?? {});
  if (!result.success) throw new ValidationError(fieldErrors(result.error));
  return result.data;
}

// Reusable field shapes. Form posts arrive as strings; empty means "not given".
export const requiredText = (message: string, max = 200) =>
  z.string({ error: message }).trim().min(1, message).max(max, `Must be ${max} characters or fewer`);

export const optionalText = (max = 200) =>
  z
    .string()
    .trim()
    .max(max, `Must be ${max} characters or fewer`)
    .optional()
    .transform((v) => (v ? v : null));

// A union containing z.undefined() does not make an object key optional in zod 4 (a missing key
// fails with "expected nonoptional"), so the optional shapes below use .optional() instead.
export const optionalId = (message = 'Select a valid option') =>
  z
    .union([z.literal(''), z.coerce.number({ error: message }).int(message).positive(message)], { error: message })
    .optional()
    .transform((v) => (v === '' || v === undefined ? null : v));

export const requiredId = (message: string) => z.coerce.number({ error: message }).int(message).positive(message);

// UK phone numbers: digits, spaces and an optional leading +, 10 to 13 digits.
export const optionalPhone = (message = 'Enter a telephone number, like 01632 960 001 or 07700 900 982') =>
  z
    .string()
    .trim()
    .optional()
    .refine(
      (v) => !v || (/^\+?[\d ()-]+$/.test(v) && v.replace(/\D/g, '').length >= 10 && v.replace(/\D/g, '').length <= 13),
      message,
    )
    .transform((v) => (v ? v : null));

export const email = (message = 'Enter an email address in the correct format, like name@example.org') =>
  z.string({ error: message }).trim().toLowerCase().pipe(z.email(message).max(254, message));

export const checkbox = z
  .union([z.literal('true'), z.literal('on'), z.literal('yes'), z.literal(''), z.boolean()])
  .optional()
  .transform((v) => v === true || v === 'true' || v === 'on' || v === 'yes');

export const postcode = (message = 'Enter a full UK postcode, like KT1 1AA') =>
  z
    .string({ error: message })
    .trim()
    .toUpperCase()
    .refine((v) => /^[A-Z]{1,2}\d[A-Z\d]? ?\d[A-Z]{2}$/.test(v), message);

/**
 * govukDateInput's three boxes (`<prefix>-day`, `-month`, `-year`) → "yyyy-mm-dd". All empty → null
 * (and "Enter the <label>" when required); not a real date → null and an error; each error is named
 * by the day box, so the summary links to the field.
 */
export function dateFrom(
  body: Record<string, unknown>,
  prefix: string,
  label: string,
  required: boolean,
  errors: FieldError[],
): string | null {
  const part = (k: string) => {
    const v = body[`${prefix}-${k}`];
    return typeof v === 'string' ? v.trim() : v === undefined ? '' : '?';
  };
  const [d, m, y] = [part('day'), part('month'), part('year')];
  if (!d && !m && !y) {
    if (required) errors.push({ field: `${prefix}-day`, message: `Enter the ${label}` });
    return null;
  }
  const iso = /^\d{4}$/.test(y) ? isoDate(d, m, y) : null;
  if (!iso) errors.push({ field: `${prefix}-day`, message: `The ${label} must be a real date, like 27 3 2026` });
  return iso;
}
