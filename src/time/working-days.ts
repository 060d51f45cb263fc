import { DateTime } from 'luxon';
import { DIVISIONS, type BankHolidayFile, type Division } from './bank-holidays.ts';

/**
 * Working-day arithmetic over a set of non-working dates (ISO `YYYY-MM-DD`, London calendar days).
 * Saturdays and Sundays are never working days. The statutory clocks differ only in their holiday
 * set, so they share this code: see `complaintsCalendar` and `foiCalendar`.
 */
export class WorkingDayCalendar {
  private readonly holidays: ReadonlySet<string>;

  constructor(holidays: Iterable<string>) {
    this.holidays = new Set(holidays);
  }

  isWorkingDay(date: string): boolean {
    const d = parse(date);
    return d.weekday <= 5 && !this.holidays.has(date);
  }

  /** The first working day on or after `date` (`inclusive`), or strictly after it. */
  nextWorkingDay(date: string, inclusive = false): string {
    let d = inclusive ? date : shift(date, 1);
    while (!this.isWorkingDay(d)) d = shift(d, 1);
    return d;
  }

  /**
   * The `n`th working day following `date`: `date` itself is day 0 whatever it is, so a request
   * received on Monday 6 February 2012 has its 20th working day on Monday 5 March 2012.
   */
  addWorkingDays(date: string, n: number): string {
    if (!Number.isInteger(n) || n < 0) throw new RangeError(`addWorkingDays needs a whole number of days, not ${n}`);
    let d = date;
    for (let counted = 0; counted < n;) {
      d = shift(d, 1);
      if (this.isWorkingDay(d)) counted++;
    }
    return d;
  }

  /** Working days after `from` up to and including `to` (0 when `to` is not after `from`). */
  workingDaysBetween(from: string, to: string): number {
    let count = 0;
    for (let d = shift(from, 1); d <= to; d = shift(d, 1)) if (this.isWorkingDay(d)) count++;
    return count;
  }
}

/**
 * Complaints (Children Act 1989 Representations Procedure (England) Regulations 2006, reg. 2): a
 * working day is any day except a Saturday, Sunday, Christmas Day, Good Friday or a bank holiday in
 * England and Wales. Boxing Day is a bank holiday there, and the fixed days are added even where
 * they fall on a weekday not in the file.
 */
export function complaintsCalendar(file: BankHolidayFile): WorkingDayCalendar {
  return new WorkingDayCalendar([...divisionDates(file, 'england-and-wales'), ...fixedDays(file)]);
}

/**
 * FOI (FOIA s10(6)): any day except a Saturday, Sunday, Christmas Day, Good Friday or a bank
 * holiday in ANY part of the United Kingdom, so all three divisions count.
 */
export function foiCalendar(file: BankHolidayFile): WorkingDayCalendar {
  return new WorkingDayCalendar([...DIVISIONS.flatMap((d) => divisionDates(file, d)), ...fixedDays(file)]);
}

function divisionDates(file: BankHolidayFile, division: Division): string[] {
  return file[division].events.map((e) => e.date);
}

/** Christmas Day and Good Friday on their own dates for every year the file covers. */
function fixedDays(file: BankHolidayFile): string[] {
  const years = new Set(DIVISIONS.flatMap((d) => file[d].events.map((e) => Number(e.date.slice(0, 4)))));
  const goodFridays = DIVISIONS.flatMap((d) =>
    file[d].events.filter((e) => e.title === 'Good Friday').map((e) => e.date),
  );
  return [...[...years].map((y) => `${y}-12-25`), ...goodFridays];
}

function parse(date: string): DateTime {
  const d = DateTime.fromISO(date, { zone: 'utc' });
  if (!d.isValid) throw new RangeError(`Not a date: ${date}`);
  return d;
}

function shift(date: string, days: number): string {
  return parse(date).plus({ days }).toISODate()!;
}
