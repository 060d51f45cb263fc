import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { sql } from 'kysely';
import { openTestDatabase, engineName } from '../helpers/database.ts';
import { seededRandom } from '../helpers/random.ts';
import { buildRepositories } from '../../src/composition.ts';
import { seedDemo } from '../../src/demo/seed.ts';
import { buildComplaint } from '../helpers/foi.ts';
import { STATISTICS, yearBands, type StatParams } from '../../src/features/foi/statistics.ts';
import { financialYearOf } from '../../src/time/financial-year.ts';

/**
 * The complaints statistics (seeds 003 and 004) read whole months from `complaint_monthly_counts`
 * (kept by triggers, migration 0016) and part-months from the complaints. Checked here against an
 * oracle that reads the complaints one by one, after random inserts, updates and deletes of
 * complaints, the staff they name, actions and referrals.
 */
let database: Awaited<ReturnType<typeof openTestDatabase>>;
const db = () => database.db;
let staffIds: number[] = [];

const { next: rnd, pick } = seededRandom(4022012);
const ACTIONS = [
  'no_further_action',
  'apology',
  'practice_change',
  'training',
  'supervision',
  'disciplinary_investigation',
];
const EDGE_DAYS = ['2020-03-31', '2020-04-01', '2020-02-29', '2020-06-30', '2020-07-01', '2021-03-31', '2019-04-01'];
function randomDay(): string {
  if (rnd() < 0.25) return pick(EDGE_DAYS);
  return new Date(Date.parse('2019-01-01') + Math.floor(rnd() * 3 * 365) * 86400_000).toISOString().slice(0, 10);
}

before(async () => {
  database = await openTestDatabase();
  const repos = buildRepositories(database.db);
  await seedDemo(database.db, repos.audit);
  staffIds = (await db().selectFrom('staff').select('id').orderBy('id').execute()).map((s) => s.id).slice(0, 10);
  const ids: number[] = [];
  for (let i = 0; i < 300; i++) {
    const r = rnd();
    const named = new Set<number>();
    for (let k = Math.floor(rnd() * 4); k > 0; k--) named.add(pick(staffIds));
    const id = await buildComplaint(db(), {
      receivedOn: randomDay(),
      staffIds: [...named],
      household: rnd() < 0.6 ? pick(['Smith', ' smith ', 'Jones', 'Patel family', 'PATEL  family', 'Green']) : null,
      procedure: pick(['statutory_children', 'statutory_children', 'corporate', 'staff_grievance']),
      outcome: r < 0.2 ? 'upheld' : r < 0.3 ? 'partially_upheld' : r < 0.6 ? 'not_upheld' : null,
      withdrawnOn: r > 0.9 ? '2021-06-01' : null,
    });
    if (rnd() < 0.5)
      await db()
        .updateTable('complaints')
        .set({ complainant_name: pick(['Ann Lee', 'ann  lee', 'Bo Chan', null]) })
        .where('id', '=', id)
        .execute();
    if (rnd() < 0.1)
      await db()
        .updateTable('complaints')
        .set({ not_investigated_on: '2021-01-01', not_investigated_reason: 'Police investigation' })
        .where('id', '=', id)
        .execute();
    if (rnd() < 0.4)
      await db()
        .insertInto('complaint_actions')
        .values({ complaint_id: id, staff_id: named.size ? [...named][0]! : null, kind: pick(ACTIONS) })
        .execute();
    if (rnd() < 0.15)
      await db()
        .insertInto('complaint_referrals')
        .values({ complaint_id: id, body: pick(['swe', 'lgsco']), referred_on: '2021-02-01' })
        .execute();
    ids.push(id);
  }
  // Changes of every kind the counts depend on.
  for (let i = 0; i < 120; i++) {
    const id = pick(ids);
    const change = Math.floor(rnd() * 8);
    if (change === 0)
      await db()
        .updateTable('complaints')
        .set({ outcome: pick(['upheld', 'not_upheld', null]) })
        .where('id', '=', id)
        .execute();
    else if (change === 1)
      await db()
        .updateTable('complaints')
        .set({ withdrawn_on: pick(['2021-07-01', null]) })
        .where('id', '=', id)
        .execute();
    else if (change === 2)
      await db().updateTable('complaints').set({ received_on: randomDay() }).where('id', '=', id).execute();
    else if (change === 3)
      await db()
        .insertInto('complaint_staff')
        .values({ complaint_id: id, staff_id: pick(staffIds) })
        .onConflict((oc) => oc.doNothing())
        .execute();
    else if (change === 4) await db().deleteFrom('complaint_staff').where('complaint_id', '=', id).execute();
    else if (change === 5)
      await db()
        .insertInto('complaint_actions')
        .values({ complaint_id: id, staff_id: null, kind: pick(ACTIONS) })
        .execute();
    else if (change === 6) await db().deleteFrom('complaint_actions').where('complaint_id', '=', id).execute();
    else
      await db()
        .updateTable('complaints')
        .set({ household: pick(['Smith', 'Jones', null]), procedure: pick(['statutory_children', 'corporate']) })
        .where('id', '=', id)
        .execute();
  }
  // A bulk update, and a complaint removed altogether.
  await db().updateTable('complaints').set({ outcome: 'not_upheld' }).where('id', 'in', ids.slice(0, 40)).execute();
  await db().deleteFrom('complaint_actions').where('complaint_id', '=', ids[50]!).execute();
  await db().deleteFrom('complaint_referrals').where('complaint_id', '=', ids[50]!).execute();
  await db().deleteFrom('complaint_staff').where('complaint_id', '=', ids[50]!).execute();
  await db().deleteFrom('complaints').where('id', '=', ids[50]!).execute();
});
after(() => database.drop());

