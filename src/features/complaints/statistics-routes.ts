import type { FastifyPluginAsync } from 'fastify';
import { toCsv } from '../../web/csv.ts';
import { toOds } from '../../web/spreadsheet.ts';
import type { Services } from '../../composition.ts';
import { can } from '../auth/access.ts';
import { requireActor } from '../../web/security.ts';
import { ValidationError, toErrorMap, toErrorSummary } from '../../errors.ts';
import { londonToday } from '../../time/london.ts';
import type { ComplaintStatisticsQuery } from './index.ts';
import { parsePeriod } from './schema.ts';
import { download } from './route-replies.ts';

/** Default period: the last five financial years to today (seed 003 asked for "the last 5 years"). */
function defaultPeriod() {
  const today = londonToday();
  const fyStart = Number(today.slice(0, 4)) - (today.slice(5) >= '04-01' ? 0 : 1);
  return { from: `${fyStart - 4}-04-01`, to: today };
}
function period(query: unknown) {
  const f = parsePeriod(query);
  const d = defaultPeriod();
  return { ...f, from: f.from ?? d.from, to: f.to ?? d.to };
}

/** Repeat patterns and themes, the yearly statistics and their CSV and ODS. */
export const complaintStatisticsRoutes: FastifyPluginAsync<{ services: Services }> = async (app, { services }) => {
  const complaints = services.complaints;

  app.get('/complaints/patterns', async (request, reply) => {
    const actor = requireActor(request);
    const query = (request.query ?? {}) as Record<string, string>;
    const context = { title: 'Complaint patterns', backLink: '/complaints', values: query };
    try {
      return reply.view('complaints/patterns.njk', {
        ...context,
        ...(await complaints.patterns(actor, period(query))),
      });
    } catch (e) {
      if (!(e instanceof ValidationError)) throw e;
      return reply.code(400).view('complaints/patterns.njk', {
        ...context,
        ...(await complaints.patterns(actor, defaultPeriod())),
        errorList: toErrorSummary(e.errors),
        errors: toErrorMap(e.errors),
      });
    }
  });

  const statsQuery = (query: unknown) => {
    const q = (query ?? {}) as Record<string, string>;
    const p = period(q);
    const procedure = (
      ['statutory_children', 'corporate', 'staff_grievance', 'all'].includes(q.procedure ?? '')
        ? q.procedure
        : 'statutory_children'
    ) as ComplaintStatisticsQuery['procedure'];
    return {
      from: p.from,
      to: p.to,
      procedure,
      jobRoles: q.socialWorkersOnly ? ['social_worker', 'senior_practitioner'] : undefined,
    };
  };
  app.get('/complaints/statistics', async (request, reply) => {
    const actor = requireActor(request);
    const query = (request.query ?? {}) as Record<string, string>;
    const context = {
      title: 'Complaint statistics',
      backLink: can(actor, 'complaints.view') ? '/complaints' : '/',
      values: query,
      exportQuery: new URLSearchParams(query).toString(),
    };
    try {
      const q = statsQuery(query);
      return reply.view('complaints/statistics.njk', {
        ...context,
        query: q,
        stats: await complaints.statistics(actor, q),
      });
    } catch (e) {
      if (!(e instanceof ValidationError)) throw e;
      const q = { ...defaultPeriod(), procedure: 'statutory_children' as const };
      return reply.code(400).view('complaints/statistics.njk', {
        ...context,
        query: q,
        stats: await complaints.statistics(actor, q),
        errorList: toErrorSummary(e.errors),
        errors: toErrorMap(e.errors),
      });
    }
  });
  app.get('/complaints/statistics.csv', async (request, reply) => {
    const actor = requireActor(request);
    return download(
      reply,
      'text/csv; charset=utf-8',
      'complaints-by-year.csv',
      toCsv(await complaints.yearlyTable(actor, statsQuery(request.query))),
    );
  });
  app.get('/complaints/statistics.ods', async (request, reply) => {
    const actor = requireActor(request);
    return download(
      reply,
      'application/vnd.oasis.opendocument.spreadsheet',
      'complaints-by-year.ods',
      toOds('Complaints by year', await complaints.yearlyTable(actor, statsQuery(request.query))),
    );
  });
};
