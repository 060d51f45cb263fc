import type { FastifyPluginAsync } from 'fastify';
import type { Services } from '../../composition.ts';
import { requireActor } from '../../web/security.ts';
import { ForbiddenError, ValidationError, toErrorMap, toErrorSummary } from '../../errors.ts';
import { handleForm } from '../../web/error-handling.ts';
import { parseWith } from '../../web/validation.ts';
import { idParam } from '../people/routes.ts';
import {
  extendForm,
  visitForm,
  VISIT_KINDS,
  CASE_SYSTEMS,
  HISTORY_STATES,
  parseHistoryFilter,
  type HistoryFilter,
} from './schema.ts';
import { listHref, pageFrom, paging, textParam } from '../../web/paging.ts';
import { REFERRAL_TYPES } from '../risk/rating.ts';
import type { Actor } from '../auth/actor.ts';
import { londonDate, londonTime } from '../../time/london.ts';
import { failpoint } from '../../failpoints.ts';
import { answerAction } from '../offline/answer.ts';
import type { ActionDone } from '../offline/idempotency.ts';

export const visitsRoutes: FastifyPluginAsync<{ services: Services }> = async (app, { services }) => {
  const { visits, people } = services;

  async function formContext(actor: Actor) {
    const colleagues = actor.staffId === null ? [] : await people.list(actor);
    const workers = colleagues.filter((p) => p.active);
    return {
      title: 'Plan a visit',
      kinds: Object.entries(VISIT_KINDS).map(([value, text]) => ({ value, text })),
      caseSystems: Object.entries(CASE_SYSTEMS).map(([id, label]) => ({ id, label })),
      referralTypes: Object.entries(REFERRAL_TYPES).map(([value, text]) => ({ value, text })),
      workers: workers.map((p) => ({
        id: p.id,
        label: `${p.given_name} ${p.family_name}${p.id === actor.staffId ? ' (me)' : ''}`,
      })),
      buildings: await services.buildings.list(),
      backLink: '/visits',
    };
  }

  const myDayPage = async (actor: Actor) => {
    const [day, dayStatus, endPin] = await Promise.all([
      visits.myDay(actor),
      actor.staffId ? visits.dayStatus(actor.staffId) : null,
      actor.staffId === null ? null : services.duress.endForm(actor, actor.staffId),
    ]);
    return { title: 'My visits today', ...day, dayStatus, endPin };
  };
  app.get('/visits', async (request, reply) => {
    const actor = requireActor(request);
    return reply.view('visits/my-day.njk', {
      ...(await myDayPage(actor)),
      flash: flashFor((request.query as { done?: string }).done),
    });
  });

  // Visit history: every visit the person could open, newest first, 50 a page, with a period, a state and a search.
  app.get('/visits/history', async (request, reply) => {
    const actor = requireActor(request);
    const boxes = Object.fromEntries(
      ['from', 'to'].flatMap((p) =>
        ['day', 'month', 'year'].map((b) => [`${p}-${b}`, textParam(request.query, `${p}-${b}`, 4)]),
      ),
    );
    const values = { q: textParam(request.query, 'q'), state: textParam(request.query, 'state', 20), ...boxes };
    const view = async (code: number, filter: HistoryFilter, extra: Record<string, unknown>) => {
      const found = await visits.history(
        actor,
        filter,
        pageFrom((request.query as Record<string, unknown> | undefined)?.page),
      );
      return reply.code(code).view('visits/history.njk', {
        title: 'Visit history',
        ...found,
        values,
        states: Object.entries(HISTORY_STATES).map(([value, text]) => ({ value, text })),
        backLink: '/visits',
        paging: paging(found.page, found.total, 'visits', (p) =>
          listHref('/visits/history', code === 200 ? { q: filter.q, state: filter.state, ...boxes } : {}, p),
        ),
        ...extra,
      });
    };
    try {
      return await view(200, parseHistoryFilter(request.query), {});
    } catch (e) {
      if (!(e instanceof ValidationError)) throw e;
      return view(
        400,
        { from: null, to: null, q: '', state: null },
        { errorList: toErrorSummary(e.errors), errors: toErrorMap(e.errors) },
      );
    }
  });

  app.get('/visits/new', async (request, reply) => {
    const actor = requireActor(request);
    const now = new Date();
    const [y, m, d] = londonDate(now).split('-');
    // From the home page's shortcuts: starting now, for 30 minutes, 1 hour or 2 hours.
    const minutes = Number((request.query as { minutes?: string }).minutes);
    const times = [30, 60, 120].includes(minutes)
      ? { startTime: londonTime(now), endTime: londonTime(new Date(now.getTime() + minutes * 60_000)) }
      : { startTime: londonTime(now) };
    return reply.view('visits/plan.njk', {
      ...(await formContext(actor)),
      values: { kind: 'visit', workerId: actor.staffId, 'date-day': d, 'date-month': m, 'date-year': y, ...times },
    });
  });

  app.post('/visits', async (request, reply) => {
    const actor = requireActor(request);
    return handleForm(
      reply,
      () => visits.plan(actor, parseWith(visitForm, request.body)),
      { template: 'visits/plan.njk', values: request.body, context: () => formContext(actor) },
      (id) => `/visits/${id as number}?done=planned`,
    );
  });

  /** The edit form: the plan as saved (a session moved to a council building shows its home address). */
  const editValues = (visit: Awaited<ReturnType<typeof visits.viewable>>['visit']) => {
    const [y, m, d] = londonDate(new Date(visit.starts_at)).split('-');
    const moved = visit.home_address !== null || visit.home_postcode !== null;
    return {
      workerId: visit.worker_id,
      kind: visit.kind,
      'date-day': d,
      'date-month': m,
      'date-year': y,
      startTime: londonTime(new Date(visit.starts_at)),
      endTime: londonTime(new Date(visit.ends_at)),
      address: moved ? visit.home_address : visit.address,
      postcode: moved ? visit.home_postcode : visit.postcode,
      buildingId: moved ? null : visit.building_id,
      caseSystem: visit.case_system,
      caseId: visit.case_id,
      referralType: visit.referral_type,
      description: visit.description,
      jointPartnerId: visit.joint_partner_id,
      notes: visit.notes,
    };
  };
  const editContext = async (actor: Actor, id: number) => ({
    ...(await formContext(actor)),
    title: 'Change a planned visit',
    action: `/visits/${id}/edit`,
    editing: true,
    backLink: `/visits/${id}`,
  });

  app.get<{ Params: { id: string } }>('/visits/:id/edit', async (request, reply) => {
    const actor = requireActor(request);
    const id = idParam(request.params.id);
    const { visit, relation } = await visits.viewable(actor, id);
    if (!(relation.self || relation.manager || relation.teamBusinessSupport || relation.admin))
      throw new ForbiddenError('You can only change your own visits, or those of people you support or manage');
    if (visit.state !== 'planned') return reply.redirect(`/visits/${id}`, 303);
    return reply.view('visits/plan.njk', { ...(await editContext(actor, id)), values: editValues(visit) });
  });

  app.post<{ Params: { id: string } }>('/visits/:id/edit', async (request, reply) => {
    const actor = requireActor(request);
    const id = idParam(request.params.id);
    return handleForm(
      reply,
      () => visits.edit(actor, id, parseWith(visitForm, request.body)),
      { template: 'visits/plan.njk', values: request.body, context: () => editContext(actor, id) },
      () => `/visits/${id}?done=edited`,
    );
  });

  // The joint visit partner confirms they are going.
  app.post<{ Params: { id: string } }>('/visits/:id/joint/confirm', async (request, reply) => {
    const actor = requireActor(request);
    const id = idParam(request.params.id);
    return handleForm(
      reply,
      () => services.risk.confirmJoint(actor, id),
      { template: 'visits/session.njk', values: {}, context: () => sessionContext(actor, id) },
      () => `/visits/${id}?done=joint`,
    );
  });

  async function sessionContext(actor: Actor, id: number) {
    const { visit, relation, partner } = await visits.viewable(actor, id);
    const [timeline, afterDeadline, liveRating] = await Promise.all([
      visits.timelineFor(actor, id),
      visit.due_at ? services.alerts.afterDeadline(visit.worker_id, new Date(visit.due_at)) : null,
      visits.liveRating(id, visit.state, visit.risk_rating),
    ]);
    const canAct = relation.self || relation.manager || relation.teamBusinessSupport || relation.admin;
    return {
      title: visit.description ?? VISIT_KINDS[visit.kind as keyof typeof VISIT_KINDS] ?? 'Visit',
      visit,
      timeline,
      afterDeadline,
      canAct,
      liveRating,
      isPartner: partner,
      canEdit: canAct && visit.state === 'planned',
      endPin: await services.duress.endForm(actor, visit.worker_id),
      kindLabel: VISIT_KINDS[visit.kind as keyof typeof VISIT_KINDS],
      caseSystemLabel: visit.case_system ? CASE_SYSTEMS[visit.case_system as keyof typeof CASE_SYSTEMS] : null,
      backLink: '/visits',
    };
  }

  app.get<{ Params: { id: string } }>('/visits/:id', async (request, reply) => {
    const actor = requireActor(request);
    const id = idParam(request.params.id);
    const { visit, relation, partner } = await visits.viewable(actor, id);
    const [timeline, afterDeadline, liveRating] = await Promise.all([
      visits.timelineFor(actor, id),
      visit.due_at ? services.alerts.afterDeadline(visit.worker_id, new Date(visit.due_at)) : null,
      visits.liveRating(id, visit.state, visit.risk_rating),
    ]);
    const canAct = relation.self || relation.manager || relation.teamBusinessSupport || relation.admin;
    // Issue 19: the worker's missing lone-working training, for those who act on the visit.
    const readiness =
      canAct && visit.state === 'planned' ? (await services.training.readinessFor([visit.worker_id]))[0] : undefined;
    return reply.view('visits/session.njk', {
      trainingWarning: readiness?.loneWorkingWarning ?? null,
      trainingRequired: readiness?.policy === 'require',
      title: visit.description ?? VISIT_KINDS[visit.kind as keyof typeof VISIT_KINDS] ?? 'Visit',
      liveRating,
      isPartner: partner,
      canEdit: canAct && visit.state === 'planned',
      visit,
      timeline,
      afterDeadline,
      canAct,
      endPin: await services.duress.endForm(actor, visit.worker_id),
      kindLabel: VISIT_KINDS[visit.kind as keyof typeof VISIT_KINDS],
      caseSystemLabel: visit.case_system ? CASE_SYSTEMS[visit.case_system as keyof typeof CASE_SYSTEMS] : null,
      flash: flashFor((request.query as { done?: string }).done),
      backLink: '/visits',
    });
  });

  // One-tap actions: each posts and comes back to the session page. An idempotency_key (sent by the
  // offline queue, /public/offline.js) makes the key and the effect commit together, and a replay
  // answer with the first result and write nothing.
  const action = (path: string, run: (actor: Actor, id: number, body: unknown) => Promise<unknown>, done: string) =>
    app.post<{ Params: { id: string } }>(`/visits/:id/${path}`, async (request, reply) => {
      const actor = requireActor(request);
      const id = idParam(request.params.id);
      return handleForm(
        reply,
        () =>
          services.idempotency.once(actor, request.body, `visits.${path}:${id}`, `/visits/${id}?done=${done}`, () =>
            run(actor, id, request.body),
          ),
        {
          template: 'visits/session.njk',
          values: request.body,
          context: async () => {
            const { visit, relation } = await visits.viewable(actor, id);
            return {
              title: visit.description ?? 'Visit',
              visit,
              liveRating: await visits.liveRating(id, visit.state, visit.risk_rating),
              timeline: await visits.timelineFor(actor, id),
              endPin: await services.duress.endForm(actor, visit.worker_id),
              canAct: relation.self || relation.manager || relation.teamBusinessSupport || relation.admin,
              kindLabel: VISIT_KINDS[visit.kind as keyof typeof VISIT_KINDS],
              backLink: '/visits',
            };
          },
        },
        (result) => answerAction(request, reply, result as ActionDone),
      );
    });
  action(
    'arrive',
    (actor, id, body) => {
      const b = (body ?? {}) as { lat?: string; lng?: string };
      const lat = Number(b.lat),
        lng = Number(b.lng);
      return visits.arrive(
        actor,
        id,
        Number.isFinite(lat) && Number.isFinite(lng) && b.lat && b.lng ? { lat, lng } : null,
      );
    },
    'arrived',
  );
  action('extend', (actor, id, body) => visits.extend(actor, id, parseWith(extendForm, body).minutes), 'extended');
  // "Visit over": with the duress PIN it ends exactly as usual and raises a silent alarm first.
  action(
    'end',
    async (actor, id, body) => {
      const b = (body ?? {}) as { pin?: unknown; lat?: string; lng?: string };
      const { visit } = await visits.viewable(actor, id);
      if ((await services.duress.checkEndPin(actor, visit.worker_id, b.pin)) === 'duress') {
        const lat = Number(b.lat),
          lng = Number(b.lng);
        const location = b.lat && b.lng && Number.isFinite(lat) && Number.isFinite(lng) ? { lat, lng } : null;
        await services.duress.raise(actor, { workerId: visit.worker_id, visitId: id, via: 'pin', location });
        await failpoint('duress.raised');
      }
      return visits.end(actor, id);
    },
    'ended',
  );
  action('cancel', (actor, id) => visits.cancel(actor, id), 'cancelled');

  app.post('/day/finish', async (request, reply) => {
    const actor = requireActor(request);
    const staffId = actor.staffId;
    if (staffId === null) return reply.redirect('/visits', 303);
    return handleForm(
      reply,
      () =>
        services.idempotency.once(actor, request.body, 'day.finish', '/visits?done=finished', () =>
          visits.finishDay(actor, staffId),
        ),
      { template: 'visits/my-day.njk', values: {}, context: () => myDayPage(actor) },
      (result) => answerAction(request, reply, result as ActionDone),
    );
  });
};

function flashFor(done: string | undefined): string | undefined {
  return (
    {
      planned: 'Visit planned',
      arrived: 'Session started. Your buddy can see you are on a visit.',
      extended: 'Time extended',
      ended: 'Visit over: you are marked as safe',
      cancelled: 'Visit cancelled',
      edited: 'Visit changed. Its risk rating has been checked again.',
      joint: 'You have confirmed you are going on this joint visit',
      finished: 'Finished and safe for today. Your buddy can see this.',
    } as Record<string, string>
  )[done ?? ''];
}
