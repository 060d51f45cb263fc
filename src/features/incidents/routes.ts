import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { listHref, pageFrom, paging } from '../../web/paging.ts';
import type { Services } from '../../composition.ts';
import type { Actor } from '../auth/actor.ts';
import { requireActor } from '../../web/security.ts';
import { handleForm } from '../../web/error-handling.ts';
import { idParam } from '../people/routes.ts';
import { assertCsrf } from '../../web/security.ts';
import { ValidationError, toErrorMap, toErrorSummary } from '../../errors.ts';
import { toCsv } from '../../web/csv.ts';
import { toOds } from '../../web/spreadsheet.ts';
import { parseResponseForm } from './schema.ts';
import {
  parseActionForm,
  parseIncidentFlagForm,
  parseInvestigationForm,
  parseLegalActionForm,
  parsePoliceForm,
  parseRiddorForm,
  parseRenewFlagForm,
  parseSeriousForm,
} from './follow-up-schema.ts';
import { parseStatsFilter, statsFilterBoxes } from './statistics-schema.ts';
import { INCIDENT_TEMPLATE } from './import.ts';
import type { StatsFilter } from './statistics-repository.ts';

const DONE: Record<string, string> = {
  draft: 'Draft saved. You can come back to it from Incidents.',
  submitted: 'Incident reported. Your manager has been given a deadline to meet you.',
  behalf: 'Incident reported. The person it happened to has been asked to confirm it.',
  confirmed: 'Thank you for confirming the report',
  response: 'Response recorded',
  police: 'Police and prosecution recorded',
  riddor: 'RIDDOR recorded',
  serious: 'Saved whether the incident is serious',
  flag: 'Warning flag raised. Visits to that case or address are now rated RED.',
  legal: 'Legal or service action recorded',
  flagRenewed: 'Warning flag renewed. The team has been told.',
  investigation: 'Investigation saved',
  action: 'Action added. Its owner has been told.',
  actionDone: 'Action marked done',
  closed: 'Incident closed',
};
const flashFrom = (query: unknown) => DONE[(query as { done?: string }).done ?? ''];
const positiveId = (v: unknown) => (typeof v === 'string' && /^\d{1,9}$/.test(v) && Number(v) > 0 ? Number(v) : null);
const actionOf = (body: unknown) =>
  (body as { action?: unknown } | undefined)?.action === 'draft' ? ('draft' as const) : ('submit' as const);

const NO_FILTER: StatsFilter = { from: null, to: null, category: null, teamId: null, buildingId: null };

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

