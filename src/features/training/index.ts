import { buildTrainingContext, type TrainingDeps } from './context.ts';
import { buildCourses } from './courses.ts';
import { buildRecords } from './records.ts';
import { buildReadiness } from './readiness.ts';
import { CATEGORIES } from './rules.ts';

export type { TrainingDeps } from './context.ts';
export type { Readiness } from './ready-to-work-alone.ts';
export { buildTrainingGate } from './gate.ts';

/**
 * Training records and readiness to work alone (issue 19), assembled from its capabilities: the
 * courses, a person's records (with refreshers and the import), readiness, team policy and reminders.
 */
export function buildTrainingService(deps: TrainingDeps) {
  const ctx = buildTrainingContext(deps);
  return {
    scope: ctx.scope,
    categories: CATEGORIES,
    readinessFor: ctx.readinessFor,
    ...buildCourses(ctx),
    ...buildRecords(ctx),
    ...buildReadiness(ctx),
  };
}
export type TrainingService = ReturnType<typeof buildTrainingService>;
