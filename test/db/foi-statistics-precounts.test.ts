import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { sql, type RawBuilder } from 'kysely';
import { openTestDatabase, engineName } from '../helpers/database.ts';
import { seededRandom } from '../helpers/random.ts';
import { buildRepositories, buildServices } from '../../src/composition.ts';
import { actorFor } from '../helpers/lone-working.ts';
import { seedDemo } from '../../src/demo/seed.ts';
import { buildComplaint, buildIncident } from '../helpers/foi.ts';
import { STATISTICS, yearBands, type StatParams } from '../../src/features/foi/statistics.ts';
import { addDays, londonDayBounds, longDate } from '../../src/time/london.ts';

/**
 * Issue 16, speed: the FOI statistics read only pre-counts (the monthly counts of 0015 and 0016, and the
 * daily counts and police-over-assaults measures of 0033, all kept by triggers). Each is checked here
 * against the straightforward query over the records themselves (the statistics' own queries before
 * the pre-counts, kept as the reference), after random inserts, updates and deletes, for random
 * periods (part months, part years) and every filter.
 */
let database: Awaited<ReturnType<typeof openTestDatabase>>;
const db = () => database.db;
let staffIds: number[] = [];
let teamId: number | null = null;

const { next: rnd, pick } = seededRandom(16_2026);
const ASSAULTS = ['physical_assault', 'verbal_abuse', 'threats', 'sexual_harassment'];
const CATEGORY_SETS = [
  ['physical_assault'],
  ['verbal_abuse'],
  ['threats'],
  ['sexual_harassment'],
  ['physical_assault', 'verbal_abuse'],
  ['council_property_damage'],
  ['threats', 'sexual_harassment'],
];
const STATUSES = ['open', 'open', 'closed', 'draft', 'awaiting_confirmation'];
const ACTIONS = [
  'no_further_action',
  'apology',
  'practice_change',
  'training',
  'supervision',
  'disciplinary_investigation',
];
const BODIES = ['swe', 'lgsco', 'hcpc', 'gscc'];

const dayFrom = (start: string, days: number) => addDays(start, Math.floor(rnd() * days));
const randomDay = () =>
  rnd() < 0.2
    ? pick(['2020-03-31', '2020-04-01', '2020-10-25', '2021-03-28', '2020-12-31', '2021-01-01'])
    : dayFrom('2019-06-01', 3 * 365);
/** An instant on a London day, at any time of it (so near midnight in BST too). */
function randomInstant(): Date {
  const { start, end } = londonDayBounds(randomDay());
  return new Date(start.getTime() + Math.floor(rnd() * (end.getTime() - start.getTime())));
}

