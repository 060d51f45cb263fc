import type { FastifyPluginAsync } from 'fastify';
import type { Services } from '../../composition.ts';
import { registerOverviewRoutes } from './overview-routes.ts';
import { registerDeclarationRoutes } from './declaration-routes.ts';
import { registerGiftRoutes } from './gift-routes.ts';
import { registerReportRoutes } from './report-routes.ts';

/** Every registers route, registered by what it serves. */
export const registersRoutes: FastifyPluginAsync<{ services: Services }> = async (app, options) => {
  await app.register(registerOverviewRoutes, options);
  await app.register(registerDeclarationRoutes, options);
  await app.register(registerGiftRoutes, options);
  await app.register(registerReportRoutes, options);
};
