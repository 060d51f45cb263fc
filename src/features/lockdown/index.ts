import { buildLockdownContext, type LockdownDeps } from './context.ts';
import { buildStart } from './start.ts';
import { buildViewing } from './viewing.ts';
import { buildResponses } from './responses.ts';
import { LOCATIONS } from './rules.ts';

export type { LockdownDeps } from './context.ts';

/**
 * Seed 001 §5 and Appendix K: Dynamic Lock Down of a building (`services.lockdown`), assembled from
 * its capabilities: starting one, the list and its page, acknowledgements and the all clear.
 */
export function buildLockdownService(deps: LockdownDeps) {
  const ctx = buildLockdownContext(deps);
  return {
    startable: ctx.startable,
    locations: LOCATIONS,
    ...buildStart(ctx),
    ...buildViewing(ctx),
    ...buildResponses(ctx),
  };
}

export type LockdownService = ReturnType<typeof buildLockdownService>;
