import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  WITHHELD,
  protect,
  toRows,
  redacted,
  type Period,
  type ProtectedTable,
  type Scope,
  type StatTable,
} from './disclosure.ts';
import { audit, type AuditProblem } from './audit.ts';

/**
 * Differencing across releases of one statistic (issue 16) when a release was coarsened: an
 * intruder subtracts an earlier table by category from a later table whose categories were merged
 * (or the other way round) over overlapping periods. The intruder here is written apart from the
 * engine: it reads only the published text, works out from each column's heading which categories
 * it counts ("Column A and Column B" counts A and B; a total counts every column of its table) and
 * links every figure to every figure of another release that counts a superset over a period that
 * holds its own. Then it solves each withheld figure's range and each linked difference's range.
 */

/** Month m of 2025 as a period (days 1 to 28: only order matters to the links). */
const months = (from: number, to: number): Period => ({
  from: `2025-${String(from + 1).padStart(2, '0')}-01`,
  to: `2025-${String(to + 1).padStart(2, '0')}-28`,
});
const letters = 'ABCD';

interface Release {
  from: number;
  to: number;
  split: number | null;
  columnTotals: boolean;
}

/** The table of a release from counts by month and category: rows are sub-periods, columns categories (which add up). */
function release(counts: number[][], r: Release): { table: StatTable; scope: Scope } {
  const n = counts[0]!.length;
  const bands =
    r.split === null
      ? [[r.from, r.to]]
      : [
          [r.from, r.split - 1],
          [r.split, r.to],
        ];
  const rowPeriods = bands.map(([a, b]) => months(a!, b!));
  const table: StatTable = {
    title: 'Incidents by type',
    rowHeader: 'Period',
    columns: Array.from({ length: n }, (_, c) => `Column ${letters[c]}`),
    rows: bands.map(([a, b], i) => ({
      label: `Band ${letters[i]}`,
      cells: Array.from({ length: n }, (_, c) => counts.slice(a, b! + 1).reduce((s, m) => s + m[c]!, 0)),
    })),
    rowTotals: true,
    columnTotals: r.columnTotals && bands.length > 1,
    rowPeriods,
  };
  return {
    table,
    scope: { statistic: 'incidents-by-type', ...months(r.from, r.to), teamId: null, serviceId: null, jobRole: null },
  };
}

/** The intruder: every withheld figure's range and every linked difference's range, from the published text. */
async function intrude(tables: ProtectedTable[], threshold = 4) {
  const figures: AuditProblem['figures'] = [];
  const equations: AuditProblem['equations'] = [];
  const described: { table: number; cats: Set<string>; period: Period }[] = [];
  tables.forEach((t, k) => {
    const cats = (label: string) => new Set(label.match(/Column [A-D]/g) ?? []);
    const all = new Set(t.columns.flatMap((c) => [...cats(c)]));
    const whole = { from: t.scope!.from, to: t.scope!.to };
    const lines = [
      ...t.rows.map((r, i) => ({ cells: [...r.cells, ...(r.total ? [r.total] : [])], period: t.rowPeriods![i]! })),
      ...(t.columnTotals
        ? [{ cells: [...t.columnTotals, ...(t.grandTotal ? [t.grandTotal] : [])], period: whole }]
        : []),
    ];
    const grid = lines.map((line) =>
      line.cells.map((c, j) => {
        figures.push({ published: c.text === WITHHELD ? null : Number(c.text) });
        described.push({ table: k, cats: j < t.columns.length ? cats(t.columns[j]!) : all, period: line.period });
        return figures.length - 1;
      }),
    );
    const nCols = t.columns.length;
    if (t.rows[0]?.total) for (const line of grid) equations.push({ total: line[nCols]!, parts: line.slice(0, nCols) });
    if (t.columnTotals)
      for (let c = 0; c < grid[0]!.length; c++)
        equations.push({ total: grid[grid.length - 1]![c]!, parts: grid.slice(0, -1).map((l) => l[c]!) });
  });
  // Every figure is at most each figure of another release that counts all it counts; and each
  // figure holds the sum of the largest figures of the other releases inside it that share no
  // category or no day: that difference (a month, the categories a merged column adds) must not
  // be a small count.
  type D = (typeof described)[number];
  const inside = (s: D, l: D) =>
    s.table !== l.table &&
    [...s.cats].every((c) => l.cats.has(c)) &&
    l.period.from <= s.period.from &&
    s.period.to <= l.period.to;
  const apart = (x: D, y: D) =>
    x.period.to < y.period.from || y.period.to < x.period.from || ![...x.cats].some((c) => y.cats.has(c));
  const inclusions: AuditProblem['inclusions'] = [];
  const differences: number[] = [];
  described.forEach((l, j) => {
    const inner = described.map((s, i) => ({ s, i })).filter(({ s }) => inside(s, l));
    for (const { i } of inner) inclusions.push({ small: i, large: j });
    const largest = inner.filter(
      ({ s, i }) =>
        !inner.some(
          (o) => o.i !== i && inside(s, { ...o.s, table: -1 }) && (!inside(o.s, { ...s, table: -1 }) || o.i < i),
        ),
    );
    const sum: number[] = [];
    for (const x of largest.sort((p, q) => q.s.cats.size - p.s.cats.size))
      if (sum.every((i) => apart(described[i]!, x.s))) sum.push(x.i);
    if (sum.length) {
      differences.push(inclusions.length);
      inclusions.push({ small: sum[0]!, also: sum.slice(1), large: j });
    }
  });
  const check = figures.map((f, i) => (f.published === null ? i : -1)).filter((i) => i >= 0);
  const result = await audit({ figures, equations, inclusions, check, differences }, threshold);
  return {
    ...result,
    smallPublished: figures.filter((f) => f.published !== null && f.published >= 1 && f.published <= threshold),
  };
}