interface Complaint {
  id: number;
  received_on: string;
  procedure: string;
  withdrawn_on: string | null;
  not_investigated_on: string | null;
  outcome: string | null;
  household: string | null;
  complainant_name: string | null;
  staff: number[];
  actions: string[];
  referredTo: string[];
}
async function complaints(): Promise<Complaint[]> {
  const rows = await sql<
    Omit<Complaint, 'staff' | 'actions' | 'referredTo'>
  >`SELECT id, received_on::text AS received_on, procedure, withdrawn_on::text AS withdrawn_on,
    not_investigated_on::text AS not_investigated_on, outcome, household, complainant_name FROM complaints`.execute(
    db(),
  );
  const staff = await db().selectFrom('complaint_staff').select(['complaint_id', 'staff_id']).execute();
  const actions = await db().selectFrom('complaint_actions').select(['complaint_id', 'kind']).execute();
  const referrals = await db().selectFrom('complaint_referrals').select(['complaint_id', 'body']).execute();
  return rows.rows.map((c) => ({
    ...c,
    staff: staff.filter((s) => s.complaint_id === c.id).map((s) => s.staff_id),
    actions: [...new Set(actions.filter((a) => a.complaint_id === c.id).map((a) => a.kind))],
    referredTo: referrals.filter((r) => r.complaint_id === c.id).map((r) => r.body),
  }));
}

const outcomeKey = (c: Complaint) =>
  c.withdrawn_on ? 'withdrawn' : c.not_investigated_on ? 'not_investigated' : (c.outcome ?? 'open');
