import { DateTime } from 'luxon';
import { z } from 'zod';
import bundled from './bank-holidays.json' with { type: 'json' };
import { ValidationError } from '../errors.ts';

/**
 * Bank holidays in the format of the GOV.UK feed (one list of events per division). Harbour ships a
 * copy from 2010 (src/time/bank-holidays.json); an administrator loads a newer GOV.UK file over it
 * with `harbour bank-holidays update <file>`. Loaded years replace the bundled ones for that
 * division; years the file does not cover keep the bundled dates, because GOV.UK's feed only
 * covers a rolling window of years and the statutory clocks reach back further.
 */
export const DIVISIONS = ['england-and-wales', 'scotland', 'northern-ireland'] as const;
export type Division = (typeof DIVISIONS)[number];

const eventSchema = z.object({
  title: z.string().min(1),
  date: z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'date must be YYYY-MM-DD'),
  notes: z.string().default(''),
  bunting: z.boolean().default(false),
});
const divisionSchema = z.object({ division: z.enum(DIVISIONS), events: z.array(eventSchema) });
const fileSchema = z.object({
  'england-and-wales': divisionSchema,
  scotland: divisionSchema,
  'northern-ireland': divisionSchema,
});

export type BankHolidayEvent = z.infer<typeof eventSchema>;
export type BankHolidayFile = z.infer<typeof fileSchema>;

/** Validates a file in GOV.UK's format; a bad file is refused with the reason, nothing is loaded. */
export function parseBankHolidayFile(input: unknown): BankHolidayFile {
  const parsed = fileSchema.safeParse(input);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new ValidationError([
      {
        field: 'file',
        message: `Not a GOV.UK bank holidays file: ${issue.path.join('.') || 'file'}: ${issue.message}`,
      },
    ]);
  }
  for (const division of DIVISIONS) {
    for (const event of parsed.data[division].events) {
      if (!DateTime.fromISO(event.date, { zone: 'utc' }).isValid) {
        throw new ValidationError([
          {
            field: 'file',
            message: `Not a GOV.UK bank holidays file: ${division} has an impossible date ${event.date}`,
          },
        ]);
      }
    }
  }
  return parsed.data;
}

export const BUNDLED_BANK_HOLIDAYS: BankHolidayFile = parseBankHolidayFile(bundled);

/** Overlays `update` on `base`: for each division, the years `update` covers come from `update`. */
export function mergeBankHolidays(base: BankHolidayFile, update: BankHolidayFile): BankHolidayFile {
  const merged = {} as BankHolidayFile;
  for (const division of DIVISIONS) {
    const years = new Set(update[division].events.map((e) => e.date.slice(0, 4)));
    const kept = base[division].events.filter((e) => !years.has(e.date.slice(0, 4)));
    merged[division] = {
      division,
      events: [...kept, ...update[division].events].sort((a, b) => a.date.localeCompare(b.date)),
    };
  }
  return merged;
}
