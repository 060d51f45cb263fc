import type { FastifyPluginAsync } from 'fastify';
import { z } from 'zod';
import type { Services } from '../../composition.ts';
import type { Actor } from '../auth/actor.ts';
import { requireActor } from '../../web/security.ts';
import { handleForm } from '../../web/error-handling.ts';
import { optionalText, parseWith, requiredId } from '../../web/validation.ts';
import { idParam } from '../people/routes.ts';
import { ANSWER_KEYS, ANSWERS, CALL_OUTCOMES, QUESTION_KEYS, type CallOutcome } from './rules.ts';

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

/** Purple File (Appendix B): finding the caller, and the call page with its questions, call-back, police pack and close. */
export const purpleFileRoutes: FastifyPluginAsync<{ services: Services }> = async (app, { services }) => {
  const { duress } = services;

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
};
