/**
 * Disclosure control (FOIA s40): small numbers are not published.
 *
 * - Primary suppression: a count from 1 to the threshold (default 4) shows as "fewer than 5".
 *   Zero is shown: it identifies nobody.
 * - Secondary suppression: in every line of the table (a row with its row total, a column with its
 *   column total; the totals row and column are lines too, with the grand total), a single
 *   suppressed entry could be worked out from the others, and so could small cells whose shown
 *   total forces them (two hidden cells adding up to 8 are both 4). Wherever a line gives a hidden
 *   entry away, the smallest other cell in it is suppressed too (a zero before a total, a total
 *   only when no cell is left), and this repeats until no line gives anything away.
 * Pure; the same function protects the screen, the draft response and the published dataset.
 */

export interface StatTable {
  title: string;
  /** Heading over the row labels, like "Financial year". */
  rowHeader: string;
  columns: string[];
  rows: { label: string; cells: number[] }[];
  /** Show a total for each row (only when the columns add up, e.g. categories that exclude each other). */
  rowTotals: boolean;
  /** Show a total for each column (only when the rows add up). */
  columnTotals: boolean;
  /** Notes shown under the table (definitions, sources). */
  notes?: string[];
}

export interface Cell {
  /** The true count; null once redacted for publication (see `redacted`). */
  value: number | null;
  /** What is published: the number, or "fewer than 5". */
  text: string;
  suppressed: 'primary' | 'secondary' | null;
}

export interface ProtectedTable {
  title: string;
  rowHeader: string;
  columns: string[];
  rows: { label: string; cells: Cell[]; total: Cell | null }[];
  columnTotals: Cell[] | null;
  grandTotal: Cell | null;
  threshold: number;
  suppressedCount: number;
  notes: string[];
}

export const DEFAULT_THRESHOLD = 4;

export const SECONDARY_TEXT = 'suppressed';

export const fewerThan = (threshold: number) => `fewer than ${threshold + 1}`;

/** The protected table: primary then secondary suppression, every cell's published text. */
export function protect(table: StatTable, threshold = DEFAULT_THRESHOLD): ProtectedTable {
  const nRows = table.rows.length;
  const nCols = table.columns.length;
  // The grid with totals: rows 0..nRows-1 are data, nRows is the totals row; likewise columns.
  const withRowTotal = table.rowTotals && nCols > 0;
  const withColTotal = table.columnTotals && nRows > 0;
  const width = nCols + (withRowTotal ? 1 : 0);
  const height = nRows + (withColTotal ? 1 : 0);
  const value = (r: number, c: number): number => {
    if (r < nRows && c < nCols) return table.rows[r]!.cells[c] ?? 0;
    if (r < nRows) return sum(table.rows[r]!.cells.slice(0, nCols));
    if (c < nCols) return sum(table.rows.map((row) => row.cells[c] ?? 0));
    return sum(table.rows.map((row) => sum(row.cells.slice(0, nCols))));
  };
  const grid: { value: number; suppressed: Cell['suppressed']; isTotal: boolean }[][] = [];
  for (let r = 0; r < height; r++) {
    grid.push([]);
    for (let c = 0; c < width; c++) {
      const v = value(r, c);
      grid[r]!.push({ value: v, suppressed: v >= 1 && v <= threshold ? 'primary' : null, isTotal: r >= nRows || c >= nCols });
    }
  }

  // Lines: each data row with its total (if shown); each data column with its total (if shown);
  // and the totals row / totals column, which add up to the grand total.
  const lines: [number, number][][] = [];
  if (withRowTotal) for (let r = 0; r < height; r++) lines.push(Array.from({ length: width }, (_, c) => [r, c] as [number, number]));
  if (withColTotal) for (let c = 0; c < width; c++) lines.push(Array.from({ length: height }, (_, r) => [r, c] as [number, number]));

  for (let changed = true; changed; ) {
    changed = false;
    for (const line of lines) {
      const members = line.map(([r, c]) => grid[r]![c]!);
      if (!revealing(members, threshold)) continue;
      const open = members.filter((m) => !m.suppressed);
      // Prefer the smallest non-zero cell, then a zero cell, then a total.
      const pick = [...open].sort((a, b) => rank(a) - rank(b) || a.value - b.value)[0];
      if (!pick) continue;
      pick.suppressed = 'secondary';
      changed = true;
    }
  }

  const cell = (g: { value: number; suppressed: Cell['suppressed'] }): Cell => ({
    value: g.value, suppressed: g.suppressed, text: g.suppressed ? fewerThan(threshold) : String(g.value),
  });
  // A secondarily suppressed cell is 0 or above the threshold: it reads "suppressed", not "fewer than 5".
  const publish = (g: { value: number; suppressed: Cell['suppressed'] }): Cell =>
    g.suppressed === 'secondary' ? { value: g.value, suppressed: 'secondary', text: SECONDARY_TEXT } : cell(g);
  const out: ProtectedTable = {
    title: table.title,
    rowHeader: table.rowHeader,
    columns: table.columns,
    rows: table.rows.map((row, r) => ({ label: row.label, cells: row.cells.slice(0, nCols).map((_, c) => publish(grid[r]![c]!)), total: withRowTotal ? publish(grid[r]![nCols]!) : null })),
    columnTotals: withColTotal ? Array.from({ length: nCols }, (_, c) => publish(grid[nRows]![c]!)) : null,
    grandTotal: withColTotal && withRowTotal ? publish(grid[nRows]![nCols]!) : null,
    threshold,
    suppressedCount: grid.flat().filter((g) => g.suppressed).length,
    notes: table.notes ?? [],
  };
  return out;
}

