import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { sql } from 'kysely';
import { openTestDatabase, engineName } from '../helpers/database.ts';
import { seededRandom } from '../helpers/random.ts';
import { buildRepositories } from '../../src/composition.ts';
import { seedDemo } from '../../src/demo/seed.ts';
import { buildIncident } from '../helpers/foi.ts';
import { STATISTICS, yearBands, type StatParams } from '../../src/features/foi/statistics.ts';
import { financialYearOf } from '../../src/time/financial-year.ts';
import { londonDate, longDate } from '../../src/time/london.ts';

/**
 * The seed 000 statistics read whole months from `incident_monthly_counts` (kept by triggers,
 * migration 0015) and part-months from the incidents. Here they are checked against an oracle that
 * counts the incidents one by one in JavaScript, after random inserts, updates and deletes, for
 * periods that start and end mid-month, on financial-year and daylight-saving boundaries.
 */
let database: Awaited<ReturnType<typeof openTestDatabase>>;
const db = () => database.db;
let staffIds: number[] = [];

const { next: rnd, pick } = seededRandom(20261123);

const CATEGORY_SETS = [
  ['physical_assault'],
  ['verbal_abuse'],
  ['threats'],
  ['sexual_harassment'],
  ['physical_assault', 'verbal_abuse'],
  ['council_property_damage'],
  ['threats', 'sexual_harassment'],
];
const STATUSES = ['open', 'open', 'open', 'closed', 'draft', 'awaiting_confirmation'];
// Instants near the edges that matter: month ends in London (BST and GMT), the financial year end, the clock changes.
const EDGE_INSTANTS = [
  '2020-03-31T22:30:00Z',
  '2020-03-31T23:30:00Z',
  '2020-10-31T23:30:00Z',
  '2020-10-31T23:59:59Z',
  '2020-11-30T23:59:59Z',
  '2020-12-01T00:00:00Z',
  '2021-03-28T00:30:00Z',
  '2021-03-28T01:30:00Z',
  '2020-10-25T00:30:00Z',
  '2020-05-31T23:00:00Z',
];
function randomInstant(): string {
  if (rnd() < 0.3) return pick(EDGE_INSTANTS);
  const start = Date.parse('2019-01-01T00:00:00Z');
  return new Date(start + Math.floor(rnd() * 3 * 365 * 86400_000)).toISOString();
}

before(async () => {
  database = await openTestDatabase();
  const repos = buildRepositories(database.db);
  await seedDemo(database.db, repos.audit);
  staffIds = (await db().selectFrom('staff').select('id').orderBy('id').execute()).map((s) => s.id).slice(0, 12);
  for (let i = 0; i < 400; i++) {
    const police = rnd();
    await buildIncident(db(), {
      employeeId: pick(staffIds),
      occurredAt: randomInstant(),
      categories: pick(CATEGORY_SETS),
      status: pick(STATUSES),
      policeReported: police < 0.4 ? true : police < 0.5 ? false : undefined,
      policeOutcome: police < 0.15 ? 'charged' : police < 0.3 ? 'caution' : null,
      courtOutcome: police < 0.08 ? 'convicted' : police < 0.12 ? 'pending' : null,
    });
  }
  // Updates of every kind the counts depend on, some in bulk; then deletes.
  const ids = (await db().selectFrom('incidents').select('id').orderBy('id').execute()).map((r) => r.id);
  for (let i = 0; i < 80; i++) {
    const id = pick(ids);
    const change = Math.floor(rnd() * 6);
    const u = db().updateTable('incidents').where('id', '=', id);
    if (change === 0) await u.set({ categories: pick(CATEGORY_SETS) }).execute();
    else if (change === 1) await u.set({ status: pick(STATUSES) }).execute();
    else if (change === 2) await u.set({ occurred_at: new Date(randomInstant()) }).execute();
    else if (change === 3) await u.set({ employee_id: pick(staffIds) }).execute();
    else if (change === 4)
      await u
        .set({
          police_reported: rnd() < 0.5,
          police_outcome: pick(['charged', 'caution', null]),
          court_outcome: pick(['convicted', 'acquitted', null]),
        })
        .execute();
    else await u.set({ narrative: 'Nothing counted changes' }).execute();
  }
  // The manager's meeting and telling of the right to go to the police, counted in their own months.
  for (const id of ids) {
    if (rnd() < 0.6)
      await db()
        .updateTable('incidents')
        .set({ meeting_held_at: new Date(randomInstant()) })
        .where('id', '=', id)
        .execute();
    if (rnd() < 0.4)
      await db()
        .updateTable('incidents')
        .set({ police_right_told_at: new Date(randomInstant()) })
        .where('id', '=', id)
        .execute();
  }
  await db().updateTable('incidents').set({ meeting_held_at: null }).where('id', 'in', ids.slice(200, 220)).execute();
  await db().updateTable('incidents').set({ status: 'closed' }).where('id', 'in', ids.slice(0, 60)).execute();
  await db().deleteFrom('incidents').where('id', 'in', ids.slice(100, 130)).execute();
});
after(() => database.drop());

