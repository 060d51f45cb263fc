import { buildDuressRepository } from './repository.ts';
import { buildAlarm } from './alarm.ts';
import { buildCallAccess } from './call-access.ts';
import { buildCallbacks } from './callbacks.ts';
import { buildCall } from './call.ts';
import { buildCallScreen } from './call-screen.ts';
import { buildMajorIncident } from './major-incident.ts';
import type { DuressContext, DuressDeps } from './shared.ts';

export type { DuressDeps, EmergencyPackReader, OpenedPack } from './shared.ts';

/**
 * The duress feature for the composition root: the silent alarm and duress PINs (alarm.ts), the
 * Purple File call (call.ts, call-screen.ts, callbacks.ts, call-access.ts) and major incidents
 * (major-incident.ts). All SQL is in repository.ts and its *-repository.ts files.
 */
export function buildDuressService(deps: DuressDeps) {
  const ctx: DuressContext = { deps, repo: buildDuressRepository(deps.db) };
  const access = buildCallAccess(ctx);
  const { raiseIn, ...alarm } = buildAlarm(ctx);
  const callbacks = buildCallbacks(ctx);
  return {
    ...alarm,
    ...buildCallScreen(ctx, access),
    ...buildCall(ctx, access, callbacks, raiseIn),
    tickCallbacks: callbacks.tick,
    ...buildMajorIncident(ctx, access),
  };
}

export type DuressService = ReturnType<typeof buildDuressService>;
