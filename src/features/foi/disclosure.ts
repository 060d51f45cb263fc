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
 */

export interface Period {
  from: string;
  to: string;
}

/** Who and when a table counts: what links it to other tables from the same statistic. */
export interface Scope extends Period {
  statistic: string;
  teamId: number | null;
  serviceId: number | null;
  jobRole: string | null;
  /** Whether concerns raised by staff count (absent: they do); a table without them counts a subset. */
  staffConcerns?: boolean;
}

/** A count given in the notes ("Referred to a regulator: 12 complaints in the period"). */
export interface NoteCount {
  label: string;
  value: number;
  suffix: string;
}

import { longDate } from '../../time/london.ts';
import { audit, type AuditFigure, type AuditProblem, type AuditResult, type Inclusion } from './audit.ts';
import { regions, type RegionFigure } from './regions.ts';

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
  /** Notes shown under the table (definitions, sources). They carry no counts: those go in `counts`. */
  notes?: string[];
  /** Counts given under the table, protected like cells. */
  counts?: NoteCount[];
  /** The dates each row counts, when rows are periods (financial years); else the whole period. */
  rowPeriods?: Period[];
  /** The dates each column counts, when columns are periods. */
  columnPeriods?: Period[];
  /** The categories each row counts (absent: its label); a merged row counts those of every row merged into it. */
  rowKeys?: string[][];
  /** The categories each column counts (absent: its label). */
  columnKeys?: string[][];
  /**
   * Figures that count each person once over their period (staff assaulted), so they do not add up
   * over days: every figure (true) or those of the columns counting these categories.
   */
  oncePerPerson?: true | string[];
}

export interface Cell {
  /** The true count; null once redacted for publication (see `redacted`). */
  value: number | null;
  /** What is published: the number, or "[c]". */
  text: string;
  /** Why it is withheld; once redacted, only "withheld", so the kind never leaves Harbour. */
  suppressed: 'primary' | 'secondary' | 'withheld' | null;
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
  /** The definitions, then each note count as published text, then the "[c]" footnote if any. */
  notes: string[];
  /** The note counts, protected (for the audit of later tables). */
  counts?: { label: string; suffix: string; cell: Cell }[];
  scope?: Scope | null;
  rowPeriods?: Period[] | null;
  columnPeriods?: Period[] | null;
  /**
   * The categories each row and column counts, kept so a later table can be linked to this one
   * figure by figure after either was coarsened. Absent from tables saved before they were kept:
   * each line then counts its label.
   */
  rowKeys?: string[][] | null;
  columnKeys?: string[][] | null;
  oncePerPerson?: true | string[] | null;
  /** What the intruder's audit found: the narrowest range of a withheld figure, and solver calls. */
  audit?: {
    withheld: number;
    narrowest: number | null;
    solves: number;
    linkedTables: number;
    passed?: boolean;
    /**
     * Figures, groups and differences the earlier releases already give away between them, without
     * this table (published before the audit covered them): nothing withheld here can undo them.
     */
    earlierLeaks?: number;
  };
  /** How the table was coarsened to be protected ("Financial years merged into one period"); empty when not. */
  coarsened?: string[];
}

export const DEFAULT_THRESHOLD = 4;

/** The one marker for a withheld figure. */
export const WITHHELD = '[c]';

export const footnote = (threshold: number) =>
  `${WITHHELD} Withheld to protect the people counted: either a number from 1 to ${threshold}, or a number from which one could be worked out.`;

export interface ProtectOptions {
  threshold?: number;
  scope?: Scope | null;
  /** Tables already published (or being published alongside) from any statistic; only linked ones are used. */
  prior?: ProtectedTable[];
}