interface Row {
  employee_id: number;
  status: string;
  occurred_at: Date;
  meeting_held_at: Date | null;
  police_right_told_at: Date | null;
  categories: string[];
  police_reported: boolean | null;
  police_outcome: string | null;
  court_outcome: string | null;
  job_role: string | null;
  team_id: number | null;
}
async function incidents(): Promise<Row[]> {
  return db()
    .selectFrom('incidents as i')
    .innerJoin('staff as s', 's.id', 'i.employee_id')
    .select([
      'i.employee_id',
      'i.status',
      'i.occurred_at',
      'i.meeting_held_at',
      'i.police_right_told_at',
      'i.categories',
      'i.police_reported',
      'i.police_outcome',
      'i.court_outcome',
      's.job_role',
      's.team_id',
    ])
    .execute() as Promise<Row[]>;
}

const ASSAULTS = ['physical_assault', 'verbal_abuse', 'threats', 'sexual_harassment'];
/** The oracle: the three seed 000 tables, counted one incident at a time. */
function oracle(rows: Row[], p: StatParams) {
  const bands = yearBands(p);
  const years = bands.map((b) => b.fy);
  const counts = (r: Row) =>
    (r.status === 'open' || r.status === 'closed') &&
    (p.teamId === null || r.team_id === p.teamId) &&
    (p.jobRole === null ||
      (p.jobRole === 'social_workers'
        ? ['social_worker', 'senior_practitioner'].includes(r.job_role ?? '')
        : r.job_role === p.jobRole));
  const inPeriod = (at: Date | null) =>
    at !== null && londonDate(new Date(at)) >= p.from && londonDate(new Date(at)) <= p.to;
  const yearOf = (at: Date | null) => financialYearOf(londonDate(new Date(at!)));
  const counted = rows.filter((r) => counts(r) && inPeriod(r.occurred_at));
  const inYear = (y: number) => counted.filter((r) => financialYearOf(londonDate(new Date(r.occurred_at))) === y);
  const isAssault = (r: Row) => r.categories.some((c) => ASSAULTS.includes(c));
  const assaults = counted.filter(isAssault);
  return {
    // Per year, then the whole period: staff counted once however many years they were assaulted in.
    'staff-assaulted': [
      ...bands.map(({ fy, label }) => [
        label,
        inYear(fy).filter(isAssault).length,
        new Set(
          inYear(fy)
            .filter(isAssault)
            .map((r) => r.employee_id),
        ).size,
      ]),
      [
        `Whole period (${longDate(p.from)} to ${longDate(p.to)})`,
        assaults.length,
        new Set(assaults.map((r) => r.employee_id)).size,
      ],
    ],
    'assaults-by-type': bands.map(({ fy, label }) => [
      label,
      ...ASSAULTS.map((c) => inYear(fy).filter((r) => r.categories.includes(c)).length),
    ]),
    // "Of these": over the assaults the question asks about, not every incident.
    'police-and-prosecutions': bands.map(({ fy, label }) => {
      const ys = inYear(fy).filter(isAssault);
      return [
        label,
        ys.filter((r) => r.police_reported === true).length,
        ys.filter((r) => r.police_outcome === 'charged' || r.court_outcome !== null).length,
        ys.filter((r) => r.court_outcome === 'convicted').length,
      ];
    }),
    'actions-taken': [
      years.map(
        (y) => rows.filter((r) => counts(r) && inPeriod(r.meeting_held_at) && yearOf(r.meeting_held_at) === y).length,
      ),
      years.map(
        (y) =>
          rows.filter((r) => counts(r) && inPeriod(r.police_right_told_at) && yearOf(r.police_right_told_at) === y)
            .length,
      ),
    ],
  };
}

