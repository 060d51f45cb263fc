import ICAL from 'ical.js';
import { DateTime } from 'luxon';
import { ianaZoneFor } from './zones.ts';
import { ZONE as LONDON, londonDate, londonDayBounds } from '../../time/london.ts';

/**
 * Reads an iCalendar file (RFC 5545) as exported by Outlook, Google or Apple, and lists the events
 * that happen in a window, with repeating events expanded. Pure: no I/O, no clock unless no window
 * is given.
 *
 * ical.js parses the file and expands RRULE/RDATE/EXDATE; the time-zone arithmetic is luxon's, on
 * IANA zones. To make the two agree, each repeating event is expanded in its own zone's wall-clock
 * time (the RFC's rule: "09:00 every Monday" stays 09:00 through a clock change), and each
 * occurrence is then turned into a UTC instant. TZIDs are IANA names, Windows names (Outlook,
 * Exchange) or anything else; an unrecognised TZID falls back to the VTIMEZONE in the file.
 */

export interface CalendarEvent {
  uid: string;
  /**
   * For one occurrence of a repeating event, its original start (RECURRENCE-ID): an ISO instant, or
   * a date (YYYY-MM-DD) for an all-day series. Null for a one-off event.
   */
  recurrenceId: string | null;
  summary: string;
  location: string | null;
  categories: string[];
  start: Date;
  end: Date;
  /** All-day events: start and end are London midnights (end exclusive). */
  allDay: boolean;
  geo: { lat: number; lng: number } | null;
}

export interface ParsedCalendar {
  name: string | null;
  events: CalendarEvent[];
  /** More occurrences fell in the window than the cap; the earliest were kept. */
  truncated: boolean;
  warnings: string[];
}

export interface ParseOptions {
  from?: Date;
  to?: Date;
  maxOccurrences?: number;
}

/** The file is not iCalendar, or cannot be read. The message is for the person who uploaded it. */
export class CalendarFormatError extends Error {}

export { LONDON };
export const DEFAULT_WINDOW_WEEKS = 8;
export const MAX_OCCURRENCES = 500;
/** Steps of recurrence expansion, per event and per file: bounds the work a hostile file can cause. */
const MAX_STEPS_PER_EVENT = 20_000;
const MAX_STEPS_PER_FILE = 100_000;

/** From the start of today in London to eight weeks later. */
export function defaultWindow(now: Date = new Date()): { from: Date; to: Date } {
  const start = DateTime.fromJSDate(now, { zone: LONDON }).startOf('day');
  return { from: start.toJSDate(), to: start.plus({ weeks: DEFAULT_WINDOW_WEEKS }).toJSDate() };
}

type ICalTime = InstanceType<typeof ICAL.Time>;
type ICalComponent = InstanceType<typeof ICAL.Component>;
type ICalProperty = InstanceType<typeof ICAL.Property>;
type ICalTimezone = InstanceType<typeof ICAL.Timezone>;
type ICalRecur = InstanceType<typeof ICAL.Recur>;

interface Wall {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
}
type Zone = { iana: string } | { vtimezone: ICalTimezone; tzid: string };

