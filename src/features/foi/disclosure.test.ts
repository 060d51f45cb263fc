import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  WITHHELD,
  chartBars,
  protect,
  redacted,
  toRows,
  unprotected,
  type ProtectedTable,
  type Scope,
  type StatTable,
} from './disclosure.ts';
import { audit, type AuditProblem } from './audit.ts';

/** Labels without digits, so a note naming them is never read as a count. */
const letter = (i: number) => 'ABCDEFGHIJ'[i]!;
const table = (rows: number[][], o: Partial<StatTable> = {}): StatTable => ({
  title: 'T',
  rowHeader: 'Year',
  columns: rows[0]!.map((_, i) => `Column ${letter(i)}`),
  rows: rows.map((cells, i) => ({ label: `Row ${letter(i)}`, cells })),
  rowTotals: true,
  columnTotals: true,
  ...o,
});

const texts = (t: ProtectedTable) =>
  toRows(t)
    .slice(1)
    .map((r) => r.slice(1));

/**
 * The intruder, written apart from the engine: it reads only the published text of one or more
 * tables (numbers and "[c]"), writes every row, column and grand total equation, and solves each
 * withheld cell's least and greatest value over non-negative integers.
 */
async function attack(tables: ProtectedTable[], threshold = 4, inclusions: AuditProblem['inclusions'] = []) {
  const figures: AuditProblem['figures'] = [];
  const equations: AuditProblem['equations'] = [];
  const grids: number[][][] = [];
  for (const t of tables) {
    const lines = [
      ...t.rows.map((r) => [...r.cells, ...(r.total ? [r.total] : [])]),
      ...(t.columnTotals ? [[...t.columnTotals, ...(t.grandTotal ? [t.grandTotal] : [])]] : []),
    ];
    const grid = lines.map((line) =>
      line.map((c) => {
        figures.push({ published: c.text === WITHHELD ? null : Number(c.text) });
        return figures.length - 1;
      }),
    );
    grids.push(grid);
    const nCols = t.columns.length;
    if (t.rows[0]?.total) for (const line of grid) equations.push({ total: line[nCols]!, parts: line.slice(0, nCols) });
    if (t.columnTotals)
      for (let c = 0; c < grid[0]!.length; c++)
        equations.push({ total: grid[grid.length - 1]![c]!, parts: grid.slice(0, -1).map((l) => l[c]!) });
  }
  const check = figures.map((f, i) => (f.published === null ? i : -1)).filter((i) => i >= 0);
  const result = await audit(
    { figures, equations, inclusions, check, differences: inclusions.map((_, i) => i) },
    threshold,
  );
  return { ...result, grids, published: figures.filter((f) => f.published !== null).map((f) => f.published!) };
}

async function assertSafe(t: ProtectedTable, threshold = 4) {
  const a = await attack([t], threshold);
  assert.ok(a.feasible, 'the published table is consistent');
  assert.deepEqual(a.pinned, [], 'no withheld cell is narrowed below the threshold');
  assert.deepEqual(
    a.published.filter((n) => n >= 1 && n <= threshold),
    [],
    'no count from 1 to the threshold is published',
  );
  for (const n of t.notes.filter((x) => !x.startsWith(`${WITHHELD} `)))
    assert.doesNotMatch(n, /(^|[^\d-])[1-4]( |$)(?!-)/, `note "${n}" carries no small count`);
}

test('seed 004: 4 dismissals are published as "[c]" with the footnote', async () => {
  const t = await protect(table([[4]], { rowTotals: false, columnTotals: false }));
  assert.equal(t.rows[0]!.cells[0]!.text, '[c]');
  assert.equal(t.rows[0]!.cells[0]!.suppressed, 'primary');
  assert.match(t.notes.at(-1)!, /^\[c\] Withheld/);
});

