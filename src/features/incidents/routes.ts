import type { FastifyPluginAsync } from 'fastify';
import type { Services } from '../../composition.ts';
import type { Actor } from '../auth/actor.ts';
import { requireActor } from '../../web/security.ts';
import { handleForm } from '../../web/error-handling.ts';
import { idParam } from '../people/routes.ts';
import { parseResponseForm } from './schema.ts';

const DONE: Record<string, string> = {
  draft: 'Draft saved. You can come back to it from Incidents.',
  submitted: 'Incident reported. Your manager has been given a deadline to meet you.',
  behalf: 'Incident reported. The person it happened to has been asked to confirm it.',
  confirmed: 'Thank you for confirming the report',
  response: 'Response recorded',
};
const flashFrom = (query: unknown) => DONE[(query as { done?: string }).done ?? ''];
const positiveId = (v: unknown) => (typeof v === 'string' && /^\d{1,9}$/.test(v) && Number(v) > 0 ? Number(v) : null);
const actionOf = (body: unknown) => ((body as { action?: unknown } | undefined)?.action === 'draft' ? 'draft' as const : 'submit' as const);

export const incidentsRoutes: FastifyPluginAsync<{ services: Services }> = async (app, { services }) => {
  const svc = services.incidents;

  app.get('/incidents', async (request, reply) => {
    const actor = requireActor(request);
    return reply.view('incidents/list.njk', { title: 'Incidents', ...(await svc.list(actor)), flash: flashFrom(request.query) });
  });

  app.get('/incidents/new', async (request, reply) => {
    const actor = requireActor(request);
    const q = request.query as { visitId?: string; alertId?: string };
    const context = await svc.newReport(actor, { visitId: positiveId(q.visitId), alertId: positiveId(q.alertId) });
    return reply.view('incidents/report.njk', { title: 'Report an incident', action: '/incidents', ...context });
  });

  /** Both buttons post here: "Save as draft" keeps what was typed; "Submit report" checks it. */
  const done = (actor: Actor, body: unknown, id: number) => {
    if (actionOf(body) === 'draft') return `/incidents/${id}?done=draft`;
    const employeeId = Number((body as { employeeId?: string }).employeeId);
    return `/incidents/${id}?done=${Number.isInteger(employeeId) && employeeId > 0 && employeeId !== actor.staffId ? 'behalf' : 'submitted'}`;
  };

  app.post('/incidents', async (request, reply) => {
    const actor = requireActor(request);
    return handleForm(
      reply,
      () => svc.save(actor, null, request.body, actionOf(request.body)),
      { template: 'incidents/report.njk', values: request.body, context: async () => ({ title: 'Report an incident', action: '/incidents', ...(await svc.formContext(actor)) }) },
      (id) => done(actor, request.body, id as number),
    );
  });

  app.get<{ Params: { id: string } }>('/incidents/:id', async (request, reply) => {
    const actor = requireActor(request);
    const id = idParam(request.params.id);
    const draft = await svc.draft(actor, id);
    if (draft) return reply.view('incidents/report.njk', { title: 'Report an incident', action: `/incidents/${id}`, ...draft, flash: flashFrom(request.query) });
    const context = await svc.view(actor, id);
    return reply.view('incidents/incident.njk', { title: `Incident ${id}`, ...context, values: context.respondValues, flash: flashFrom(request.query) });
  });

  app.post<{ Params: { id: string } }>('/incidents/:id', async (request, reply) => {
    const actor = requireActor(request);
    const id = idParam(request.params.id);
    return handleForm(
      reply,
      () => svc.save(actor, id, request.body, actionOf(request.body)),
      { template: 'incidents/report.njk', values: request.body, context: async () => ({ title: 'Report an incident', action: `/incidents/${id}`, ...(await svc.formContext(actor)) }) },
      () => done(actor, request.body, id),
    );
  });

  app.post<{ Params: { id: string } }>('/incidents/:id/confirm', async (request, reply) => {
    const actor = requireActor(request);
    const id = idParam(request.params.id);
    await svc.confirm(actor, id);
    return reply.redirect(`/incidents/${id}?done=confirmed`, 303);
  });

  app.post<{ Params: { id: string } }>('/incidents/:id/response', async (request, reply) => {
    const actor = requireActor(request);
    const id = idParam(request.params.id);
    return handleForm(
      reply,
      () => svc.respond(actor, id, parseResponseForm(request.body)),
      { template: 'incidents/incident.njk', values: request.body, context: async () => ({ title: `Incident ${id}`, ...(await svc.view(actor, id)) }) },
      () => `/incidents/${id}?done=response`,
    );
  });
};
