import type { FastifyPluginAsync } from 'fastify';
import type { Services } from '../../composition.ts';
import { visitDayRoutes } from './day-routes.ts';
import { visitPlanningRoutes } from './planning-routes.ts';
import { visitSessionRoutes } from './session-routes.ts';

/** Every visits route, registered by what it serves. */
export const visitsRoutes: FastifyPluginAsync<{ services: Services }> = async (app, options) => {
  await app.register(visitDayRoutes, options);
  await app.register(visitPlanningRoutes, options);
  await app.register(visitSessionRoutes, options);
};
