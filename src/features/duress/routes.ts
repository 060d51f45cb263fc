import type { FastifyPluginAsync } from 'fastify';
import { replyToAction } from '../offline/answer.ts';
import { z } from 'zod';
import type { Services } from '../../composition.ts';
import type { Actor } from '../auth/actor.ts';
import { requireActor } from '../../web/security.ts';
import { handleForm } from '../../web/error-handling.ts';
import { optionalText, parseWith, requiredId } from '../../web/validation.ts';
import { idParam } from '../people/routes.ts';
import {
  ANSWER_KEYS,
  ANSWERS,
  CALL_OUTCOMES,
  MAJOR_INCIDENT_CATEGORIES,
  QUESTION_KEYS,
  type CallOutcome,
  type MajorIncidentCategory,
} from './rules.ts';

const pinForm = z.object({
  duressPin: z.string({ error: 'Enter a duress PIN' }).trim(),
  checkoutPin: z
    .string()
    .trim()
    .optional()
    .transform((v) => v ?? ''),
});
const answerForm = z.object({
  question: z.enum(QUESTION_KEYS, { error: 'Choose a question' }),
  answer: z.enum(ANSWER_KEYS, { error: 'Select yes, no or no answer' }),
});
const closeForm = z.object({
  outcome: z.enum(Object.keys(CALL_OUTCOMES) as [CallOutcome, ...CallOutcome[]], {
    error: 'Select what happened before you close the call',
  }),
  notes: optionalText(2000),
  closeAlarms: z.literal('yes').optional(),
});
const startForm = z.object({ workerId: requiredId('Select the person who rang') });
const majorForm = z.object({
  category: z.enum(Object.keys(MAJOR_INCIDENT_CATEGORIES) as [MajorIncidentCategory, ...MajorIncidentCategory[]], {
    error: 'Select what kind of major incident it is',
  }),
  summary: optionalText(2000),
  alertId: z
    .string()
    .regex(/^\d{1,18}$/)
    .optional()
    .or(z.literal(''))
    .transform((v) => v || null),
  callId: z.coerce
    .number()
    .int()
    .positive()
    .optional()
    .or(z.literal(''))
    .transform((v) => (v ? Number(v) : null)),
  lockdownId: z.coerce
    .number()
    .int()
    .positive()
    .optional()
    .or(z.literal(''))
    .transform((v) => (v ? Number(v) : null)),
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
const positive = (v: unknown) => (typeof v === 'string' && /^\d{1,9}$/.test(v) && Number(v) > 0 ? Number(v) : null);

export const duressRoutes: FastifyPluginAsync<{ services: Services }> = async (app, { services }) => {
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

  // ---- Purple File ----------------------------------------------------------------------------

  app.get('/purple-file', async (request, reply) => {
    const actor = requireActor(request);
    const q = ((request.query as { q?: string }).q ?? '').trim().slice(0, 100) || null;
    return reply.view('duress/purple-file.njk', {
      title: 'Purple File',
      ...(await duress.candidates(actor, q)),
      q,
      values: {},
    });
  });

  app.post('/purple-file', async (request, reply) => {
    const actor = requireActor(request);
    return handleForm(
      reply,
      () => duress.startCall(actor, parseWith(startForm, request.body).workerId),
      {
        template: 'duress/purple-file.njk',
        values: request.body,
        context: async () => ({ title: 'Purple File', ...(await duress.candidates(actor, null)), q: null }),
      },
      (id) => `/purple-file/${id as number}`,
    );
  });

  const callPage = async (actor: Actor, id: number) => {
    const detail = await duress.view(actor, id);
    return {
      title: `Purple File: ${detail.workerName}`,
      ...detail,
      answerItems: Object.entries(ANSWERS).map(([value, text]) => ({ value, text })),
      outcomes: Object.entries(CALL_OUTCOMES).map(([value, text]) => ({ value, text })),
      backLink: '/purple-file',
    };
  };

  app.get<{ Params: { id: string } }>('/purple-file/:id', async (request, reply) => {
    const actor = requireActor(request);
    const id = idParam(request.params.id);
    const done = (request.query as { done?: string }).done;
    const flash = (
      {
        notified: 'The managers have been told',
        closed: 'Call closed',
        timer: 'Call-back timer started',
        stopped: 'Call-back timer stopped',
        pack: 'Emergency information pack opened for this call. Each time it is shown is recorded, and the worker can see it.',
      } as Record<string, string>
    )[done ?? ''];
    return reply.view('duress/call.njk', { ...(await callPage(actor, id)), values: {}, flash });
  });

  const callAction = (
    path: string,
    run: (actor: Actor, id: number, body: unknown) => Promise<unknown>,
    done: (id: number, body: unknown) => string,
  ) =>
    app.post<{ Params: { id: string } }>(`/purple-file/:id/${path}`, async (request, reply) => {
      const actor = requireActor(request);
      const id = idParam(request.params.id);
      return handleForm(
        reply,
        () => run(actor, id, request.body),
        { template: 'duress/call.njk', values: request.body, context: () => callPage(actor, id) },
        () => done(id, request.body),
      );
    });
  // Break-glass for the police pack: with a real reason it opens, and stays open on the call until it closes.
  const packForm = z.object({ reason: optionalText(500) });
  callAction(
    'pack',
    (actor, id, body) => duress.openPack(actor, id, parseWith(packForm, body).reason),
    (id) => `/purple-file/${id}?done=pack#police-pack`,
  );
  callAction(
    'answers',
    (actor, id, body) => {
      const f = parseWith(answerForm, body);
      return duress.answer(actor, id, f.question, f.answer);
    },
    (id, body) =>
      `/purple-file/${id}#${(body as { question?: string }).question === 'call_back' ? 'call-back' : 'script'}`,
  );
  callAction(
    'callback',
    (actor, id) => duress.startCallback(actor, id),
    (id) => `/purple-file/${id}?done=timer#call-back`,
  );
  callAction(
    'callback/cancel',
    (actor, id) => duress.cancelCallback(actor, id),
    (id) => `/purple-file/${id}?done=stopped#call-back`,
  );
  callAction(
    'notify',
    (actor, id) => duress.notifyManagers(actor, id),
    (id) => `/purple-file/${id}?done=notified`,
  );
  callAction(
    'close',
    (actor, id, body) => {
      const f = parseWith(closeForm, body);
      return duress.close(actor, id, f.outcome, f.notes, f.closeAlarms === 'yes');
    },
    (id) => `/purple-file/${id}?done=closed`,
  );

  // ---- Major incidents ------------------------------------------------------------------------

  const sourceOf = (q: Record<string, unknown>) => ({
    alertId: typeof q.alertId === 'string' && /^\d{1,18}$/.test(q.alertId) ? q.alertId : null,
    callId: positive(q.callId),
    lockdownId: positive(q.lockdownId),
  });
  const majorPage = async (actor: Actor, from: ReturnType<typeof sourceOf>) => ({
    title: 'Declare a major incident',
    source: await duress.majorIncidentSource(actor, from),
    categories: Object.entries(MAJOR_INCIDENT_CATEGORIES).map(([value, text]) => ({ value, text })),
  });

  app.get('/major-incidents', async (request, reply) => {
    const actor = requireActor(request);
    return reply.view('duress/major-incidents.njk', {
      title: 'Major incidents',
      incidents: await duress.majorIncidents(actor),
    });
  });

  app.get('/major-incidents/new', async (request, reply) => {
    const actor = requireActor(request);
    return reply.view('duress/major-incident-new.njk', {
      ...(await majorPage(actor, sourceOf(request.query as Record<string, unknown>))),
      values: {},
    });
  });

  app.post('/major-incidents', async (request, reply) => {
    const actor = requireActor(request);
    const body = (request.body ?? {}) as Record<string, unknown>;
    return handleForm(
      reply,
      () => duress.declareMajorIncident(actor, parseWith(majorForm, body)),
      { template: 'duress/major-incident-new.njk', values: body, context: () => majorPage(actor, sourceOf(body)) },
      (id) => `/major-incidents/${id as number}?done=declared`,
    );
  });

  app.get<{ Params: { id: string } }>('/major-incidents/:id', async (request, reply) => {
    const actor = requireActor(request);
    const id = idParam(request.params.id);
    const flash =
      (request.query as { done?: string }).done === 'declared'
        ? 'Major incident declared. The assistant director and line manager have been told.'
        : undefined;
    return reply.view('duress/major-incident.njk', {
      title: 'Major incident',
      ...(await duress.majorIncident(actor, id)),
      flash,
    });
  });
};
