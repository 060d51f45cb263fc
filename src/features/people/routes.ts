import type { FastifyPluginAsync } from 'fastify';
import type { Services } from '../../composition.ts';
import { requireActor } from '../../web/security.ts';
import { handleForm } from '../../web/error-handling.ts';
import { parseWith } from '../../web/validation.ts';
import { NotFoundError } from '../../errors.ts';
import { buddyForm } from './schema.ts';
import { adminFlash } from '../organisation/done.ts';
import { choiceParam, listHref, pageFrom, paging, textParam } from '../../web/paging.ts';

const PEOPLE_STATUSES = { current: 'Works here now', left: 'Has left' } as const;

export function idParam(value: string): number {
  const id = Number(value);
  // Ids are PostgreSQL integers; anything larger cannot exist.
  if (!Number.isSafeInteger(id) || id <= 0 || id > 2147483647) throw new NotFoundError();
  return id;
}

export const peopleRoutes: FastifyPluginAsync<{ services: Services }> = async (app, { services }) => {
  app.get('/teams', async (request, reply) => {
    const actor = requireActor(request);
    const teams = await services.people.teamsFor(actor);
    if (teams.length === 1 && !request.url.includes('all')) return reply.redirect(`/teams/${teams[0]!.id}`, 303);
    return reply.view('people/teams.njk', { title: 'Teams', teams });
  });

  app.get<{ Params: { id: string } }>('/teams/:id', async (request, reply) => {
    const actor = requireActor(request);
    const detail = await services.people.team(actor, idParam(request.params.id));
    return reply.view('people/team.njk', {
      title: detail.team.name,
      ...detail,
      flash: adminFlash(request.query, { buddy: 'Buddy allocated' }),
    });
  });

  app.get('/people', async (request, reply) => {
    const actor = requireActor(request);
    const q = textParam(request.query, 'q');
    const status = choiceParam(request.query, 'status', PEOPLE_STATUSES);
    const team = textParam(request.query, 'team', 10);
    const teamId = /^\d{1,9}$/.test(team) ? Number(team) : null;
    const found = await services.people.listPage(actor, {
      search: q,
      teamId,
      status,
      page: pageFrom((request.query as { page?: unknown }).page),
    });
    const filters = { q, team: teamId === null ? null : String(teamId), status };
    return reply.view('people/list.njk', {
      title: 'People',
      people: found.rows,
      teams: found.teams,
      filters,
      statuses: PEOPLE_STATUSES,
      paging: paging(found.page, found.total, 'people', (p) => listHref('/people', filters, p)),
    });
  });

  app.get<{ Params: { id: string } }>('/people/:id', async (request, reply) => {
    const actor = requireActor(request);
    const detail = await services.people.person(actor, idParam(request.params.id));
    return reply.view('people/person.njk', {
      title: `${detail.person.given_name} ${detail.person.family_name}`,
      ...detail,
      values: { buddyId: detail.person.buddy_id },
      flash: adminFlash(request.query, { buddy: 'Buddy allocated' }),
    });
  });

  app.post<{ Params: { id: string } }>('/people/:id/buddy', async (request, reply) => {
    const actor = requireActor(request);
    const id = idParam(request.params.id);
    return handleForm(
      reply,
      () => services.people.allocateBuddy(actor, id, parseWith(buddyForm, request.body).buddyId),
      {
        template: 'people/person.njk',
        values: request.body,
        context: async () => {
          const detail = await services.people.person(actor, id);
          return { title: `${detail.person.given_name} ${detail.person.family_name}`, ...detail };
        },
      },
      () => `/people/${id}?done=buddy`,
    );
  });

  app.get('/major-incident-contacts', async (request, reply) => {
    requireActor(request);
    const contacts = await services.people.majorIncidentContacts();
    return reply.view('people/major-incident-contacts.njk', { title: 'Major incident contacts', contacts });
  });
};