/**
 * Whether the published members of a line would give a hidden one away: exactly one hidden entry
 * (the total minus the rest), or only small cells hidden, with the total shown, whose sum forces
 * each of them (k hidden cells adding up to k × threshold are all the threshold; adding up to k are all 1).
 */
function revealing(members: { value: number; suppressed: Cell['suppressed']; isTotal: boolean }[], threshold: number): boolean {
  const hidden = members.filter((m) => m.suppressed);
  if (hidden.length === 1) return true;
  if (hidden.length === 0 || hidden.some((m) => m.isTotal || m.suppressed !== 'primary')) return false;
  const sum = hidden.reduce((a, m) => a + m.value, 0);
  return sum === hidden.length * threshold || sum === hidden.length;
}

function rank(m: { value: number; isTotal: boolean }): number {
  if (m.isTotal) return 2;
  return m.value > 0 ? 0 : 1;
}

const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);

/**
 * The table as it may leave Harbour: suppressed cells lose their true value, so a stored snapshot
 * or a disclosure log entry holds nothing that was withheld.
 */
export function redacted(t: ProtectedTable): ProtectedTable {
  const cell = (c: Cell): Cell => (c.suppressed ? { ...c, value: null } : c);
  return {
    ...t,
    rows: t.rows.map((r) => ({ ...r, cells: r.cells.map(cell), total: r.total ? cell(r.total) : null })),
    columnTotals: t.columnTotals?.map(cell) ?? null,
    grandTotal: t.grandTotal ? cell(t.grandTotal) : null,
  };
}

/** The unsuppressed view for the officer: the same shape, every number shown. */
export function unprotected(table: StatTable): ProtectedTable {
  return protect(table, 0);
}

/** Rows of text for CSV/ODS: header, data rows (with totals where shown), totals row. */
export function toRows(t: ProtectedTable): string[][] {
  const header = [t.rowHeader, ...t.columns, ...(t.rows[0]?.total ? ['Total'] : [])];
  const rows = t.rows.map((r) => [r.label, ...r.cells.map((c) => c.text), ...(r.total ? [r.total.text] : [])]);
  const totals = t.columnTotals ? [['Total', ...t.columnTotals.map((c) => c.text), ...(t.grandTotal ? [t.grandTotal.text] : [])]] : [];
  return [header, ...rows, ...totals];
}

/** Bars for the chart beside a published table: suppressed cells have no bar, only their text. */
export function chartBars(t: ProtectedTable): { label: string; text: string; width: number }[] {
  const cells = t.rows.flatMap((r) => r.cells.map((c, i) => ({ label: t.columns.length > 1 ? `${r.label}, ${t.columns[i]}` : r.label, cell: c })));
  const max = Math.max(1, ...cells.map((c) => (c.cell.suppressed ? 0 : c.cell.value ?? 0)));
  return cells.map(({ label, cell }) => ({ label, text: cell.text, width: cell.suppressed ? 0 : Math.round(((cell.value ?? 0) / max) * 100) }));
}