test('primary suppression: 1 to 4 hidden, 0 and 5 shown; the threshold is configurable', async () => {
  const t = await protect(table([[0, 1, 4, 5]], { rowTotals: false, columnTotals: false }));
  assert.deepEqual(texts(t), [['0', '[c]', '[c]', '5']]);
  const t9 = await protect(table([[5, 9, 10]], { rowTotals: false, columnTotals: false }), 9);
  assert.deepEqual(texts(t9), [['[c]', '[c]', '10']]);
});

test('one marker for primary and secondary cells: the wording never narrows a range', async () => {
  const t = await protect(table([[3, 10, 12]], { columnTotals: false }));
  assert.equal(t.rows[0]!.cells[0]!.text, t.rows[0]!.cells[1]!.text);
  assert.equal(t.rows[0]!.cells[1]!.suppressed, 'secondary');
  await assertSafe(t);
});

test('issue 16 shape: a short period, one role, every cell 1 and the grand total 5 (five cells of at least 1 summing to 5)', async () => {
  const t = await protect(table([[1, 1, 1, 1, 1]], { columnTotals: false }));
  await assertSafe(t);
  // Every cell would be withheld: the categories are merged into one column instead, and the notes say so.
  assert.deepEqual(t.columns, ['Column A, Column B, Column C, Column D and Column E']);
  assert.deepEqual(texts(t), [['5', '5']]);
  assert.deepEqual(t.coarsened, ['Every column merged into one']);
  assert.match(
    t.notes[0]!,
    /^Published at a coarser level to protect the people counted, because .* Every column merged into one\.$/,
  );
  const col = await protect(table([[1], [1], [1], [1], [1], [0]], { rowTotals: false }));
  await assertSafe(col);
});

const years = (n: number) =>
  Array.from({ length: n }, (_, i) => ({ from: `${2020 + i}-04-01`, to: `${2021 + i}-03-31` }));

test('coarsening: small counts in every year are published over merged years, said in the notes', async () => {
  // Three years of 2, 1 and 3: each year withheld and the table says nothing. Two by two (3, 3) still nothing; one period: 6.
  const t = await protect({ ...table([[2], [1], [3]], { rowTotals: false }), rowPeriods: years(3) });
  await assertSafe(t);
  assert.deepEqual(
    t.rows.map((r) => r.label),
    ['1 April 2020 to 31 March 2023'],
  );
  assert.deepEqual(texts(t), [['6'], ['6']]);
  assert.deepEqual(t.rowPeriods, [{ from: '2020-04-01', to: '2023-03-31' }]);
  assert.deepEqual(t.coarsened, ['Financial years merged two by two', 'Financial years merged into one period']);
  assert.match(t.notes[0]!, /Financial years merged two by two\. Financial years merged into one period\.$/);
  // Pairs are enough where each pair clears the threshold: 3 + 3 = 6, 4 + 4 = 8.
  const pairs = await protect({ ...table([[3], [3], [4], [4]], { rowTotals: false }), rowPeriods: years(4) });
  assert.deepEqual(texts(pairs), [['6'], ['8'], ['14']]);
  assert.deepEqual(
    pairs.rows.map((r) => r.label),
    ['1 April 2020 to 31 March 2022', '1 April 2022 to 31 March 2024'],
  );
  await assertSafe(pairs);
});

test('coarsening: outcomes by year (years as columns) merge the years, then the withheld outcomes', async () => {
  const t = await protect({
    ...table([
      [1, 2],
      [2, 1],
      [3, 1],
    ]),
    columnPeriods: years(2),
  });
  await assertSafe(t);
  // Years merged: 3, 3, 4, still every cell withheld; the outcomes then merged into one row: 10.
  assert.deepEqual(t.columns, ['1 April 2020 to 31 March 2022']);
  assert.deepEqual(
    t.rows.map((r) => r.label),
    ['Row A, Row B and Row C'],
  );
  assert.deepEqual(texts(t), [
    ['10', '10'],
    ['10', '10'],
  ]);
  assert.deepEqual(t.coarsened, ['Financial years merged into one period', 'Every row merged into one']);
  // Merging the years is enough when a year-merged outcome clears the threshold: 3, 3, 7.
  const years2 = await protect({
    ...table([
      [1, 2],
      [2, 1],
      [3, 4],
    ]),
    columnPeriods: years(2),
  });
  assert.deepEqual(years2.coarsened, ['Financial years merged into one period']);
  assert.deepEqual(texts(years2), [
    ['[c]', '[c]'],
    ['[c]', '[c]'],
    ['7', '7'],
    ['13', '13'],
  ]);
  await assertSafe(years2);
});

