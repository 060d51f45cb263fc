import { audit, type AuditResult } from './audit.ts';
import {
  DEFAULT_THRESHOLD,
  WITHHELD,
  footnote,
  type Cell,
  type ProtectOptions,
  type ProtectedTable,
  type Scope,
  type StatTable,
} from './disclosure-types.ts';
import { layout, publishedLayout, withholdingOrder } from './layout.ts';
import { auditProblem } from './linked-audit.ts';

const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);

/** The cells of a protected table that earlier releases fix already (withholding them hides nothing). */
export const alreadyPublic = new WeakMap<ProtectedTable, Set<Cell>>();

/** One level of a table protected: primary suppression, then secondary suppression until the audit passes. */
export async function protectLevel(table: StatTable, o: ProtectOptions): Promise<ProtectedTable> {
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
  /** Figures the earlier releases fix already: shown, never withheld to protect another. */
  const shown = new Set<number>();
  /** The figure to withhold next to protect `i`: an open one sharing an equation, cells before totals, smallest first. */
  const partner = (i: number): number | null => {
    const near = L.equations.filter((q) => q.total === i || q.parts.includes(i)).flatMap((q) => [q.total, ...q.parts]);
    const pick = (pool: number[]) =>
      pool.filter((j) => !L.figures[j]!.hidden && !shown.has(j)).sort(withholdingOrder(L))[0] ?? null;
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
