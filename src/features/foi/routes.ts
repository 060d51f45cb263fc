import type { FastifyPluginAsync, FastifyReply } from 'fastify';
import { toCsv } from '../../web/csv.ts';
import { toOds } from '../../web/spreadsheet.ts';
import type { Services } from '../../composition.ts';
import type { Actor } from '../auth/actor.ts';
import { requireActor } from '../../web/security.ts';
import { handleForm } from '../../web/error-handling.ts';
import { parseWith } from '../../web/validation.ts';
import { choiceParam, listHref, pageFrom, paging, textParam } from '../../web/paging.ts';
import { idParam } from '../people/routes.ts';
import { ValidationError, toErrorMap, toErrorSummary } from '../../errors.ts';
import { chartBars, toRows, type ProtectedTable } from './disclosure.ts';
import {
  assigneeForm,
  costForm,
  parseAnswerForm,
  parseEvent,
  parseNewRequest,
  parseStatFilter,
  withDateBoxes,
} from './schema.ts';
import { londonToday } from '../../time/london.ts';

const DONE: Record<string, string> = {
  created: 'Request logged',
  answered: 'Answer saved',
  new_version: 'Today’s figures saved as a new version; the earlier one is kept',
  event: 'Recorded',
  cost: 'Cost estimate saved',
  assigned: 'Assignee changed',
  published: 'Published to the disclosure log',
};
/** The register's status filter: `overdue` and `on_hold` are open requests late or with the clock stopped. */
const LIST_STATUSES = {
  open: 'Open',
  overdue: 'Overdue',
  on_hold: 'On hold (clock stopped)',
  responded: 'Responded',
  closed: 'Closed',
  redirected_sar: 'Redirected as a subject access request',
} as const;

const flashFrom = (query: unknown) => DONE[(query as { done?: string }).done ?? ''];

const csv = (reply: FastifyReply, file: string, rows: string[][]) =>
  reply
    .type('text/csv; charset=utf-8')
    .header('content-disposition', `attachment; filename="${file}"`)
    .send(toCsv(rows));
const ods = (reply: FastifyReply, file: string, sheet: string, rows: string[][]) =>
  reply
    .type('application/vnd.oasis.opendocument.spreadsheet')
    .header('content-disposition', `attachment; filename="${file}"`)
    .send(toOds(sheet, rows));

const str = { type: 'string' } as const;
const nullableStr = { type: ['string', 'null'] } as const;
/** The OpenAPI shape of GET /api/v1/statistics/:name. */
const STATISTIC_RESPONSE = {
  type: 'object',
  properties: {
    name: str,
    title: str,
    seed: nullableStr,
    question: str,
    period: { type: 'object', properties: { from: str, to: str } },
    table: {
      type: 'object',
      properties: {
        title: str,
        rowHeader: str,
        columns: { type: 'array', items: str },
        threshold: { type: 'integer' },
        suppressedCount: { type: 'integer' },
        notes: { type: 'array', items: str },
        coarsened: { type: 'array', items: str },
        rows: {
          type: 'array',
          items: {
            type: 'object',
            properties: { label: str, cells: { type: 'array', items: str }, total: nullableStr },
          },
        },
        columnTotals: { type: ['array', 'null'], items: str },
        grandTotal: nullableStr,
      },
    },
  },
} as const;

/** JSON for the API: the published (protected) table only. */
const tableJson = (t: ProtectedTable) => ({
  title: t.title,
  rowHeader: t.rowHeader,
  columns: t.columns,
  threshold: t.threshold,
  suppressedCount: t.suppressedCount,
  notes: t.notes,
  coarsened: t.coarsened ?? [],
  rows: t.rows.map((r) => ({ label: r.label, cells: r.cells.map((c) => c.text), total: r.total?.text ?? null })),
  columnTotals: t.columnTotals?.map((c) => c.text) ?? null,
  grandTotal: t.grandTotal?.text ?? null,
});

