import type { FastifyPluginAsync, FastifyReply } from 'fastify';
import { toCsvDownload } from '../../web/csv.ts';
import { cellText, toOds, type SheetCell } from '../../web/spreadsheet.ts';
import type { Services } from '../../composition.ts';
import { requireActor } from '../../web/security.ts';
import { PER_PAGE, pageFrom, paging } from '../../web/paging.ts';
import { ValidationError, toErrorMap, toErrorSummary } from '../../errors.ts';
import { parseReportFilter } from './schema.ts';

/** Register reports: declarations, interests and gifts by filter, each table paged, and their CSV and ODS. */
export const registerReportRoutes: FastifyPluginAsync<{ services: Services }> = async (app, { services }) => {
  const registers = services.registers;

  app.get('/registers/reports', async (request, reply) => {
    const actor = requireActor(request);
    const query = (request.query ?? {}) as Record<string, unknown>;
    // The filter as text (a repeated parameter keeps its first value), without the two tables' page numbers.
    const filterQuery = new URLSearchParams(
      Object.entries(query)
        .filter(([k]) => k !== 'interestsPage' && k !== 'giftsPage')
        .flatMap(([k, v]) => {
          const one = Array.isArray(v) ? v[0] : v;
          return typeof one === 'string' && one !== '' ? [[k, one] as [string, string]] : [];
        }),
    );
    const context = {
      title: 'Register reports',
      backLink: '/registers',
      values: query,
      exportQuery: filterQuery.toString(),
    };
    /** A table's page: its rows on this page, and "Showing 1 to 50 of N" with links that keep the filter and the other table's page. */
    const pageOf = <T>(rows: T[], key: 'interestsPage' | 'giftsPage', noun: string) => {
      const links = (p: number) => {
        const q = new URLSearchParams(filterQuery);
        for (const other of ['interestsPage', 'giftsPage'] as const)
          if (other !== key && pageFrom(query[other]) > 1) q.set(other, String(pageFrom(query[other])));
        if (p > 1) q.set(key, String(p));
        return `/registers/reports${q.size ? `?${q}` : ''}#${key === 'interestsPage' ? 'interests' : 'gifts'}`;
      };
      const paged = paging(pageFrom(query[key]), rows.length, noun, links);
      return { rows: rows.slice((paged.page - 1) * PER_PAGE, paged.page * PER_PAGE), paging: paged };
    };
    try {
      const filter = parseReportFilter(query);
      const report = await registers.report(actor, filter);
      const interests = pageOf(report.interests, 'interestsPage', 'interests');
      const gifts = pageOf(report.gifts, 'giftsPage', 'entries');
      return reply.view('registers/reports.njk', {
        ...context,
        ...report,
        interests: interests.rows,
        interestsPaging: interests.paging,
        gifts: gifts.rows,
        giftsPaging: gifts.paging,
      });
    } catch (e) {
      if (!(e instanceof ValidationError)) throw e;
      const all = await registers.report(actor, {
        directorateId: null,
        teamId: null,
        from: null,
        to: null,
        seniorOnly: false,
      });
      return reply.code(400).view('registers/reports.njk', {
        ...context,
        ...all,
        declarations: [],
        interests: [],
        gifts: [],
        errorList: toErrorSummary(e.errors),
        errors: toErrorMap(e.errors),
      });
    }
  });
  // With a byte order mark, so Excel reads UTF-8 and shows "£".
  const csv = (reply: FastifyReply, file: string, rows: SheetCell[][]) =>
    reply
      .type('text/csv; charset=utf-8')
      .header('content-disposition', `attachment; filename="${file}"`)
      .send(toCsvDownload(rows.map((r) => r.map(cellText))));
  app.get('/registers/reports/interests.csv', async (request, reply) => {
    const actor = requireActor(request);
    return csv(
      reply,
      'declarations-of-interest.csv',
      await registers.interestsTable(actor, parseReportFilter(request.query)),
    );
  });
  const ods = (reply: FastifyReply, file: string, sheet: string, rows: SheetCell[][]) =>
    reply
      .type('application/vnd.oasis.opendocument.spreadsheet')
      .header('content-disposition', `attachment; filename="${file}"`)
      .send(toOds(sheet, rows));
  app.get('/registers/reports/interests.ods', async (request, reply) => {
    const actor = requireActor(request);
    return ods(
      reply,
      'declarations-of-interest.ods',
      'Declarations of interest',
      await registers.interestsTable(actor, parseReportFilter(request.query)),
    );
  });
  app.get('/registers/reports/gifts.ods', async (request, reply) => {
    const actor = requireActor(request);
    return ods(
      reply,
      'gifts-and-hospitality.ods',
      'Gifts and hospitality',
      await registers.giftsTable(actor, parseReportFilter(request.query)),
    );
  });
  app.get('/registers/reports/gifts.csv', async (request, reply) => {
    const actor = requireActor(request);
    return csv(reply, 'gifts-and-hospitality.csv', await registers.giftsTable(actor, parseReportFilter(request.query)));
  });
};
