import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { WITHHELD, protect, redacted, type Period, type ProtectedTable, type StatTable } from './disclosure.ts';
import { audit, type AuditProblem } from './audit.ts';

/**
 * Releases of one statistic over overlapping periods AND populations (issue 16), against an
 * intruder that combines them every way at once. The intruder is written apart from the engine and
 * reads only what is published: each figure's period (its row's dates, else the release's), its
 * categories (from the column heading; a total counts every column of its table) and its population
 * (the team the release was asked for, or all staff; teams share nobody). It writes every figure as
 * the sum of the counts of the finest groups (a month, one category, one team or the rest of the
 * staff) and solves, for every withheld figure, its range, and for every group a reader could name
 * (a run of months, one category or all, one team, the rest or all staff) the range of its count.
 * No combination of releases is left untried: sums over several releases, populations subtracted
 * from the whole, overlaps.
 */

const MONTHS = 6;
const CATEGORIES = ['Column A', 'Column B'];
/** Teams 1 and 2, and the rest of the staff (no team asked for). */
const POPULATIONS = [1, 2, 0];

/** Month m of 2025, first to last day: the releases' days leave no gap between months. */
const month = (m: number): Period => ({
  from: `2025-${String(m + 1).padStart(2, '0')}-01`,
  to: new Date(Date.UTC(2025, m + 1, 0)).toISOString().slice(0, 10),
});
const span = (a: number, b: number): Period => ({ from: month(a).from, to: month(b).to });
const monthOf = (date: string) => Number(date.slice(5, 7)) - 1;

interface Release {
  from: number;
  to: number;
  split: number | null;
  columnTotals: boolean;
  team: number | null;
}

/** counts[month][category][population] */
type Counts = number[][][];

function release(counts: Counts, r: Release) {
  const bands =
    r.split === null
      ? [[r.from, r.to]]
      : [
          [r.from, r.split - 1],
          [r.split, r.to],
        ];
  const inScope = (p: number) => r.team === null || POPULATIONS[p] === r.team;
  const table: StatTable = {
    title: 'Incidents by type',
    rowHeader: 'Period',
    columns: CATEGORIES,
    rows: bands.map(([a, b], i) => ({
      label: `Band ${'AB'[i]}`,
      cells: CATEGORIES.map((_, c) => {
        let n = 0;
        for (let m = a!; m <= b!; m++) counts[m]![c]!.forEach((v, p) => (n += inScope(p) ? v : 0));
        return n;
      }),
    })),
    rowTotals: true,
    columnTotals: r.columnTotals && bands.length > 1,
    rowPeriods: bands.map(([a, b]) => span(a!, b!)),
  };
  const scope = {
    statistic: 'incidents-by-type',
    ...span(r.from, r.to),
    teamId: r.team,
    serviceId: null,
    jobRole: null,
  };
  return { table, scope };
}

async function publish(counts: Counts, releases: Release[]): Promise<ProtectedTable[]> {
  const out: ProtectedTable[] = [];
  for (const r of releases) {
    const { table, scope } = release(counts, r);
    out.push(redacted(await protect(table, { scope, prior: out })));
  }
  return out;
}

/** The intruder: every figure as a sum of the finest groups, then every nameable group's range. */
async function intrude(tables: ProtectedTable[], threshold = 4) {
  const atom = (m: number, c: number, p: number) => (m * CATEGORIES.length + c) * POPULATIONS.length + p;
  const nAtoms = MONTHS * CATEGORIES.length * POPULATIONS.length;
  const figures: AuditProblem['figures'] = Array.from({ length: nAtoms }, () => ({ published: null }));
  const equations: AuditProblem['equations'] = [];
  const smallPublished: number[] = [];
  for (const t of tables) {
    const pops = POPULATIONS.map((_, p) => p).filter(
      (p) => t.scope!.teamId === null || POPULATIONS[p] === t.scope!.teamId,
    );
    const catsOf = (label: string) => (label.match(/Column [A-D]/g) ?? []).map((c) => CATEGORIES.indexOf(c));
    const all = t.columns.flatMap(catsOf);
    const whole = { from: t.scope!.from, to: t.scope!.to };
    const lines = [
      ...t.rows.map((r, i) => ({ cells: [...r.cells, ...(r.total ? [r.total] : [])], period: t.rowPeriods![i]! })),
      ...(t.columnTotals
        ? [{ cells: [...t.columnTotals, ...(t.grandTotal ? [t.grandTotal] : [])], period: whole }]
        : []),
    ];
    for (const line of lines)
      line.cells.forEach((cell, j) => {
        const published = cell.text === WITHHELD ? null : Number(cell.text);
        if (published !== null && published >= 1 && published <= threshold) smallPublished.push(published);
        figures.push({ published });
        const parts: number[] = [];
        for (let m = monthOf(line.period.from); m <= monthOf(line.period.to); m++)
          for (const c of j < t.columns.length ? catsOf(t.columns[j]!) : all)
            for (const p of pops) parts.push(atom(m, c, p));
        equations.push({ total: figures.length - 1, parts });
      });
  }
  const check = figures.map((f, i) => (i >= nAtoms && f.published === null ? i : -1)).filter((i) => i >= 0);
  const groups: number[][] = [];
  const catSets = [...CATEGORIES.map((_, c) => [c]), CATEGORIES.map((_, c) => c)];
  const popSets = [...POPULATIONS.map((_, p) => [p]), POPULATIONS.map((_, p) => p)];
  for (let a = 0; a < MONTHS; a++)
    for (let b = a; b < MONTHS; b++)
      for (const cs of catSets)
        for (const ps of popSets) {
          const g: number[] = [];
          for (let m = a; m <= b; m++) for (const c of cs) for (const p of ps) g.push(atom(m, c, p));
          groups.push(g);
        }
  const result = await audit({ figures, equations, inclusions: [], check, differences: [], groups }, threshold);
  return { ...result, smallPublished, exposed: (result.exposed ?? []).map((x) => ({ ...x, group: groups[x.group] })) };
}

