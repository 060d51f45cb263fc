import { createHash } from 'node:crypto';
import { DateTime } from 'luxon';
import type { VisitInput } from '../visits/repository.ts';
import type { CalendarEvent } from './parse.ts';
import { LONDON } from './parse.ts';

/** Pure rules for turning calendar events into visits. */

export const DESCRIPTION_MAX = 120;
export const ADDRESS_MAX = 300;
const MAX_HOURS = 16;

/**
 * The key that makes an import idempotent, stored as visits.ical_uid: the event's UID and the
 * occurrence's start (its RECURRENCE-ID for an occurrence of a series, its DTSTART otherwise).
 * An absurdly long UID is replaced by its hash so the key stays a sensible size.
 */
export function occurrenceKey(e: Pick<CalendarEvent, 'uid' | 'recurrenceId' | 'start'>): string {
  const uid = e.uid.length > 200 ? `sha256:${createHash('sha256').update(e.uid).digest('hex')}` : e.uid;
  return `${uid}#${e.recurrenceId ?? e.start.toISOString()}`;
}

/** The last UK postcode in a location ("12 High St, Ashford TN23 1AA, UK" → "TN23 1AA"). */
export function extractPostcode(location: string | null): string | null {
  if (!location) return null;
  const matches = [
    ...location.toUpperCase().matchAll(/(?<![A-Z0-9])([A-Z]{1,2}\d[A-Z\d]?) ?(\d[A-Z]{2})(?![A-Z0-9])/g),
  ];
  const last = matches.at(-1);
  return last ? `${last[1]} ${last[2]}` : null;
}

/** Why an event cannot become a visit, or null if it can. */
export function importProblem(e: Pick<CalendarEvent, 'allDay' | 'start' | 'end'>): string | null {
  if (e.allDay) return 'All-day events cannot be imported as visits';
  if (e.end.getTime() <= e.start.getTime()) return 'It has no end time';
  if (e.end.getTime() - e.start.getTime() > MAX_HOURS * 3_600_000) return `It lasts more than ${MAX_HOURS} hours`;
  return null;
}

/**
 * The rule a calendar feed's events are imported by: a category called "Harbour visit", or a
 * title starting "Visit:" (any case). Everything else in the feed is left alone.
 */
export const VISIT_CATEGORY = 'Harbour visit';
export function isMarkedVisit(e: Pick<CalendarEvent, 'summary' | 'categories'>): boolean {
  return (
    /^\s*visit\s*:/i.test(e.summary) ||
    e.categories.some((c) => c.trim().toLowerCase() === VISIT_CATEGORY.toLowerCase())
  );
}

/** Cuts text to `max` UTF-16 units (what the visit form's limits count), never inside a character. */
export function truncate(text: string, max: number): string {
  const t = text.trim();
  if (t.length <= max) return t;
  let out = '';
  for (const ch of t) {
    if (out.length + ch.length > max - 1) break;
    out += ch;
  }
  return `${out.trimEnd()}…`;
}

/** The description a visit gets by default: the title, without a "Visit:" marker, cut to 120 characters. */
export function defaultDescription(summary: string): string {
  return truncate(summary.replace(/^\s*visit\s*:\s*/i, '') || summary, DESCRIPTION_MAX);
}

const inUk = (g: { lat: number; lng: number } | null) =>
  g && g.lat >= 49 && g.lat <= 61 && g.lng >= -9 && g.lng <= 2 ? g : null;

export function toVisitInput(e: CalendarEvent, workerId: number, kind: string, description: string): VisitInput {
  const geo = inUk(e.geo);
  return {
    workerId,
    kind,
    startsAt: e.start,
    endsAt: e.end,
    address: e.location ? truncate(e.location, ADDRESS_MAX) : null,
    postcode: extractPostcode(e.location),
    latitude: geo?.lat ?? null,
    longitude: geo?.lng ?? null,
    caseSystem: null,
    caseId: null,
    description: description || null,
    jointPartnerId: null,
    notes: null,
    buildingId: null,
    referralType: null,
    riskRating: null,
    source: 'ical',
    icalUid: occurrenceKey(e),
  };
}

/** "Monday 30 March 2026" and "09:00 to 10:00" in London time, for the preview. */
export function whenText(e: Pick<CalendarEvent, 'allDay' | 'start' | 'end'>): { date: string; time: string } {
  const start = DateTime.fromJSDate(e.start, { zone: LONDON });
  const end = DateTime.fromJSDate(e.end, { zone: LONDON });
  if (e.allDay) {
    const last = end.minus({ days: 1 });
    const date =
      last > start
        ? `${start.toFormat('cccc d LLLL yyyy')} to ${last.toFormat('cccc d LLLL yyyy')}`
        : start.toFormat('cccc d LLLL yyyy');
    return { date, time: 'All day' };
  }
  const sameDay = start.toISODate() === end.toISODate();
  return {
    date: start.toFormat('cccc d LLLL yyyy'),
    time: `${start.toFormat('HH:mm')} to ${sameDay ? end.toFormat('HH:mm') : end.toFormat('HH:mm cccc d LLLL')}`,
  };
}
