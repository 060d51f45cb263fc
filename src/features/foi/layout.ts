import type { Period, ProtectedTable, Scope, Cell } from './disclosure-types.ts';

/** A figure of one table in the audit: where it sits and what it counts. */
export interface Figure {
  value: number | null;
  hidden: boolean;
  isTotal: boolean;
  /**
   * What it counts, besides period and population: the set of categories ("col:Dismissals",
   * "row:Upheld", "Team A|Social worker", "note:…"), sorted. A cell counts one category, a merged
   * cell those merged into it, a total those of its whole line.
   */
  keys: string[];
  period: Period | null;
  /** Whether it is the sum of what it counts day by day (not a count of people once over its period). */
  additive: boolean;
}

export interface Layout {
  figures: Figure[];
  equations: { total: number; parts: number[] }[];
  grid: number[][];
  counts: number[];
}

/**
 * The figures of a table (grid with totals, then note counts) and its equations. Works on the live
 * table (true values) and on a published one (withheld values unknown).
 */
export function layout(t: {
  rows: { label: string; cells: (number | null)[]; total?: number | null | undefined; hidden: boolean[] }[];
  columns: string[];
  rowTotals: boolean;
  columnTotals: boolean;
  totalsRow: { cells: (number | null)[]; hidden: boolean[] } | null;
  counts: { label: string; value: number | null; hidden: boolean }[];
  scope: Scope | null;
  rowPeriods: Period[] | null;
  columnPeriods: Period[] | null;
  rowKeys: string[][] | null;
  columnKeys: string[][] | null;
  oncePerPerson: true | string[] | null;
}): Layout {
  const nCols = t.columns.length;
  const width = nCols + (t.rowTotals ? 1 : 0);
  const whole = t.scope ? { from: t.scope.from, to: t.scope.to } : null;
  // The categories of each line (its label unless merged); a total line counts those of every line.
  const rowAtoms = t.rows.map((r, i) => t.rowKeys?.[i] ?? [r.label]);
  const colAtoms = t.columns.map((c, i) => t.columnKeys?.[i] ?? [c]);
  const rowsOf = (r: number) => rowAtoms[r] ?? rowAtoms.flat();
  const colsOf = (c: number) => colAtoms[c] ?? colAtoms.flat();
  const once = t.oncePerPerson;
  const additive = (c: number) => !once || (once !== true && !colsOf(c).some((a) => once.includes(a)));
  const keysOf = (r: number, c: number): string[] =>
    [
      ...new Set(
        t.rowPeriods
          ? colsOf(c).map((a) => `col:${a}`)
          : t.columnPeriods
            ? rowsOf(r).map((a) => `row:${a}`)
            : rowsOf(r).flatMap((ra) => colsOf(c).map((ca) => `${ra}|${ca}`)),
      ),
    ].sort();
  const allRows = [
    ...t.rows.map((r) => ({ ...r, isTotals: false })),
    ...(t.totalsRow ? [{ label: 'Total', cells: t.totalsRow.cells, hidden: t.totalsRow.hidden, isTotals: true }] : []),
  ];
  const figures: Figure[] = [];
  const grid = allRows.map((row, r) =>
    Array.from({ length: width }, (_, c) => {
      const keys = keysOf(r, c);
      const period = t.rowPeriods
        ? row.isTotals
          ? whole
          : (t.rowPeriods[r] ?? null)
        : t.columnPeriods
          ? c < nCols
            ? (t.columnPeriods[c] ?? null)
            : whole
          : whole;
      figures.push({
        value: row.cells[c] ?? null,
        hidden: row.hidden[c] ?? false,
        isTotal: row.isTotals || c >= nCols,
        keys,
        period,
        additive: additive(c),
      });
      return figures.length - 1;
    }),
  );
  const equations: Layout['equations'] = [];
  if (t.rowTotals) for (const line of grid) equations.push({ total: line[nCols]!, parts: line.slice(0, nCols) });
  if (t.totalsRow)
    for (let c = 0; c < width; c++)
      equations.push({ total: grid[grid.length - 1]![c]!, parts: grid.slice(0, -1).map((line) => line[c]!) });
  const counts = t.counts.map((n) => {
    figures.push({
      value: n.value,
      hidden: n.hidden,
      isTotal: false,
      keys: [`note:${n.label}`],
      period: whole,
      additive: once !== true,
    });
    return figures.length - 1;
  });
  return { figures, equations, grid, counts };
}

