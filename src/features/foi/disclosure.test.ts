import { test } from 'node:test';
import assert from 'node:assert/strict';
import { protect, redacted, toRows, unprotected, type ProtectedTable, type StatTable } from './disclosure.ts';

const table = (rows: number[][], o: Partial<StatTable> = {}): StatTable => ({
  title: 'T', rowHeader: 'Year', columns: rows[0]!.map((_, i) => `C${i + 1}`), rows: rows.map((cells, i) => ({ label: `R${i + 1}`, cells })),
  rowTotals: true, columnTotals: true, ...o,
});

const texts = (t: ProtectedTable) => toRows(t).slice(1).map((r) => r.slice(1));

/** Every line (row with its total, column with its total) has no suppressed entry or at least two. */
function assertNoLoneSuppression(t: ProtectedTable) {
  const grid = [
    ...t.rows.map((r) => [...r.cells, ...(r.total ? [r.total] : [])]),
    ...(t.columnTotals ? [[...t.columnTotals, ...(t.grandTotal ? [t.grandTotal] : [])]] : []),
  ];
  const width = grid[0]!.length;
  const hasRowTotals = t.rows[0]?.total !== null;
  if (hasRowTotals) for (const row of grid) assert.notEqual(row.filter((c) => c.suppressed).length, 1, `row ${row.map((c) => c.text).join(', ')}`);
  if (t.columnTotals) for (let c = 0; c < width; c++) assert.notEqual(grid.filter((row) => row[c]!.suppressed).length, 1, `column ${c}`);
}

test('seed 004: 4 dismissals are published as "fewer than 5"', () => {
  const t = protect(table([[4]], { rowTotals: false, columnTotals: false }));
  assert.equal(t.rows[0]!.cells[0]!.text, 'fewer than 5');
  assert.equal(t.rows[0]!.cells[0]!.suppressed, 'primary');
});

test('primary suppression: 1 to 4 hidden, 0 and 5 shown; the threshold is configurable', () => {
  const t = protect(table([[0, 1, 4, 5]], { rowTotals: false, columnTotals: false }));
  assert.deepEqual(texts(t), [['0', 'fewer than 5', 'fewer than 5', '5']]);
  const t9 = protect(table([[5, 9, 10]], { rowTotals: false, columnTotals: false }), 9);
  assert.deepEqual(texts(t9), [['fewer than 10', 'fewer than 10', '10']]);
});

test('secondary suppression across a row: the total would reveal the one small cell', () => {
  const t = protect(table([[3, 10, 12]], { columnTotals: false }));
  // 3 is primary; 10, the smallest other cell, is suppressed so 25 − 12 cannot give it away.
  assert.deepEqual(texts(t), [['fewer than 5', 'suppressed', '12', '25']]);
  assert.equal(t.rows[0]!.cells[1]!.suppressed, 'secondary');
  assertNoLoneSuppression(t);
});

test('secondary suppression across a column', () => {
  const t = protect(table([[20], [2], [30]], { rowTotals: false }));
  assert.deepEqual(texts(t), [['suppressed'], ['fewer than 5'], ['30'], ['52']]);
  assertNoLoneSuppression(t);
});

test('secondary suppression across rows and columns together: no line is left with one hidden cell', () => {
  const t = protect(table([
    [3, 12, 20],
    [15, 8, 30],
    [25, 40, 9],
  ]));
  assertNoLoneSuppression(t);
  assert.equal(t.rows[0]!.cells[0]!.suppressed, 'primary');
  // The row partner is the smallest other cell in row 1 (12), the column partner the smallest in column 1 (15).
  assert.equal(t.rows[0]!.cells[1]!.suppressed, 'secondary');
  assert.equal(t.rows[1]!.cells[0]!.suppressed, 'secondary');
  // And then row 2 and column 2 each have one hidden cell: 8 closes both.
  assert.equal(t.rows[1]!.cells[1]!.suppressed, 'secondary');
  // Totals stay published.
  assert.equal(t.grandTotal!.text, '162');
  assert.equal(t.rows[0]!.total!.text, '35');
  assert.equal(t.suppressedCount, 4);
});

test('a small total is itself suppressed, and zero cells are used before totals', () => {
  const t = protect(table([[1, 0], [20, 30]]));
  assertNoLoneSuppression(t);
  assert.equal(t.rows[0]!.cells[0]!.suppressed, 'primary');
  assert.equal(t.rows[0]!.total!.suppressed, 'primary', 'a row total of 1 is small too');
  assert.equal(t.rows[0]!.cells[1]!.text, '0', 'the row already has two hidden entries');
  // Column 1: 1 hidden, so 20 goes too; then row 2 has one hidden, so 30 or the total goes.
  assert.equal(t.rows[1]!.cells[0]!.suppressed, 'secondary');
});

test('hidden small cells whose total forces them are protected too: 4 + 4 = 8 would reveal both', () => {
  const t = protect(table([[0], [4], [4]], { rowTotals: false }));
  // Two hidden cells, each 1 to 4, adding up to the shown 8 can only be 4 and 4: the zero goes as well.
  assert.equal(t.rows[0]!.cells[0]!.suppressed, 'secondary');
  assert.equal(t.columnTotals![0]!.text, '8');
  const ones = protect(table([[1], [1], [30]], { rowTotals: false }));
  assert.equal(ones.rows[2]!.cells[0]!.suppressed, 'secondary', '1 + 1 = 2 would reveal both ones');
  const fine = protect(table([[3], [4], [30]], { rowTotals: false }));
  assert.equal(fine.rows[2]!.cells[0]!.suppressed, null, '3 + 4 = 7 could be 3 + 4 or 4 + 3: nothing more to hide');
});

test('a table with no totals needs only primary suppression', () => {
  const t = protect(table([[2, 50], [60, 70]], { rowTotals: false, columnTotals: false }));
  assert.equal(t.suppressedCount, 1);
});

test('the unsuppressed internal view shows every number', () => {
  const t = unprotected(table([[3, 10]]));
  assert.deepEqual(texts(t), [['3', '10', '13'], ['3', '10', '13']]);
});

test('CSV rows carry headers, totals and the published text only', () => {
  const rows = toRows(protect(table([[3, 10], [7, 8]])));
  assert.deepEqual(rows[0], ['Year', 'C1', 'C2', 'Total']);
  assert.equal(rows.flat().includes('3'), false, 'the small figure never appears');
});

test('what leaves Harbour holds no withheld value', () => {
  const t = redacted(protect(table([[3, 10, 12]], { columnTotals: false })));
  assert.deepEqual(t.rows[0]!.cells.map((c) => c.value), [null, null, 12]);
  assert.equal(t.rows[0]!.total!.value, 25);
  assert.equal(JSON.stringify(t).includes('"value":3'), false);
});
