import { choiceParam, listHref, pageFrom, paging, textParam } from '../../web/paging.ts';
import type { FastifyPluginAsync } from 'fastify';
import type { Services } from '../../composition.ts';
import type { Actor } from '../auth/actor.ts';
import { requireActor } from '../../web/security.ts';
import { handleForm } from '../../web/error-handling.ts';
import { parseWith } from '../../web/validation.ts';
import { idParam } from '../people/routes.ts';
import { allClearForm, startForm } from './schema.ts';

const DONE: Record<string, string> = {
  started: 'Lockdown started: everyone in the building has been alerted',
  acknowledged: 'Thank you: your acknowledgement is recorded',
  clear: 'All clear given: the lockdown has ended and everyone alerted has been told',
};

const LOCKDOWN_STATUSES = { running: 'Locked down', ended: 'All clear' } as const;

export const lockdownRoutes: FastifyPluginAsync<{ services: Services }> = async (app, { services }) => {
  const lockdown = services.lockdown;
  const newPage = async (actor: Actor) => ({
    title: 'Start a Dynamic Lock Down',
    backLink: '/lockdowns',
    locations: lockdown.locations,
    ...(await lockdown.newForm(actor)),
  });
  const viewPage = async (actor: Actor, id: number) => {
    const v = await lockdown.view(actor, id);
    return { title: `Lockdown at ${v.lockdown.building_name}`, backLink: '/lockdowns', ...v };
  };

  app.get('/lockdowns', async (request, reply) => {
    const actor = requireActor(request);
    const building = textParam(request.query, 'building', 10);
    const buildingId = /^\d{1,9}$/.test(building) ? Number(building) : null;
    const status = choiceParam(request.query, 'status', LOCKDOWN_STATUSES);
    const found = await lockdown.list(actor, {
      buildingId,
      status,
      page: pageFrom((request.query as { page?: unknown }).page),
    });
    const filters = { building: buildingId === null ? null : String(buildingId), status };
    return reply.view('lockdown/list.njk', {
      title: 'Building lockdowns',
      ...found,
      filters,
      statuses: LOCKDOWN_STATUSES,
      paging: paging(found.page, found.total, 'lockdowns', (p) => listHref('/lockdowns', filters, p)),
    });
  });
  app.get('/lockdowns/new', async (request, reply) => {
    const actor = requireActor(request);
    const page = await newPage(actor);
    return reply.view('lockdown/new.njk', {
      ...page,
      values: { buildingId: page.buildings.length === 1 ? String(page.buildings[0]!.id) : '' },
    });
  });
  app.post('/lockdowns', async (request, reply) => {
    const actor = requireActor(request);
    return handleForm(
      reply,
      () => lockdown.start(actor, parseWith(startForm, request.body)),
      { template: 'lockdown/new.njk', values: request.body, context: () => newPage(actor) },
      (id) => `/lockdowns/${String(id)}?done=started`,
    );
  });
  app.get<{ Params: { id: string } }>('/lockdowns/:id', async (request, reply) => {
    const actor = requireActor(request);
    return reply.view('lockdown/lockdown.njk', {
      ...(await viewPage(actor, idParam(request.params.id))),
      values: {},
      flash: DONE[(request.query as { done?: string }).done ?? ''],
    });
  });
  app.post<{ Params: { id: string } }>('/lockdowns/:id/acknowledge', async (request, reply) => {
    const actor = requireActor(request);
    const id = idParam(request.params.id);
    await lockdown.acknowledge(actor, id);
    return reply.redirect(`/lockdowns/${id}?done=acknowledged`, 303);
  });
  app.post<{ Params: { id: string } }>('/lockdowns/:id/all-clear', async (request, reply) => {
    const actor = requireActor(request);
    const id = idParam(request.params.id);
    return handleForm(
      reply,
      () => lockdown.allClear(actor, id, parseWith(allClearForm, request.body)),
      { template: 'lockdown/lockdown.njk', values: request.body, context: () => viewPage(actor, id) },
      () => `/lockdowns/${id}?done=clear`,
    );
  });
};
