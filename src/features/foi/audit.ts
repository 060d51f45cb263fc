import highs from 'highs';

/**
 * The intruder's audit of a release (issue 16). Every published number and every equation between
 * them (row, column and grand totals; one table's figure being at most another's when its period
 * and population lie inside the other's) is written as a linear programme over non-negative
 * integers, and for each withheld figure the least and greatest value it can take are solved with
 * HiGHS. A withheld figure passes when its range is at least the threshold wide (or it can only be
 * 0, which identifies nobody); a difference between two linked figures passes unless it is narrowed
 * to under the threshold while it could be a count from 1 to the threshold.
 *
 * Each bound is first solved as an LP; when the LP optimum is integral it is the integer optimum
 * too, otherwise the integer programme is solved. Pure apart from the solver.
 */

/** A figure of a release: its value when published, or null when withheld. */
export interface AuditFigure {
  published: number | null;
}

/** `sum(parts) = total`, as indices into one flat list of figures. */
export interface Equation {
  total: number;
  parts: number[];
}

/**
 * `small ≤ large`: the figure `small` counts a subset of what `large` counts. With `also`, the
 * figures `small` and `also` count disjoint subsets, so `small + sum(also) ≤ large` (a merged
 * figure holds the figures by category of an earlier release; a total holds its lines).
 */
export interface Inclusion {
  small: number;
  large: number;
  also?: number[];
}

export interface AuditProblem {
  figures: AuditFigure[];
  equations: Equation[];
  inclusions: Inclusion[];
  /** The withheld figures to check. */
  check: number[];
  /** The inclusions whose difference (large − small − also) must not be narrowed to a small count. */
  differences: number[];
  /**
   * Sums of figures that each count a group of people (the part of a release no other release
   * covers; what two releases count in common): none may be narrowed to a small count.
   */
  groups?: number[][];
  /** The groups to check (absent: every one); the others are constraints only. */
  groupChecks?: number[];
  /** Solve whether the figures are consistent at all, even with nothing to check. */
  feasibility?: boolean;
}

export interface Range {
  min: number;
  max: number;
}

export interface AuditResult {
  /** Withheld figures whose range is narrower than the threshold. */
  pinned: { figure: number; range: Range }[];
  /** Inclusions whose difference is narrowed to a possible small count. */
  revealed: { inclusion: number; range: Range }[];
  /** Groups whose sum is narrowed to a possible small count. */
  exposed?: { group: number; range: Range }[];
  /** Withheld figures the published ones fix exactly (always to 0, or they would be in `pinned`). */
  fixed: number[];
  /** False when the published figures contradict the equations (no solution at all). */
  feasible: boolean;
  solves: number;
}

/** Far above any count Harbour holds: stands for "no upper bound". */
export const UNBOUNDED = 10_000_000;

// The package's types describe a CommonJS module; its ES module's default export is the loader.
const loader = highs as unknown as typeof highs.default;
type Solver = Awaited<ReturnType<typeof loader>>;

/**
 * Optima already solved, by the model's text: the same component recurs from one round of
 * suppression to the next and when the same table is asked for again. Bounded; oldest dropped first.
 */
const solved = new Map<string, number | null>();
const SOLVED_LIMIT = 20_000;
function remember(model: string, optimum: number | null) {
  if (solved.size >= SOLVED_LIMIT) solved.delete(solved.keys().next().value!);
  solved.set(model, optimum);
}
let solver: Promise<Solver> | null = null;
const load = () => (solver ??= loader());

/** A linear expression: variable index → coefficient, and a constant. */
interface Expr {
  terms: Map<number, number>;
  constant: number;
}