export const incidentsRoutes: FastifyPluginAsync<{ services: Services }> = async (app, { services }) => {
  const svc = services.incidents;

  /**
   * A form on the incident page (or the investigation page): run it; on a ValidationError re-render
   * that page with 400, the error summary, and what was typed over the saved values.
   */
  async function pageForm(
    request: FastifyRequest<{ Params: { id: string } }>,
    reply: FastifyReply,
    page: 'incident' | 'investigation',
    action: (actor: Actor, id: number) => Promise<unknown>,
    done: string,
    anchor = '',
  ) {
    const actor = requireActor(request);
    const id = idParam(request.params.id);
    try {
      await action(actor, id);
      return reply.redirect(
        `/incidents/${id}${page === 'investigation' ? '/investigation' : ''}?done=${done}${anchor}`,
        303,
      );
    } catch (e) {
      if (!(e instanceof ValidationError)) throw e;
      const body = (request.body ?? {}) as Record<string, unknown>;
      const context =
        page === 'incident'
          ? await svc
              .view(actor, id)
              .then((c) => ({ title: `Incident ${id}`, ...c, values: { ...c.respondValues, ...body } }))
          : await svc.investigationView(actor, id).then((c) => ({
              title: `Investigation of incident ${id}`,
              ...c,
              values: { ...c.investigationValues, ...body },
            }));
      return reply.code(400).view(`incidents/${page}.njk`, {
        ...context,
        errorList: toErrorSummary(e.errors),
        errors: toErrorMap(e.errors),
      });
    }
  }

  // ---- Monitoring for health and safety (static paths before /incidents/:id) ----

  const filterFrom = (query: unknown) => parseStatsFilter(query ?? {});
  app.get('/incidents/dashboard', async (request, reply) => {
    const actor = requireActor(request);
    const query = { ...((request.query ?? {}) as Record<string, string>), ...statsFilterBoxes(request.query) };
    const exportQuery = new URLSearchParams(
      Object.entries(query).filter(([, v]) => typeof v === 'string' && v !== ''),
    ).toString();
    try {
      const filter = filterFrom(query);
      return reply.view('incidents/dashboard.njk', {
        title: 'Incident monitoring',
        values: query,
        exportQuery,
        ...(await svc.dashboard(actor, filter)),
      });
    } catch (e) {
      if (!(e instanceof ValidationError)) throw e;
      return reply.code(400).view('incidents/dashboard.njk', {
        title: 'Incident monitoring',
        values: query,
        exportQuery: '',
        ...(await svc.dashboard(actor, NO_FILTER)),
        errorList: toErrorSummary(e.errors),
        errors: toErrorMap(e.errors),
      });
    }
  });
  app.get('/incidents/dashboard.csv', async (request, reply) => {
    const actor = requireActor(request);
    const table = await svc.exportTable(actor, filterFrom(request.query));
    return reply
      .type('text/csv; charset=utf-8')
      .header('content-disposition', 'attachment; filename="incidents.csv"')
      .send(toCsv(table));
  });
  app.get('/incidents/dashboard.ods', async (request, reply) => {
    const actor = requireActor(request);
    const table = await svc.exportTable(actor, filterFrom(request.query));
    return reply
      .type('application/vnd.oasis.opendocument.spreadsheet')
      .header('content-disposition', 'attachment; filename="incidents.ods"')
      .send(toOds('Incidents', table));
  });

  const importPage = (extra: Record<string, unknown> = {}) => ({
    title: 'Import historic incidents',
    backLink: '/incidents/dashboard',
    ...extra,
  });
  app.get('/incidents/import', async (request, reply) => {
    const actor = requireActor(request);
    svc.assertMonitor(actor);
    return reply.view('incidents/import.njk', importPage());
  });
  app.get('/incidents/import/template.csv', async (request, reply) => {
    const actor = requireActor(request);
    svc.assertMonitor(actor);
    return reply
      .type('text/csv; charset=utf-8')
      .header('content-disposition', 'attachment; filename="harbour-incidents-template.csv"')
      .send(INCIDENT_TEMPLATE);
  });
  app.post('/incidents/import', async (request, reply) => {
    const actor = requireActor(request);
    const render = (status: number, extra: Record<string, unknown>) =>
      reply.code(status).view('incidents/import.njk', importPage(extra));
    const problem = (message: string) =>
      render(400, { errorList: [{ text: message, href: '#file' }], errors: { file: { text: message } } });
    if (!request.isMultipart()) {
      assertCsrf(request, (request.body as { _csrf?: string } | undefined)?._csrf);
      svc.assertMonitor(actor);
      return problem('Select a CSV file');
    }
    const part = await request.file();
    const csrf = part?.fields._csrf;
    assertCsrf(request, csrf && 'value' in csrf ? String(csrf.value) : undefined);
    svc.assertMonitor(actor);
    if (!part || !part.filename) return problem('Select a CSV file');
    const text = (await part.toBuffer()).toString('utf8');
    if (part.file.truncated) return problem('The file must be smaller than 5MB');
    // Every row checked now; a clean file is imported by a background job whose page shows progress.
    const result = await services.imports.start(actor, 'incidents', part.filename, text);
    if (!result.ok) {
      const message = `The file has ${result.errors.length} ${result.errors.length === 1 ? 'problem' : 'problems'}. Nothing was imported.`;
      return render(400, {
        rowErrors: result.errors,
        fileName: part.filename,
        errorList: [{ text: message, href: '#file' }],
        errors: { file: { text: message } },
      });
    }
    return reply.redirect(`/imports/${result.id}`, 303);
  });

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

  app.post<{ Params: { id: string } }>('/incidents/:id/response', async (request, reply) => {
    const actor = requireActor(request);
    const id = idParam(request.params.id);
    return handleForm(
      reply,
      () => svc.respond(actor, id, parseResponseForm(request.body)),
      {
        template: 'incidents/incident.njk',
        values: request.body,
        context: async () => ({ title: `Incident ${id}`, ...(await svc.view(actor, id)) }),
      },
      () => `/incidents/${id}?done=response`,
    );
  });

  type IdRequest = FastifyRequest<{ Params: { id: string } }>;
  app.post<{ Params: { id: string } }>('/incidents/:id/police', (request, reply) =>
    pageForm(
      request,
      reply,
      'incident',
      (actor, id) => svc.recordPolice(actor, id, parsePoliceForm(request.body)),
      'police',
      '#police',
    ),
  );
  app.post<{ Params: { id: string } }>('/incidents/:id/riddor', (request, reply) =>
    pageForm(
      request,
      reply,
      'incident',
      (actor, id) => svc.recordRiddor(actor, id, parseRiddorForm(request.body)),
      'riddor',
      '#riddor',
    ),
  );
  app.post<{ Params: { id: string } }>('/incidents/:id/serious', (request, reply) =>
    pageForm(
      request,
      reply,
      'incident',
      (actor, id) => svc.markSerious(actor, id, parseSeriousForm(request.body)),
      'serious',
      '#serious',
    ),
  );
  app.post<{ Params: { id: string } }>('/incidents/:id/flags', (request, reply) =>
    pageForm(
      request,
      reply,
      'incident',
      (actor, id) => svc.raiseFlag(actor, id, parseIncidentFlagForm(request.body)),
      'flag',
      '#flags',
    ),
  );
  app.post<{ Params: { id: string } }>('/incidents/:id/flags/renew', (request, reply) =>
    pageForm(
      request,
      reply,
      'incident',
      (actor, id) => {
        const form = parseRenewFlagForm(request.body);
        return svc.renewFlag(actor, id, form.flagId, form.reviewOn);
      },
      'flagRenewed',
      '#flags',
    ),
  );
  app.post<{ Params: { id: string } }>('/incidents/:id/legal-actions', (request, reply) =>
    pageForm(
      request,
      reply,
      'incident',
      (actor, id) => svc.addLegalAction(actor, id, parseLegalActionForm(request.body)),
      'legal',
      '#legal',
    ),
  );

  app.get<{ Params: { id: string } }>('/incidents/:id/investigation', async (request: IdRequest, reply) => {
    const actor = requireActor(request);
    const id = idParam(request.params.id);
    const context = await svc.investigationView(actor, id);
    return reply.view('incidents/investigation.njk', {
      title: `Investigation of incident ${id}`,
      ...context,
      values: context.investigationValues,
      flash: flashFrom(request.query),
    });
  });
  app.post<{ Params: { id: string } }>('/incidents/:id/investigation', (request, reply) =>
    pageForm(
      request,
      reply,
      'investigation',
      (actor, id) => svc.saveInvestigation(actor, id, parseInvestigationForm(request.body)),
      'investigation',
    ),
  );
  app.post<{ Params: { id: string } }>('/incidents/:id/actions', (request, reply) =>
    pageForm(
      request,
      reply,
      'investigation',
      (actor, id) => svc.addAction(actor, id, parseActionForm(request.body)),
      'action',
      '#actions',
    ),
  );
  app.post<{ Params: { id: string; actionId: string } }>(
    '/incidents/:id/actions/:actionId/done',
    async (request, reply) => {
      const actor = requireActor(request);
      const id = idParam(request.params.id);
      await svc.actionDone(actor, id, idParam(request.params.actionId));
      // From "Actions for you" on the incident page, back there; from the investigation, back to it.
      const fromIncident = (request.body as { returnTo?: unknown } | undefined)?.returnTo === 'incident';
      return reply.redirect(
        fromIncident
          ? `/incidents/${id}?done=actionDone#your-actions`
          : `/incidents/${id}/investigation?done=actionDone#actions`,
        303,
      );
    },
  );
  app.post<{ Params: { id: string } }>('/incidents/:id/close', (request, reply) =>
    pageForm(request, reply, 'investigation', (actor, id) => svc.close(actor, id), 'closed'),
  );
};
