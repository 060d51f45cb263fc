import { performance } from 'node:perf_hooks';
import { protect, redacted, type ProtectedTable, type StatTable } from '../src/features/foi/disclosure.ts';

/**
 * `npm run bench -- foi-disclosure-linked` (issue 16): the disclosure step alone (no database) when a
 * statistic has been released before for overlapping periods and teams. Six releases of an
 * incidents-by-type table over a year of months, four categories and two teams are published in
 * turn, each audited against every earlier one; the time of each step is reported by how many
 * earlier releases it was audited with. Datasets come from a fixed seed, so runs compare.
 */

/** A small seeded generator (mulberry32): the same datasets on every run. */
function random(seed: number) {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const MONTHS = 12;
const CATEGORIES = ['Physical', 'Verbal', 'Threats', 'Sexual'];
const TEAMS = [1, 2, 0];
const monthStart = (m: number) => `2025-${String(m + 1).padStart(2, '0')}-01`;
const monthEnd = (m: number) => new Date(Date.UTC(2025, m + 1, 0)).toISOString().slice(0, 10);

export async function benchDisclosureLinked(datasets = Number(process.env.BENCH_DISCLOSURE_DATASETS ?? 20)) {
  const byPriors = new Map<number, number[]>();
  let withheld = 0;
  let published = 0;
  for (let d = 0; d < datasets; d++) {
    const rnd = random(1000 + d);
    const small = () => (rnd() < 0.4 ? 0 : rnd() < 0.6 ? 1 + Math.floor(rnd() * 4) : 5 + Math.floor(rnd() * 20));
    const counts = Array.from({ length: MONTHS }, () => CATEGORIES.map(() => TEAMS.map(small)));
    const prior: ProtectedTable[] = [];
    for (let r = 0; r < 6; r++) {
      const from = Math.floor(rnd() * 8);
      const to = Math.min(MONTHS - 1, from + 2 + Math.floor(rnd() * 6));
      const split = from + 1 + Math.floor(rnd() * (to - from));
      const team = rnd() < 0.3 ? TEAMS[Math.floor(rnd() * 2)]! : null;
      const bands =
        split <= to
          ? [
              [from, split - 1],
              [split, to],
            ]
          : [[from, to]];
      const table: StatTable = {
        title: 'Assaults on staff, by type',
        rowHeader: 'Period',
        columns: CATEGORIES,
        rows: bands.map(([a, b], i) => ({
          label: `Band ${i + 1}`,
          cells: CATEGORIES.map((_, c) => {
            let n = 0;
            for (let m = a!; m <= b!; m++)
              counts[m]![c]!.forEach((v, t) => (n += team === null || TEAMS[t] === team ? v : 0));
            return n;
          }),
        })),
        rowTotals: true,
        columnTotals: bands.length > 1,
        rowPeriods: bands.map(([a, b]) => ({ from: monthStart(a!), to: monthEnd(b!) })),
      };
      const scope = {
        statistic: 'assaults-by-type',
        from: monthStart(from),
        to: monthEnd(to),
        teamId: team,
        serviceId: null,
        jobRole: null,
      };
      const started = performance.now();
      const t = await protect(table, { scope, prior });
      const ms = performance.now() - started;
      const linked = t.audit?.linkedTables ?? 0;
      byPriors.set(linked, [...(byPriors.get(linked) ?? []), ms]);
      withheld += t.suppressedCount;
      published += t.rows.length * (CATEGORIES.length + 1);
      prior.push(redacted(t));
    }
  }
  const summary = [...byPriors.entries()]
    .sort(([a], [b]) => a - b)
    .map(([linked, times]) => {
      const sorted = [...times].sort((a, b) => a - b);
      const at = (q: number) => Math.round(sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!);
      return { linkedReleases: linked, steps: sorted.length, medianMs: at(0.5), p95Ms: at(0.95), maxMs: at(1) };
    });
  return { name: 'foi-disclosure-linked', datasets, withheldShare: withheld / published, byLinkedReleases: summary };
}
