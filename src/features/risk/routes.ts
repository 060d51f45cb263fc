import type { FastifyPluginAsync } from 'fastify';
import type { Services } from '../../composition.ts';
import type { Actor } from '../auth/actor.ts';
import { can } from '../auth/access.ts';
import { ForbiddenError } from '../../errors.ts';
import { requireActor } from '../../web/security.ts';
import { handleForm } from '../../web/error-handling.ts';
import { parseWith } from '../../web/validation.ts';
import { idParam } from '../people/routes.ts';
import { choiceParam, listHref, pageFrom, paging, textParam } from '../../web/paging.ts';
import { FLAG_CATEGORIES } from './rules.ts';
import { controlForm, parseAssessmentForm, parseFlagForm, precautionsForm, withdrawFlagForm } from './schema.ts';

const DONE: Record<string, string> = {
  assessment: 'Risk assessment recorded',
  control: 'Control recorded',
  precautions: 'Precautions recorded',
  countersigned: 'Risk assessment countersigned',
  flag: 'Warning flag added',
  withdrawn: 'Warning flag withdrawn',
};
const FLAG_STATUSES = { live: 'Live', ended: 'Expired or withdrawn' } as const;
const flashFrom = (query: unknown) => DONE[(query as { done?: string }).done ?? ''];

export const riskRoutes: FastifyPluginAsync<{ services: Services }> = async (app, { services }) => {
  const visitPage = async (actor: Actor, id: number) => {
    const detail = await services.risk.visitRisk(actor, id);
    // Issue 19: a team that requires lone-working training lets an AMBER lone visit without it start
    // with the manager's approval (or a joint visit), so the page offers that approval.
    const readiness = (await services.training.readinessFor([detail.visit.worker_id]))[0];
    const trainingApproval =
      readiness?.policy === 'require' && readiness.loneWorkingWarning ? readiness.loneWorkingWarning : null;
    return {
      trainingApproval,
      title: `Risk: ${detail.visit.description ?? detail.visit.address ?? detail.visit.postcode ?? `visit ${id}`}`,
      backLink: `/visits/${id}`,
      ...detail,
    };
  };

  app.get<{ Params: { id: string } }>('/visits/:id/risk', async (request, reply) => {
    const actor = requireActor(request);
    const context = await visitPage(actor, idParam(request.params.id));
    return reply.view('risk/visit.njk', { ...context, values: {}, flash: flashFrom(request.query) });
  });

  /** The three forms of the risk page share its template; a bad submission re-renders it with that form's input. */
  const visitForm = (
    path: string,
    action: (actor: Actor, id: number, body: unknown) => Promise<unknown>,
    done: string,
  ) => {
    app.post<{ Params: { id: string } }>(`/visits/:id/risk/${path}`, async (request, reply) => {
      const actor = requireActor(request);
      const id = idParam(request.params.id);
      return handleForm(
        reply,
        () => action(actor, id, request.body),
        {
          template: 'risk/visit.njk',
          values: { ...(request.body as object), form: path },
          context: () => visitPage(actor, id),
        },
        () => `/visits/${id}/risk?done=${done}`,
      );
    });
  };
  visitForm(
    'assessment',
    (actor, id, body) => services.risk.recordAssessment(actor, id, parseAssessmentForm(body)),
    'assessment',
  );
  visitForm(
    'control',
    (actor, id, body) => services.risk.recordControl(actor, id, parseWith(controlForm, body)),
    'control',
  );
  visitForm('countersign', (actor, id) => services.risk.countersign(actor, id), 'countersigned');
  visitForm(
    'precautions',
    (actor, id, body) => services.risk.recordPrecautions(actor, id, parseWith(precautionsForm, body)),
    'precautions',
  );

  /** The flags page: the list as its query narrows and pages it, and the form to add one. */
  const flagsPage = async (actor: Actor, query: unknown) => {
    const q = textParam(query, 'q');
    const category = choiceParam(query, 'category', FLAG_CATEGORIES);
    const status = choiceParam(query, 'status', FLAG_STATUSES);
    const found = await services.risk.flags(actor, {
      q,
      category,
      status,
      page: pageFrom((query as { page?: unknown } | undefined)?.page),
    });
    const filters = { q, category, status };
    return {
      title: 'Warning flags',
      ...found,
      filters,
      statuses: FLAG_STATUSES,
      paging: paging(found.page, found.total, 'warning flags', (p) => listHref('/risk/flags', filters, p)),
    };
  };

  app.get('/risk/flags', async (request, reply) => {
    const actor = requireActor(request);
    return reply.view('risk/flags.njk', {
      ...(await flagsPage(actor, request.query)),
      values: {},
      flash: flashFrom(request.query),
    });
  });

  app.post('/risk/flags', async (request, reply) => {
    const actor = requireActor(request);
    if (!can(actor, 'risk.flags.manage'))
      throw new ForbiddenError('Only managers, health and safety officers and administrators can add warning flags');
    return handleForm(
      reply,
      () => services.risk.addFlag(actor, parseFlagForm(request.body)),
      { template: 'risk/flags.njk', values: request.body, context: () => flagsPage(actor, {}) },
      () => '/risk/flags?done=flag',
    );
  });

  app.get<{ Params: { id: string } }>('/risk/flags/:id/withdraw', async (request, reply) => {
    const actor = requireActor(request);
    const flag = await services.risk.flag(actor, idParam(request.params.id));
    return reply.view('risk/withdraw-flag.njk', { title: 'Withdraw a warning flag', flag, values: {} });
  });

  app.post<{ Params: { id: string } }>('/risk/flags/:id/withdraw', async (request, reply) => {
    const actor = requireActor(request);
    const id = idParam(request.params.id);
    return handleForm(
      reply,
      () => services.risk.withdrawFlag(actor, id, parseWith(withdrawFlagForm, request.body).reason),
      {
        template: 'risk/withdraw-flag.njk',
        values: request.body,
        context: async () => ({ title: 'Withdraw a warning flag', flag: await services.risk.flag(actor, id) }),
      },
      () => '/risk/flags?done=withdrawn',
    );
  });

  app.get('/risk/reviews', async (request, reply) => {
    const actor = requireActor(request);
    const overdue = choiceParam(request.query, 'show', { overdue: true });
    const found = await services.risk.reviews(actor, {
      overdueOnly: overdue !== null,
      page: pageFrom((request.query as { page?: unknown }).page),
    });
    const filters = { show: overdue };
    return reply.view('risk/reviews.njk', {
      title: 'Risk assessments due for review',
      ...found,
      filters,
      paging: paging(found.page, found.total, overdue ? 'overdue risk assessments' : 'risk assessments', (p) =>
        listHref('/risk/reviews', filters, p),
      ),
    });
  });
};