/** Each release protected in turn, with the earlier ones (as published) as its priors. */
async function publish(counts: number[][], releases: Release[]): Promise<ProtectedTable[]> {
  const out: ProtectedTable[] = [];
  for (const r of releases) {
    const { table, scope } = release(counts, r);
    out.push(redacted(await protect(table, { scope, prior: out })));
  }
  return out;
}

async function assertSafe(tables: ProtectedTable[]) {
  const a = await intrude(tables);
  assert.ok(a.feasible, 'the releases are consistent');
  assert.deepEqual(a.smallPublished, [], 'no count from 1 to 4 is published');
  assert.deepEqual(a.pinned, [], 'no withheld figure is narrowed below the threshold');
  assert.deepEqual(a.revealed, [], 'no difference between linked figures is narrowed to a possible small count');
}

const counts = [
  [0, 0],
  [0, 1],
  [0, 0],
  [5, 0],
  [0, 2],
  [0, 3],
];
const earlier: Release = { from: 2, to: 5, split: 4, columnTotals: false };
const later: Release = { from: 1, to: 5, split: null, columnTotals: false };

test('an earlier release by category and a later, longer one with categories merged: the difference is not a small count', async () => {
  // March to June by category: A 5 and B 0 in March–April, A 0 and B 5 in May–June, all published.
  // February to June (B had 1 in February): merged into one column it read 11, and 11 − 5 − 5 = 1
  // gave away February. Now the later release is audited against the earlier one cell by cell.
  const [first, second] = await publish(counts, [earlier, later]);
  assert.deepEqual(
    toRows(first!)
      .slice(1)
      .map((r) => r.slice(1)),
    [
      ['5', '0', '5'],
      ['0', '5', '5'],
    ],
  );
  assert.notDeepEqual(toRows(second!).slice(1), [['Band A', '11', '11']]);
  assert.equal(second!.audit!.linkedTables, 1);
  await assertSafe([first!, second!]);
});

test('the other way round: a longer release first, then a shorter one inside it, coarsened to be safe', async () => {
  // February to June: A 5, B 6, total 11. March to June by two bands, published as it stood (A 5
  // in March–April shown, May–June's A and B withheld, total 5), gave May–June's A as 5 − 5 = 0, so
  // its B as 5, and February's B as 6 − 0 − 5 = 1. Its categories are merged instead.
  const [first, second] = await publish(counts, [later, earlier]);
  assert.deepEqual(toRows(first!).slice(1), [['Band A', '5', '6', '11']]);
  assert.deepEqual(second!.coarsened, ['Every column merged into one']);
  assert.deepEqual(second!.columnKeys, [['Column A', 'Column B']]);
  await assertSafe([first!, second!]);
});

