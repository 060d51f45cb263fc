import type { FastifyPluginAsync } from 'fastify';
import type { Services } from '../../composition.ts';
import { foiRequestRoutes } from './request-routes.ts';
import { foiResponseRoutes } from './response-routes.ts';
import { foiStatisticsRoutes } from './statistics-routes.ts';
import { foiDisclosureLogRoutes } from './disclosure-log-routes.ts';

/** Every FOI route, registered by what it serves. */
export const foiRoutes: FastifyPluginAsync<{ services: Services }> = async (app, options) => {
  await app.register(foiRequestRoutes, options);
  await app.register(foiResponseRoutes, options);
  await app.register(foiStatisticsRoutes, options);
  await app.register(foiDisclosureLogRoutes, options);
};
