// The training service is assembled in index.ts from its capability modules. This path stays for the
// callers outside the feature that still import it (readiness/table.ts, test/db/training.test.ts).
export { buildTrainingService, buildTrainingGate } from './index.ts';
export type { TrainingDeps, TrainingService, Readiness } from './index.ts';
