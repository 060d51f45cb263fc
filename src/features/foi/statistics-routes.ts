import type { FastifyPluginAsync } from 'fastify';
import type { Services } from '../../composition.ts';
import type { Actor } from '../auth/actor.ts';
import { requireActor } from '../../web/security.ts';
import { ValidationError, toErrorMap, toErrorSummary } from '../../errors.ts';
import { chartBars, toRows, type ProtectedTable } from './disclosure.ts';
import { parseStatFilter, withDateBoxes } from './schema.ts';
import { csv, ods } from './route-replies.ts';

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

/** The registry of ready-made statistics: each one's page, its CSV and ODS, and the JSON API. */
export const foiStatisticsRoutes: FastifyPluginAsync<{ services: Services }> = async (app, { services }) => {
  const foi = services.foi;

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
};