before(async () => {
  database = await openTestDatabase();
  await seedDemo(database.db, buildRepositories(database.db).audit);
  const staff = await db().selectFrom('staff').select(['id', 'team_id']).orderBy('id').execute();
  staffIds = staff.map((s) => s.id).slice(0, 14);
  teamId = staff[0]!.team_id;
  for (let i = 0; i < 300; i++) {
    const police = rnd();
    const id = await buildIncident(db(), {
      employeeId: pick(staffIds),
      occurredAt: randomInstant().toISOString(),
      categories: pick(CATEGORY_SETS),
      status: pick(STATUSES),
      policeReported: police < 0.5 ? true : police < 0.6 ? false : undefined,
      policeOutcome: police < 0.2 ? 'charged' : police < 0.3 ? 'caution' : null,
      courtOutcome: police < 0.1 ? 'convicted' : police < 0.15 ? 'pending' : null,
    });
    if (rnd() < 0.6)
      await db().updateTable('incidents').set({ meeting_held_at: randomInstant() }).where('id', '=', id).execute();
    if (rnd() < 0.5)
      await db().updateTable('incidents').set({ police_right_told_at: randomInstant() }).where('id', '=', id).execute();
  }
  const incidentIds = (await db().selectFrom('incidents').select('id').orderBy('id').execute()).map((r) => r.id);
  for (let i = 0; i < 80; i++) {
    const u = db().updateTable('incidents').where('id', '=', pick(incidentIds));
    const change = Math.floor(rnd() * 5);
    if (change === 0) await u.set({ categories: pick(CATEGORY_SETS) }).execute();
    else if (change === 1) await u.set({ status: pick(STATUSES) }).execute();
    else if (change === 2)
      await u.set({ occurred_at: randomInstant(), meeting_held_at: rnd() < 0.5 ? null : randomInstant() }).execute();
    else if (change === 3) await u.set({ employee_id: pick(staffIds) }).execute();
    else
      await u
        .set({
          police_reported: rnd() < 0.5,
          police_outcome: pick(['charged', 'caution', null]),
          court_outcome: pick(['convicted', 'acquitted', null]),
        })
        .execute();
  }
  await db().updateTable('incidents').set({ status: 'closed' }).where('id', 'in', incidentIds.slice(0, 40)).execute();
  await db().deleteFrom('incidents').where('id', 'in', incidentIds.slice(100, 125)).execute();

  const complaintIds: number[] = [];
  for (let i = 0; i < 220; i++) {
    const r = rnd();
    const named = new Set<number>();
    for (let k = Math.floor(rnd() * 3); k >= 0; k--) if (rnd() < 0.8) named.add(pick(staffIds));
    const id = await buildComplaint(db(), {
      receivedOn: randomDay(),
      staffIds: [...named],
      household: rnd() < 0.5 ? pick(['Smith', 'Jones', 'Patel']) : null,
      procedure: pick(['statutory_children', 'statutory_children', 'corporate', 'staff_grievance']),
      outcome: r < 0.2 ? 'upheld' : r < 0.3 ? 'partially_upheld' : r < 0.6 ? 'not_upheld' : null,
      withdrawnOn: r > 0.9 ? '2021-06-01' : null,
    });
    if (rnd() < 0.1)
      await db()
        .updateTable('complaints')
        .set({ not_investigated_on: '2021-01-01', not_investigated_reason: 'Police investigation' })
        .where('id', '=', id)
        .execute();
    for (let k = Math.floor(rnd() * 3); k > 0; k--)
      await db()
        .insertInto('complaint_actions')
        .values({ complaint_id: id, staff_id: null, kind: pick(ACTIONS) })
        .execute();
    for (let k = rnd() < 0.3 ? Math.ceil(rnd() * 2) : 0; k > 0; k--)
      await db()
        .insertInto('complaint_referrals')
        .values({ complaint_id: id, body: pick(BODIES), referred_on: '2021-02-01' })
        .execute();
    complaintIds.push(id);
  }
  for (let i = 0; i < 100; i++) {
    const id = pick(complaintIds);
    const change = Math.floor(rnd() * 7);
    if (change === 0)
      await db()
        .updateTable('complaints')
        .set({ outcome: pick(['upheld', 'not_upheld', null]), withdrawn_on: pick([null, null, '2021-07-01']) })
        .where('id', '=', id)
        .execute();
    else if (change === 1)
      await db().updateTable('complaints').set({ received_on: randomDay() }).where('id', '=', id).execute();
    else if (change === 2)
      await db()
        .insertInto('complaint_staff')
        .values({ complaint_id: id, staff_id: pick(staffIds) })
        .onConflict((oc) => oc.doNothing())
        .execute();
    else if (change === 3) await db().deleteFrom('complaint_staff').where('complaint_id', '=', id).execute();
    else if (change === 4) await db().deleteFrom('complaint_actions').where('complaint_id', '=', id).execute();
    else if (change === 5)
      await db()
        .updateTable('complaint_referrals')
        .set({ body: pick(BODIES) })
        .where('complaint_id', '=', id)
        .execute();
    else await db().deleteFrom('complaint_referrals').where('complaint_id', '=', id).execute();
  }
  for (const id of complaintIds.slice(10, 20)) {
    await db().deleteFrom('complaint_actions').where('complaint_id', '=', id).execute();
    await db().deleteFrom('complaint_referrals').where('complaint_id', '=', id).execute();
    await db().deleteFrom('complaint_staff').where('complaint_id', '=', id).execute();
    await db().deleteFrom('complaints').where('id', '=', id).execute();
  }
});
after(() => database.drop());