test('a release saved before the categories each figure counts were kept is linked by its labels', async () => {
  const [first] = await publish(counts, [earlier]);
  // As saved in the disclosure log before: no rowKeys or columnKeys.
  const { rowKeys: _r, columnKeys: _c, ...saved } = first!;
  const { table, scope } = release(counts, later);
  const second = redacted(await protect(table, { scope, prior: [saved] }));
  assert.equal(second.audit!.linkedTables, 1);
  await assertSafe([saved, second]);
});

test('property: releases over overlapping periods, some coarsened, leave the intruder nothing', async () => {
  const value = fc.oneof(
    { weight: 3, arbitrary: fc.integer({ min: 0, max: 3 }) },
    { weight: 1, arbitrary: fc.integer({ min: 0, max: 20 }) },
  );
  const releaseArb = fc
    .record({
      from: fc.integer({ min: 0, max: 5 }),
      length: fc.integer({ min: 0, max: 5 }),
      split: fc.option(fc.integer({ min: 1, max: 5 })),
      columnTotals: fc.boolean(),
    })
    .map(({ from, length, split, columnTotals }) => {
      const to = Math.min(5, from + length);
      return { from, to, split: split !== null && from + split <= to ? from + split : null, columnTotals };
    });
  await fc.assert(
    fc.asyncProperty(
      fc
        .integer({ min: 2, max: 4 })
        .chain((n) => fc.array(fc.array(value, { minLength: n, maxLength: n }), { minLength: 6, maxLength: 6 })),
      fc.array(releaseArb, { minLength: 2, maxLength: 3 }),
      async (counts, releases) => {
        await assertSafe(await publish(counts, releases));
      },
    ),
    { numRuns: 150 },
  );
});

// Found by the property above with three releases: January–February (5, categories merged), then
// January–April (11), then February and March by category. March's 5 was published, and the
// intruder took January–April less January–February less March: 11 − 5 − 5 = 1 in April. The
// engine summed an earlier figure only against the new table's; now against every release together.
test('three releases: an earlier pair differenced against each other leaves the intruder nothing', async () => {
  const counts = [
    [0, 0],
    [2, 3],
    [0, 5],
    [0, 1],
    [0, 0],
    [0, 0],
  ];
  await assertSafe(
    await publish(counts, [
      { from: 0, to: 1, split: null, columnTotals: false },
      { from: 0, to: 3, split: null, columnTotals: false },
      { from: 1, to: 2, split: 2, columnTotals: false },
    ]),
  );
});

test('an earlier withheld column total is not worked out once a new release pins a cell of its column', async () => {
  // February to June in two bands (February; March to June) with column totals: February's cells
  // and A's total withheld, March–June's A shown (6). January–February's A (0) then gave February's
  // A as 0 and A's total as 6: the earlier table's own withheld figures are audited too.
  const counts = [
    [0, 0, 0, 0],
    [0, 2, 7, 2],
    [0, 1, 0, 0],
    [6, 3, 0, 0],
    [0, 0, 2, 6],
    [0, 1, 3, 1],
  ];
  await assertSafe(
    await publish(counts, [
      { from: 1, to: 5, split: 2, columnTotals: true },
      { from: 0, to: 1, split: null, columnTotals: false },
    ]),
  );
});

test('a figure an earlier release already gives is shown, not withheld to no purpose', async () => {
  // May (5 in D) was published, then January to June (12). April–May by month must hide April
  // (12 − 5 − April's 5 gives the other months' 2); May's figures, the same as those published
  // for May, are shown rather than withheld and worked out all the same.
  const counts = [
    [0, 0, 0, 0],
    [0, 0, 0, 0],
    [0, 0, 0, 0],
    [0, 0, 5, 0],
    [0, 0, 0, 5],
    [1, 0, 0, 1],
  ];
  const tables = await publish(counts, [
    { from: 4, to: 4, split: null, columnTotals: false },
    { from: 0, to: 5, split: null, columnTotals: false },
    { from: 3, to: 4, split: 4, columnTotals: false },
  ]);
  assert.deepEqual(toRows(tables[2]!)[2], ['Band B', '0', '0', '0', '5', '5']);
  await assertSafe(tables);
});
