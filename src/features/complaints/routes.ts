import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { toCsv } from '../../web/csv.ts';
import { toOds } from '../../web/spreadsheet.ts';
import type { Services } from '../../composition.ts';
import type { Actor } from '../auth/actor.ts';
import { can } from '../auth/access.ts';
import { assertCsrf, requireActor } from '../../web/security.ts';
import { handleForm } from '../../web/error-handling.ts';
import { idParam } from '../people/routes.ts';
import { parseWith } from '../../web/validation.ts';
import { ForbiddenError, ValidationError, toErrorMap, toErrorSummary } from '../../errors.ts';
import { londonToday } from '../../time/london.ts';
import { choiceParam, listHref, pageFrom, paging, textParam } from '../../web/paging.ts';
import { COMPLAINT_TEMPLATE } from './import.ts';
import type { ComplaintStatisticsQuery } from './index.ts';
import {
  LIST_DEADLINES,
  LIST_STAGES,
  LIST_STATUSES,
  listFilterBoxes,
  parseListFilter,
  parseActionForm,
  parseCloseForm,
  parseComplaintForm,
  parseDateOnly,
  parseDisciplinaryForm,
  parseExtensionForm,
  parseFindingsForm,
  nameStaffForm,
  parseLearningForm,
  parseMilestoneForm,
  parsePeriod,
  parseReferralDecisionForm,
  parseReferralForm,
  parseStage2Form,
} from './schema.ts';

const DONE: Record<string, string> = {
  recorded: 'Complaint recorded. The staff named have been told.',
  stage2: 'Stage 2 started',
  stage3: 'Review panel requested',
  extended: 'Extension recorded',
  date: 'Date recorded',
  closed: 'Complaint closed',
  findings: 'Findings recorded',
  action: 'Action recorded',
  outcome: 'Disciplinary outcome recorded',
  referral: 'Referral recorded',
  decision: 'Decision recorded',
  learning: 'Learning recorded',
  attached: 'File attached',
  staff: 'Member of staff named. They have been told.',
};
const flashFrom = (query: unknown) => DONE[(query as { done?: string }).done ?? ''];
const MAX_ATTACHMENT = 5 * 1024 * 1024;
const asList = (v: unknown): string[] =>
  Array.isArray(v) ? v.map(String) : typeof v === 'string' && v !== '' ? [v] : [];
/** The form's checkboxes as lists, so the page can tick what was chosen. */
const listValues = (body: unknown) => {
  const b = (body ?? {}) as Record<string, unknown>;
  return { ...b, staffIds: asList(b.staffIds), allegations: asList(b.allegations) };
};

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

