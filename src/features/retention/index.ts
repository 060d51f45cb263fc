import { buildRetentionContext, type RetentionDeps } from './context.ts';
import { buildRuns } from './runs.ts';
import { buildHolds } from './holds.ts';

export type { RetentionDeps, KindResult, RunSummary } from './context.ts';

/**
 * The retention service (`services.retention`), assembled from its capabilities: the runs (each
 * kind's sweep, the dry run, the nightly job, the last run) and legal holds.
 */
export function buildRetentionService(deps: RetentionDeps) {
  const ctx = buildRetentionContext(deps);
  return {
    settings: ctx.settings,
    schedule: () => ctx.rows,
    ...buildRuns(ctx),
    ...buildHolds(ctx),
  };
}

export type RetentionService = ReturnType<typeof buildRetentionService>;
