import type { FastifyPluginAsync } from 'fastify';
import type { Services } from '../../composition.ts';
import { incidentMonitoringRoutes } from './monitoring-routes.ts';
import { incidentImportRoutes } from './import-routes.ts';
import { incidentReportRoutes } from './report-routes.ts';
import { incidentResponseRoutes } from './response-routes.ts';
import { incidentFollowUpRoutes } from './follow-up-routes.ts';

/** Every incidents route, registered by what it serves. */
export const incidentsRoutes: FastifyPluginAsync<{ services: Services }> = async (app, options) => {
  await app.register(incidentMonitoringRoutes, options);
  await app.register(incidentImportRoutes, options);
  await app.register(incidentReportRoutes, options);
  await app.register(incidentResponseRoutes, options);
  await app.register(incidentFollowUpRoutes, options);
};