// ---- The reference: the statistics' queries over the records themselves ----------------------------

interface Counted {
  fy: number;
  key: string;
  n: number;
}
function staffWhere(p: StatParams): RawBuilder<unknown> {
  const parts: RawBuilder<unknown>[] = [];
  if (p.teamId) parts.push(sql`s.team_id = ${p.teamId}`);
  if (p.jobRole === 'social_workers') parts.push(sql`s.job_role IN ('social_worker', 'senior_practitioner')`);
  else if (p.jobRole) parts.push(sql`s.job_role = ${p.jobRole}`);
  return parts.length ? sql`AND ${sql.join(parts, sql` AND `)}` : sql``;
}
const fyOf = (col: RawBuilder<unknown>) =>
  sql<number>`extract(year from ((${col} AT TIME ZONE 'Europe/London') - interval '3 months'))::int`;
const within = (col: RawBuilder<unknown>, p: StatParams) =>
  sql`${col} >= ${londonDayBounds(p.from).start} AND ${col} < ${londonDayBounds(p.to).end}`;
const incidentsOf = (p: StatParams) =>
  sql`FROM incidents i JOIN staff s ON s.id = i.employee_id WHERE i.status IN ('open', 'closed') ${staffWhere(p)}`;
const assault = sql`i.categories && ARRAY['physical_assault', 'verbal_abuse', 'threats', 'sexual_harassment']::text[]`;

async function counted(query: RawBuilder<Counted>): Promise<Counted[]> {
  return (await query.execute(db())).rows.map((r) => ({ fy: Number(r.fy), key: r.key, n: Number(r.n) }));
}
const cell = (rows: Counted[], fy: number | null, key: string) =>
  rows.filter((r) => (fy === null || r.fy === fy) && r.key === key).reduce((a, r) => a + r.n, 0);
const byYear = (p: StatParams, rows: Counted[], keys: string[]) =>
  yearBands(p).map((b) => [b.label, ...keys.map((k) => cell(rows, b.fy, k))]);