const PERIODS: [string, string][] = [
  ['2019-04-01', '2022-03-31'], // whole financial years
  ['2019-03-15', '2020-10-17'], // part-months at both ends
  ['2020-03-31', '2020-04-01'], // the financial year boundary, no whole month
  ['2020-06-05', '2020-06-20'], // inside one month
  ['2020-11-01', '2020-11-30'], // exactly one month
  ['2020-10-25', '2021-03-28'], // clock changes at both ends
  ['2020-02-29', '2020-03-01'],
];

test(`[${engineName}] the monthly counts equal a recount of the incidents after inserts, updates and deletes`, async () => {
  const recount = await sql<Record<string, number | string>>`
    SELECT c.month::text AS month, i.employee_id, sum(c.assaults)::int AS assaults, sum(c.physical_assault)::int AS physical_assault,
      sum(c.verbal_abuse)::int AS verbal_abuse, sum(c.threats)::int AS threats, sum(c.sexual_harassment)::int AS sexual_harassment,
      sum(c.police_reported)::int AS police_reported, sum(c.prosecuted)::int AS prosecuted, sum(c.successful)::int AS successful,
      sum(c.manager_meetings)::int AS manager_meetings, sum(c.police_right_told)::int AS police_right_told
    FROM incidents i CROSS JOIN LATERAL incident_monthly_contribution(ROW(1, i.employee_id, i.status, i.occurred_at, i.categories, i.police_reported,
      i.police_outcome, i.court_outcome, i.meeting_held_at, i.police_right_told_at)::incident_count_change) c
    GROUP BY 1, 2 HAVING sum(c.assaults) + sum(c.police_reported) + sum(c.prosecuted) + sum(c.successful) + sum(c.manager_meetings) + sum(c.police_right_told) > 0 ORDER BY 1, 2`.execute(
    db(),
  );
  const kept = await sql<Record<string, number | string>>`
    SELECT month::text AS month, employee_id, assaults, physical_assault, verbal_abuse, threats, sexual_harassment, police_reported, prosecuted, successful,
      manager_meetings, police_right_told
    FROM incident_monthly_counts WHERE assaults + police_reported + prosecuted + successful + manager_meetings + police_right_told > 0 ORDER BY 1, 2`.execute(
    db(),
  );
  assert.ok(recount.rows.length > 20, 'the random records fill many months');
  assert.deepEqual(kept.rows, recount.rows);
  const negative = await sql<{
    n: number;
  }>`SELECT count(*)::int AS n FROM incident_monthly_counts WHERE least(assaults, physical_assault, verbal_abuse, threats, sexual_harassment, police_reported, prosecuted, successful, manager_meetings, police_right_told) < 0`.execute(
    db(),
  );
  assert.equal(negative.rows[0]!.n, 0);
});

test(`[${engineName}] staff assaulted, assaults by type, police and prosecutions, meetings and police-right-told agree with a one-by-one count for every period and filter`, async () => {
  const rows = await incidents();
  const team = (
    await db().selectFrom('staff').select('team_id').where('id', '=', staffIds[0]!).executeTakeFirstOrThrow()
  ).team_id;
  for (const [from, to] of PERIODS) {
    for (const filter of [
      { teamId: null, jobRole: null },
      { teamId: null, jobRole: 'social_workers' },
      { teamId: team, jobRole: null },
    ]) {
      const p: StatParams = { from, to, serviceId: null, ...filter };
      const expected = oracle(rows, p);
      for (const name of ['staff-assaulted', 'assaults-by-type', 'police-and-prosecutions'] as const) {
        const table = await STATISTICS.find((s) => s.name === name)!.compute(
          { db: db(), complaints: null, actor: null },
          p,
        );
        assert.deepEqual(
          table.rows.map((r) => [r.label, ...r.cells]),
          expected[name],
          `${name} ${from}..${to} ${JSON.stringify(filter)}`,
        );
      }
      const actions = await STATISTICS.find((s) => s.name === 'actions-taken')!.compute(
        { db: db(), complaints: null, actor: null },
        p,
      );
      assert.deepEqual(
        actions.rows.slice(0, 2).map((r) => r.cells),
        expected['actions-taken'],
        `actions-taken ${from}..${to} ${JSON.stringify(filter)}`,
      );
    }
  }
});

