import { z } from 'zod';
import { type FieldError } from '../../errors.ts';
import { fieldErrors, optionalId } from '../../web/validation.ts';
import { isoDate } from '../../time/london.ts';
import type { StatsFilter } from './statistics-repository.ts';
import { CATEGORY_KEYS } from './rules.ts';
import { dateOnly, finish, optionalEnum, str, type Body } from './schema.ts';

// The statistics filter (dashboard and export): a period, a kind of incident, a team, a building.

const isoDay = (message: string) =>
  z
    .string()
    .trim()
    .optional()
    .refine(
      (v) => !v || (/^\d{4}-\d{2}-\d{2}$/.test(v) && isoDate(v.slice(8, 10), v.slice(5, 7), v.slice(0, 4)) !== null),
      message,
    )
    .transform((v) => (v ? v : null));
const statsFilterFields = z.object({
  from: isoDay('Enter the start of the period as a date, like 2026-01-31'),
  to: isoDay('Enter the end of the period as a date, like 2026-12-31'),
  category: optionalEnum(CATEGORY_KEYS, 'Select a kind of incident from the list'),
  teamId: optionalId('Select a team from the list'),
  buildingId: optionalId('Select a building from the list'),
});
/**
 * The dashboard's filters, every problem at once. The period is typed in GOV.UK date boxes
 * (`from-day`, `from-month`, `from-year`); a plain `from=2026-01-31` (a link or an export) still works.
 */
export function parseStatsFilter(query: unknown): StatsFilter {
  const input = (query ?? {}) as Body;
  const result = statsFilterFields.safeParse(input);
  // A date's problem is reported against its day box, where the error summary link lands.
  const errors: FieldError[] = result.success
    ? []
    : fieldErrors(result.error).map((e) =>
        e.field === 'from' || e.field === 'to' ? { ...e, field: `${e.field}-day` } : e,
      );
  const boxes = (prefix: 'from' | 'to', label: string) => {
    if (![`${prefix}-day`, `${prefix}-month`, `${prefix}-year`].some((k) => str(input, k)))
      return result.success ? result.data[prefix] : null;
    const d = dateOnly(input, prefix, label, false);
    if (d.error) errors.push(d.error);
    return d.value;
  };
  const from = boxes('from', 'start of the period');
  const to = boxes('to', 'end of the period');
  if (from && to && to < from)
    errors.push({ field: 'to-day', message: 'The end of the period must be on or after its start' });
  return finish(errors, () => ({ ...result.data!, from, to }));
}

/** The period's date boxes for the page: as typed, or from a plain `from=2026-01-31` in the link. */
export function statsFilterBoxes(query: unknown): Record<string, string> {
  const input = (query ?? {}) as Body;
  const values: Record<string, string> = {};
  for (const prefix of ['from', 'to']) {
    const iso = str(input, prefix);
    const typed = [`${prefix}-day`, `${prefix}-month`, `${prefix}-year`].some((k) => str(input, k));
    if (!typed && /^\d{4}-\d{2}-\d{2}$/.test(iso))
      Object.assign(values, {
        [`${prefix}-day`]: String(Number(iso.slice(8, 10))),
        [`${prefix}-month`]: String(Number(iso.slice(5, 7))),
        [`${prefix}-year`]: iso.slice(0, 4),
      });
  }
  return values;
}