async function assertSafe(tables: ProtectedTable[]) {
  const a = await intrude(tables);
  assert.ok(a.feasible, 'the releases are consistent');
  assert.deepEqual(a.smallPublished, [], 'no count from 1 to 4 is published');
  assert.deepEqual(a.pinned, [], 'no withheld figure is narrowed below the threshold');
  assert.deepEqual(a.exposed, [], 'no group a reader can name is narrowed to a possible small count');
}

/** Counts with every month and category empty but those given: [month, category, population, n]. */
const countsWith = (...entries: [number, number, number, number][]): Counts => {
  const c = Array.from({ length: MONTHS }, () => CATEGORIES.map(() => POPULATIONS.map(() => 0)));
  for (const [m, k, p, n] of entries) c[m]![k]![p] = n;
  return c;
};

test('populations subtracted: all staff less team 1 less team 2 does not give the rest of the staff', async () => {
  // All staff 12 in January (A), team 1 has 5 and team 2 has 5: the rest of the staff had 2. The
  // engine checked all staff against one team at a time (12 − 5 = 7, fine) and missed the sum.
  const counts = countsWith([0, 0, 0, 5], [0, 0, 1, 5], [0, 0, 2, 2]);
  const jan = { from: 0, to: 0, split: null, columnTotals: false };
  const tables = await publish(counts, [
    { ...jan, team: null },
    { ...jan, team: 1 },
    { ...jan, team: 2 },
  ]);
  await assertSafe(tables);
});

test('two releases overlapping in time: what they count in common is not a small count', async () => {
  // January–March 10 and February–June 10 (B), with January 5 (A and B) and April–June 5 shown
  // before: February–March is 10 − 5 = 5 from the first and 10 − 5 = 5 from the second; all fine.
  // But January–March by category with A 9 gives B's January–March as 1.
  const counts = countsWith([0, 1, 0, 5], [1, 1, 0, 3], [2, 0, 0, 9], [3, 1, 0, 5]);
  const tables = await publish(counts, [
    { from: 0, to: 3, split: null, columnTotals: false, team: null },
    { from: 0, to: 2, split: null, columnTotals: false, team: null },
    { from: 1, to: 3, split: 3, columnTotals: true, team: null },
  ]);
  await assertSafe(tables);
});

test('property: releases over overlapping periods and teams, some coarsened, leave the intruder nothing', async () => {
  const value = fc.oneof(
    { weight: 4, arbitrary: fc.constant(0) },
    { weight: 3, arbitrary: fc.integer({ min: 1, max: 3 }) },
    { weight: 2, arbitrary: fc.integer({ min: 4, max: 12 }) },
  );
  const releaseArb = fc
    .record({
      from: fc.integer({ min: 0, max: MONTHS - 1 }),
      length: fc.integer({ min: 0, max: MONTHS - 1 }),
      split: fc.option(fc.integer({ min: 1, max: MONTHS - 1 })),
      columnTotals: fc.boolean(),
      team: fc.constantFrom(null, null, 1, 2),
    })
    .map(({ from, length, split, columnTotals, team }) => {
      const to = Math.min(MONTHS - 1, from + length);
      return { from, to, split: split !== null && from + split <= to ? from + split : null, columnTotals, team };
    });
  const countsArb = fc.array(
    fc.array(fc.array(value, { minLength: POPULATIONS.length, maxLength: POPULATIONS.length }), {
      minLength: CATEGORIES.length,
      maxLength: CATEGORIES.length,
    }),
    { minLength: MONTHS, maxLength: MONTHS },
  );
  await fc.assert(
    fc.asyncProperty(countsArb, fc.array(releaseArb, { minLength: 2, maxLength: 4 }), async (counts, releases) => {
      await assertSafe(await publish(counts, releases));
    }),
    { numRuns: Number(process.env.HARBOUR_PROPERTY_RUNS ?? 40) },
  );
});