test(`[${engineName}] the daily counts, and the police measures over assaults only, equal a one-by-one count of the incidents`, async () => {
  // Per London day (migration 0033) and per month: every measure, counted in JavaScript.
  const measures = [
    'assaults',
    'physical_assault',
    'verbal_abuse',
    'threats',
    'sexual_harassment',
    'police_reported',
    'prosecuted',
    'successful',
    'manager_meetings',
    'police_right_told',
    'assault_police_reported',
    'assault_prosecuted',
    'assault_successful',
  ] as const;
  const byDay = new Map<string, Record<string, number>>();
  const byMonth = new Map<string, Record<string, number>>();
  const add = (at: Date | null, employee: number, m: Partial<Record<(typeof measures)[number], boolean>>) => {
    if (!at) return;
    const day = londonDate(new Date(at));
    for (const [map, key] of [
      [byDay, `${day}|${employee}`],
      [byMonth, `${day.slice(0, 8)}01|${employee}`],
    ] as const) {
      const row = map.get(key) ?? Object.fromEntries(measures.map((x) => [x, 0]));
      for (const x of measures) row[x]! += m[x] ? 1 : 0;
      map.set(key, row);
    }
  };
  for (const r of await incidents()) {
    if (r.status !== 'open' && r.status !== 'closed') continue;
    const assault = r.categories.some((c) => ASSAULTS.includes(c));
    const reported = r.police_reported === true;
    const prosecuted = r.police_outcome === 'charged' || r.court_outcome !== null;
    const successful = r.court_outcome === 'convicted';
    add(r.occurred_at, r.employee_id, {
      assaults: assault,
      physical_assault: r.categories.includes('physical_assault'),
      verbal_abuse: r.categories.includes('verbal_abuse'),
      threats: r.categories.includes('threats'),
      sexual_harassment: r.categories.includes('sexual_harassment'),
      police_reported: reported,
      prosecuted,
      successful,
      assault_police_reported: assault && reported,
      assault_prosecuted: assault && prosecuted,
      assault_successful: assault && successful,
    });
    add(r.meeting_held_at, r.employee_id, { manager_meetings: true });
    add(r.police_right_told_at, r.employee_id, { police_right_told: true });
  }
  const expected = (map: Map<string, Record<string, number>>) =>
    [...map.entries()]
      .filter(([, row]) => measures.some((x) => row[x] !== 0))
      .map(([key, row]) => ({ day: key.split('|')[0], employee_id: Number(key.split('|')[1]), ...row }))
      .sort((a, b) => a.day!.localeCompare(b.day!) || a.employee_id - b.employee_id);
  const cols = sql.raw(measures.join(', '));
  const nonZero = sql.raw(measures.map((x) => `${x} <> 0`).join(' OR '));
  const daily =
    await sql`SELECT day::text AS day, employee_id, ${cols} FROM incident_daily_counts WHERE ${nonZero} ORDER BY 1, 2`.execute(
      db(),
    );
  const monthly =
    await sql`SELECT month::text AS day, employee_id, ${cols} FROM incident_monthly_counts WHERE ${nonZero} ORDER BY 1, 2`.execute(
      db(),
    );
  const sum = (x: (typeof measures)[number]) => [...byDay.values()].reduce((a, r) => a + r[x]!, 0);
  assert.ok(
    sum('assault_police_reported') > 0 && sum('assault_police_reported') < sum('police_reported'),
    'some incidents reported to the police are assaults, some not',
  );
  assert.deepEqual(daily.rows, expected(byDay));
  assert.deepEqual(monthly.rows, expected(byMonth));
});
