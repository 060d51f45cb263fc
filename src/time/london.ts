import { DateTime } from 'luxon';

export const ZONE = 'Europe/London';

/** Today's date in London, "yyyy-mm-dd". */
export function londonToday(now: Date = new Date()): string {
  return londonDate(now);
}

export function addDays(date: string, days: number): string {
  return DateTime.fromISO(date, { zone: ZONE }).plus({ days }).toISODate()!;
}

/** The instant a London calendar day ends (the next day's midnight). */
export function endOfLondonDay(date: string): Date {
  return londonDayBounds(date).end;
}

/** "2026-03-27" → "27 March 2026". */
export function longDate(date: string): string {
  return DateTime.fromISO(date, { zone: ZONE }).setLocale('en-GB').toFormat('d MMMM yyyy');
}

/** GOV.UK date input's three boxes → "yyyy-mm-dd", or null if the date does not exist. */
export function isoDate(day: string, month: string, year: string): string | null {
  if (![day, month, year].every((v) => /^\d+$/.test(v.trim()))) return null;
  const d = DateTime.fromObject({ year: Number(year), month: Number(month), day: Number(day) }, { zone: ZONE });
  return d.isValid ? d.toISODate() : null;
}

/** A date as the imports take it: YYYY-MM-DD or DD/MM/YYYY; null when it is neither or not a real date. */
export function importDate(v: string): string | null {
  const iso = /^(\d{4})-(\d{1,2})-(\d{1,2})$/.exec(v);
  if (iso) return isoDate(iso[3]!, iso[2]!, iso[1]!);
  const uk = /^(\d{1,2})\/(\d{1,2})\/(\d{4})$/.exec(v);
  if (uk) return isoDate(uk[1]!, uk[2]!, uk[3]!);
  return null;
}

/**
 * Turns a date and a 24-hour time typed in London into a UTC instant. Times that do not exist
 * (the hour skipped when the clocks go forward) are refused; times that happen twice (when the
 * clocks go back) take the first, which is what a person means by "01:30" that morning.
 */
export function londonToUtc(date: string, time: string): Date | null {
  // An import checks thousands of rows, mostly on a few hundred dates and times; luxon's zone
  // arithmetic is the bulk of that check, so each answer is remembered (bounded).
  const key = `${date}T${time}`;
  let answer = londonToUtcSeen.get(key);
  if (answer === undefined) {
    answer = londonToUtcUncached(date, time)?.getTime() ?? null;
    if (londonToUtcSeen.size >= 50_000) londonToUtcSeen.clear();
    londonToUtcSeen.set(key, answer);
  }
  return answer === null ? null : new Date(answer);
}
const londonToUtcSeen = new Map<string, number | null>();

function londonToUtcUncached(date: string, time: string): Date | null {
  const dt = DateTime.fromISO(`${date}T${time}`, { zone: ZONE });
  if (!dt.isValid) return null;
  // Luxon shifts a non-existent local time forward; detect that and refuse it.
  if (dt.toFormat('HH:mm') !== time.padStart(5, '0')) return null;
  // In the repeated hour Luxon picks the later (GMT) reading; an hour earlier reads the same on
  // the clock, so prefer that one.
  const earlier = dt.minus({ hours: 1 });
  if (earlier.toFormat('yyyy-MM-dd HH:mm') === dt.toFormat('yyyy-MM-dd HH:mm')) return earlier.toJSDate();
  return dt.toJSDate();
}

export function londonDate(instant: Date): string {
  return DateTime.fromJSDate(instant, { zone: ZONE }).toISODate()!;
}

export function londonTime(instant: Date): string {
  return DateTime.fromJSDate(instant, { zone: ZONE }).toFormat('HH:mm');
}

/** Start and end of a London calendar day, as UTC instants. */
export function londonDayBounds(date: string): { start: Date; end: Date } {
  const start = DateTime.fromISO(date, { zone: ZONE }).startOf('day');
  return { start: start.toJSDate(), end: start.plus({ days: 1 }).toJSDate() };
}

/** The default end of the working day, 17:00 London, for the given day. */
export function defaultFinish(date: string): Date {
  return DateTime.fromISO(`${date}T17:00`, { zone: ZONE }).toJSDate();
}
