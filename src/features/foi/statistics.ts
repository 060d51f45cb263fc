import { COMPLAINT_STATISTICS } from './complaint-statistics.ts';
import { INCIDENT_STATISTICS, TRAINED_STAFF } from './incident-statistics.ts';
import type { StatisticDefinition } from './statistic-tables.ts';

/**
 * Ready-made statistics that answer the seeds' FOI questions from Harbour's live records. Each is
 * a named, parameterised definition (`incident-statistics.ts`, `complaint-statistics.ts`) with its
 * read-only queries in `statistics-repository.ts`, built from the tables of `statistic-tables.ts`.
 * Every result goes through disclosure control (`disclosure.ts`) before anyone outside sees it.
 */

export {
  financialYear,
  financialYears,
  fyLabel,
  questionCoversStaff,
  resolvePeriod,
  yearBands,
  type PeriodInput,
  type StatParams,
  type StatSources,
  type StatisticDefinition,
} from './statistic-tables.ts';
export { wholeMonths } from './statistics-repository.ts';

export const STATISTICS: StatisticDefinition[] = [...INCIDENT_STATISTICS, ...COMPLAINT_STATISTICS, TRAINED_STAFF];

export function statistic(name: string): StatisticDefinition | undefined {
  return STATISTICS.find((s) => s.name === name);
}
