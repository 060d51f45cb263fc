import { DateTime } from 'luxon';

export const ZONE = 'Europe/London';

/**
 * Turns a date and a 24-hour time typed in London into a UTC instant. Times that do not exist
 * (the hour skipped when the clocks go forward) are refused; times that happen twice (when the
 * clocks go back) take the first, which is what a person means by "01:30" that morning.
 */
export function londonToUtc(date: string, time: string): Date | null {
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