async function reference(name: string, p: StatParams): Promise<{ rows: unknown[][]; counts?: number[] }> {
  if (name === 'staff-assaulted') {
    const rows =
      await counted(sql<Counted>`SELECT ${fyOf(sql`i.occurred_at`)} AS fy, 'incidents' AS key, count(*)::int AS n ${incidentsOf(p)} AND ${within(sql`i.occurred_at`, p)} AND ${assault} GROUP BY 1
      UNION ALL SELECT ${fyOf(sql`i.occurred_at`)}, 'staff', count(DISTINCT i.employee_id)::int ${incidentsOf(p)} AND ${within(sql`i.occurred_at`, p)} AND ${assault} GROUP BY 1
      UNION ALL SELECT -1, 'all_staff', count(DISTINCT i.employee_id)::int ${incidentsOf(p)} AND ${within(sql`i.occurred_at`, p)} AND ${assault}`);
    return {
      rows: [
        ...byYear(p, rows, ['incidents', 'staff']),
        [
          `Whole period (${longDate(p.from)} to ${longDate(p.to)})`,
          cell(rows, null, 'incidents'),
          cell(rows, null, 'all_staff'),
        ],
      ],
    };
  }
  if (name === 'assaults-by-type') {
    const rows = await counted(sql<Counted>`SELECT ${fyOf(sql`i.occurred_at`)} AS fy, k.key, count(*)::int AS n
      FROM incidents i JOIN staff s ON s.id = i.employee_id CROSS JOIN unnest(${sql.val(ASSAULTS)}::text[]) AS k(key)
      WHERE i.status IN ('open', 'closed') ${staffWhere(p)} AND ${within(sql`i.occurred_at`, p)} AND k.key = ANY(i.categories) GROUP BY 1, 2`);
    return { rows: byYear(p, rows, ASSAULTS) };
  }
  if (name === 'police-and-prosecutions') {
    const police = (
      only: RawBuilder<unknown>,
      prefix: string,
    ) => sql<Counted>`SELECT x.fy, ${prefix} || k.key AS key, count(*)::int AS n FROM (
        SELECT ${fyOf(sql`i.occurred_at`)} AS fy, i.police_reported, i.police_outcome, i.court_outcome ${incidentsOf(p)} AND ${within(sql`i.occurred_at`, p)} AND ${only}
      ) x CROSS JOIN LATERAL (VALUES
        (CASE WHEN x.police_reported THEN 'reported' END),
        (CASE WHEN x.police_outcome = 'charged' OR x.court_outcome IS NOT NULL THEN 'prosecuted' END),
        (CASE WHEN x.court_outcome = 'convicted' THEN 'successful' END)
      ) AS k(key) WHERE k.key IS NOT NULL GROUP BY 1, 2`;
    const rows = await counted(sql<Counted>`${police(assault, '')} UNION ALL ${police(sql`true`, 'all_')}`);
    return {
      rows: byYear(p, rows, ['reported', 'prosecuted', 'successful']),
      counts: ['all_reported', 'all_prosecuted', 'all_successful'].map((k) => cell(rows, null, k)),
    };
  }
  if (name === 'actions-taken') {
    const rows =
      await counted(sql<Counted>`SELECT ${fyOf(sql`i.meeting_held_at`)} AS fy, 'meeting' AS key, count(*)::int AS n ${incidentsOf(p)} AND ${within(sql`i.meeting_held_at`, p)} GROUP BY 1
      UNION ALL SELECT ${fyOf(sql`i.police_right_told_at`)}, 'told', count(*)::int ${incidentsOf(p)} AND ${within(sql`i.police_right_told_at`, p)} GROUP BY 1`);
    return { rows: ['meeting', 'told'].map((k) => yearBands(p).map((b) => cell(rows, b.fy, k))) };
  }
  // The complaints received in the period, under the staff filter, with their outcome key, actions and referrals.
  const withStaff = name === 'complaints-about-staff' ? p.staffConcerns !== false : true;
  const procedure =
    name === 'complaints-by-year'
      ? sql`c.procedure = 'statutory_children'`
      : withStaff
        ? sql`true`
        : sql`c.procedure <> 'staff_grievance'`;
  const named =
    p.teamId || p.jobRole
      ? sql`AND EXISTS (SELECT 1 FROM complaint_staff cs JOIN staff s ON s.id = cs.staff_id WHERE cs.complaint_id = c.id ${staffWhere(p)})`
      : sql``;
  const complaints = sql`FROM complaints c WHERE c.received_on >= ${p.from}::date AND c.received_on <= ${p.to}::date AND ${procedure} ${named}`;
  const rows = await counted(sql<Counted>`SELECT extract(year from (c.received_on - interval '3 months'))::int AS fy,
      CASE WHEN c.withdrawn_on IS NOT NULL THEN 'withdrawn' WHEN c.not_investigated_on IS NOT NULL THEN 'not_investigated' ELSE coalesce(c.outcome, 'open') END AS key,
      count(*)::int AS n ${complaints} GROUP BY 1, 2
    UNION ALL SELECT 0, 'action_' || a.kind, count(DISTINCT c.id)::int FROM complaint_actions a JOIN (SELECT c.id ${complaints}) c ON c.id = a.complaint_id GROUP BY 2
    UNION ALL SELECT 0, CASE WHEN r.body = 'lgsco' THEN 'ombudsman' ELSE 'regulator' END, count(DISTINCT c.id)::int
      FROM complaint_referrals r JOIN (SELECT c.id ${complaints}) c ON c.id = r.complaint_id GROUP BY 2`);
  const bands = yearBands(p);
  if (name === 'complaints-by-year') {
    const n = (fy: number, keys: string[]) => keys.reduce((a, k) => a + cell(rows, fy, k), 0);
    return {
      rows: bands.map((b) => [
        b.label,
        n(b.fy, ['withdrawn', 'not_investigated', 'upheld', 'partially_upheld', 'not_upheld', 'open']),
        n(b.fy, ['upheld', 'partially_upheld', 'not_upheld']),
        n(b.fy, ['open']),
        n(b.fy, ['withdrawn']),
        n(b.fy, ['not_investigated']),
        n(b.fy, ['upheld', 'partially_upheld']),
      ]),
    };
  }
  return {
    rows: ['upheld', 'partially_upheld', 'not_upheld', 'withdrawn', 'not_investigated', 'open'].map((k) =>
      bands.map((b) => cell(rows, b.fy, k)),
    ),
    counts: [
      ...ACTIONS.map((k) => cell(rows, 0, `action_${k}`)),
      cell(rows, 0, 'regulator'),
      cell(rows, 0, 'ombudsman'),
    ],
  };
}

