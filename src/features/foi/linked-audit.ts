import { audit, type AuditFigure, type AuditProblem, type AuditResult, type Inclusion } from './audit.ts';
import type { ProtectedTable, Scope } from './disclosure-types.ts';
import { keysWithin, links, within, withholdingOrder, type Figure, type Layout } from './layout.ts';
import { regions, type RegionFigure } from './regions.ts';

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
export async function auditProblem(
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
    const rank = withholdingOrder(L);
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