export async function audit(p: AuditProblem, threshold: number): Promise<AuditResult> {
  const h = await load();
  // Variables are the withheld figures; a published figure is its value.
  const varOf = new Map<number, number>();
  p.figures.forEach((f, i) => {
    if (f.published === null) varOf.set(i, varOf.size);
  });
  const expr = (entries: [figure: number, coefficient: number][], constant = 0): Expr => {
    const e: Expr = { terms: new Map(), constant };
    for (const [fig, k] of entries) {
      const v = varOf.get(fig);
      if (v === undefined) e.constant += k * p.figures[fig]!.published!;
      else e.terms.set(v, (e.terms.get(v) ?? 0) + k);
    }
    for (const [v, k] of e.terms) if (k === 0) e.terms.delete(v);
    return e;
  };
  // Constraints as expr (= 0) or expr (≤ 0).
  const rows: { e: Expr; op: '=' | '<=' }[] = [
    ...p.equations.map((q) => ({
      e: expr([...q.parts.map((i) => [i, 1] as [number, number]), [q.total, -1]]),
      op: '=' as const,
    })),
    ...p.inclusions.map((q) => ({
      e: expr([[q.small, 1], ...(q.also ?? []).map((i) => [i, 1] as [number, number]), [q.large, -1]]),
      op: '<=' as const,
    })),
  ];
  let solves = 0;
  // Constraints with no variable are facts: one that is false means the release contradicts itself.
  for (const r of rows) {
    if (r.e.terms.size) continue;
    if (r.op === '=' ? r.e.constant !== 0 : r.e.constant > 0)
      return { pinned: [], revealed: [], fixed: [], feasible: false, solves };
  }
  const live = rows.filter((r) => r.e.terms.size > 0);

  // Connected components of variables through constraints: each bound is solved on its own component.
  const parent = Array.from({ length: varOf.size }, (_, i) => i);
  const find = (x: number): number => (parent[x] === x ? x : (parent[x] = find(parent[x]!)));
  for (const r of live) {
    const [first, ...rest] = [...r.e.terms.keys()];
    for (const v of rest) parent[find(v)] = find(first!);
  }
  const rowsOf = new Map<number, typeof live>();
  for (const r of live) {
    const root = find([...r.e.terms.keys()][0]!);
    const rows = rowsOf.get(root);
    if (rows) rows.push(r);
    else rowsOf.set(root, [r]);
  }
  const component = (vars: number[]) => [...new Set(vars.map(find))].flatMap((root) => rowsOf.get(root) ?? []);
  /**
   * Integer solutions found so far, by component: every one is a possible truth. A quantity that
   * takes values at least the threshold apart over them is wide enough without solving for it.
   */
  const points = new Map<number, Map<number, number>[]>();
  const spread = (e: Expr): Range | null => {
    const roots = new Set([...e.terms.keys()].map(find));
    if (roots.size !== 1) return null;
    const seen = points.get([...roots][0]!) ?? [];
    if (seen.length < 2) return null;
    const values = seen.map((x) => [...e.terms].reduce((a, [v, k]) => a + k * (x.get(v) ?? 0), e.constant));
    const min = Math.min(...values);
    const max = Math.max(...values);
    return max - min >= threshold ? { min, max } : null;
  };
  const keep = (columns: Record<string, { Primal: number }>) => {
    const x = new Map(Object.entries(columns).map(([name, c]) => [Number(name.slice(1)), Math.round(c.Primal)]));
    const root = find(x.keys().next().value!);
    const seen = points.get(root);
    if (seen) seen.push(x);
    else points.set(root, [x]);
  };

  const bound = (objective: Expr, sense: 'Minimize' | 'Maximize'): number | null => {
    const cons = component([...objective.terms.keys()]);
    const used = new Set<number>([...objective.terms.keys(), ...cons.flatMap((r) => [...r.e.terms.keys()])]);
    if (!cons.length && objective.terms.size === 1) {
      const [k] = [...objective.terms.values()];
      const lo = k! > 0 ? 0 : -UNBOUNDED;
      const hi = k! > 0 ? UNBOUNDED : 0;
      return objective.constant + (sense === 'Minimize' ? lo : hi);
    }
    const lin = (e: Expr) => [...e.terms].map(([v, k]) => `${k < 0 ? '-' : '+'} ${Math.abs(k)} x${v}`).join(' ');
    const text = (integer: boolean) =>
      [
        sense,
        ` obj: ${lin(objective)}`,
        'Subject To',
        ...cons.map((r, i) => ` c${i}: ${lin(r.e)} ${r.op} ${-r.e.constant}`),
        'Bounds',
        ...[...used].map((v) => ` 0 <= x${v} <= ${UNBOUNDED}`),
        ...(integer ? ['Generals', ` ${[...used].map((v) => `x${v}`).join(' ')}`] : []),
        'End',
      ].join('\n');
    const model = text(false);
    const known = solved.get(model);
    if (known !== undefined) return known === null ? null : known + objective.constant;
    const optimum = solve(model, () => text(true));
    remember(model, optimum);
    return optimum === null ? null : optimum + objective.constant;
  };
  /** The integer optimum of a model: its LP optimum when that is integral, else the integer programme's. */
  const solve = (model: string, integerModel: () => string): number | null => {
    solves++;
    const lp = h.solve(model, { output_flag: false, presolve: 'off' });
    if (lp.Status === 'Infeasible') return null;
    if (lp.Status !== 'Optimal') throw new Error(`Disclosure audit: the solver ended with ${lp.Status}`);
    const integral = Object.values(lp.Columns as Record<string, { Primal: number }>).every(
      (c) => Math.abs(c.Primal - Math.round(c.Primal)) < 1e-6,
    );
    if (integral) {
      keep(lp.Columns as Record<string, { Primal: number }>);
      return Math.round(lp.ObjectiveValue);
    }
    solves++;
    const ip = h.solve(integerModel(), { output_flag: false });
    if (ip.Status === 'Infeasible') return null;
    if (ip.Status !== 'Optimal') throw new Error(`Disclosure audit: the solver ended with ${ip.Status}`);
    keep(ip.Columns as Record<string, { Primal: number }>);
    return Math.round(ip.ObjectiveValue);
  };
  const range = (e: Expr): Range | null => {
    if (!e.terms.size) return { min: e.constant, max: e.constant };
    const wide = spread(e);
    if (wide) return wide;
    const min = bound(e, 'Minimize');
    const max = bound(e, 'Maximize');
    return min === null || max === null ? null : { min, max };
  };

  if (p.feasibility) {
    const roots = new Map<number, number>();
    for (const r of live) roots.set(find([...r.e.terms.keys()][0]!), [...r.e.terms.keys()][0]!);
    for (const v of roots.values()) {
      const e: Expr = { terms: new Map([[v, 1]]), constant: 0 };
      if (bound(e, 'Minimize') === null) return { pinned: [], revealed: [], fixed: [], feasible: false, solves };
    }
  }
  const pinned: AuditResult['pinned'] = [];
  const fixed: number[] = [];
  for (const figure of p.check) {
    const r = range(expr([[figure, 1]]));
    if (!r) return { pinned: [], revealed: [], fixed: [], feasible: false, solves };
    if (r.max - r.min < threshold && r.max >= 1) pinned.push({ figure, range: r });
    if (r.max === r.min) fixed.push(figure);
  }
  /** A count narrowed below the threshold's width that could be from 1 to the threshold. */
  const small = (r: Range) => r.max - r.min < threshold && r.max >= 1 && r.min <= threshold;
  const revealed: AuditResult['revealed'] = [];
  for (const i of p.differences) {
    const q = p.inclusions[i]!;
    const r = range(expr([[q.large, 1], [q.small, -1], ...(q.also ?? []).map((j) => [j, -1] as [number, number])]));
    if (!r) return { pinned: [], revealed: [], fixed: [], feasible: false, solves };
    if (small(r)) revealed.push({ inclusion: i, range: r });
  }
  const exposed: NonNullable<AuditResult['exposed']> = [];
  for (const group of p.groupChecks ?? (p.groups ?? []).map((_, i) => i)) {
    const members = p.groups![group]!;
    const r = range(expr(members.map((j) => [j, 1] as [number, number])));
    if (!r) return { pinned: [], revealed: [], fixed: [], feasible: false, solves };
    if (small(r)) exposed.push({ group, range: r });
  }
  return { pinned, revealed, exposed, fixed, feasible: true, solves };
}
