import type { FastifyPluginAsync } from 'fastify';
import { listHref, pageFrom, paging } from '../../web/paging.ts';
import type { Services } from '../../composition.ts';
import type { Actor } from '../auth/actor.ts';
import { requireActor } from '../../web/security.ts';
import { handleForm } from '../../web/error-handling.ts';
import { idParam } from '../people/routes.ts';
import { flashFrom } from './route-replies.ts';

const positiveId = (v: unknown) => (typeof v === 'string' && /^\d{1,9}$/.test(v) && Number(v) > 0 ? Number(v) : null);
const actionOf = (body: unknown) =>
  (body as { action?: unknown } | undefined)?.action === 'draft' ? ('draft' as const) : ('submit' as const);

/** What the incidents list can be narrowed to, as people name it. */
const LIST_STATUSES = {
  open: 'Open',
  awaiting_confirmation: 'Waiting for confirmation',
  closed: 'Closed',
  draft: 'Draft',
} as const;

/** The list's query: a search, a status and a page; anything unrecognised is ignored, never an error. */
function listFilter(query: unknown) {
  const q = (query ?? {}) as Record<string, unknown>;
  const text = typeof q.q === 'string' ? q.q.trim().slice(0, 100) : '';
  const status =
    typeof q.status === 'string' && Object.hasOwn(LIST_STATUSES, q.status)
      ? (q.status as keyof typeof LIST_STATUSES)
      : null;
  return { q: text || null, status, page: pageFrom(q.page) };
}

/** The list, reporting an incident (drafts, on someone's behalf), the incident page, and confirming a report. */
export const incidentReportRoutes: FastifyPluginAsync<{ services: Services }> = async (app, { services }) => {
  const svc = services.incidents;

  app.get('/incidents', async (request, reply) => {
    const actor = requireActor(request);
    const filter = listFilter(request.query);
    const list = await svc.list(actor, filter);
    const filters = { q: filter.q, status: filter.status };
    return reply.view('incidents/list.njk', {
      title: 'Incidents',
      ...list,
      filters,
      statuses: LIST_STATUSES,
      paging: paging(filter.page, list.total, 'incidents', (p) => listHref('/incidents', filters, p)),
      flash: flashFrom(request.query),
    });
  });

  app.get('/incidents/new', async (request, reply) => {
    const actor = requireActor(request);
    const q = request.query as { visitId?: string; alertId?: string; purpleFileId?: string };
    // Started from a Purple File call: its alert or visit, and the call written out as the narrative.
    const call = positiveId(q.purpleFileId)
      ? await services.duress.incidentPrefill(actor, positiveId(q.purpleFileId)!)
      : null;
    const context = await svc.newReport(actor, {
      visitId: call?.visitId ?? positiveId(q.visitId),
      alertId: call?.alertId ?? positiveId(q.alertId),
    });
    if (call)
      context.values = {
        ...context.values,
        narrative: call.narrative,
        ...(context.values.location || !call.location ? {} : { location: call.location }),
      };
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
      {
        template: 'incidents/report.njk',
        values: request.body,
        context: async () => ({ title: 'Report an incident', action: '/incidents', ...(await svc.formContext(actor)) }),
      },
      (id) => done(actor, request.body, id as number),
    );
  });

  app.get<{ Params: { id: string } }>('/incidents/:id', async (request, reply) => {
    const actor = requireActor(request);
    const id = idParam(request.params.id);
    const draft = await svc.draft(actor, id);
    if (draft)
      return reply.view('incidents/report.njk', {
        title: 'Report an incident',
        action: `/incidents/${id}`,
        ...draft,
        flash: flashFrom(request.query),
      });
    const context = await svc.view(actor, id);
    return reply.view('incidents/incident.njk', {
      title: `Incident ${id}`,
      ...context,
      values: context.respondValues,
      flash: flashFrom(request.query),
    });
  });

  app.post<{ Params: { id: string } }>('/incidents/:id', async (request, reply) => {
    const actor = requireActor(request);
    const id = idParam(request.params.id);
    return handleForm(
      reply,
      () => svc.save(actor, id, request.body, actionOf(request.body)),
      {
        template: 'incidents/report.njk',
        values: request.body,
        context: async () => ({
          title: 'Report an incident',
          action: `/incidents/${id}`,
          ...(await svc.formContext(actor)),
        }),
      },
      () => done(actor, request.body, id),
    );
  });

  app.post<{ Params: { id: string } }>('/incidents/:id/confirm', async (request, reply) => {
    const actor = requireActor(request);
    const id = idParam(request.params.id);
    await svc.confirm(actor, id);
    return reply.redirect(`/incidents/${id}?done=confirmed`, 303);
  });
};
