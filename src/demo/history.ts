import type { Transaction } from 'kysely';
import type { DB } from '../db/schema.ts';
import { londonToday } from '../time/london.ts';
import { randomSource } from './history/random.ts';
import type { HistoryContext, Person } from './history/shared.ts';
import { moreStaff, trainingAndDeclarations } from './history/staff.ts';
import { incidentHistory } from './history/incidents.ts';
import { complaintHistory } from './history/complaints.ts';
import { foiHistory } from './history/foi.ts';
import { visitHistory } from './history/visits.ts';
import { alertHistory } from './history/alerts.ts';

export { randomSource } from './history/random.ts';
export type { HistoryContext } from './history/shared.ts';

/**
 * A year of plausible history for the demo council (issue 15), so that every dashboard, statistic
 * and home page has something on first start: about 90 staff in eight teams, some 300 incidents
 * (manager responses, support, police reports, RIDDOR where the rules say so, investigations and
 * actions), about 100 complaints about staff at every stage, about 60 FOI requests in every state,
 * a year of finished visits with their check-ins, and a few alerts, all resolved.
 *
 * Deterministic: a fixed-seed generator, dates counted back from today. Set-based: rows are built
 * in memory and written in a few multi-row inserts (visits and their timeline by INSERT … SELECT),
 * so the first start stays quick. The derived facts (RIDDOR, serious, meeting deadline, FOI and
 * complaint deadlines) come from the same rules the services use.
 *
 * Each area writes its rows in a module of src/demo/history/; this module calls them in a fixed order, and
 * that order is part of the data: they all draw from the one generator.
 */

export const HISTORY_SEED = 15;

export async function seedDemoHistory(
  trx: Transaction<DB>,
  ctx: HistoryContext,
  today = londonToday(),
): Promise<Record<string, number>> {
  const rnd = randomSource(HISTORY_SEED);
  const staffCount = await moreStaff(trx, ctx, rnd);
  const people = (await trx
    .selectFrom('staff')
    .select(['id', 'team_id', 'line_manager_id', 'job_role', 'base_building_id'])
    .orderBy('id')
    .execute()) as Person[];
  const hsOfficer = ctx.ids.get('hs')!;
  const hsAccount = (
    await trx.selectFrom('accounts').select('id').where('staff_id', '=', hsOfficer).executeTakeFirstOrThrow()
  ).id;
  const accounts = new Map(
    (await trx.selectFrom('accounts').select(['id', 'staff_id']).execute()).map((a) => [a.staff_id!, a.id]),
  );
  await trainingAndDeclarations(trx, people, rnd, today);
  const incidents = await incidentHistory(trx, people, accounts, { hsOfficer, hsAccount, demo: ctx.ids }, rnd, today);
  const complaints = await complaintHistory(trx, people, ctx, rnd, today);
  const foi = await foiHistory(trx, ctx.ids.get('ig')!, rnd, today);
  const visits = await visitHistory(trx, today);
  const alerts = await alertHistory(trx, people, rnd, today);
  return { staff: staffCount, incidents, complaints, foi, visits, alerts };
}
