import type { FastifyPluginAsync } from 'fastify';
import type { Services } from '../../composition.ts';
import type { Actor } from '../auth/actor.ts';
import { requireActor } from '../../web/security.ts';
import { handleForm } from '../../web/error-handling.ts';
import { parseWith } from '../../web/validation.ts';
import { choiceParam, listHref, pageFrom, paging, textParam } from '../../web/paging.ts';
import { idParam } from '../people/routes.ts';
import { ValidationError } from '../../errors.ts';
import { assigneeForm, costForm, parseAnswerForm, parseEvent, parseNewRequest } from './schema.ts';
import { londonToday } from '../../time/london.ts';
import { flashFrom } from './route-replies.ts';

/** The register's status filter: `overdue` and `on_hold` are open requests late or with the clock stopped. */
const LIST_STATUSES = {
  open: 'Open',
  overdue: 'Overdue',
  on_hold: 'On hold (clock stopped)',
  responded: 'Responded',
  closed: 'Closed',
  redirected_sar: 'Redirected as a subject access request',
} as const;

/** The FOI team's register of requests and each request's page: logging, answering, the clock, cost and assignee. */
export const foiRequestRoutes: FastifyPluginAsync<{ services: Services }> = async (app, { services }) => {
  const foi = services.foi;
  const requestPage = async (actor: Actor, id: number) => {
    const ctx = await foi.request(actor, id);
    return { title: `FOI request ${ctx.request.reference}`, backLink: '/foi', ...ctx };
  };
  const newPage = async (actor: Actor) => ({
    title: 'Log an FOI request',
    backLink: '/foi',
    ...(await foi.newRequestContext(actor)),
  });

  app.get('/foi', async (request, reply) => {
    const actor = requireActor(request);
    const q = textParam(request.query, 'q');
    const status = choiceParam(request.query, 'status', LIST_STATUSES);
    const assignee = textParam(request.query, 'assignee', 10);
    const assigneeId = /^\d{1,9}$/.test(assignee) ? Number(assignee) : null;
    const d = await foi.dashboard(actor, {
      q,
      status,
      assigneeId,
      page: pageFrom((request.query as { page?: unknown }).page),
    });
    const filters = { q, status, assignee: assigneeId === null ? null : String(assigneeId) };
    return reply.view('foi/dashboard.njk', {
      title: 'Freedom of Information requests',
      ...d,
      filters,
      statuses: LIST_STATUSES,
      flash: flashFrom(request.query),
      paging: paging(d.page, d.total, 'requests', (p) => listHref('/foi', filters, p)),
    });
  });

  app.get('/foi/requests/new', async (request, reply) => {
    const actor = requireActor(request);
    return reply.view('foi/new.njk', { ...(await newPage(actor)), values: {} });
  });
  app.post('/foi/requests', async (request, reply) => {
    const actor = requireActor(request);
    return handleForm(
      reply,
      async () => {
        foi.authorise(actor); // refuses anyone but the FOI team before the input is judged
        return foi.create(actor, parseNewRequest(request.body, londonToday()));
      },
      { template: 'foi/new.njk', values: request.body, context: () => newPage(actor) },
      (id) => `/foi/requests/${String(id)}?done=created`,
    );
  });

  app.get<{ Params: { id: string } }>('/foi/requests/:id', async (request, reply) => {
    const actor = requireActor(request);
    return reply.view('foi/request.njk', {
      ...(await requestPage(actor, idParam(request.params.id))),
      values: {},
      flash: flashFrom(request.query),
    });
  });

  app.post<{ Params: { id: string; questionId: string } }>(
    '/foi/requests/:id/questions/:questionId',
    async (request, reply) => {
      const actor = requireActor(request);
      const id = idParam(request.params.id);
      const questionId = idParam(request.params.questionId);
      return handleForm(
        reply,
        async () => {
          foi.authorise(actor);
          return foi.answer(
            actor,
            id,
            questionId,
            prefixErrors(() => parseAnswerForm(request.body), questionId),
          );
        },
        {
          template: 'foi/request.njk',
          values: { ...(request.body as object), questionId },
          context: () => requestPage(actor, id),
        },
        () => `/foi/requests/${id}?done=answered#question-${questionId}`,
      );
    },
  );

  app.post<{ Params: { id: string; questionId: string } }>(
    '/foi/requests/:id/questions/:questionId/version',
    async (request, reply) => {
      const actor = requireActor(request);
      const id = idParam(request.params.id);
      const questionId = idParam(request.params.questionId);
      return handleForm(
        reply,
        () => foi.newVersion(actor, id, questionId),
        { template: 'foi/request.njk', values: { questionId }, context: () => requestPage(actor, id) },
        () => `/foi/requests/${id}?done=new_version#question-${questionId}`,
      );
    },
  );

  app.post<{ Params: { id: string } }>('/foi/requests/:id/events', async (request, reply) => {
    const actor = requireActor(request);
    const id = idParam(request.params.id);
    return handleForm(
      reply,
      async () => {
        foi.authorise(actor);
        return foi.recordEvent(actor, id, parseEvent(request.body, londonToday()));
      },
      {
        template: 'foi/request.njk',
        values: { ...(request.body as object), form: 'event' },
        context: () => requestPage(actor, id),
      },
      () => `/foi/requests/${id}?done=event`,
    );
  });

  app.post<{ Params: { id: string } }>('/foi/requests/:id/cost', async (request, reply) => {
    const actor = requireActor(request);
    const id = idParam(request.params.id);
    return handleForm(
      reply,
      async () => {
        foi.authorise(actor);
        return foi.setCost(actor, id, parseWith(costForm, request.body));
      },
      {
        template: 'foi/request.njk',
        values: { ...(request.body as object), form: 'cost' },
        context: () => requestPage(actor, id),
      },
      () => `/foi/requests/${id}?done=cost#cost`,
    );
  });

  app.post<{ Params: { id: string } }>('/foi/requests/:id/assignee', async (request, reply) => {
    const actor = requireActor(request);
    const id = idParam(request.params.id);
    return handleForm(
      reply,
      async () => {
        foi.authorise(actor);
        return foi.setAssignee(actor, id, parseWith(assigneeForm, request.body).assigneeId);
      },
      { template: 'foi/request.njk', values: request.body, context: () => requestPage(actor, id) },
      () => `/foi/requests/${id}?done=assigned`,
    );
  });
};

/** Each question has its own form: point the error summary at that question's fields. */
function prefixErrors<T>(parse: () => T, questionId: number): T {
  try {
    return parse();
  } catch (e) {
    if (e instanceof ValidationError)
      throw new ValidationError(e.errors.map((x) => ({ ...x, field: `q${questionId}-${x.field}` })));
    throw e;
  }
}
