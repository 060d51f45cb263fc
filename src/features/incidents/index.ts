import { buildIncidentsContext, type IncidentsDeps } from './context.ts';
import { buildReporting } from './reporting.ts';
import { buildResponse } from './response.ts';
import { buildInvestigation } from './investigation.ts';
import { buildFlags } from './flags.ts';
import { buildStatistics } from './statistics.ts';
import { buildHistoricImport } from './historic-import.ts';
import { buildViewing } from './viewing.ts';

export type { IncidentsDeps, IncidentRelation } from './context.ts';
export type { IncidentImportResult } from './historic-import.ts';

/**
 * Violence at work (HS157), assembled from its capabilities: reporting, the manager's response,
 * the follow-up (police, RIDDOR, the HS160 investigation), warning flags and legal actions, the
 * statistics and the historic import. Visible only to the people involved, their management chain
 * and health and safety.
 */
export function buildIncidentsService(deps: IncidentsDeps) {
  const ctx = buildIncidentsContext(deps);
  return {
    ...buildReporting(ctx),
    ...buildStatistics(ctx),
    ...buildResponse(ctx),
    ...buildInvestigation(ctx),
    ...buildFlags(ctx),
    ...buildHistoricImport(ctx),
    ...buildViewing(ctx),
  };
}

export type IncidentsService = ReturnType<typeof buildIncidentsService>;
