import { buildComplaintsContext, type ComplaintsDeps } from './context.ts';
import { buildStatistics } from './statistics.ts';
import { buildRecording } from './recording.ts';
import { buildReading } from './reading.ts';
import { buildStages } from './stages.ts';
import { buildFindings } from './findings.ts';
import { buildPatterns } from './patterns.ts';
import { buildDeadlines } from './deadlines.ts';
import { buildImporting } from './importing.ts';

export type { ComplaintsDeps } from './context.ts';
export type { ComplaintStatistics, ComplaintStatisticsQuery, ComplaintYearRow } from './statistics.ts';

/**
 * The complaints service (`services.complaints`), one object assembled from its capabilities:
 * recording, reading (list and page), stages, findings, patterns, deadlines, statistics and import.
 */
export function buildComplaintsService(deps: ComplaintsDeps) {
  const ctx = buildComplaintsContext(deps);
  return {
    ...buildStatistics(ctx),
    ...buildRecording(ctx),
    ...buildReading(ctx),
    ...buildStages(ctx),
    ...buildFindings(ctx),
    ...buildPatterns(ctx),
    ...buildDeadlines(ctx),
    ...buildImporting(ctx),
  };
}

export type ComplaintsService = ReturnType<typeof buildComplaintsService>;