/** A figure of one table in the audit: where it sits and what it counts. */
interface Figure {
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

interface Layout {
  figures: Figure[];
  equations: { total: number; parts: number[] }[];
  grid: number[][];
  counts: number[];
}

/**
 * The figures of a table (grid with totals, then note counts) and its equations. Works on the live
 * table (true values) and on a published one (withheld values unknown).
 */
function layout(t: {
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

/** The figures of a published table, with withheld values unknown. */
function publishedLayout(t: ProtectedTable): Layout {
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

const within = (a: Period, b: Period) => a.from >= b.from && a.to <= b.to;
const roleWithin = (a: string | null, b: string | null) =>
  b === null || a === b || (b === 'social_workers' && (a === 'social_worker' || a === 'senior_practitioner'));
/** Whether population `a` lies inside population `b` (every filter of b holds for a). */
const populationWithin = (a: Scope, b: Scope) =>
  (b.teamId === null || a.teamId === b.teamId) &&
  (b.serviceId === null || a.serviceId === b.serviceId) &&
  roleWithin(a.jobRole, b.jobRole) &&
  (b.staffConcerns !== false || a.staffConcerns === false);

/** Whether every category of sorted `a` is one of sorted `b`. */
const keysWithin = (a: string[], b: string[]) => {
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
const inside = (a: Figure, b: Figure) => within(a.period!, b.period!) && keysWithin(a.keys, b.keys);

/**
 * Pairs (small, large) of figures of two tables (a's as indices i, b's as -1 - j) where the first
 * counts a subset of what the second counts: its categories among the other's (a merged cell or a
 * total holds several), its period within the other's and its population within the other's.
 * Figures that do not overlap are never paired.
 */
function links(a: Layout, aScope: Scope, b: Layout, bScope: Scope): [number, number][] {
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

/** The cells of a protected table that earlier releases fix already (withholding them hides nothing). */
const alreadyPublic = new WeakMap<ProtectedTable, Set<Cell>>();

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

/** One level of a table protected: primary suppression, then secondary suppression until the audit passes. */
async function protectLevel(table: StatTable, o: ProtectOptions): Promise<ProtectedTable> {
  const threshold = o.threshold ?? DEFAULT_THRESHOLD;
  const scope = o.scope ?? null;
  const nRows = table.rows.length;
  const nCols = table.columns.length;
  const withRowTotal = table.rowTotals && nCols > 0;
  const withColTotal = table.columnTotals && nRows > 0;
  const rowValues = table.rows.map((row) => {
    const cells = row.cells.slice(0, nCols).map((n) => n ?? 0);
    return [...cells, ...(withRowTotal ? [sum(cells)] : [])];
  });
  const totalsValues = withColTotal
    ? Array.from({ length: nCols + (withRowTotal ? 1 : 0) }, (_, c) => sum(rowValues.map((r) => r[c]!)))
    : null;
  const small = (n: number) => threshold > 0 && n >= 1 && n <= threshold;
  const L = layout({
    rows: table.rows.map((r, i) => ({ label: r.label, cells: rowValues[i]!, hidden: rowValues[i]!.map(small) })),
    columns: table.columns,
    rowTotals: withRowTotal,
    columnTotals: withColTotal,
    totalsRow: totalsValues ? { cells: totalsValues, hidden: totalsValues.map(small) } : null,
    counts: (table.counts ?? []).map((n) => ({ label: n.label, value: n.value, hidden: small(n.value) })),
    scope,
    rowPeriods: table.rowPeriods ?? null,
    columnPeriods: table.columnPeriods ?? null,
    rowKeys: table.rowKeys ?? null,
    columnKeys: table.columnKeys ?? null,
    oncePerPerson: table.oncePerPerson ?? null,
  });
  const kind: ('primary' | 'secondary' | null)[] = L.figures.map((f) => (f.hidden ? 'primary' : null));
  const hide = (i: number) => {
    if (!kind[i]) kind[i] = 'secondary';
    L.figures[i]!.hidden = true;
  };
  const value = (i: number) => L.figures[i]!.value ?? 0;
  /** Figures the earlier releases fix already: shown, never withheld to protect another. */
  const shown = new Set<number>();
  /** The figure to withhold next to protect `i`: an open one sharing an equation, cells before totals, smallest first. */
  const partner = (i: number): number | null => {
    const near = L.equations.filter((q) => q.total === i || q.parts.includes(i)).flatMap((q) => [q.total, ...q.parts]);
    const pick = (pool: number[]) =>
      pool
        .filter((j) => !L.figures[j]!.hidden && !shown.has(j))
        .sort((a, b) => Number(L.figures[a]!.isTotal) - Number(L.figures[b]!.isTotal) || value(a) - value(b))[0] ??
      null;
    return pick(near) ?? pick(L.grid.flat());
  };

  if (threshold > 0) {
    // First pass: no line left with exactly one hidden entry.
    for (let changed = true; changed;) {
      changed = false;
      for (const q of L.equations) {
        const members = [q.total, ...q.parts];
        if (members.filter((j) => L.figures[j]!.hidden).length !== 1) continue;
        const j = partner(members.find((m) => L.figures[m]!.hidden)!);
        if (j !== null && members.includes(j)) {
          hide(j);
          changed = true;
        }
      }
    }
  }

  // Linked tables: earlier releases from the same statistic whose periods and populations overlap
  // this one's, or those of an earlier release linked to it (in the order published).
  const candidates =
    threshold > 0 && scope
      ? (o.prior ?? [])
          .filter((t) => t.scope && t.scope.statistic === scope.statistic)
          .map((t) => ({ t, l: publishedLayout(t) }))
      : [];
  // Any two releases over days in common are linked: what one counts in part of another's days
  // is worked out through a third (May–June less March–May plus March–April gives June).
  const meet = (a: Scope, b: Scope) => a.from <= b.to && b.from <= a.to;
  const reached = new Set(candidates.filter((x) => meet(scope!, x.t.scope!)));
  for (const x of reached)
    for (const y of candidates) if (!reached.has(y) && meet(x.t.scope!, y.t.scope!)) reached.add(y);
  const priors = candidates.filter((x) => reached.has(x));
  const report = {
    narrowest: null as number | null,
    solves: 0,
    linkedTables: 0,
    passed: threshold === 0,
    earlierLeaks: 0,
  };
  if (threshold > 0) {
    const settled = await auditProblem(L, scope, priors, threshold);
    const { problem, fresh, fixFor, linkedTables } = settled;
    for (const i of settled.shown) {
      shown.add(i);
      kind[i] = null;
      L.figures[i]!.hidden = false;
    }
    // Withholding a figure only widens every range, so what passed once passes after: each round
    // checks again only what failed and the figures just withheld.
    let failed: { figures: Set<number>; differences: Set<number>; groups: Set<number> } | null = null;
    const justHidden = new Set<number>();
    for (let round = 0; round <= L.figures.length; round++) {
      const p = problem();
      const f = failed;
      const result = await fresh(
        p,
        await audit(
          f
            ? {
                ...p.problem,
                check: p.problem.check.filter((i) => f.figures.has(i) || justHidden.has(i)),
                differences: p.problem.differences.filter((i) => f.differences.has(i)),
                groupChecks: [...f.groups],
              }
            : p.problem,
          threshold,
        ),
      );
      failed = {
        figures: new Set(result.pinned.map((x) => x.figure)),
        differences: new Set(result.revealed.map((x) => x.inclusion)),
        groups: new Set(result.exposed?.map((x) => x.group)),
      };
      justHidden.clear();
      report.solves += result.solves;
      report.linkedTables = linkedTables;
      report.earlierLeaks = settled.earlierLeaks();
      const fixes = new Set<number>();
      for (const x of result.pinned) {
        const j = fixFor(p, { figure: x.figure }, partner);
        if (j !== null) fixes.add(j);
      }
      for (const x of result.revealed) {
        const j = fixFor(p, { inclusion: x.inclusion }, partner);
        if (j !== null) fixes.add(j);
      }
      for (const x of result.exposed ?? []) {
        const j = fixFor(p, { group: x.group }, partner);
        if (j !== null) fixes.add(j);
      }
      if (!fixes.size) {
        report.narrowest = narrowest(result);
        report.passed = result.feasible && !result.pinned.length && !result.revealed.length && !result.exposed?.length;
        // A secondary cell the published figures fix exactly (to 0) protects nothing: shown, it adds nothing.
        const secondary = p.problem.check.filter((i) => i < L.figures.length && kind[i] === 'secondary');
        const final =
          round === 0 || !secondary.length
            ? result
            : await audit({ ...p.problem, check: secondary, differences: [], groupChecks: [] }, threshold);
        report.solves += round === 0 ? 0 : final.solves;
        for (const i of final.fixed)
          if (i < L.figures.length && kind[i] === 'secondary') {
            kind[i] = null;
            L.figures[i]!.hidden = false;
          }
        break;
      }
      for (const j of fixes) {
        hide(j);
        justHidden.add(j);
      }
    }
  }

  const known = new Set<Cell>();
  const cellOf = (i: number): Cell => {
    const f = L.figures[i]!;
    const cell: Cell = {
      value: f.value,
      suppressed: f.hidden ? (kind[i] ?? 'secondary') : null,
      text: f.hidden ? WITHHELD : String(f.value),
    };
    if (shown.has(i)) known.add(cell);
    return cell;
  };
  const counts = (table.counts ?? []).map((n, k) => ({ label: n.label, suffix: n.suffix, cell: cellOf(L.counts[k]!) }));
  const suppressedCount = L.figures.filter((f) => f.hidden).length;
  const out: ProtectedTable = {
    title: table.title,
    rowHeader: table.rowHeader,
    columns: table.columns,
    rows: table.rows.map((row, r) => ({
      label: row.label,
      cells: L.grid[r]!.slice(0, nCols).map(cellOf),
      total: withRowTotal ? cellOf(L.grid[r]![nCols]!) : null,
    })),
    columnTotals: withColTotal ? L.grid[nRows]!.slice(0, nCols).map(cellOf) : null,
    grandTotal: withColTotal && withRowTotal ? cellOf(L.grid[nRows]![nCols]!) : null,
    threshold,
    suppressedCount,
    notes: [
      ...(table.notes ?? []),
      ...counts.map((n) => `${n.label}: ${n.cell.text}${n.suffix}`),
      ...(suppressedCount ? [footnote(threshold)] : []),
    ],
    counts,
    scope,
    rowPeriods: table.rowPeriods ?? null,
    columnPeriods: table.columnPeriods ?? null,
    rowKeys: table.rowKeys ?? null,
    columnKeys: table.columnKeys ?? null,
    oncePerPerson: table.oncePerPerson ?? null,
    audit: { withheld: suppressedCount, ...report },
  };
  alreadyPublic.set(out, known);
  return out;
}

function narrowest(r: AuditResult): number | null {
  const widths = [...r.pinned, ...r.revealed, ...(r.exposed ?? [])].map((x) => x.range.max - x.range.min);
  return widths.length ? Math.min(...widths) : null;
}

/**
 * The audit problem for the new table (figures 0..n-1) with its linked priors after it, and how to
 * answer a failure with one more figure of the new table to withhold.
 *
 * Every release is linked with every other, the earlier ones with each other too: each figure that
 * adds up over days is the sum of its regions, the finest groups the releases tell apart, and a
 * figure counting people once over a period is held below every figure counting more (pairwise
 * links). An intruder subtracts and adds any releases, not only the newest. A failure the earlier releases
 * already show without the new table (published before this audit was complete) is `known`: no
 * figure of the new table can undo it, so it is not held against the new table.
 */
async function auditProblem(
  L: Layout,
  scope: Scope | null,
  priors: { t: ProtectedTable; l: Layout }[],
  threshold: number,
) {
  /** A figure that adds up over days, as `regions.ts` takes it. */
  const spot = (f: Figure, at: number, s: Scope): RegionFigure[] =>
    f.period && f.additive ? [{ at, period: f.period, keys: f.keys, population: s }] : [];
  // Days are cut at every release's dates in every build, so a group is named alike in each.
  const cutBy = scope
    ? [
        ...L.figures.flatMap((f, i) => spot(f, i, scope)),
        ...priors.flatMap((x) => x.l.figures.flatMap((f, i) => spot(f, -1 - i, x.t.scope!))),
      ]
    : [];
  // A table whose lines count overlapping periods (each year, then the whole period) holds sums no
  // total says: its figures are written over regions even with no earlier release.
  const additive = L.figures.filter((f) => f.period && f.additive);
  const nested = additive.some((f) =>
    additive.some(
      (g) =>
        g.keys.join() === f.keys.join() &&
        (g.period!.from !== f.period!.from || g.period!.to !== f.period!.to) &&
        g.period!.from <= f.period!.to &&
        f.period!.from <= g.period!.to,
    ),
  );
  const build = (use: { l: Layout; t: ProtectedTable }[], withNew = true) => {
    const offsets: number[] = [];
    let n = L.figures.length;
    for (const x of use) {
      offsets.push(n);
      n += x.l.figures.length;
    }
    const figures: AuditFigure[] = [...L.figures, ...use.flatMap((x) => x.l.figures)].map((f) => ({
      published: f.hidden ? null : f.value,
    }));
    const equations = [
      ...(withNew ? L.equations : []),
      ...use.flatMap((x, k) =>
        x.l.equations.map((q) => ({ total: q.total + offsets[k]!, parts: q.parts.map((i) => i + offsets[k]!) })),
      ),
    ];
    // The releases in the order published, the new one last: figures that count the same are
    // chosen for a sum in that order.
    const tables = [
      ...use.map((x, k) => ({ l: x.l, s: x.t.scope!, offset: offsets[k]! })),
      ...(withNew ? [{ l: L, s: scope!, offset: 0 }] : []),
    ];
    // Every pair of figures of two releases is a constraint, and its difference is checked. Each
    // figure also holds the sum of the largest disjoint figures of the other releases inside it:
    // that difference is checked too.
    const inclusions: Inclusion[] = [];
    const differences: number[] = [];
    tables.forEach((a, i) =>
      tables.slice(i + 1).forEach((b) => {
        const at = (k: number) => (k >= 0 ? k + a.offset : -1 - k + b.offset);
        for (const [x, y] of links(a.l, a.s, b.l, b.s)) {
          differences.push(inclusions.length);
          inclusions.push({ small: at(x), large: at(y) });
        }
      }),
    );
    // Within a release, a count of people once over a year is at most the count over the whole
    // period, and their difference counts the people of the other years only.
    for (const t of tables)
      t.l.figures.forEach((f, i) => {
        if (!f.period || f.additive) return;
        t.l.figures.forEach((g, j) => {
          if (i === j || !g.period || g.additive || !within(f.period!, g.period!) || !keysWithin(f.keys, g.keys))
            return;
          // Same days: the table's own totals say it already.
          if (f.period!.from === g.period!.from && f.period!.to === g.period!.to) return;
          differences.push(inclusions.length);
          inclusions.push({ small: i + t.offset, large: j + t.offset });
        });
      });
    // Each figure that adds up over days is the sum of the finest groups the releases tell apart
    // (`regions.ts`): the solver then knows every sum and difference of any releases at once. A
    // group that figures of two releases hold, and the part of a figure no other release holds,
    // must not be a small count.
    const groups: number[][] = [];
    const groupNames: string[] = [];
    /** The figures of the releases; the regions come after them. */
    const released = figures.length;
    if (tables.length > 1 || nested) {
      const tableOf = new Map<number, number>();
      const R = regions(
        tables.flatMap((t, k) =>
          t.l.figures.flatMap((f, i) => {
            tableOf.set(i + t.offset, k);
            return spot(f, i + t.offset, t.s);
          }),
        ),
        cutBy,
      );
      const base = figures.length;
      for (const _ of R.holders) figures.push({ published: null });
      for (const [at, parts] of R.of) equations.push({ total: at, parts: parts.map((r) => r + base) });
      const tablesHolding = (r: number) => new Set(R.holders[r]!.map((at) => tableOf.get(at)));
      const name = (rs: number[]) =>
        rs
          .flatMap((r) => R.names[r]!.split(';'))
          .sort()
          .join(';');
      R.holders.forEach((_, r) => {
        if (tablesHolding(r).size < 2) return;
        groups.push([r + base]);
        groupNames.push(name([r]));
      });
      for (const parts of R.of.values()) {
        const rest = parts.filter((r) => tablesHolding(r).size === 1);
        if (!rest.length || rest.length === parts.length) continue;
        groups.push(rest.map((r) => r + base));
        groupNames.push(name(rest));
      }
    }
    // Every withheld figure: one of an earlier release is narrowed through its own table's totals
    // too (its withheld cell pinned by the new table's, its column total then worked out).
    const check = figures
      .slice(0, released)
      .map((f, i) => (f.published === null && (withNew || i >= L.figures.length) ? i : -1))
      .filter((i) => i >= 0);
    return {
      problem: { figures, equations, inclusions, check, differences, groups } satisfies AuditProblem,
      groupNames,
    };
  };
  // A prior that contradicts today's figures or the priors kept before it (the records changed
  // since) cannot be linked: left out.
  const usable: typeof priors = [];
  for (const x of priors)
    if (
      (
        await audit(
          { ...build([...usable, x]).problem, check: [], differences: [], groups: [], feasibility: true },
          threshold,
        )
      ).feasible
    )
      usable.push(x);
  // What the earlier releases give away together without the new table.
  const differenceOf = (q: Inclusion) => `${q.large}:${[q.small, ...(q.also ?? [])].sort((a, b) => a - b).join(',')}`;
  // Asked only about the failures an audit finds, once each: most audits find none.
  const beforeBuild = usable.length ? build(usable, false) : null;
  const beforeDifference = new Map(beforeBuild?.problem.inclusions.map((q, i) => [differenceOf(q), i]));
  const beforeGroup = new Map(beforeBuild?.groupNames.map((n, i) => [n, i]));
  const known = { figures: new Set<number>(), differences: new Set<string>(), groups: new Set<string>() };
  const asked = new Set<string>();
  const askBefore = async (figures: number[], differences: string[], groups: string[]) => {
    const ask = <T>(xs: T[], key: (x: T) => string) => xs.filter((x) => !asked.has(key(x)) && asked.add(key(x)));
    const f = ask(figures, (i) => `f${i}`).filter((i) => i >= L.figures.length);
    const d = ask(differences, (k) => `d${k}`).filter((k) => beforeDifference.has(k));
    const g = ask(groups, (n) => `g${n}`).filter((n) => beforeGroup.has(n));
    if (!beforeBuild || !(f.length + d.length + g.length)) return;
    const before = beforeBuild.problem;
    const leaked = await audit(
      {
        ...before,
        check: f,
        differences: d.map((k) => beforeDifference.get(k)!),
        groupChecks: g.map((n) => beforeGroup.get(n)!),
      },
      threshold,
    );
    for (const x of leaked.pinned) known.figures.add(x.figure);
    for (const x of leaked.revealed) known.differences.add(differenceOf(before.inclusions[x.inclusion]!));
    for (const x of leaked.exposed ?? []) known.groups.add(beforeBuild.groupNames[x.group]!);
  };
  // What the earlier releases alone give of the new table's figures, every one of them withheld: a
  // figure they fix exactly is public already and is shown (unless a small count, leaked before);
  // one they narrow cannot be protected by withholding more. Neither is held against the new table.
  const blind = build(usable).problem;
  const given = usable.length
    ? await audit(
        {
          ...blind,
          figures: blind.figures.map((f, i) => (i < L.figures.length ? { published: null } : f)),
          check: L.figures.map((_, i) => i),
          differences: [],
          groups: [],
        },
        threshold,
      )
    : null;
  const small = (i: number) => L.figures[i]!.value! >= 1 && L.figures[i]!.value! <= threshold;
  const shown = new Set(given?.fixed.filter((i) => !small(i)));
  for (const x of given?.pinned ?? []) known.figures.add(x.figure);
  /** The failures the new table brings: those the earlier releases already show are left out. */
  const fresh = async (p: ReturnType<typeof build>, r: AuditResult): Promise<AuditResult> => {
    await askBefore(
      r.pinned.map((x) => x.figure),
      r.revealed.map((x) => differenceOf(p.problem.inclusions[x.inclusion]!)),
      (r.exposed ?? []).map((x) => p.groupNames[x.group]!),
    );
    return {
      ...r,
      pinned: r.pinned.filter((x) => !known.figures.has(x.figure)),
      revealed: r.revealed.filter((x) => !known.differences.has(differenceOf(p.problem.inclusions[x.inclusion]!))),
      exposed: r.exposed?.filter((x) => !known.groups.has(p.groupNames[x.group]!)),
    };
  };
  const fixFor = (
    p: ReturnType<typeof build>,
    failure: { figure: number } | { inclusion: number } | { group: number },
    partner: (i: number) => number | null,
  ): number | null => {
    const own = (i: number) => i < L.figures.length;
    const members = (q: Inclusion) => [q.small, ...(q.also ?? []), q.large];
    const targets =
      'figure' in failure
        ? [failure.figure]
        : 'group' in failure
          ? p.problem.groups[failure.group]!
          : members(p.problem.inclusions[failure.inclusion]!);
    const near = (i: number) => [
      ...p.problem.inclusions.filter((q) => members(q).includes(i)).flatMap(members),
      ...p.problem.equations.filter((q) => q.total === i || q.parts.includes(i)).flatMap((q) => [q.total, ...q.parts]),
    ];
    const open = (j: number) => !L.figures[j]!.hidden && !shown.has(j);
    const rank = (a: number, b: number) =>
      Number(L.figures[a]!.isTotal) - Number(L.figures[b]!.isTotal) ||
      (L.figures[a]!.value ?? 0) - (L.figures[b]!.value ?? 0);
    /** An open figure of the new table sharing an equation or a region with `j`: cells first, smallest first. */
    const linked = (j: number) =>
      [...new Set(near(j).flatMap((x) => (own(x) ? [x] : near(x))))].filter((x) => own(x) && open(x)).sort(rank)[0] ??
      null;
    for (const i of targets) {
      // A figure of the new table: itself if published, else the nearest linked to it, through the
      // links and the totals of the earlier releases.
      const seen = new Set<number>(own(i) ? [] : [i]);
      for (let ring = own(i) ? [i] : near(i); ring.length;) {
        const step = [...new Set(ring)].filter((j) => !seen.has(j));
        for (const j of step) seen.add(j);
        const mine = step.filter(own);
        for (const j of mine) if (open(j)) return j;
        for (const j of mine) {
          const k = linked(j) ?? partner(j);
          if (k !== null) return k;
        }
        ring = step.filter((j) => !own(j)).flatMap(near);
      }
    }
    return null;
  };
  const earlierLeaks = () => known.figures.size + known.differences.size + known.groups.size;
  return { problem: () => build(usable), fresh, fixFor, shown, linkedTables: usable.length, earlierLeaks };
}

const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);

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
