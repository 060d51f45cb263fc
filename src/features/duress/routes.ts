import type { FastifyPluginAsync } from 'fastify';
import type { Services } from '../../composition.ts';
import { duressAlarmRoutes } from './alarm-routes.ts';
import { purpleFileRoutes } from './purple-file-routes.ts';
import { majorIncidentRoutes } from './major-incident-routes.ts';

/** Every duress route, registered by what it serves. */
export const duressRoutes: FastifyPluginAsync<{ services: Services }> = async (app, options) => {
  await app.register(duressAlarmRoutes, options);
  await app.register(purpleFileRoutes, options);
  await app.register(majorIncidentRoutes, options);
};
