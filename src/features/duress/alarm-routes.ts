import type { FastifyPluginAsync } from 'fastify';
import { replyToAction } from '../offline/answer.ts';
import { z } from 'zod';
import type { Services } from '../../composition.ts';
import type { Actor } from '../auth/actor.ts';
import { requireActor } from '../../web/security.ts';
import { handleForm } from '../../web/error-handling.ts';
import { parseWith } from '../../web/validation.ts';
import { idParam } from '../people/routes.ts';

const pinForm = z.object({
  duressPin: z.string({ error: 'Enter a duress PIN' }).trim(),
  checkoutPin: z
    .string()
    .trim()
    .optional()
    .transform((v) => v ?? ''),
});

const location = (b: { lat?: unknown; lng?: unknown }) => {
  const lat = Number(b.lat),
    lng = Number(b.lng);
  return typeof b.lat === 'string' &&
    typeof b.lng === 'string' &&
    b.lat &&
    b.lng &&
    Number.isFinite(lat) &&
    Number.isFinite(lng) &&
    Math.abs(lat) <= 90 &&
    Math.abs(lng) <= 180
    ? { lat, lng }
    : null;
};

/** The silent alarm's two ways in that a worker sets up or taps: the duress PIN, and the disguised control. */
export const duressAlarmRoutes: FastifyPluginAsync<{ services: Services }> = async (app, { services }) => {
  const { duress } = services;

  // ---- The worker's PINs ----------------------------------------------------------------------

  const pinPage = async (actor: Actor) => ({
    title: 'Check-out PIN',
    settings: await duress.pinSettings(actor),
    backLink: '/visits',
  });
  app.get('/account/pin', async (request, reply) => {
    const actor = requireActor(request);
    return reply.view('duress/pin.njk', {
      ...(await pinPage(actor)),
      values: {},
      flash:
        (request.query as { done?: string }).done === 'saved'
          ? 'PIN saved'
          : (request.query as { done?: string }).done === 'removed'
            ? 'PINs removed'
            : undefined,
    });
  });
  app.post('/account/pin', async (request, reply) => {
    const actor = requireActor(request);
    return handleForm(
      reply,
      () => duress.setPins(actor, parseWith(pinForm, request.body)),
      { template: 'duress/pin.njk', values: {}, context: () => pinPage(actor) },
      () => '/account/pin?done=saved',
    );
  });
  app.post('/account/pin/remove', async (request, reply) => {
    const actor = requireActor(request);
    await duress.removePins(actor);
    return reply.redirect('/account/pin?done=removed', 303);
  });

  // ---- The disguised control ------------------------------------------------------------------

  /**
   * "Request purple file" on the session page: raises the silent alarm and comes back to the same
   * page, unchanged. Nothing on the screen says anything happened.
   */
  app.post<{ Params: { id: string } }>('/visits/:id/request-file', async (request, reply) => {
    const actor = requireActor(request);
    const id = idParam(request.params.id);
    const { visit } = await services.visits.viewable(actor, id);
    // Tapped offline and replayed (public/offline.js), or sent twice: its idempotency key means one alarm,
    // and a replay after the alarm was closed does not raise it again.
    const done = await services.idempotency.once(
      actor,
      request.body,
      `visits.request-file:${id}`,
      `/visits/${id}`,
      () =>
        duress.raise(actor, {
          workerId: visit.worker_id,
          visitId: id,
          via: 'control',
          location: location((request.body ?? {}) as Record<string, unknown>),
        }),
    );
    return replyToAction(request, reply, done);
  });
};