/** The order in which figures are chosen to withhold: cells before totals, smallest first. */
export const withholdingOrder =
  (L: Layout) =>
  (a: number, b: number): number =>
    Number(L.figures[a]!.isTotal) - Number(L.figures[b]!.isTotal) ||
    (L.figures[a]!.value ?? 0) - (L.figures[b]!.value ?? 0);

/** The figures of a published table, with withheld values unknown. */
export function publishedLayout(t: ProtectedTable): Layout {
  const v = (c: Cell) => (c.suppressed ? null : c.value);
  const h = (c: Cell) => c.suppressed !== null;
  const withTotals = t.rows[0]?.total !== null && t.rows[0]?.total !== undefined;
  return layout({
    rows: t.rows.map((r) => {
      const cs = [...r.cells, ...(r.total ? [r.total] : [])];
      return { label: r.label, cells: cs.map(v), hidden: cs.map(h) };
    }),
    columns: t.columns,
    rowTotals: withTotals,
    columnTotals: !!t.columnTotals,
    totalsRow: t.columnTotals
      ? (() => {
          const cs = [...t.columnTotals, ...(t.grandTotal ? [t.grandTotal] : [])];
          return { cells: cs.map(v), hidden: cs.map(h) };
        })()
      : null,
    counts: (t.counts ?? []).map((n) => ({ label: n.label, value: v(n.cell), hidden: h(n.cell) })),
    scope: t.scope ?? null,
    rowPeriods: t.rowPeriods ?? null,
    columnPeriods: t.columnPeriods ?? null,
    rowKeys: t.rowKeys ?? null,
    columnKeys: t.columnKeys ?? null,
    oncePerPerson: t.oncePerPerson ?? null,
  });
}

export const within = (a: Period, b: Period) => a.from >= b.from && a.to <= b.to;
export const roleWithin = (a: string | null, b: string | null) =>
  b === null || a === b || (b === 'social_workers' && (a === 'social_worker' || a === 'senior_practitioner'));
/** Whether population `a` lies inside population `b` (every filter of b holds for a). */
export const populationWithin = (a: Scope, b: Scope) =>
  (b.teamId === null || a.teamId === b.teamId) &&
  (b.serviceId === null || a.serviceId === b.serviceId || (a.teamId !== null && a.teamServiceId === b.serviceId)) &&
  roleWithin(a.jobRole, b.jobRole) &&
  (b.staffConcerns !== false || a.staffConcerns === false);

/** Whether every category of sorted `a` is one of sorted `b`. */
export const keysWithin = (a: string[], b: string[]) => {
  if (a.length > b.length) return false;
  let j = 0;
  for (const k of a) {
    while (j < b.length && b[j]! < k) j++;
    if (b[j] !== k) return false;
    j++;
  }
  return true;
};

/** Whether figure `a` counts a subset of what `b` counts (same population). */
export const inside = (a: Figure, b: Figure) => within(a.period!, b.period!) && keysWithin(a.keys, b.keys);

/**
 * Pairs (small, large) of figures of two tables (a's as indices i, b's as -1 - j) where the first
 * counts a subset of what the second counts: its categories among the other's (a merged cell or a
 * total holds several), its period within the other's and its population within the other's.
 * Figures that do not overlap are never paired.
 */
export function links(a: Layout, aScope: Scope, b: Layout, bScope: Scope): [number, number][] {
  if (aScope.statistic !== bScope.statistic) return [];
  const aIn = populationWithin(aScope, bScope);
  const bIn = populationWithin(bScope, aScope);
  if (!aIn && !bIn) return [];
  const out: [number, number][] = [];
  a.figures.forEach((f, i) => {
    if (!f.period) return;
    b.figures.forEach((g, j) => {
      if (!g.period) return;
      if (aIn && inside(f, g)) out.push([i, -1 - j]);
      if (bIn && inside(g, f)) out.push([-1 - j, i]);
    });
  });
  return out;
}
