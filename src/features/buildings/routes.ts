import type { FastifyPluginAsync } from 'fastify';
import type { Services } from '../../composition.ts';
import { requireActor } from '../../web/security.ts';
import { idParam } from '../people/routes.ts';
import { adminFlash } from '../organisation/done.ts';

export const buildingsRoutes: FastifyPluginAsync<{ services: Services }> = async (app, { services }) => {
  app.get('/buildings', async (request, reply) => {
    requireActor(request);
    return reply.view('buildings/list.njk', { title: 'Buildings', buildings: await services.buildings.list() });
  });
  app.get<{ Params: { id: string } }>('/buildings/:id', async (request, reply) => {
    requireActor(request);
    const detail = await services.buildings.get(idParam(request.params.id));
    return reply.view('buildings/building.njk', {
      title: detail.building.name,
      ...detail,
      flash: adminFlash(request.query),
    });
  });
};
