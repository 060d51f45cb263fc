/**
 * The finest groups linked releases tell apart (issue 16). Every figure of a release counts the
 * people of some categories, over some days, in some population (all staff, a team, a job role,
 * with or without concerns raised by staff). Cut the days at every release's dates, the categories
 * into single ones and the populations into what no filter splits further, and every figure is the
 * sum of the counts of those atoms. Atoms that every figure either holds or does not hold alike
 * cannot be told apart by any reader: they merge into one region, and each figure is the sum of
 * its regions. Written that way, a linear programme over the regions knows everything a reader can
 * work out by adding and subtracting any releases, however combined: sums over several releases,
 * populations subtracted from the whole (all staff less team 1 less team 2), overlapping periods.
 *
 * Only figures that add up over days, categories and people belong here; a count of people counted
 * once over a period (staff assaulted) is not the sum of its months and is linked pairwise instead.
 * A team lies in one service when its release says which (`teamServiceId`); otherwise team and
 * service are treated as independent filters.
 */

export interface RegionPeriod {
  from: string;
  to: string;
}

/** Who a figure counts, as the filters of its release. */
export interface Population {
  teamId: number | null;
  serviceId: number | null;
  jobRole: string | null;
  /** False when concerns raised by staff are left out; absent or true, they count. */
  staffConcerns?: boolean;
  /** The service of the team, when known: nobody of the team is in another service. */
  teamServiceId?: number | null;
}

export interface RegionFigure {
  /** Index of the figure in the caller's list. */
  at: number;
  period: RegionPeriod;
  /** The categories it counts (sorted or not). */
  keys: string[];
  population: Population;
}

export interface Regions {
  /** Per region: the figures (`at`) that hold it. */
  holders: number[][];
  /** Per figure (`at`): its regions. */
  of: Map<number, number[]>;
  /** Per region: a name that is the same for the same atoms however the figures were grouped. */
  names: string[];
}

const dayAfter = (day: string) => new Date(Date.parse(`${day}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10);

/** The roles a job-role filter takes in ("social_workers" is both kinds of social worker). */
const rolesOf = (role: string) => (role === 'social_workers' ? ['social_worker', 'senior_practitioner'] : [role]);

/**
 * The regions of `figures`, with the days cut at the dates of `cutBy` as well (a superset of the
 * figures), so that two calls over different figures name the same atoms alike.
 */
export function regions(figures: RegionFigure[], cutBy: RegionFigure[] = figures): Regions {
  const all = [...cutBy, ...figures];
  const cuts = [...new Set(all.flatMap((f) => [f.period.from, dayAfter(f.period.to)]))].sort();
  // The populations no filter splits: each used value of each filter, and "any other".
  const OTHER = '*';
  const teams = [...new Set(all.map((f) => f.population.teamId).filter((t) => t !== null))].map(String);
  const services = [...new Set(all.map((f) => f.population.serviceId).filter((s) => s !== null))].map(String);
  const roles = [...new Set(all.flatMap((f) => (f.population.jobRole ? rolesOf(f.population.jobRole) : [])))];
  const splitConcerns = all.some((f) => f.population.staffConcerns === false);
  const dims = [
    [...teams, OTHER],
    [...services, OTHER],
    [...roles, OTHER],
    splitConcerns ? ['service users', 'staff'] : [OTHER],
  ];
  // A team's people are all in its service: no atom puts them in another.
  const serviceOf = new Map<string, string>();
  for (const f of all)
    if (f.population.teamId !== null && f.population.teamServiceId != null) {
      const s = String(f.population.teamServiceId);
      serviceOf.set(String(f.population.teamId), services.includes(s) ? s : OTHER);
    }
  const populations: string[][] = dims
    .reduce<string[][]>((acc, values) => acc.flatMap((p) => values.map((v) => [...p, v])), [[]])
    .filter(([team, service]) => !serviceOf.has(team!) || serviceOf.get(team!) === service);
  const holds = (pop: Population, atom: string[]) =>
    (pop.teamId === null || atom[0] === String(pop.teamId)) &&
    (pop.serviceId === null || atom[1] === String(pop.serviceId)) &&
    (pop.jobRole === null || rolesOf(pop.jobRole).includes(atom[2]!)) &&
    (pop.staffConcerns !== false || atom[3] === 'service users');

  // Atom → the figures that hold it, in the order given.
  const holdersOf = new Map<string, number[]>();
  for (const f of figures) {
    const end = dayAfter(f.period.to);
    const days = cuts.filter((c) => c >= f.period.from && c < end);
    const pops = populations.filter((p) => holds(f.population, p)).map((p) => p.join('/'));
    for (const d of days)
      for (const k of new Set(f.keys))
        for (const p of pops) {
          const atom = `${d}|${k}|${p}`;
          const list = holdersOf.get(atom);
          if (list) list.push(f.at);
          else holdersOf.set(atom, [f.at]);
        }
  }
  // Atoms held by the same figures form one region.
  const bySignature = new Map<string, { holders: number[]; atoms: string[] }>();
  for (const [atom, list] of holdersOf) {
    const signature = list.join(',');
    const region = bySignature.get(signature);
    if (region) region.atoms.push(atom);
    else bySignature.set(signature, { holders: list, atoms: [atom] });
  }
  const out: Regions = { holders: [], of: new Map(), names: [] };
  for (const { holders, atoms } of bySignature.values()) {
    const id = out.holders.length;
    out.holders.push(holders);
    out.names.push(atoms.sort().join(';'));
    for (const at of holders) {
      const list = out.of.get(at);
      if (list) list.push(id);
      else out.of.set(at, [id]);
    }
  }
  return out;
}
