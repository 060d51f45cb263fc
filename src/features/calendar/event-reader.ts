import ICAL from 'ical.js';
import { DateTime } from 'luxon';
import { ianaZoneFor } from './zones.ts';
import { ZONE as LONDON } from '../../time/london.ts';
import {
  isoDate,
  londonDateOf,
  londonMidnight,
  wallMs,
  wallOf,
  wallToDate,
  type ICalComponent,
  type ICalProperty,
  type ICalTime,
  type ICalTimezone,
  type Zone,
} from './wall-clock.ts';

/** Strips control characters (PostgreSQL refuses NUL) and the line breaks Apple puts in locations. */
export function cleanText(value: unknown): string {
  if (typeof value !== 'string') return '';
  const lines = value.replace(/\s*[\r\n]+\s*/g, ', ');
  const printable = [...lines].map((ch) => (ch.charCodeAt(0) < 0x20 || ch.charCodeAt(0) === 0x7f ? ' ' : ch)).join('');
  return printable.replace(/\s{2,}/g, ' ').replace(/^[,\s]+|[,\s]+$/g, '');
}

/** Reads the events of one VCALENDAR, in its declared zone, collecting warnings and the expansion steps spent. */
export class Reader {
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
