import ICAL from 'ical.js';
import { DateTime } from 'luxon';
import { ZONE as LONDON } from '../../time/london.ts';
import type { Reader } from './event-reader.ts';
import {
  dateToWall,
  floating,
  isoDate,
  londonMidnight,
  msWall,
  wallMs,
  wallOf,
  wallToDate,
  type ICalComponent,
  type ICalProperty,
  type ICalRecur,
  type ICalTime,
  type Zone,
} from './wall-clock.ts';

/** Steps of recurrence expansion, per event and per file: bounds the work a hostile file can cause. */
const MAX_STEPS_PER_EVENT = 20_000;
const MAX_STEPS_PER_FILE = 100_000;

/**
 * Expands a repeating VEVENT in the wall-clock time of its DTSTART's zone: every value (DTSTART,
 * RRULE's UNTIL, RDATE, EXDATE) is rewritten as a floating time in that zone before ical.js
 * iterates, and each occurrence it yields is turned back into an instant.
 */
export function expand(
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