test('coarsening: a table whose lines do not add up is left at its level, withheld where it must be', async () => {
  const t = await protect({
    ...table(
      [
        [2, 3],
        [1, 4],
      ],
      { rowTotals: false, columnTotals: false },
    ),
    rowPeriods: years(2),
  });
  assert.deepEqual(t.coarsened, []);
  assert.deepEqual(texts(t), [
    ['[c]', '[c]'],
    ['[c]', '[c]'],
  ]);
});

test('property: random tables by year, coarsened where needed, leave the intruder nothing', async () => {
  const cellValue = fc.oneof(
    { weight: 4, arbitrary: fc.integer({ min: 0, max: 4 }) },
    { weight: 1, arbitrary: fc.integer({ min: 0, max: 40 }) },
  );
  await fc.assert(
    fc.asyncProperty(
      fc
        .integer({ min: 1, max: 4 })
        .chain((nc) => fc.array(fc.array(cellValue, { minLength: nc, maxLength: nc }), { minLength: 1, maxLength: 6 })),
      fc.boolean(),
      fc.boolean(),
      fc.boolean(),
      async (rows, rowTotals, columnTotals, yearsAsRows) => {
        const periods = yearsAsRows ? { rowPeriods: years(rows.length) } : { columnPeriods: years(rows[0]!.length) };
        const t = redacted(await protect({ ...table(rows, { rowTotals, columnTotals }), ...periods }));
        await assertSafe(t);
        if (t.coarsened!.length) assert.match(t.notes[0]!, /^Published at a coarser level/);
      },
    ),
    { numRuns: 120 },
  );
});

test('issue 16 shape: a withheld cell beside a small one on a column with a known total (five years, all staff)', async () => {
  const t = await protect(
    table([
      [12, 3, 30],
      [25, 0, 41],
      [18, 7, 22],
      [40, 2, 35],
      [29, 11, 16],
    ]),
  );
  await assertSafe(t);
});

test('hidden small cells whose total forces them are protected: 4 + 4 = 8, 1 + 1 = 2', async () => {
  await assertSafe(await protect(table([[0], [4], [4]], { rowTotals: false })));
  await assertSafe(await protect(table([[1], [1], [30]], { rowTotals: false })));
});

test('a table with no totals needs only primary suppression', async () => {
  const t = await protect(
    table(
      [
        [2, 50],
        [60, 70],
      ],
      { rowTotals: false, columnTotals: false },
    ),
  );
  assert.equal(t.suppressedCount, 1);
});

test('counts in the notes pass through the engine: no small count, no false claim', async () => {
  const t = await protect({
    ...table([[20]], { rowTotals: false, columnTotals: false }),
    notes: ['Definition.'],
    counts: [
      { label: 'Action: apology', value: 3, suffix: ' complaints in the period' },
      { label: 'Action: training', value: 12, suffix: ' complaints in the period' },
    ],
  });
  assert.deepEqual(t.notes.slice(0, 3), [
    'Definition.',
    'Action: apology: [c] complaints in the period',
    'Action: training: 12 complaints in the period',
  ]);
  assert.ok(t.notes.every((n) => !/small numbers are protected/.test(n)));
});