export const complaintsRoutes: FastifyPluginAsync<{ services: Services }> = async (app, { services }) => {
  const complaints = services.complaints;
  const requireManager = (request: FastifyRequest) => {
    const actor = requireActor(request);
    if (!can(actor, 'complaints.manage')) throw new ForbiddenError('Only the complaints team can do this');
    return actor;
  };
  const newPage = async () => ({
    title: 'Record a complaint',
    backLink: '/complaints',
    ...(await complaints.formContext()),
  });
  const detailPage = async (actor: Actor, id: number) => {
    const d = await complaints.detail(actor, id);
    return { title: `Complaint ${d.complaint.reference ?? ''}`, backLink: '/complaints', ...d, staffOptions: d.staff };
  };

  /** The list: 50 a page, search and filters kept in the page links; bad dates are all reported at once, the list shown unfiltered. */
  app.get('/complaints', async (request, reply) => {
    const actor = requireActor(request);
    const q = textParam(request.query, 'q');
    const status = choiceParam(request.query, 'status', LIST_STATUSES);
    const stage = choiceParam(request.query, 'stage', LIST_STAGES);
    const deadline = choiceParam(request.query, 'deadline', LIST_DEADLINES);
    const boxes = listFilterBoxes(request.query);
    const values = { q, status, stage, deadline, teamId: textParam(request.query, 'teamId', 10), ...boxes };
    const view = async (
      code: number,
      filter: Parameters<typeof complaints.list>[1],
      extra: Record<string, unknown>,
    ) => {
      const found = await complaints.list(
        actor,
        filter,
        pageFrom((request.query as Record<string, unknown> | undefined)?.page),
      );
      return reply.code(code).view('complaints/list.njk', {
        title: 'Complaints about staff',
        ...found,
        deadlines: await complaints.deadlines(actor),
        values,
        ...extra,
        paging: paging(found.page, found.total, 'complaints', (p) =>
          listHref(
            '/complaints',
            code === 200 ? { q, status, stage, deadline, teamId: values.teamId, ...boxes } : {},
            p,
          ),
        ),
      });
    };
    try {
      return await view(200, parseListFilter(request.query), { flash: flashFrom(request.query) });
    } catch (e) {
      if (!(e instanceof ValidationError)) throw e;
      return view(
        400,
        { from: null, to: null, teamId: null, status: null },
        { errorList: toErrorSummary(e.errors), errors: toErrorMap(e.errors) },
      );
    }
  });

  app.get('/complaints/new', async (request, reply) => {
    requireManager(request);
    return reply.view('complaints/new.njk', { ...(await newPage()), values: { staffIds: [], allegations: [] } });
  });
  app.post('/complaints', async (request, reply) => {
    const actor = requireManager(request);
    return handleForm(
      reply,
      () => complaints.record(actor, parseComplaintForm(request.body)),
      { template: 'complaints/new.njk', values: listValues(request.body), context: newPage },
      (id) => `/complaints/${String(id)}?done=recorded`,
    );
  });

  app.get<{ Params: { id: string } }>('/complaints/:id', async (request, reply) => {
    const actor = requireActor(request);
    return reply.view('complaints/complaint.njk', {
      ...(await detailPage(actor, idParam(request.params.id))),
      values: {},
      flash: flashFrom(request.query),
    });
  });

  /** Each form on the complaint's page: one service call, then back to the page (or the page again with the errors). */
  const onComplaint = <P extends Record<string, string>>(
    path: string,
    done: string,
    action: (actor: Actor, id: number, request: FastifyRequest<{ Params: P }>) => Promise<unknown>,
  ) => {
    app.post(`/complaints/:id/${path}`, async (request, reply) => {
      const actor = requireManager(request);
      const id = idParam((request.params as { id: string }).id);
      return handleForm(
        reply,
        () => action(actor, id, request as unknown as FastifyRequest<{ Params: P }>),
        { template: 'complaints/complaint.njk', values: request.body, context: () => detailPage(actor, id) },
        () => `/complaints/${id}?done=${done}`,
      );
    });
  };
  onComplaint('stage-2', 'stage2', (actor, id, r) => complaints.startStage2(actor, id, parseStage2Form(r.body)));
  onComplaint('stage-3', 'stage3', (actor, id, r) =>
    complaints.requestStage3(
      actor,
      id,
      parseDateOnly(r.body, 'stage3RequestedOn', 'the date the review panel was requested'),
    ),
  );
  onComplaint<{ stage: string }>('stages/:stage/extension', 'extended', (actor, id, r) =>
    complaints.extend(actor, id, idParam(r.params.stage), parseExtensionForm(r.body)),
  );
  onComplaint<{ stage: string }>('stages/:stage/dates', 'date', (actor, id, r) => {
    const f = parseMilestoneForm(r.body);
    return complaints.stageDate(actor, id, idParam(r.params.stage), f.what, f.on);
  });
  onComplaint('close', 'closed', (actor, id, r) => {
    const f = parseCloseForm(r.body);
    return complaints.withdraw(actor, id, { on: f.on, reason: f.reason }, f.kind);
  });
  onComplaint('findings', 'findings', async (actor, id, r) =>
    complaints.recordFindings(actor, id, parseFindingsForm(r.body, await complaints.allegationIds(id))),
  );
  onComplaint('actions', 'action', (actor, id, r) => complaints.addAction(actor, id, parseActionForm(r.body)));
  onComplaint<{ actionId: string }>('actions/:actionId/outcome', 'outcome', (actor, id, r) => {
    const actionId = idParam(r.params.actionId);
    return complaints.disciplinaryOutcome(actor, id, actionId, parseDisciplinaryForm(r.body, actionId));
  });
  onComplaint('referrals', 'referral', (actor, id, r) => complaints.addReferral(actor, id, parseReferralForm(r.body)));
  onComplaint<{ referralId: string }>('referrals/:referralId/decision', 'decision', (actor, id, r) => {
    const referralId = idParam(r.params.referralId);
    return complaints.decideReferral(actor, id, referralId, parseReferralDecisionForm(r.body, referralId));
  });
  onComplaint('learning', 'learning', (actor, id, r) => complaints.learning(actor, id, parseLearningForm(r.body)));
  onComplaint('staff', 'staff', (actor, id, r) => complaints.nameStaff(actor, id, parseWith(nameStaffForm, r.body)));

  app.post<{ Params: { id: string } }>('/complaints/:id/attachments', async (request, reply) => {
    const actor = requireManager(request);
    const id = idParam(request.params.id);
    const render = async (message: string) =>
      reply.code(400).view('complaints/complaint.njk', {
        ...(await detailPage(actor, id)),
        values: {},
        errorList: [{ text: message, href: '#file' }],
        errors: { file: { text: message } },
      });
    if (!request.isMultipart()) throw new ValidationError([{ field: 'file', message: 'Select a file' }]);
    const part = await request.file({ limits: { fileSize: MAX_ATTACHMENT } });
    const csrf = part?.fields._csrf;
    assertCsrf(request, csrf && 'value' in csrf ? String(csrf.value) : undefined);
    if (!part || !part.filename) return render('Select a file');
    const content = await part.toBuffer().catch(() => null);
    if (!content || part.file.truncated) return render('The file must be smaller than 5MB');
    return handleForm(
      reply,
      () =>
        complaints.attach(actor, id, {
          fileName: part.filename.slice(0, 200),
          contentType: part.mimetype || 'application/octet-stream',
          content,
        }),
      { template: 'complaints/complaint.njk', values: {}, context: () => detailPage(actor, id) },
      () => `/complaints/${id}?done=attached`,
    );
  });
  app.get<{ Params: { id: string; attachmentId: string } }>(
    '/complaints/:id/attachments/:attachmentId',
    async (request, reply) => {
      const actor = requireActor(request);
      const a = await complaints.attachment(actor, idParam(request.params.id), idParam(request.params.attachmentId));
      // Always a download, never rendered in the page's origin.
      return reply
        .type('application/octet-stream')
        .header('content-disposition', `attachment; filename="${a.file_name.replace(/[^\w.\- ]/g, '_')}"`)
        .header('x-content-type-options', 'nosniff')
        .send(a.content);
    },
  );

  // ---- Patterns, statistics, import ----
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
  const download = (reply: FastifyReply, type: string, file: string, body: string | Buffer) =>
    reply.type(type).header('content-disposition', `attachment; filename="${file}"`).send(body);
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

  app.get('/complaints/import', async (request, reply) => {
    requireManager(request);
    return reply.view('complaints/import.njk', { title: 'Import historic complaints', backLink: '/complaints' });
  });
  app.get('/complaints/import/template.csv', async (request, reply) => {
    requireManager(request);
    return download(reply, 'text/csv; charset=utf-8', 'harbour-complaints-template.csv', COMPLAINT_TEMPLATE);
  });
  app.post('/complaints/import', async (request, reply) => {
    const actor = requireManager(request);
    const render = (status: number, extra: Record<string, unknown>) =>
      reply
        .code(status)
        .view('complaints/import.njk', { title: 'Import historic complaints', backLink: '/complaints', ...extra });
    if (!request.isMultipart()) throw new ValidationError([{ field: 'file', message: 'Select a CSV file' }]);
    const part = await request.file();
    const csrf = part?.fields._csrf;
    assertCsrf(request, csrf && 'value' in csrf ? String(csrf.value) : undefined);
    const fail = (message: string) =>
      render(400, { errorList: [{ text: message, href: '#file' }], errors: { file: { text: message } } });
    if (!part || !part.filename) return fail('Select a CSV file');
    const text = (await part.toBuffer()).toString('utf8');
    if (part.file.truncated) return fail('The file must be smaller than 5MB');
    // Every row checked now; a clean file is imported by a background job whose page shows progress.
    const result = await services.imports.start(actor, 'complaints', part.filename, text);
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
};