export const foiRoutes: FastifyPluginAsync<{ services: Services }> = async (app, { services }) => {
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

  app.get<{ Params: { id: string } }>('/foi/requests/:id/response', async (request, reply) => {
    const actor = requireActor(request);
    const id = idParam(request.params.id);
    const draft = await foi.draft(actor, id);
    return reply.view('foi/response.njk', {
      title: `Draft response ${draft.request.reference}`,
      backLink: `/foi/requests/${id}`,
      ...draft,
      flash: flashFrom(request.query),
    });
  });
  app.get<{ Params: { id: string } }>('/foi/requests/:id/response.docx', async (request, reply) => {
    const actor = requireActor(request);
    const { file, content } = await foi.draftDocx(actor, idParam(request.params.id));
    return reply
      .type('application/vnd.openxmlformats-officedocument.wordprocessingml.document')
      .header('content-disposition', `attachment; filename="${file}"`)
      .send(content);
  });
  app.post<{ Params: { id: string } }>('/foi/requests/:id/publish', async (request, reply) => {
    const actor = requireActor(request);
    const id = idParam(request.params.id);
    try {
      await foi.publish(actor, id);
      return reply.redirect(`/foi/requests/${id}/response?done=published`, 303);
    } catch (e) {
      if (!(e instanceof ValidationError)) throw e;
      const draft = await foi.draft(actor, id);
      return reply.code(400).view('foi/response.njk', {
        title: `Draft response ${draft.request.reference}`,
        backLink: `/foi/requests/${id}`,
        ...draft,
        errorList: toErrorSummary(e.errors),
      });
    }
  });

  // ---- Statistics ----
  app.get('/foi/statistics', async (request, reply) => {
    const actor = requireActor(request);
    return reply.view('foi/statistics.njk', {
      title: 'FOI statistics',
      backLink: '/foi',
      statistics: foi.catalogue(actor),
    });
  });
  app.get<{ Params: { name: string } }>('/foi/statistics/:name', async (request, reply) => {
    const actor = requireActor(request);
    const given = (request.query ?? {}) as Record<string, string>;
    // Opened without a filter: the job role the question names is preset.
    const query = Object.keys(given).length ? given : foi.presetQuery(request.params.name);
    const base = {
      backLink: '/foi/statistics',
      values: withDateBoxes(query, ['from', 'to']),
      ...(await foi.statisticOptions()),
    };
    try {
      const result = await foi.statistic(actor, request.params.name, parseStatFilter(query));
      return reply.view('foi/statistic.njk', {
        ...base,
        title: result.definition.title,
        ...result,
        bars: chartBars(result.published),
        exportQuery: new URLSearchParams(result.filter).toString(),
        published: result.published,
        raw: result.raw,
      });
    } catch (e) {
      if (!(e instanceof ValidationError)) throw e;
      foi.catalogue(actor);
      return reply.code(400).view('foi/statistic.njk', {
        ...base,
        title: 'FOI statistic',
        definition: { name: request.params.name, title: 'Statistic' },
        errorList: toErrorSummary(e.errors),
        errors: toErrorMap(e.errors),
      });
    }
  });
  const exportRows = async (actor: Actor, name: string, query: unknown) => {
    const result = await foi.statistic(actor, name, parseStatFilter(query));
    return {
      name,
      title: result.definition.title,
      rows: [...toRows(result.published), [], ...result.published.notes.map((n) => [n])],
    };
  };
  app.get<{ Params: { name: string } }>('/foi/statistics/:name/data.csv', async (request, reply) => {
    const actor = requireActor(request);
    const e = await exportRows(actor, request.params.name, request.query);
    return csv(reply, `${e.name}.csv`, e.rows);
  });
  app.get<{ Params: { name: string } }>('/foi/statistics/:name/data.ods', async (request, reply) => {
    const actor = requireActor(request);
    const e = await exportRows(actor, request.params.name, request.query);
    return ods(reply, `${e.name}.ods`, e.title, e.rows);
  });

  app.get<{ Params: { name: string } }>(
    '/api/v1/statistics/:name',
    {
      schema: {
        summary: 'A ready-made FOI statistic, through disclosure control (counts 1 to 4 are "fewer than 5")',
        tags: ['FOI'],
        params: { type: 'object', properties: { name: { type: 'string' } }, required: ['name'] },
        response: { 200: STATISTIC_RESPONSE },
        querystring: {
          type: 'object',
          properties: {
            period: { type: 'string', enum: ['last_years', 'financial_years', 'custom'] },
            years: { type: 'string' },
            fromYear: { type: 'string' },
            toYear: { type: 'string' },
            from: { type: 'string' },
            to: { type: 'string' },
            teamId: { type: 'string' },
            serviceId: { type: 'string' },
            jobRole: { type: 'string' },
            staffConcerns: { type: 'string', enum: ['yes', 'no'] },
          },
        },
      },
    },
    async (request) => {
      const actor = requireActor(request);
      const result = await foi.statistic(actor, request.params.name, parseStatFilter(request.query));
      return {
        name: result.definition.name,
        title: result.definition.title,
        seed: result.definition.seed,
        question: result.definition.question,
        period: { from: result.params.from, to: result.params.to },
        table: tableJson(result.published),
      };
    },
  );

  // ---- Public disclosure log: no sign-in; the requester's details are never in it ----
  app.get('/foi/disclosure-log', async (request, reply) => {
    const log = await foi.disclosureLog(pageFrom((request.query as { page?: unknown }).page));
    return reply.view('foi/disclosure-log.njk', {
      title: 'FOI disclosure log',
      ...log,
      paging: paging(log.page, log.total, 'responses', (p) => listHref('/foi/disclosure-log', {}, p)),
    });
  });
  app.get<{ Params: { id: string } }>('/foi/disclosure-log/:id', async (request, reply) => {
    const d = await foi.disclosure(idParam(request.params.id));
    return reply.view('foi/disclosure.njk', {
      title: `FOI ${d.disclosure.reference}: ${d.disclosure.title}`,
      backLink: '/foi/disclosure-log',
      ...d,
    });
  });
  app.get<{ Params: { id: string; questionId: string } }>(
    '/foi/disclosure-log/:id/datasets/:questionId/data.csv',
    async (request, reply) => {
      const { reference, dataset } = await foi.disclosureDataset(
        idParam(request.params.id),
        idParam(request.params.questionId),
      );
      return csv(reply, `${reference.replace(/[^A-Za-z0-9]+/g, '-')}-q${dataset.position}.csv`, [
        ...toRows(dataset.table),
        [],
        ...dataset.table.notes.map((n) => [n]),
      ]);
    },
  );
  app.get<{ Params: { id: string; questionId: string } }>(
    '/foi/disclosure-log/:id/datasets/:questionId/data.ods',
    async (request, reply) => {
      const { reference, dataset } = await foi.disclosureDataset(
        idParam(request.params.id),
        idParam(request.params.questionId),
      );
      return ods(reply, `${reference.replace(/[^A-Za-z0-9]+/g, '-')}-q${dataset.position}.ods`, dataset.table.title, [
        ...toRows(dataset.table),
        [],
        ...dataset.table.notes.map((n) => [n]),
      ]);
    },
  );
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
