import type { Transaction } from 'kysely';
import type { DB } from '../../db/schema.ts';
import type { WorkingDayCalendar } from '../../time/working-days.ts';
import { DateTime } from 'luxon';
import { ZONE } from '../../time/london.ts';

/** What every area of the demo history shares: its context, the people rows it reads back, date helpers and batched inserts. */

export interface HistoryContext {
  ids: Map<string, number>;
  teamIds: Map<string, number>;
  services: { cic: number; eh: number };
  buildings: { civic: number; gateway: number };
  passwordHash: string;
  email: (p: { given: string; family: string }) => string;
}

export interface Person {
  id: number;
  team_id: number | null;
  line_manager_id: number | null;
  job_role: string;
  base_building_id: number | null;
}

export const at = (date: string, hour: number, minute = 0) =>
  DateTime.fromISO(date, { zone: ZONE }).set({ hour, minute }).toJSDate();
export const plusMinutes = (d: Date, m: number) => new Date(d.getTime() + m * 60_000);
/*
 * Calendar-day arithmetic on ISO dates, the same answers as time/london.ts's addDays and a London
 * weekday, without a time-zone lookup each (the history makes thousands of these calls: most of its
 * time was spent in them).
 */
const utcDay = (date: string) =>
  new Date(Date.UTC(Number(date.slice(0, 4)), Number(date.slice(5, 7)) - 1, Number(date.slice(8, 10))));
export const addDays = (date: string, days: number) => {
  const d = utcDay(date);
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString().slice(0, 10);
};
export const weekday = (date: string) => utcDay(date).getUTCDay() % 6 !== 0;

/** The same calendar, remembering its answers: the history asks the same questions many times. */
export function remembering(cal: WorkingDayCalendar): WorkingDayCalendar {
  const working = new Map<string, boolean>();
  const added = new Map<string, string>();
  const isWorkingDay = cal.isWorkingDay.bind(cal);
  const addWorkingDays = cal.addWorkingDays.bind(cal);
  cal.isWorkingDay = (date) => {
    let r = working.get(date);
    if (r === undefined) working.set(date, (r = isWorkingDay(date)));
    return r;
  };
  cal.addWorkingDays = (date, n) => {
    const key = `${date}+${n}`;
    let r = added.get(key);
    if (r === undefined) added.set(key, (r = addWorkingDays(date, n)));
    return r;
  };
  return cal;
}

/** Multi-row inserts in chunks that stay far below the 65,535 parameters a statement may carry. */
export async function insertMany<T extends keyof DB & string>(
  trx: Transaction<DB>,
  table: T,
  rows: Record<string, unknown>[],
  chunk = 400,
): Promise<number[]> {
  const ids: number[] = [];
  for (let i = 0; i < rows.length; i += chunk) {
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    const out = (await (trx.insertInto(table) as any)
      .values(rows.slice(i, i + chunk))
      .returning('id')
      .execute()) as { id: number | string }[];
    ids.push(...out.map((r) => Number(r.id)));
  }
  return ids;
}
export async function insertPlain<T extends keyof DB & string>(
  trx: Transaction<DB>,
  table: T,
  rows: Record<string, unknown>[],
  chunk = 400,
): Promise<void> {
  for (let i = 0; i < rows.length; i += chunk) {
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    await (trx.insertInto(table) as any).values(rows.slice(i, i + chunk)).execute();
  }
}