const norm = (v: string | null) =>
  (v ?? '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, ' ')
    .trim() || null;
const group = (c: Complaint) =>
  norm(c.household)
    ? `household:${norm(c.household)}`
    : norm(c.complainant_name)
      ? `person:${norm(c.complainant_name)}`
      : `complaint:${c.id}`;

function oracle(
  all: Complaint[],
  p: StatParams,
  staffRole: Map<number, { job_role: string | null; team_id: number | null }>,
) {
  const matches = (id: number) => {
    const s = staffRole.get(id)!;
    return (
      (p.teamId === null || s.team_id === p.teamId) &&
      (p.jobRole === null ||
        (p.jobRole === 'social_workers'
          ? ['social_worker', 'senior_practitioner'].includes(s.job_role ?? '')
          : s.job_role === p.jobRole))
    );
  };
  const filtered = p.teamId !== null || p.jobRole !== null;
  const inPeriod = all.filter((c) => c.received_on >= p.from && c.received_on <= p.to);
  const counted = inPeriod.filter((c) => !filtered || c.staff.some(matches));
  const bands = yearBands(p);
  const ofYear = (cs: Complaint[], y: number) => cs.filter((c) => financialYearOf(c.received_on) === y);
  const statutory = counted.filter((c) => c.procedure === 'statutory_children');
  const perStaff = new Map<number, Set<string>>();
  for (const c of inPeriod)
    for (const s of c.staff) if (matches(s)) perStaff.set(s, (perStaff.get(s) ?? new Set()).add(group(c)));
  const concluded = ['upheld', 'partially_upheld', 'not_upheld'];
  return {
    // Investigated means concluded after an investigation; still open is its own column.
    'complaints-by-year': bands.map(({ fy, label }) => {
      const cs = ofYear(statutory, fy);
      const key = (k: string) => cs.filter((c) => outcomeKey(c) === k).length;
      return [
        label,
        cs.length,
        cs.filter((c) => concluded.includes(outcomeKey(c))).length,
        key('open'),
        key('withdrawn'),
        key('not_investigated'),
        cs.filter((c) => ['upheld', 'partially_upheld'].includes(outcomeKey(c))).length,
      ];
    }),
    // Concerns raised by staff count too ("from unrelated service users or staff").
    'complaints-about-staff': ['upheld', 'partially_upheld', 'not_upheld', 'withdrawn', 'not_investigated', 'open'].map(
      (k) => bands.map(({ fy }) => ofYear(counted, fy).filter((c) => outcomeKey(c) === k).length),
    ),
    actions: [
      ...ACTIONS.map((a) => counted.filter((c) => c.actions.includes(a)).length),
      counted.filter((c) => c.referredTo.includes('swe')).length,
      counted.filter((c) => c.referredTo.includes('lgsco')).length,
    ],
    'staff-with-repeat-complaints': [...perStaff.values()].filter((g) => g.size >= 2).length,
  };
}

const PERIODS: [string, string][] = [
  ['2019-04-01', '2022-03-31'],
  ['2019-03-15', '2020-10-17'],
  ['2020-03-31', '2020-04-01'],
  ['2020-06-05', '2020-06-30'],
  ['2020-02-01', '2020-02-29'],
  ['2020-07-01', '2021-03-31'],
];

/** The complaints counted afresh by `period` (a to_char format: a month's or a day's first day), procedure, staff named and key. */
const recount = (period: string) =>
  sql<{ month: string; procedure: string; staff_ids: string; key: string; n: number }>`
    WITH facts AS (
      SELECT c.*, coalesce((SELECT array_agg(DISTINCT cs.staff_id ORDER BY cs.staff_id) FROM complaint_staff cs WHERE cs.complaint_id = c.id), '{}') AS staff,
        ARRAY(SELECT DISTINCT 'action_' || a.kind FROM complaint_actions a WHERE a.complaint_id = c.id
          UNION SELECT 'referred' FROM complaint_referrals r WHERE r.complaint_id = c.id
          UNION SELECT CASE WHEN r.body = 'lgsco' THEN 'referred_ombudsman' ELSE 'referred_regulator' END FROM complaint_referrals r WHERE r.complaint_id = c.id) AS keys
      FROM complaints c)
    SELECT to_char(received_on, ${period}) AS month, procedure, staff::text AS staff_ids, k AS key, count(*)::int AS n
    FROM facts CROSS JOIN LATERAL unnest(complaint_outcome_key(withdrawn_on, not_investigated_on, outcome) || keys) AS k
    GROUP BY 1, 2, 3, 4 ORDER BY 1, 2, 4, 3`.execute(db());

test(`[${engineName}] the monthly complaint counts and the staff complainant groups equal a recount of the complaints, their staff, actions and referrals`, async () => {
  const monthly = await recount('YYYY-MM-01');
  const kept =
    await sql`SELECT month::text AS month, procedure, staff_ids::text AS staff_ids, key, n FROM complaint_monthly_counts WHERE n <> 0 ORDER BY 1, 2, 4, 3`.execute(
      db(),
    );
  assert.ok(monthly.rows.length > 50);
  assert.ok(
    monthly.rows.some((r) => r.key === 'referred_ombudsman') &&
      monthly.rows.some((r) => r.key === 'referred_regulator'),
    'both kinds of referral are counted',
  );
  assert.deepEqual(kept.rows, monthly.rows);
  // The daily counts (migration 0033) that the part-months at either end of a period are read from.
  const daily = await recount('YYYY-MM-DD');
  const keptDaily =
    await sql`SELECT day::text AS month, procedure, staff_ids::text AS staff_ids, key, n FROM complaint_daily_counts WHERE n <> 0 ORDER BY 1, 2, 4, 3`.execute(
      db(),
    );
  assert.deepEqual(keptDaily.rows, daily.rows);
  const groups =
    await sql`SELECT cs.staff_id, c.received_on::text AS received_on, coalesce(c.complainant_group, 'complaint:' || c.id) AS group_key, count(*)::int AS n
    FROM complaint_staff cs JOIN complaints c ON c.id = cs.complaint_id GROUP BY 1, 2, 3 ORDER BY 1, 2, 3`.execute(
      db(),
    );
  const keptGroups =
    await sql`SELECT staff_id, received_on::text AS received_on, group_key, n FROM complaint_staff_groups WHERE n <> 0 ORDER BY 1, 2, 3`.execute(
      db(),
    );
  assert.deepEqual(keptGroups.rows, groups.rows);
});

test(`[${engineName}] complaints received/investigated/withdrawn/upheld, by outcome with actions, and repeat complaints agree with a one-by-one count`, async () => {
  const all = await complaints();
  const staffRole = new Map(
    (await db().selectFrom('staff').select(['id', 'job_role', 'team_id']).execute()).map((s) => [s.id, s]),
  );
  const team = staffRole.get(staffIds[0]!)!.team_id;
  const compute = (name: string, p: StatParams) =>
    STATISTICS.find((s) => s.name === name)!.compute({ db: db(), complaints: null, actor: null }, p);
  for (const [from, to] of PERIODS) {
    for (const filter of [
      { teamId: null, jobRole: null },
      { teamId: null, jobRole: 'social_workers' },
      { teamId: team, jobRole: null },
    ]) {
      const p: StatParams = { from, to, serviceId: null, ...filter };
      const label = `${from}..${to} ${JSON.stringify(filter)}`;
      const expected = oracle(all, p, staffRole);
      assert.deepEqual(
        (await compute('complaints-by-year', p)).rows.map((r) => [r.label, ...r.cells]),
        expected['complaints-by-year'],
        `by year ${label}`,
      );
      const about = await compute('complaints-about-staff', p);
      assert.deepEqual(
        about.rows.map((r) => r.cells),
        expected['complaints-about-staff'],
        `about staff ${label}`,
      );
      assert.deepEqual(
        (about.counts ?? []).map((c) => c.value),
        expected.actions,
        `actions and referrals ${label}`,
      );
      assert.deepEqual(
        (await compute('staff-with-repeat-complaints', p)).rows[0]!.cells,
        [expected['staff-with-repeat-complaints']],
        `repeat ${label}`,
      );
    }
  }
});
