import type { FastifyPluginAsync } from 'fastify';
import type { Services } from '../../composition.ts';
import { requireActor } from '../../web/security.ts';
import { handleForm } from '../../web/error-handling.ts';
import { idParam } from '../people/routes.ts';
import { parseResponseForm } from './schema.ts';

/** The manager's response to a reported incident. */
export const incidentResponseRoutes: FastifyPluginAsync<{ services: Services }> = async (app, { services }) => {
  const svc = services.incidents;

  app.post<{ Params: { id: string } }>('/incidents/:id/response', async (request, reply) => {
    const actor = requireActor(request);
    const id = idParam(request.params.id);
    return handleForm(
      reply,
      () => svc.respond(actor, id, parseResponseForm(request.body)),
      {
        template: 'incidents/incident.njk',
        values: request.body,
        context: async () => ({ title: `Incident ${id}`, ...(await svc.view(actor, id)) }),
      },
      () => `/incidents/${id}?done=response`,
    );
  });
};
