import type { FastifyPluginAsync } from 'fastify';
import type { Services } from '../../composition.ts';
import type { Actor } from '../auth/actor.ts';
import { requireActor } from '../../web/security.ts';
import { handleForm } from '../../web/error-handling.ts';
import { parseWith } from '../../web/validation.ts';
import { politicalRestrictionForm, supplierForm } from './schema.ts';
import { flashFrom } from './route-replies.ts';

/** The registers' overview with the political restriction, and the contractors and suppliers. */
export const registerOverviewRoutes: FastifyPluginAsync<{ services: Services }> = async (app, { services }) => {
  const registers = services.registers;
  const overviewPage = async (actor: Actor) => ({ title: 'Registers', ...(await registers.overview(actor)) });

  app.get('/registers', async (request, reply) => {
    const actor = requireActor(request);
    return reply.view('registers/overview.njk', {
      ...(await overviewPage(actor)),
      values: {},
      flash: flashFrom(request.query),
    });
  });

  app.get('/registers/suppliers', async (request, reply) => {
    const actor = requireActor(request);
    return reply.view('registers/suppliers.njk', {
      title: 'Contractors and suppliers',
      backLink: '/registers',
      ...(await registers.suppliers(actor)),
      values: {},
      flash: flashFrom(request.query),
    });
  });
  app.post('/registers/suppliers', async (request, reply) => {
    const actor = requireActor(request);
    return handleForm(
      reply,
      () => registers.addSupplier(actor, parseWith(supplierForm, request.body)),
      {
        template: 'registers/suppliers.njk',
        values: request.body,
        context: async () => ({
          title: 'Contractors and suppliers',
          backLink: '/registers',
          ...(await registers.suppliers(actor)),
        }),
      },
      () => '/registers/suppliers?done=supplier',
    );
  });
  app.post('/registers/political-restriction', async (request, reply) => {
    const actor = requireActor(request);
    return handleForm(
      reply,
      () => registers.setPoliticalRestriction(actor, parseWith(politicalRestrictionForm, request.body)),
      {
        template: 'registers/overview.njk',
        values: { ...(request.body as object), form: 'restriction' },
        context: () => overviewPage(actor),
      },
      () => '/registers?done=restriction',
    );
  });
};
