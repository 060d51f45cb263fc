import type { FastifyPluginAsync } from 'fastify';
import type { Services } from '../../composition.ts';
import { requireActor } from '../../web/security.ts';
import { ForbiddenError } from '../../errors.ts';
import { handleForm } from '../../web/error-handling.ts';
import { parseWith } from '../../web/validation.ts';
import { idParam } from '../people/routes.ts';
import { visitForm, VISIT_KINDS, CASE_SYSTEMS } from './schema.ts';
import { REFERRAL_TYPES } from '../risk/rating.ts';
import type { Actor } from '../auth/actor.ts';
import { londonDate, londonTime } from '../../time/london.ts';

/** Planning a visit and changing one still planned. */
export const visitPlanningRoutes: FastifyPluginAsync<{ services: Services }> = async (app, { services }) => {
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
};
