import { longDate } from '../../time/london.ts';
import type { Period, ProtectedTable, StatTable } from './disclosure-types.ts';

const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);

/** Lines of a table merged: indices of the lines that make each new line. */
type Groups = number[][];
const pairs = (n: number): Groups =>
  Array.from({ length: Math.ceil(n / 2) }, (_, k) => (2 * k + 1 < n ? [2 * k, 2 * k + 1] : [2 * k]));
const span = (ps: Period[], g: number[]): Period => ({ from: ps[g[0]!]!.from, to: ps[g.at(-1)!]!.to });
const together = (labels: string[]) =>
  labels.length === 1 ? labels[0]! : `${labels.slice(0, -1).join(', ')} and ${labels.at(-1)!}`;

/**
 * The next coarser table, or null: financial years (the lines with periods) merged two by two, then
 * into one; then the categories with a withheld cell merged into one, then all categories into one.
 * Only lines that add up are merged: rows when the table has column totals, columns when it has
 * row totals.
 */
export function coarser(table: StatTable, published: ProtectedTable): { table: StatTable; note: string } | null {
  const rowsAdd = table.columnTotals && table.rows.length > 1;
  const colsAdd = table.rowTotals && table.columns.length > 1;
  const periodLabel = (p: Period) => `${longDate(p.from)} to ${longDate(p.to)}`;
  // A merged line counts the categories of every line merged into it.
  const keys = (g: Groups, own: string[][] | undefined, labels: string[]) =>
    g.map((ix) => ix.flatMap((i) => own?.[i] ?? [labels[i]!]));
  const mergeRows = (g: Groups, labels: string[], periods: Period[] | undefined): StatTable => ({
    ...table,
    rows: g.map((ix, k) => ({
      label: labels[k]!,
      cells: table.columns.map((_, c) => sum(ix.map((r) => table.rows[r]!.cells[c] ?? 0))),
    })),
    rowPeriods: periods,
    rowKeys: keys(
      g,
      table.rowKeys,
      table.rows.map((r) => r.label),
    ),
  });
  const mergeCols = (g: Groups, labels: string[], periods: Period[] | undefined): StatTable => ({
    ...table,
    columns: labels,
    rows: table.rows.map((r) => ({ ...r, cells: g.map((ix) => sum(ix.map((c) => r.cells[c] ?? 0))) })),
    columnPeriods: periods,
    columnKeys: keys(g, table.columnKeys, table.columns),
  });
  // Years: rows or columns that are periods.
  if (rowsAdd && table.rowPeriods) {
    const ps = table.rowPeriods;
    const g = table.rows.length > 2 ? pairs(table.rows.length) : [table.rows.map((_, i) => i)];
    const periods = g.map((ix) => span(ps, ix));
    return {
      table: mergeRows(g, periods.map(periodLabel), periods),
      note: g.length > 1 ? 'Financial years merged two by two' : 'Financial years merged into one period',
    };
  }
  if (colsAdd && table.columnPeriods) {
    const ps = table.columnPeriods;
    const g = table.columns.length > 2 ? pairs(table.columns.length) : [table.columns.map((_, i) => i)];
    const periods = g.map((ix) => span(ps, ix));
    return {
      table: mergeCols(g, periods.map(periodLabel), periods),
      note: g.length > 1 ? 'Financial years merged two by two' : 'Financial years merged into one period',
    };
  }
  // Categories: the lines that are not periods.
  const categories = (n: number, withheld: (i: number) => boolean): Groups => {
    const hit = Array.from({ length: n }, (_, i) => i).filter(withheld);
    if (hit.length >= 2 && hit.length < n)
      return [
        ...Array.from({ length: n }, (_, i) => i)
          .filter((i) => !hit.includes(i))
          .map((i) => [i]),
        hit,
      ];
    return [Array.from({ length: n }, (_, i) => i)];
  };
  if (colsAdd && !table.columnPeriods) {
    const g = categories(table.columns.length, (c) => published.rows.some((r) => r.cells[c]!.suppressed !== null));
    return {
      table: mergeCols(
        g,
        g.map((ix) => together(ix.map((c) => table.columns[c]!))),
        undefined,
      ),
      note:
        g.length > 1
          ? `${together(g.at(-1)!.map((c) => table.columns[c]!))} merged into one column`
          : 'Every column merged into one',
    };
  }
  if (rowsAdd && !table.rowPeriods) {
    const g = categories(table.rows.length, (r) => published.rows[r]!.cells.some((c) => c.suppressed !== null));
    return {
      table: mergeRows(
        g,
        g.map((ix) => together(ix.map((r) => table.rows[r]!.label))),
        undefined,
      ),
      note:
        g.length > 1
          ? `${together(g.at(-1)!.map((r) => table.rows[r]!.label))} merged into one row`
          : 'Every row merged into one',
    };
  }
  return null;
}