// ---- The checks ----------------------------------------------------------------------------------

function randomPeriod(): [string, string] {
  const from = dayFrom('2019-03-01', 3 * 365);
  return [from, addDays(from, Math.floor(rnd() * (rnd() < 0.5 ? 60 : 800)))];
}
const PERIODS: [string, string][] = [
  ['2019-01-01', '2022-12-31'],
  ['2019-04-01', '2022-03-31'],
  ['2020-03-31', '2020-04-01'],
  ['2020-10-25', '2021-03-28'],
  ['2020-06-05', '2020-06-20'],
  ['2020-11-01', '2020-11-30'],
  ['2020-12-06', '2021-03-31'],
];

/** Every rewritten statistic against the reference, for the periods and every filter; the number of non-zero cells seen. */
async function compareAll(periods: [string, string][]): Promise<number> {
  const filters = [
    { teamId: null, jobRole: null },
    { teamId: null, jobRole: 'social_workers' },
    { teamId, jobRole: null },
    { teamId, jobRole: 'social_workers' },
  ];
  let nonZero = 0;
  for (const [from, to] of periods) {
    for (const filter of filters) {
      for (const name of [
        'staff-assaulted',
        'assaults-by-type',
        'police-and-prosecutions',
        'actions-taken',
        'complaints-by-year',
        'complaints-about-staff',
      ]) {
        for (const staffConcerns of name === 'complaints-about-staff' ? [true, false] : [undefined]) {
          const p: StatParams = {
            from,
            to,
            serviceId: null,
            ...filter,
            ...(staffConcerns === undefined ? {} : { staffConcerns }),
          };
          const table = await STATISTICS.find((s) => s.name === name)!.compute(
            { db: db(), complaints: null, actor: null },
            p,
          );
          const expected = await reference(name, p);
          const label = `${name} ${from}..${to} ${JSON.stringify(filter)} ${staffConcerns ?? ''}`;
          const rows =
            name === 'actions-taken'
              ? table.rows.slice(0, 2).map((r) => r.cells)
              : name === 'complaints-about-staff'
                ? table.rows.map((r) => r.cells)
                : table.rows.map((r) => [r.label, ...r.cells]);
          assert.deepEqual(rows, expected.rows, label);
          if (expected.counts)
            assert.deepEqual(
              (table.counts ?? []).map((c) => c.value),
              expected.counts,
              `${label} (counts)`,
            );
          nonZero += rows.flat().filter((v) => typeof v === 'number' && v > 0).length;
        }
      }
    }
  }
  return nonZero;
}

test(`[${engineName}] every pre-counted FOI statistic equals the straightforward query over the records, for every period and filter`, async () => {
  const nonZero = await compareAll([...PERIODS, ...Array.from({ length: 8 }, randomPeriod)]);
  assert.ok(nonZero > 500, 'the histories give many non-zero cells');
});

