// The emergency service is assembled in index.ts from its capability modules. This path stays for the
// callers outside the feature that still import it (duress/shared.ts, test/db/emergency.test.ts).
export { buildEmergencyService } from './index.ts';
export type { BreakGlassRequest, EmergencyDeps, EmergencyService, EmergencySettings } from './index.ts';
