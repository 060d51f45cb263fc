import type { FastifyPluginAsync } from 'fastify';
import type { Services } from '../../composition.ts';
import type { Actor } from '../auth/actor.ts';
import { requireActor } from '../../web/security.ts';
import { handleForm } from '../../web/error-handling.ts';
import { parseWith } from '../../web/validation.ts';
import { idParam } from '../people/routes.ts';
import { decisionForm, parseGiftForm } from './schema.ts';
import { flashFrom } from './route-replies.ts';

/** Gifts, hospitality, legacies and sponsorship: recording an entry, the decision, and the public register. */
export const registerGiftRoutes: FastifyPluginAsync<{ services: Services }> = async (app, { services }) => {
  const registers = services.registers;
  const giftPage = async (actor: Actor, id: number) => ({
    title: 'Gifts and hospitality entry',
    backLink: '/registers',
    ...(await registers.gift(actor, id)),
  });
  const newGiftPage = async (actor: Actor) => ({
    title: 'Record a gift, hospitality, legacy or sponsorship',
    backLink: '/registers',
    ...(await registers.giftFormContext(actor)),
  });

  app.get('/registers/gifts/new', async (request, reply) => {
    const actor = requireActor(request);
    return reply.view('registers/gift-new.njk', { ...(await newGiftPage(actor)), values: {} });
  });
  app.post('/registers/gifts', async (request, reply) => {
    const actor = requireActor(request);
    return handleForm(
      reply,
      () => registers.recordGift(actor, parseGiftForm(request.body)),
      { template: 'registers/gift-new.njk', values: request.body, context: () => newGiftPage(actor) },
      (id) => `/registers/gifts/${String(id)}?done=gift`,
    );
  });
  app.get<{ Params: { id: string } }>('/registers/gifts/:id', async (request, reply) => {
    const actor = requireActor(request);
    return reply.view('registers/gift.njk', {
      ...(await giftPage(actor, idParam(request.params.id))),
      values: {},
      flash: flashFrom(request.query),
    });
  });
  app.post<{ Params: { id: string } }>('/registers/gifts/:id/decision', async (request, reply) => {
    const actor = requireActor(request);
    const id = idParam(request.params.id);
    return handleForm(
      reply,
      () => registers.decideGift(actor, id, parseWith(decisionForm, request.body)),
      { template: 'registers/gift.njk', values: request.body, context: () => giftPage(actor, id) },
      () => `/registers/gifts/${id}?done=decided`,
    );
  });

  /** Public, no sign-in, and only when REGISTERS_PUBLISH is on (otherwise 404). Senior officers; name, post, type, value band, decision. */
  app.get('/registers/published', async (_request, reply) => {
    return reply.view('registers/published.njk', {
      title: 'Register of gifts and hospitality: senior officers',
      ...(await registers.published()),
    });
  });
};
