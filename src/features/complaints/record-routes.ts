import type { FastifyPluginAsync } from 'fastify';
import type { Services } from '../../composition.ts';
import { requireActor } from '../../web/security.ts';
import { handleForm } from '../../web/error-handling.ts';
import { idParam } from '../people/routes.ts';
import { ValidationError, toErrorMap, toErrorSummary } from '../../errors.ts';
import { choiceParam, listHref, pageFrom, paging, textParam } from '../../web/paging.ts';
import {
  LIST_DEADLINES,
  LIST_STAGES,
  LIST_STATUSES,
  listFilterBoxes,
  parseListFilter,
  parseComplaintForm,
} from './schema.ts';
import { detailPageOf, requireManager } from './route-replies.ts';

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
const asList = (v: unknown): string[] =>
  Array.isArray(v) ? v.map(String) : typeof v === 'string' && v !== '' ? [v] : [];
/** The form's checkboxes as lists, so the page can tick what was chosen. */
const listValues = (body: unknown) => {
  const b = (body ?? {}) as Record<string, unknown>;
  return { ...b, staffIds: asList(b.staffIds), allegations: asList(b.allegations) };
};

/** The list, recording a complaint, and the complaint's page. */
export const complaintRecordRoutes: FastifyPluginAsync<{ services: Services }> = async (app, { services }) => {
  const complaints = services.complaints;
  const newPage = async () => ({
    title: 'Record a complaint',
    backLink: '/complaints',
    ...(await complaints.formContext()),
  });
  const detailPage = detailPageOf(complaints);

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
};