test('the chart beside a table shows the marker and no bar for a withheld cell', async () => {
  const bars = chartBars(redacted(await protect(table([[3, 10, 12]], { columnTotals: false }))));
  assert.deepEqual(
    bars.map((b) => b.text),
    ['[c]', '[c]', '12'],
  );
  assert.equal(bars[0]!.width, 0);
});

test('the unsuppressed internal view shows every number', async () => {
  const t = await unprotected(table([[3, 10]]));
  assert.deepEqual(texts(t), [
    ['3', '10', '13'],
    ['3', '10', '13'],
  ]);
});

test('what leaves Harbour holds no withheld value and not the kind of suppression', async () => {
  const t = redacted(await protect(table([[3, 10, 12]], { columnTotals: false })));
  assert.deepEqual(
    t.rows[0]!.cells.map((c) => c.value),
    [null, null, 12],
  );
  assert.deepEqual(
    t.rows[0]!.cells.map((c) => c.suppressed),
    ['withheld', 'withheld', null],
  );
  assert.equal(JSON.stringify(t).includes('"value":3'), false);
  assert.equal(JSON.stringify(t).includes('primary'), false);
});

const scope = (o: Partial<Scope>): Scope => ({
  statistic: 's',
  from: '2024-04-01',
  to: '2025-03-31',
  teamId: null,
  serviceId: null,
  jobRole: null,
  ...o,
});

test('differencing: all staff minus social workers cannot give away the others', async () => {
  const one = (n: number): StatTable => ({
    ...table([[n]], { rowTotals: false, columnTotals: false }),
    columns: ['Dismissals'],
  });
  const all = redacted(await protect(one(10), { scope: scope({}) }));
  assert.equal(all.rows[0]!.cells[0]!.text, '10');
  // Social workers 7: published, the others would be 10 − 7 = 3.
  const sw = await protect(one(7), { scope: scope({ jobRole: 'social_workers' }), prior: [all] });
  assert.equal(sw.rows[0]!.cells[0]!.text, WITHHELD);
  assert.equal(sw.audit!.linkedTables, 1);
  // Social workers 2 in a table with no link (another statistic): only primary.
  const other = await protect(one(7), { scope: scope({ statistic: 'x', jobRole: 'social_workers' }), prior: [all] });
  assert.equal(other.rows[0]!.cells[0]!.text, '7');
});

test('differencing: two overlapping periods by year cannot give away the days between them', async () => {
  const byYear = (n: number, from: string): StatTable => ({
    ...table([[n]], { rowTotals: false, columnTotals: false }),
    rowPeriods: [{ from, to: '2025-03-31' }],
  });
  const whole = redacted(await protect(byYear(20, '2024-04-01'), { scope: scope({}) }));
  const later = await protect(byYear(18, '2024-05-01'), { scope: scope({ from: '2024-05-01' }), prior: [whole] });
  assert.equal(later.rows[0]!.cells[0]!.text, WITHHELD, '20 − 18 = 2 incidents in April');
  const apart = await protect(byYear(12, '2024-05-01'), { scope: scope({ from: '2024-05-01' }), prior: [whole] });
  assert.equal(apart.rows[0]!.cells[0]!.text, '12', '20 − 12 = 8 gives nobody away');
});

test("a prior release that today's figures contradict (records changed since) is left out of the audit", async () => {
  const one = (n: number): StatTable => ({
    ...table([[n]], { rowTotals: false, columnTotals: false }),
    columns: ['Dismissals'],
  });
  const all = redacted(await protect(one(10), { scope: scope({}) }));
  const sw = await protect(one(30), { scope: scope({ jobRole: 'social_workers' }), prior: [all] });
  assert.equal(sw.rows[0]!.cells[0]!.text, '30');
  assert.equal(sw.audit!.linkedTables, 0);
});

