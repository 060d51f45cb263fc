import type { FastifyPluginAsync } from 'fastify';
import type { Services } from '../../composition.ts';
import { requireActor } from '../../web/security.ts';
import { ValidationError, toErrorMap, toErrorSummary } from '../../errors.ts';
import { handleForm } from '../../web/error-handling.ts';
import { HISTORY_STATES, parseHistoryFilter, type HistoryFilter } from './schema.ts';
import { listHref, pageFrom, paging, textParam } from '../../web/paging.ts';
import type { Actor } from '../auth/actor.ts';
import { answerAction } from '../offline/answer.ts';
import type { ActionDone } from '../offline/idempotency.ts';
import { flashFor } from './route-replies.ts';

/** The worker's day (my visits today, "Finished and safe") and the visit history. */
export const visitDayRoutes: FastifyPluginAsync<{ services: Services }> = async (app, { services }) => {
  const { visits } = services;

  const myDayPage = async (actor: Actor) => {
    const [day, dayStatus, endPin] = await Promise.all([
      visits.myDay(actor),
      actor.staffId ? visits.dayStatus(actor.staffId) : null,
      actor.staffId === null ? null : services.duress.endForm(actor, actor.staffId),
    ]);
    return { title: 'My visits today', ...day, dayStatus, endPin };
  };
  app.get('/visits', async (request, reply) => {
    const actor = requireActor(request);
    return reply.view('visits/my-day.njk', {
      ...(await myDayPage(actor)),
      flash: flashFor((request.query as { done?: string }).done),
    });
  });

  // Visit history: every visit the person could open, newest first, 50 a page, with a period, a state and a search.
  app.get('/visits/history', async (request, reply) => {
    const actor = requireActor(request);
    const boxes = Object.fromEntries(
      ['from', 'to'].flatMap((p) =>
        ['day', 'month', 'year'].map((b) => [`${p}-${b}`, textParam(request.query, `${p}-${b}`, 4)]),
      ),
    );
    const values = { q: textParam(request.query, 'q'), state: textParam(request.query, 'state', 20), ...boxes };
    const view = async (code: number, filter: HistoryFilter, extra: Record<string, unknown>) => {
      const found = await visits.history(
        actor,
        filter,
        pageFrom((request.query as Record<string, unknown> | undefined)?.page),
      );
      return reply.code(code).view('visits/history.njk', {
        title: 'Visit history',
        ...found,
        values,
        states: Object.entries(HISTORY_STATES).map(([value, text]) => ({ value, text })),
        backLink: '/visits',
        paging: paging(found.page, found.total, 'visits', (p) =>
          listHref('/visits/history', code === 200 ? { q: filter.q, state: filter.state, ...boxes } : {}, p),
        ),
        ...extra,
      });
    };
    try {
      return await view(200, parseHistoryFilter(request.query), {});
    } catch (e) {
      if (!(e instanceof ValidationError)) throw e;
      return view(
        400,
        { from: null, to: null, q: '', state: null },
        { errorList: toErrorSummary(e.errors), errors: toErrorMap(e.errors) },
      );
    }
  });

  app.post('/day/finish', async (request, reply) => {
    const actor = requireActor(request);
    const staffId = actor.staffId;
    if (staffId === null) return reply.redirect('/visits', 303);
    return handleForm(
      reply,
      () =>
        services.idempotency.once(actor, request.body, 'day.finish', '/visits?done=finished', () =>
          visits.finishDay(actor, staffId),
        ),
      { template: 'visits/my-day.njk', values: {}, context: () => myDayPage(actor) },
      (result) => answerAction(request, reply, result as ActionDone),
    );
  });
};
