import { buildEmergencyContext, type EmergencyDeps } from './context.ts';
import { buildKeys } from './keys.ts';
import { buildOwnPack } from './own-pack.ts';
import { buildBreakGlass } from './break-glass.ts';
import { buildTeamStatus } from './team-status.ts';

export type { EmergencyDeps, EmergencySettings } from './context.ts';
export type { BreakGlassRequest } from './break-glass.ts';

/**
 * Seed 001 Appendix A: each worker's emergency contact and medical details, encrypted, opened by
 * break-glass (`services.emergency`), assembled from its capabilities: the keys, a worker's own pack,
 * break-glass, and the team's status with its reminders.
 */
export function buildEmergencyService(deps: EmergencyDeps) {
  const ctx = buildEmergencyContext(deps);
  return {
    ...buildKeys(ctx),
    ...buildOwnPack(ctx),
    ...buildBreakGlass(ctx),
    ...buildTeamStatus(ctx),
  };
}

export type EmergencyService = ReturnType<typeof buildEmergencyService>;