const wallOf = (t: ICalTime): Wall => ({
  year: t.year,
  month: t.month,
  day: t.day,
  hour: t.hour,
  minute: t.minute,
  second: t.second,
});
const wallMs = (w: Wall) => Date.UTC(w.year, w.month - 1, w.day, w.hour, w.minute, w.second);
const msWall = (ms: number): Wall => {
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
const sameWall = (a: Wall, b: Wall) => wallMs(a) === wallMs(b);

/**
 * A wall-clock time in a zone as a UTC instant. A time that happens twice (clocks go back) is the
 * first; a time that does not happen (clocks go forward) is read with the offset before the gap,
 * so 01:30 on the morning the clocks go forward is 02:30 BST. Both as RFC 5545 §3.3.5 says.
 */
function wallToDate(w: Wall, zone: Zone): Date {
  if ('vtimezone' in zone) return new Date(new ICAL.Time({ ...w, isDate: false }, zone.vtimezone).toUnixTime() * 1000);
  const asUtc = wallMs(w);
  const offsetAt = (ms: number) => DateTime.fromMillis(ms, { zone: zone.iana }).offset;
  const offsets = [...new Set([offsetAt(asUtc - 86_400_000), offsetAt(asUtc), offsetAt(asUtc + 86_400_000)])];
  const fits = offsets.map((o) => asUtc - o * 60_000).filter((ms) => sameWall(dateToWall(new Date(ms), zone), w));
  if (fits.length) return new Date(Math.min(...fits));
  return new Date(asUtc - offsetAt(asUtc - 86_400_000) * 60_000);
}

function dateToWall(d: Date, zone: Zone): Wall {
  if ('vtimezone' in zone) return wallOf(ICAL.Time.fromJSDate(d, true).convertToZone(zone.vtimezone));
  const dt = DateTime.fromJSDate(d, { zone: zone.iana });
  return { year: dt.year, month: dt.month, day: dt.day, hour: dt.hour, minute: dt.minute, second: dt.second };
}

const isoDate = (t: { year: number; month: number; day: number }) =>
  `${String(t.year).padStart(4, '0')}-${String(t.month).padStart(2, '0')}-${String(t.day).padStart(2, '0')}`;
const londonMidnight = (date: string) => londonDayBounds(date).start;
const londonDateOf = londonDate;

function floating(w: Wall, isDate: boolean): ICalTime {
  return new ICAL.Time(
    isDate ? { year: w.year, month: w.month, day: w.day, isDate: true } : { ...w, isDate: false },
    ICAL.Timezone.localTimezone,
  );
}

/** Strips control characters (PostgreSQL refuses NUL) and the line breaks Apple puts in locations. */
function cleanText(value: unknown): string {
  if (typeof value !== 'string') return '';
  const lines = value.replace(/\s*[\r\n]+\s*/g, ', ');
  const printable = [...lines].map((ch) => (ch.charCodeAt(0) < 0x20 || ch.charCodeAt(0) === 0x7f ? ' ' : ch)).join('');
  return printable.replace(/\s{2,}/g, ' ').replace(/^[,\s]+|[,\s]+$/g, '');
}

class Reader {
  readonly warnings = new Set<string>();
  readonly defaultZone: Zone;
  steps = 0;

  constructor(calendar: ICalComponent) {
    const declared = ianaZoneFor(cleanText(calendar.getFirstPropertyValue('x-wr-timezone')));
    this.defaultZone = { iana: declared ?? LONDON };
  }

  /** The zone a date-time value is in: UTC (…Z), its TZID, or the calendar's zone for floating times. */
  zoneOf(value: ICalTime, prop: ICalProperty): Zone {
    if (value.zone === ICAL.Timezone.utcTimezone) return { iana: 'UTC' };
    const raw = prop.getParameter('tzid');
    const tzid = Array.isArray(raw) ? raw[0] : raw;
    if (!tzid) return this.defaultZone;
    const iana = ianaZoneFor(tzid);
    if (iana) return { iana };
    const inFile = value.zone as ICalTimezone | undefined;
    if (inFile && inFile !== ICAL.Timezone.localTimezone && inFile !== ICAL.Timezone.utcTimezone && inFile.tzid)
      return { vtimezone: inFile, tzid };
    this.warnings.add(`The time zone “${tzid}” is not recognised: its times are read as UK time.`);
    return { iana: LONDON };
  }

  instant(value: ICalTime, prop: ICalProperty): Date {
    if (value.isDate) return londonMidnight(isoDate(value));
    return wallToDate(wallOf(value), this.zoneOf(value, prop));
  }

  /** Start, end and all-day flag of one VEVENT as written (not expanded). */
  span(
    comp: ICalComponent,
  ): { start: Date; end: Date; allDay: boolean; startValue: ICalTime; startProp: ICalProperty } | null {
    const startProp = comp.getFirstProperty('dtstart');
    const startValue = startProp?.getFirstValue() as ICalTime | null | undefined;
    if (!startProp || !startValue || typeof startValue !== 'object' || !('isDate' in startValue)) return null;
    const allDay = startValue.isDate;
    const start = this.instant(startValue, startProp);
    const endProp = comp.getFirstProperty('dtend');
    const endValue = endProp?.getFirstValue() as ICalTime | null | undefined;
    let end: Date;
    if (endProp && endValue && typeof endValue === 'object' && 'isDate' in endValue) {
      end = this.instant(endValue, endProp);
    } else {
      const duration = comp.getFirstPropertyValue('duration') as InstanceType<typeof ICAL.Duration> | null;
      if (duration && typeof duration === 'object' && 'toSeconds' in duration) {
        end = allDay
          ? londonMidnight(DateTime.fromISO(isoDate(startValue)).plus({ seconds: duration.toSeconds() }).toISODate()!)
          : new Date(start.getTime() + duration.toSeconds() * 1000);
      } else {
        end = allDay ? londonMidnight(DateTime.fromISO(isoDate(startValue)).plus({ days: 1 }).toISODate()!) : start;
      }
    }
    if (end < start) end = start;
    return { start, end, allDay, startValue, startProp };
  }

  /** The key a RECURRENCE-ID (or an expanded occurrence) is matched by. */
  recurrenceKey(value: ICalTime, prop: ICalProperty | null, allDaySeries: boolean): string {
    if (allDaySeries)
      return value.isDate
        ? isoDate(value)
        : londonDateOf(prop ? this.instant(value, prop) : new Date(wallMs(wallOf(value))));
    if (value.isDate) return londonMidnight(isoDate(value)).toISOString();
    return (prop ? this.instant(value, prop) : new Date(wallMs(wallOf(value)))).toISOString();
  }

  details(comp: ICalComponent, uid: string) {
    const summary = cleanText(comp.getFirstPropertyValue('summary')) || '(No title)';
    const location = cleanText(comp.getFirstPropertyValue('location')) || null;
    const categories = comp
      .getAllProperties('categories')
      .flatMap((p) => p.getValues())
      .map(cleanText)
      .filter(Boolean);
    return { uid, summary, location, categories, geo: geoOf(comp) };
  }
}

function geoOf(comp: ICalComponent): { lat: number; lng: number } | null {
  const geo = comp.getFirstPropertyValue('geo') as unknown;
  let pair: [number, number] | null = null;
  if (Array.isArray(geo) && geo.length === 2) pair = [Number(geo[0]), Number(geo[1])];
  if (!pair) {
    const apple = comp.getFirstPropertyValue('x-apple-structured-location');
    const m = typeof apple === 'string' ? /^geo:(-?\d+(?:\.\d+)?),(-?\d+(?:\.\d+)?)/.exec(apple) : null;
    if (m) pair = [Number(m[1]), Number(m[2])];
  }
  if (!pair || !pair.every(Number.isFinite)) return null;
  return { lat: pair[0], lng: pair[1] };
}

export function parseCalendar(text: string, options: ParseOptions = {}): ParsedCalendar {
  const window = options.from && options.to ? { from: options.from, to: options.to } : defaultWindow();
  const max = options.maxOccurrences ?? MAX_OCCURRENCES;
  const source = text.replace(/^\uFEFF/, '');
  if (!/^\s*BEGIN:VCALENDAR/i.test(source)) throw new CalendarFormatError('The file is not an iCalendar (.ics) file');
  let calendars: ICalComponent[];
  try {
    const jcal = ICAL.parse(source) as unknown[];
    const roots = Array.isArray(jcal[0]) ? (jcal as unknown[][]) : [jcal];
    calendars = roots.map((r) => new ICAL.Component(r as unknown[]));
  } catch {
    throw new CalendarFormatError('The file could not be read as an iCalendar (.ics) file');
  }

  const out: CalendarEvent[] = [];
  let truncated = false;
  const warnings = new Set<string>();
  /** Keeps only the earliest `max` occurrences, so memory stays bounded whatever the file. */
  const push = (e: CalendarEvent) => {
    out.push(e);
    if (out.length >= max * 2) {
      out.sort(byStart);
      out.length = max;
      truncated = true;
    }
  };
  const inWindow = (start: Date, end: Date) =>
    start < window.to && (end > window.from || (end.getTime() === start.getTime() && start >= window.from));
  let name: string | null = null;

  for (const calendar of calendars) {
    if (calendar.name !== 'vcalendar') continue;
    name ??= cleanText(calendar.getFirstPropertyValue('x-wr-calname')) || null;
    const reader = new Reader(calendar);
    const masters = new Map<string, ICalComponent>();
    const overrides = new Map<string, ICalComponent[]>();
    let anonymous = 0;
    for (const comp of calendar.getAllSubcomponents('vevent')) {
      const uid = cleanText(comp.getFirstPropertyValue('uid')) || `no-uid-${++anonymous}`;
      if (comp.hasProperty('recurrence-id')) overrides.set(uid, [...(overrides.get(uid) ?? []), comp]);
      else if (!masters.has(uid)) masters.set(uid, comp);
    }

    // Overrides of a series: each replaces (or, if cancelled, removes) one occurrence.
    const replaced = new Map<string, Set<string>>();
    for (const [uid, list] of overrides) {
      const master = masters.get(uid);
      const masterAllDay = master
        ? Boolean((master.getFirstPropertyValue('dtstart') as ICalTime | null)?.isDate)
        : false;
      const keys = new Set<string>();
      for (const comp of list) {
        const ridProp = comp.getFirstProperty('recurrence-id')!;
        const rid = ridProp.getFirstValue() as ICalTime | null;
        if (!rid || typeof rid !== 'object' || !('isDate' in rid)) continue;
        keys.add(reader.recurrenceKey(rid, ridProp, masterAllDay));
        if (isCancelled(comp)) continue;
        const span = reader.span(comp);
        if (!span || !inWindow(span.start, span.end)) continue;
        const recurrenceId =
          masterAllDay || rid.isDate
            ? reader.recurrenceKey(rid, ridProp, true)
            : reader.instant(rid, ridProp).toISOString();
        push({ ...reader.details(comp, uid), recurrenceId, start: span.start, end: span.end, allDay: span.allDay });
      }
      replaced.set(uid, keys);
    }

    for (const [uid, comp] of masters) {
      if (isCancelled(comp)) continue;
      const span = reader.span(comp);
      if (!span) continue;
      const details = reader.details(comp, uid);
      if (!comp.hasProperty('rrule') && !comp.hasProperty('rdate')) {
        if (inWindow(span.start, span.end))
          push({ ...details, recurrenceId: null, start: span.start, end: span.end, allDay: span.allDay });
        continue;
      }
      expand(reader, comp, span, replaced.get(uid) ?? new Set(), window, (start, end, recurrenceId) => {
        if (inWindow(start, end)) push({ ...details, recurrenceId, start, end, allDay: span.allDay });
      });
    }
    for (const w of reader.warnings) warnings.add(w);
  }

  out.sort(byStart);
  if (out.length > max) {
    out.length = max;
    truncated = true;
  }
  return { name, events: out, truncated, warnings: [...warnings] };
}

const byStart = (a: CalendarEvent, b: CalendarEvent) =>
  a.start.getTime() - b.start.getTime() || a.summary.localeCompare(b.summary) || a.uid.localeCompare(b.uid);

function isCancelled(comp: ICalComponent) {
  return cleanText(comp.getFirstPropertyValue('status')).toUpperCase() === 'CANCELLED';
}

/**
 * Expands a repeating VEVENT in the wall-clock time of its DTSTART's zone: every value (DTSTART,
 * RRULE's UNTIL, RDATE, EXDATE) is rewritten as a floating time in that zone before ical.js
 * iterates, and each occurrence it yields is turned back into an instant.
 */
function expand(
  reader: Reader,
  comp: ICalComponent,
  span: { start: Date; end: Date; allDay: boolean; startValue: ICalTime; startProp: ICalProperty },
  replaced: Set<string>,
  window: { from: Date; to: Date },
  emit: (start: Date, end: Date, recurrenceId: string) => void,
) {
  const allDay = span.allDay;
  const zone: Zone = allDay ? { iana: LONDON } : reader.zoneOf(span.startValue, span.startProp);
  const startWall = allDay ? wallOf(span.startValue) : dateToWall(span.start, zone);
  // The event's length in wall-clock time, so 09:00–10:00 stays 09:00–10:00 after a clock change.
  const lengthMs = allDay
    ? Math.round((span.end.getTime() - span.start.getTime()) / 86_400_000) * 86_400_000
    : wallMs(dateToWall(span.end, zone)) - wallMs(startWall);

  const inZone = (value: ICalTime, prop: ICalProperty): ICalTime => {
    if (value.isDate) return floating(wallOf(value), true);
    const w = dateToWall(reader.instant(value, prop), zone);
    return floating(w, allDay);
  };

  const rule = new ICAL.Component('vevent');
  const dtstart = floating(startWall, allDay);
  rule.addPropertyWithValue('dtstart', dtstart);
  for (const prop of comp.getAllProperties('rrule')) {
    const recur = (prop.getFirstValue() as ICalRecur).clone();
    if (recur.until) {
      const until = recur.until;
      // UNTIL as a date on a timed series means "up to the end of that day".
      recur.until =
        until.isDate && !allDay
          ? floating({ ...wallOf(until), hour: 23, minute: 59, second: 59 }, false)
          : inZone(until, prop);
    }
    rule.addPropertyWithValue('rrule', recur);
  }
  for (const name of ['rdate', 'exdate'] as const) {
    for (const prop of comp.getAllProperties(name)) {
      for (const value of prop.getValues() as unknown[]) {
        const time =
          value && typeof value === 'object' && 'start' in value ? (value as { start: ICalTime }).start : value;
        if (time && typeof time === 'object' && 'isDate' in time)
          rule.addPropertyWithValue(name, inZone(time as ICalTime, prop));
      }
    }
  }

  let iterator: InstanceType<typeof ICAL.RecurExpansion>;
  try {
    iterator = new ICAL.RecurExpansion({ component: rule, dtstart });
  } catch {
    reader.warnings.add('A repeating event could not be read and was left out.');
    return;
  }
  for (let steps = 0; ; steps++) {
    if (steps >= MAX_STEPS_PER_EVENT || reader.steps++ >= MAX_STEPS_PER_FILE) {
      reader.warnings.add('Some repeating events have too many occurrences to list them all.');
      return;
    }
    let next: ICalTime | null;
    try {
      next = iterator.next() as ICalTime | null;
    } catch {
      reader.warnings.add('A repeating event could not be read in full.');
      return;
    }
    if (!next) return;
    const wall = wallOf(next);
    // Well before the window (no zone is more than a day from UTC): skip the zone arithmetic.
    if (wallMs(wall) + lengthMs + 2 * 86_400_000 < window.from.getTime()) continue;
    let start: Date;
    let end: Date;
    let key: string;
    if (allDay) {
      const date = isoDate(next);
      start = londonMidnight(date);
      end = londonMidnight(DateTime.fromISO(date).plus({ milliseconds: lengthMs }).toISODate()!);
      key = date;
    } else {
      start = wallToDate(wall, zone);
      end = wallToDate(msWall(wallMs(wall) + lengthMs), zone);
      key = start.toISOString();
    }
    if (start >= window.to) return;
    if (replaced.has(key)) continue;
    emit(start, end, key);
  }
}