test('people counted once over a period are linked to each year without being added up', async () => {
  // Staff assaulted: 6 in each of two years, 8 over both (four were assaulted in both years). Read
  // as sums, 6 + 6 > 8 made the releases contradict each other and one was left out of the audit.
  const year = (from: string, to: string, n: number) => ({
    table: {
      title: 'Staff assaulted',
      rowHeader: 'Period',
      columns: ['Members of staff assaulted'],
      rows: [{ label: `${from} to ${to}`, cells: [n] }],
      rowTotals: false,
      columnTotals: false,
      rowPeriods: [{ from, to }],
      oncePerPerson: true,
    } satisfies StatTable,
    scope: { statistic: 'staff-assaulted', from, to, teamId: null, serviceId: null, jobRole: null },
  });
  const releases = [year('2023-04-01', '2024-03-31', 6), year('2024-04-01', '2025-03-31', 6)];
  const prior: ProtectedTable[] = [];
  for (const r of releases) prior.push(redacted(await protect(r.table, { scope: r.scope, prior })));
  const whole = year('2023-04-01', '2025-03-31', 8);
  const t = await protect(whole.table, { scope: whole.scope, prior });
  assert.equal(t.audit!.linkedTables, 2);
  // 8 − 6: two people assaulted in the second year and not the first.
  assert.equal(t.rows[0]!.cells[0]!.text, WITHHELD);
});

test('a leak between releases published before is reported, not held against the new table', async () => {
  // All staff 12 and team 1 10 in January went out unprotected (before this audit): the rest of
  // the staff had 2. A table for team 2 cannot undo that; the officer is told.
  const counts = countsWith([0, 0, 0, 10], [0, 0, 2, 2]);
  const jan = { from: 0, to: 0, split: null, columnTotals: false };
  const prior: ProtectedTable[] = [];
  for (const team of [null, 1]) {
    const { table, scope } = release(counts, { ...jan, team });
    prior.push(redacted(await protect(table, { scope, threshold: 0 })));
  }
  const { table, scope } = release(counts, { ...jan, team: 2 });
  const t = await protect(table, { scope, prior });
  assert.ok(t.audit!.earlierLeaks! >= 1);
  assert.equal(t.audit!.passed, true);
});

test('staff assaulted by year and over the whole period: no year is worked out from the whole', async () => {
  // Incidents 3 and 10 by year, 13 over both: with the year's 3 withheld and 13 shown, 13 − 10 = 3.
  // Staff 2 and 6 by year, 7 over both: 7 − 6 = 1 person assaulted only in the first year.
  const t = redacted(
    await protect(
      {
        title: 'Staff assaulted',
        rowHeader: 'Financial year',
        columns: ['Incidents of assault', 'Members of staff assaulted'],
        rows: [
          { label: '2023/24', cells: [3, 2] },
          { label: '2024/25', cells: [10, 6] },
          { label: 'Whole period', cells: [13, 7] },
        ],
        rowTotals: false,
        columnTotals: false,
        rowPeriods: [
          { from: '2023-04-01', to: '2024-03-31' },
          { from: '2024-04-01', to: '2025-03-31' },
          { from: '2023-04-01', to: '2025-03-31' },
        ],
        oncePerPerson: ['Members of staff assaulted'],
      },
      {
        scope: {
          statistic: 'staff-assaulted',
          from: '2023-04-01',
          to: '2025-03-31',
          teamId: null,
          serviceId: null,
          jobRole: null,
        },
      },
    ),
  );
  const [incidents, staff] = [0, 1].map((c) => t.rows.map((r) => r.cells[c]!.text));
  assert.ok(incidents!.includes(WITHHELD));
  assert.ok(
    !(incidents![1] !== WITHHELD && incidents![2] !== WITHHELD),
    'the second year and the whole are not both shown',
  );
  assert.ok(!(staff![1] !== WITHHELD && staff![2] !== WITHHELD), 'nor the staff of the second year and of the whole');
});

test('a team less its own service: the rest of the service is not a small count', async () => {
  // Service 1 had 12 in the year, its team 3 had 10: the rest of the service had 2. The team's
  // release says which service it lies in, so the intruder's subtraction is the audit's too.
  const one = (n: number): StatTable => ({
    title: 'Dismissals',
    rowHeader: 'Period',
    columns: ['Dismissals'],
    rows: [{ label: 'The year', cells: [n] }],
    rowTotals: false,
    columnTotals: false,
  });
  const year = { statistic: 'staff-dismissed', from: '2024-04-01', to: '2025-03-31', jobRole: null };
  const service = redacted(await protect(one(12), { scope: { ...year, teamId: null, serviceId: 1 } }));
  assert.equal(service.rows[0]!.cells[0]!.text, '12');
  const team = await protect(one(10), {
    scope: { ...year, teamId: 3, serviceId: null, teamServiceId: 1 },
    prior: [service],
  });
  assert.equal(team.rows[0]!.cells[0]!.text, WITHHELD, '12 − 10 = 2 in the rest of the service');
  // A team of another service is not inside service 1: nothing to subtract.
  const elsewhere = await protect(one(10), {
    scope: { ...year, teamId: 4, serviceId: null, teamServiceId: 2 },
    prior: [service],
  });
  assert.equal(elsewhere.rows[0]!.cells[0]!.text, '10');
});
