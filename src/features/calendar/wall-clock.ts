import ICAL from 'ical.js';
import { DateTime } from 'luxon';
import { londonDate, londonDayBounds } from '../../time/london.ts';

// Wall-clock times and zones: ical.js and luxon agree only on wall-clock values, so repeating
// events are expanded in wall-clock time and turned into instants here.

export type ICalTime = InstanceType<typeof ICAL.Time>;
export type ICalComponent = InstanceType<typeof ICAL.Component>;
export type ICalProperty = InstanceType<typeof ICAL.Property>;
export type ICalTimezone = InstanceType<typeof ICAL.Timezone>;
export type ICalRecur = InstanceType<typeof ICAL.Recur>;

export interface Wall {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
}
export type Zone = { iana: string } | { vtimezone: ICalTimezone; tzid: string };

export const wallOf = (t: ICalTime): Wall => ({
  year: t.year,
  month: t.month,
  day: t.day,
  hour: t.hour,
  minute: t.minute,
  second: t.second,
});
export const wallMs = (w: Wall) => Date.UTC(w.year, w.month - 1, w.day, w.hour, w.minute, w.second);
export const msWall = (ms: number): Wall => {
  const d = new Date(ms);
  return {
    year: d.getUTCFullYear(),
    month: d.getUTCMonth() + 1,
    day: d.getUTCDate(),
    hour: d.getUTCHours(),
    minute: d.getUTCMinutes(),
    second: d.getUTCSeconds(),
  };
};
export const sameWall = (a: Wall, b: Wall) => wallMs(a) === wallMs(b);

/**
 * A wall-clock time in a zone as a UTC instant. A time that happens twice (clocks go back) is the
 * first; a time that does not happen (clocks go forward) is read with the offset before the gap,
 * so 01:30 on the morning the clocks go forward is 02:30 BST. Both as RFC 5545 §3.3.5 says.
 */
export function wallToDate(w: Wall, zone: Zone): Date {
  if ('vtimezone' in zone) return new Date(new ICAL.Time({ ...w, isDate: false }, zone.vtimezone).toUnixTime() * 1000);
  const asUtc = wallMs(w);
  const offsetAt = (ms: number) => DateTime.fromMillis(ms, { zone: zone.iana }).offset;
  const offsets = [...new Set([offsetAt(asUtc - 86_400_000), offsetAt(asUtc), offsetAt(asUtc + 86_400_000)])];
  const fits = offsets.map((o) => asUtc - o * 60_000).filter((ms) => sameWall(dateToWall(new Date(ms), zone), w));
  if (fits.length) return new Date(Math.min(...fits));
  return new Date(asUtc - offsetAt(asUtc - 86_400_000) * 60_000);
}

export function dateToWall(d: Date, zone: Zone): Wall {
  if ('vtimezone' in zone) return wallOf(ICAL.Time.fromJSDate(d, true).convertToZone(zone.vtimezone));
  const dt = DateTime.fromJSDate(d, { zone: zone.iana });
  return { year: dt.year, month: dt.month, day: dt.day, hour: dt.hour, minute: dt.minute, second: dt.second };
}

export const isoDate = (t: { year: number; month: number; day: number }) =>
  `${String(t.year).padStart(4, '0')}-${String(t.month).padStart(2, '0')}-${String(t.day).padStart(2, '0')}`;
export const londonMidnight = (date: string) => londonDayBounds(date).start;
export const londonDateOf = londonDate;

export function floating(w: Wall, isDate: boolean): ICalTime {
  return new ICAL.Time(
    isDate ? { year: w.year, month: w.month, day: w.day, isDate: true } : { ...w, isDate: false },
    ICAL.Timezone.localTimezone,
  );
}
