/**
 * Disclosure control (FOIA s40, issue 16): the one engine every published number passes through:
 * the cells and totals of a table, the counts given in its notes, the chart beside it and the letter.
 *
 * - Primary suppression: a count from 1 to the threshold (default 4) is withheld. Zero is shown: it
 *   identifies nobody.
 * - One marker for every withheld figure, primary or secondary: "[c]" (the ONS and GSS convention),
 *   explained in a footnote. A different word for secondary cells would tell a reader which hidden
 *   figures are small.
 * - Secondary suppression is chosen for the whole table at once: a first pass closes every line
 *   (row or column with its total) left with one hidden entry, then the intruder's audit
 *   (`audit.ts`, HiGHS) solves the least and greatest value of every withheld figure from every
 *   published number and equation, including those of tables already published from the same
 *   statistic over days in common, in any population. Linked releases are written over the finest
 *   groups they tell apart (`regions.ts`), so the solver knows every sum and difference of any
 *   releases at once. Wherever a range is narrower than the threshold, or a group that two
 *   releases count in common, the part of a figure no other release counts, or a difference
 *   between two linked figures narrows to a possible small count, one more figure near it is
 *   withheld, and the audit runs again on what failed (withholding only ever widens a range).
 *
 * Modules: `disclosure-types.ts` (the shapes), `layout.ts` (a table's figures, what each counts,
 * its equations and pairwise links), `protect-level.ts` (suppression at one level),
 * `linked-audit.ts` (the audit problem with earlier releases), `regions.ts` (the finest groups
 * linked releases tell apart), `coarsen.ts` (the next coarser table) and `audit.ts` (the solver).
 */

import { coarser } from './coarsen.ts';
import {
  WITHHELD,
  footnote,
  type Cell,
  type ProtectOptions,
  type ProtectedTable,
  type StatTable,
} from './disclosure-types.ts';
import { alreadyPublic, protectLevel } from './protect-level.ts';

export * from './disclosure-types.ts';
export { coarser } from './coarsen.ts';

/**
 * The protected table. Primary then secondary suppression, until the audit passes; when the audit
 * cannot pass, or passes only by withholding every cell of the table that is not 0, the table is published at a
 * coarser level instead (`coarser`): financial years merged, then categories, each step said in the
 * notes (and so on the page, in the API, CSV/ODS, the letter and the disclosure log). When even the
 * coarsest level fails, every figure is withheld.
 */
export async function protect(table: StatTable, options: ProtectOptions | number = {}): Promise<ProtectedTable> {
  const o = typeof options === 'number' ? { threshold: options } : options;
  const coarsened: string[] = [];
  let level = table;
  for (;;) {
    const t = await protectLevel(level, o);
    if (t.threshold === 0 || (t.audit!.passed && !everyCellWithheld(t))) return finish(t, coarsened);
    const next = coarser(level, t);
    if (!next) return finish(t.audit!.passed ? t : withholdAll(t), coarsened);
    level = next.table;
    coarsened.push(next.note);
  }
}

/** Whether a table withholds two or more cells and publishes no cell above 0 (totals aside): it says nothing. */
const everyCellWithheld = (t: ProtectedTable) => {
  const cells = t.rows.flatMap((r) => r.cells);
  return (
    cells.filter((c) => c.suppressed !== null).length > 1 && cells.every((c) => c.suppressed !== null || c.value === 0)
  );
};

function finish(t: ProtectedTable, coarsened: string[]): ProtectedTable {
  if (!coarsened.length) return { ...t, coarsened };
  const said = `Published at a coarser level to protect the people counted, because at the finer level some figures could have been worked out. ${coarsened.map((c) => `${c}.`).join(' ')}`;
  return { ...t, coarsened, notes: [said, ...t.notes] };
}

/** Last resort: every figure withheld (no equation then pins anything), but those earlier releases fix. */
function withholdAll(t: ProtectedTable): ProtectedTable {
  const hide = (c: Cell): Cell =>
    alreadyPublic.get(t)?.has(c) ? c : { ...c, text: WITHHELD, suppressed: c.suppressed ?? 'secondary' };
  const out = {
    ...t,
    rows: t.rows.map((r) => ({ ...r, cells: r.cells.map(hide), total: r.total ? hide(r.total) : null })),
    columnTotals: t.columnTotals?.map(hide) ?? null,
    grandTotal: t.grandTotal ? hide(t.grandTotal) : null,
    counts: t.counts?.map((n) => ({ ...n, cell: hide(n.cell) })),
  };
  const suppressedCount = [
    ...out.rows.flatMap((r) => [...r.cells, ...(r.total ? [r.total] : [])]),
    ...(out.columnTotals ?? []),
    ...(out.grandTotal ? [out.grandTotal] : []),
    ...(out.counts ?? []).map((n) => n.cell),
  ].filter((c) => c.suppressed !== null).length;
  const counted = new Set((t.counts ?? []).map((n) => `${n.label}: ${n.cell.text}${n.suffix}`));
  const notes = t.notes.filter((n) => !counted.has(n) && !n.startsWith(`${WITHHELD} `));
  return {
    ...out,
    suppressedCount,
    notes: [...notes, ...(out.counts ?? []).map((n) => `${n.label}: ${WITHHELD}${n.suffix}`), footnote(t.threshold)],
    audit: { ...t.audit!, withheld: suppressedCount, passed: true },
  };
}

/**
 * The table as it may leave Harbour: suppressed cells lose their true value, so a stored snapshot
 * or a disclosure log entry holds nothing that was withheld.
 */
export function redacted(t: ProtectedTable): ProtectedTable {
  const cell = (c: Cell): Cell => (c.suppressed ? { ...c, value: null, suppressed: 'withheld' } : c);
  return {
    ...t,
    counts: t.counts?.map((n) => ({ ...n, cell: cell(n.cell) })),
    rows: t.rows.map((r) => ({ ...r, cells: r.cells.map(cell), total: r.total ? cell(r.total) : null })),
    columnTotals: t.columnTotals?.map(cell) ?? null,
    grandTotal: t.grandTotal ? cell(t.grandTotal) : null,
  };
}

/** The unsuppressed view for the officer: the same shape, every number shown. */
export function unprotected(table: StatTable): Promise<ProtectedTable> {
  return protect(table, { threshold: 0 });
}

/** Rows of text for CSV/ODS: header, data rows (with totals where shown), totals row. */
export function toRows(t: ProtectedTable): string[][] {
  const header = [t.rowHeader, ...t.columns, ...(t.rows[0]?.total ? ['Total'] : [])];
  const rows = t.rows.map((r) => [r.label, ...r.cells.map((c) => c.text), ...(r.total ? [r.total.text] : [])]);
  const totals = t.columnTotals
    ? [['Total', ...t.columnTotals.map((c) => c.text), ...(t.grandTotal ? [t.grandTotal.text] : [])]]
    : [];
  return [header, ...rows, ...totals];
}

/** Bars for the chart beside a published table: suppressed cells have no bar, only their text. */
export function chartBars(t: ProtectedTable): { label: string; text: string; width: number }[] {
  const cells = t.rows.flatMap((r) =>
    r.cells.map((c, i) => ({ label: t.columns.length > 1 ? `${r.label}, ${t.columns[i]}` : r.label, cell: c })),
  );
  const max = Math.max(1, ...cells.map((c) => (c.cell.suppressed ? 0 : (c.cell.value ?? 0))));
  return cells.map(({ label, cell }) => ({
    label,
    text: cell.text,
    width: cell.suppressed ? 0 : Math.round(((cell.value ?? 0) / max) * 100),
  }));
}
