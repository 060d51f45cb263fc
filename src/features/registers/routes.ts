import type { FastifyPluginAsync, FastifyReply } from 'fastify';
import { toCsvDownload } from '../../web/csv.ts';
import { cellText, toOds, type SheetCell } from '../../web/spreadsheet.ts';
import type { Services } from '../../composition.ts';
import type { Actor } from '../auth/actor.ts';
import { requireActor } from '../../web/security.ts';
import { handleForm } from '../../web/error-handling.ts';
import { parseWith } from '../../web/validation.ts';
import { idParam } from '../people/routes.ts';
import { PER_PAGE, pageFrom, paging } from '../../web/paging.ts';
import { ValidationError, toErrorMap, toErrorSummary } from '../../errors.ts';
import {
  declarationSignForm,
  decisionForm,
  parseDeclarationForm,
  parseGiftForm,
  parseInterestForm,
  parseReportFilter,
  politicalRestrictionForm,
  signOffForm,
  supplierForm,
} from './schema.ts';

const DONE: Record<string, string> = {
  declared: 'Declaration made',
  interest: 'Interest added to your declaration',
  signed: 'Management action recorded and signed off',
  sealed: 'Declaration signed',
  gift: 'Entry recorded',
  decided: 'Decision recorded',
  supplier: 'Contractor or supplier added',
  restriction: 'Political restriction updated',
};
const flashFrom = (query: unknown) => DONE[(query as { done?: string }).done ?? ''];