test(`[${engineName}] records loaded through the incidents and complaints imports are counted as the statistics read them`, async () => {
  const services = buildServices(buildRepositories(db()), { sessionTtlHours: 12 });
  const employees = (
    await db().selectFrom('staff').select('employee_number').where('id', 'in', staffIds).orderBy('id').execute()
  ).map((r) => r.employee_number);
  const incidents = [
    'reference,occurred_date,occurred_time,employee_number,location,categories,verbal_channel,narrative,police_reported,police_outcome,court_outcome,status',
    ...Array.from({ length: 30 }, (_, i) => {
      const categories = pick(CATEGORY_SETS);
      return [
        `PRE-${i}`,
        randomDay(),
        i % 2 ? '23:30' : '00:15',
        pick(employees),
        'Office',
        categories.join(';'),
        categories.includes('verbal_abuse') ? 'telephone' : '',
        'Imported',
        ...pick([
          ['yes', 'charged', 'convicted'],
          ['yes', 'caution', ''],
          ['no', '', ''],
          ['', '', ''],
        ]),
        pick(['open', 'closed']),
      ].join(',');
    }),
  ].join('\n');
  const hs = await actorFor(db(), 'fiona.reid@harbour.example');
  const loaded = await services.incidents.importHistoric(hs, incidents, 'pre.csv');
  assert.equal(loaded.ok, true, JSON.stringify(loaded).slice(0, 600));
  const complaints = [
    'reference,received_on,procedure,complainant_type,household,staff_employee_numbers,allegations,outcome,actions,referrals',
    ...Array.from({ length: 30 }, (_, i) =>
      [
        `PRE-${i}`,
        randomDay(),
        pick(['statutory_children', 'corporate', 'staff_grievance']),
        'parent_carer',
        pick(['Smith', 'Lee', '']),
        [...new Set([pick(employees), pick(employees)])].join(';'),
        'pl_a',
        pick(['upheld', 'not_upheld', '']),
        pick(['apology', 'training;supervision', '']),
        pick(['lgsco|2021-02-01', 'swe|2021-02-01;lgsco|2021-03-01', '']),
      ].join(','),
    ),
  ].join('\n');
  const co = await actorFor(db(), 'gareth.price@harbour.example');
  const result = await services.complaints.importHistoric(co, complaints, 'pre.csv');
  assert.equal(result.ok, true, JSON.stringify(result));
  assert.ok((await compareAll(PERIODS.slice(0, 4))) > 100);
});

test(`[${engineName}] the daily counts and the police figures over assaults only are kept in the pre-count tables`, async () => {
  // Over the whole history, the pre-counts (months, or days) hold what the records give.
  const whole: StatParams = { from: '2018-01-01', to: '2023-12-31', teamId: null, serviceId: null, jobRole: null };
  const police = await reference('police-and-prosecutions', whole);
  const sums = await sql<{
    reported: number;
    prosecuted: number;
    successful: number;
  }>`SELECT sum(assault_police_reported)::int AS reported,
    sum(assault_prosecuted)::int AS prosecuted, sum(assault_successful)::int AS successful FROM incident_daily_counts`.execute(
    db(),
  );
  const totals = [1, 2, 3].map((c) => police.rows.reduce((a, r) => a + Number(r[c]), 0));
  assert.ok(totals[0]! > 0);
  assert.deepEqual(Object.values(sums.rows[0]!), totals);
  const monthly = await sql<{
    n: number;
  }>`SELECT sum(assault_police_reported)::int AS n FROM incident_monthly_counts`.execute(db());
  assert.equal(monthly.rows[0]!.n, totals[0]);
  const about = await reference('complaints-about-staff', whole);
  const referred = await sql<{
    key: string;
    n: number;
  }>`SELECT key, sum(n)::int AS n FROM complaint_daily_counts WHERE key LIKE 'referred_%' GROUP BY 1 ORDER BY 1`.execute(
    db(),
  );
  assert.deepEqual(referred.rows, [
    { key: 'referred_ombudsman', n: about.counts!.at(-1) },
    { key: 'referred_regulator', n: about.counts!.at(-2) },
  ]);
});
