import type { FastifyPluginAsync } from 'fastify';
import type { Services } from '../../composition.ts';
import { requireActor } from '../../web/security.ts';
import { handleForm } from '../../web/error-handling.ts';
import { parseWith } from '../../web/validation.ts';
import { idParam } from '../people/routes.ts';
import { extendForm, VISIT_KINDS, CASE_SYSTEMS } from './schema.ts';
import type { Actor } from '../auth/actor.ts';
import { failpoint } from '../../failpoints.ts';
import { answerAction } from '../offline/answer.ts';
import type { ActionDone } from '../offline/idempotency.ts';
import { flashFor } from './route-replies.ts';

/** A visit's session page and its one-tap actions: arrive, extend, end (with the duress PIN), cancel; a joint partner's confirmation. */
export const visitSessionRoutes: FastifyPluginAsync<{ services: Services }> = async (app, { services }) => {
  const { visits } = services;

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
};
