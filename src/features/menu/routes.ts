import type { FastifyPluginAsync } from 'fastify';
import { requireActor } from '../../web/security.ts';
import { menuFor } from '../../web/navigation.ts';

/** Every page the signed-in person may use, grouped (the navigation's "More"). */
export const menuRoutes: FastifyPluginAsync = async (app) => {
  app.get('/menu', async (request, reply) => {
    const actor = requireActor(request);
    return reply.view('menu/menu.njk', { title: 'All of Harbour', groups: menuFor(actor) });
  });
};
