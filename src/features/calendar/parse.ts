import ICAL from 'ical.js';
import { DateTime } from 'luxon';
import { ZONE as LONDON } from '../../time/london.ts';
import { cleanText, Reader } from './event-reader.ts';
import { expand } from './recurrence.ts';
import type { ICalComponent, ICalTime } from './wall-clock.ts';

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

/** From the start of today in London to eight weeks later. */
export function defaultWindow(now: Date = new Date()): { from: Date; to: Date } {
  const start = DateTime.fromJSDate(now, { zone: LONDON }).startOf('day');
  return { from: start.toJSDate(), to: start.plus({ weeks: DEFAULT_WINDOW_WEEKS }).toJSDate() };
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