export const registersRoutes: FastifyPluginAsync<{ services: Services }> = async (app, { services }) => {
  const registers = services.registers;
  const overviewPage = async (actor: Actor) => ({ title: 'Registers', ...(await registers.overview(actor)) });
  const declarationPage = async (actor: Actor, id: number) => ({
    title: 'Declaration of interests',
    backLink: '/registers',
    ...(await registers.declaration(actor, id)),
  });
  const giftPage = async (actor: Actor, id: number) => ({
    title: 'Gifts and hospitality entry',
    backLink: '/registers',
    ...(await registers.gift(actor, id)),
  });
  const newGiftPage = async (actor: Actor) => ({
    title: 'Record a gift, hospitality, legacy or sponsorship',
    backLink: '/registers',
    ...(await registers.giftFormContext(actor)),
  });

  app.get('/registers', async (request, reply) => {
    const actor = requireActor(request);
    return reply.view('registers/overview.njk', {
      ...(await overviewPage(actor)),
      values: {},
      flash: flashFrom(request.query),
    });
  });

  app.get('/registers/declarations/new', async (request, reply) => {
    const actor = requireActor(request);
    return reply.view('registers/declare.njk', {
      title: 'Make your declaration of interests',
      backLink: '/registers',
      ...(await registers.newDeclaration(actor)),
      values: {},
    });
  });
  app.post('/registers/declarations', async (request, reply) => {
    const actor = requireActor(request);
    return handleForm(
      reply,
      () => registers.declare(actor, parseDeclarationForm(request.body)),
      {
        template: 'registers/declare.njk',
        values: request.body,
        context: async () => ({
          title: 'Make your declaration of interests',
          backLink: '/registers',
          ...(await registers.newDeclaration(actor)),
        }),
      },
      (id) => `/registers/declarations/${String(id)}?done=declared`,
    );
  });

  app.get<{ Params: { id: string } }>('/registers/declarations/:id', async (request, reply) => {
    const actor = requireActor(request);
    return reply.view('registers/declaration.njk', {
      ...(await declarationPage(actor, idParam(request.params.id))),
      values: {},
      flash: flashFrom(request.query),
    });
  });
  app.post<{ Params: { id: string } }>('/registers/declarations/:id/interests', async (request, reply) => {
    const actor = requireActor(request);
    const id = idParam(request.params.id);
    return handleForm(
      reply,
      () => registers.addInterest(actor, id, parseInterestForm(request.body)),
      {
        template: 'registers/declaration.njk',
        values: { ...(request.body as object), form: 'interest' },
        context: () => declarationPage(actor, id),
      },
      () => `/registers/declarations/${id}?done=interest`,
    );
  });
  app.post<{ Params: { id: string; interestId: string } }>(
    '/registers/declarations/:id/interests/:interestId/sign-off',
    async (request, reply) => {
      const actor = requireActor(request);
      const id = idParam(request.params.id);
      const interestId = idParam(request.params.interestId);
      return handleForm(
        reply,
        async () => {
          const form = (() => {
            try {
              return parseWith(signOffForm, request.body);
            } catch (e) {
              // Each interest has its own action box: point the summary at the right one.
              if (e instanceof ValidationError)
                throw new ValidationError(e.errors.map((x) => ({ ...x, field: `action-${interestId}` })));
              throw e;
            }
          })();
          return registers.signOff(actor, id, interestId, form.action);
        },
        {
          template: 'registers/declaration.njk',
          values: { [`action-${interestId}`]: (request.body as { action?: string } | undefined)?.action },
          context: () => declarationPage(actor, id),
        },
        () => `/registers/declarations/${id}?done=signed`,
      );
    },
  );

  app.post<{ Params: { id: string } }>('/registers/declarations/:id/sign', async (request, reply) => {
    const actor = requireActor(request);
    const id = idParam(request.params.id);
    return handleForm(
      reply,
      () => {
        parseWith(declarationSignForm, request.body);
        return registers.signDeclaration(actor, id);
      },
      { template: 'registers/declaration.njk', values: request.body, context: () => declarationPage(actor, id) },
      () => `/registers/declarations/${id}?done=sealed`,
    );
  });

  app.get('/registers/gifts/new', async (request, reply) => {
    const actor = requireActor(request);
    return reply.view('registers/gift-new.njk', { ...(await newGiftPage(actor)), values: {} });
  });
  app.post('/registers/gifts', async (request, reply) => {
    const actor = requireActor(request);
    return handleForm(
      reply,
      () => registers.recordGift(actor, parseGiftForm(request.body)),
      { template: 'registers/gift-new.njk', values: request.body, context: () => newGiftPage(actor) },
      (id) => `/registers/gifts/${String(id)}?done=gift`,
    );
  });
  app.get<{ Params: { id: string } }>('/registers/gifts/:id', async (request, reply) => {
    const actor = requireActor(request);
    return reply.view('registers/gift.njk', {
      ...(await giftPage(actor, idParam(request.params.id))),
      values: {},
      flash: flashFrom(request.query),
    });
  });
  app.post<{ Params: { id: string } }>('/registers/gifts/:id/decision', async (request, reply) => {
    const actor = requireActor(request);
    const id = idParam(request.params.id);
    return handleForm(
      reply,
      () => registers.decideGift(actor, id, parseWith(decisionForm, request.body)),
      { template: 'registers/gift.njk', values: request.body, context: () => giftPage(actor, id) },
      () => `/registers/gifts/${id}?done=decided`,
    );
  });

  app.get('/registers/suppliers', async (request, reply) => {
    const actor = requireActor(request);
    return reply.view('registers/suppliers.njk', {
      title: 'Contractors and suppliers',
      backLink: '/registers',
      ...(await registers.suppliers(actor)),
      values: {},
      flash: flashFrom(request.query),
    });
  });
  app.post('/registers/suppliers', async (request, reply) => {
    const actor = requireActor(request);
    return handleForm(
      reply,
      () => registers.addSupplier(actor, parseWith(supplierForm, request.body)),
      {
        template: 'registers/suppliers.njk',
        values: request.body,
        context: async () => ({
          title: 'Contractors and suppliers',
          backLink: '/registers',
          ...(await registers.suppliers(actor)),
        }),
      },
      () => '/registers/suppliers?done=supplier',
    );
  });
  app.post('/registers/political-restriction', async (request, reply) => {
    const actor = requireActor(request);
    return handleForm(
      reply,
      () => registers.setPoliticalRestriction(actor, parseWith(politicalRestrictionForm, request.body)),
      {
        template: 'registers/overview.njk',
        values: { ...(request.body as object), form: 'restriction' },
        context: () => overviewPage(actor),
      },
      () => '/registers?done=restriction',
    );
  });

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

  /** Public, no sign-in, and only when REGISTERS_PUBLISH is on (otherwise 404). Senior officers; name, post, type, value band, decision. */
  app.get('/registers/published', async (_request, reply) => {
    return reply.view('registers/published.njk', {
      title: 'Register of gifts and hospitality: senior officers',
      ...(await registers.published()),
    });
  });
};