test('property: over random tables the intruder never pins a withheld cell and never reads a count from 1 to 4', async () => {
  const cellValue = fc.oneof(
    { weight: 3, arbitrary: fc.integer({ min: 0, max: 5 }) },
    { weight: 1, arbitrary: fc.integer({ min: 0, max: 60 }) },
  );
  await fc.assert(
    fc.asyncProperty(
      fc
        .integer({ min: 1, max: 5 })
        .chain((nc) => fc.array(fc.array(cellValue, { minLength: nc, maxLength: nc }), { minLength: 1, maxLength: 6 })),
      fc.boolean(),
      fc.boolean(),
      async (rows, rowTotals, columnTotals) => {
        const t = redacted(await protect(table(rows, { rowTotals, columnTotals })));
        await assertSafe(t);
      },
    ),
    { numRuns: 150 },
  );
});

test('property: a table and a sub-population table published together leave no small difference', async () => {
  await fc.assert(
    fc.asyncProperty(
      fc.array(fc.tuple(fc.integer({ min: 0, max: 30 }), fc.integer({ min: 0, max: 8 })), {
        minLength: 1,
        maxLength: 4,
      }),
      async (pairs) => {
        // Rows are years; the sub-population is at most the whole in every cell.
        const periods = pairs.map((_, i) => ({ from: `${2020 + i}-04-01`, to: `${2021 + i}-03-31` }));
        const s = { ...scope({}), from: '2020-04-01', to: `${2020 + pairs.length}-03-31` };
        const whole: StatTable = {
          ...table(
            pairs.map(([a, b]) => [a + b]),
            { rowTotals: false },
          ),
          rowPeriods: periods,
        };
        const part: StatTable = {
          ...table(
            pairs.map(([a]) => [a]),
            { rowTotals: false },
          ),
          rowPeriods: periods,
        };
        const w = redacted(await protect(whole, { scope: s }));
        const p = redacted(await protect(part, { scope: { ...s, jobRole: 'social_workers' }, prior: [w] }));
        // The intruder links each sub-population cell (and total) to every figure of the whole whose
        // period holds its period (either table may have been published over merged years).
        const lines = (t: ProtectedTable) => [...t.rowPeriods!, { from: s.from, to: s.to }];
        const wl = lines(w);
        const inclusions = lines(p).flatMap((pp, i) =>
          wl.flatMap((wp, j) => (wp.from <= pp.from && pp.to <= wp.to ? [{ small: wl.length + i, large: j }] : [])),
        );
        const a = await attack([w, p], 4, inclusions);
        assert.deepEqual(a.pinned, []);
        assert.deepEqual(a.revealed, []);
      },
    ),
    { numRuns: 60 },
  );
});

test('a sub-population year inside the whole population merged over two years is not left a small difference', async () => {
  // All staff 5 and 4 by year, published merged over both years (9); social workers 5 and 0. The
  // social workers' first year (5) shown gave 9 − 5 = 4 (the rest): every linked pair is checked.
  const periods = [0, 1].map((i) => ({ from: `${2020 + i}-04-01`, to: `${2021 + i}-03-31` }));
  const s = { ...scope({}), from: '2020-04-01', to: '2022-03-31' };
  const byYear = (rows: number[][]): StatTable => ({ ...table(rows, { rowTotals: false }), rowPeriods: periods });
  const w = redacted(await protect(byYear([[5], [4]]), { scope: s }));
  const p = redacted(await protect(byYear([[5], [0]]), { scope: { ...s, jobRole: 'social_workers' }, prior: [w] }));
  assert.deepEqual(texts(w), [['9'], ['9']]);
  const wl = [...w.rowPeriods!, s];
  const inclusions = [...p.rowPeriods!, s].flatMap((pp, i) =>
    wl.flatMap((wp, j) => (wp.from <= pp.from && pp.to <= wp.to ? [{ small: wl.length + i, large: j }] : [])),
  );
  const a = await attack([w, p], 4, inclusions);
  assert.deepEqual(a.revealed, []);
});
