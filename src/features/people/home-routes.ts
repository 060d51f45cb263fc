import type { FastifyPluginAsync } from 'fastify';
import type { Services } from '../../composition.ts';
import { requireActor } from '../../web/security.ts';

export const homeRoutes: FastifyPluginAsync<{ services: Services }> = async (app, { services }) => {
  app.get('/', async (request, reply) => {
    const actor = requireActor(request);
    const [mine, teams] = await Promise.all([services.people.myRelationships(actor), services.people.teamsFor(actor)]);
    return reply.view('people/home.njk', { title: 'Home', ...mine, teams });
  });
};
