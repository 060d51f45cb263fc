import type { FastifyPluginAsync } from 'fastify';
import type { Services } from '../../composition.ts';
import { complaintRecordRoutes } from './record-routes.ts';
import { complaintProcedureRoutes } from './procedure-routes.ts';
import { complaintStatisticsRoutes } from './statistics-routes.ts';
import { complaintImportRoutes } from './import-routes.ts';

/** Every complaints route, registered by what it serves. */
export const complaintsRoutes: FastifyPluginAsync<{ services: Services }> = async (app, options) => {
  await app.register(complaintRecordRoutes, options);
  await app.register(complaintProcedureRoutes, options);
  await app.register(complaintStatisticsRoutes, options);
  await app.register(complaintImportRoutes, options);
};
