import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import type { Services } from '../../composition.ts';
import { UnauthenticatedError, ValidationError } from '../../errors.ts';
import { idempotencyKeyFrom } from '../offline/idempotency.ts';
import { parseWith } from '../../web/validation.ts';
import { staffForm, buddyForm } from '../people/schema.ts';
import { idParam } from '../people/routes.ts';
import * as s from './schemas.ts';

function apiActor(request: FastifyRequest) {
  if (!request.actor) throw new UnauthenticatedError();
  return request.actor;
}

const staffView = (p: Record<string, unknown>) => ({
  id: p.id,
  employeeNumber: p.employee_number,
  givenName: p.given_name,
  familyName: p.family_name,
  email: p.email,
  jobRole: p.job_role,
  teamId: p.team_id,
  teamName: p.team_name,
  lineManagerId: p.line_manager_id,
  buddyId: p.buddy_id,
  buddyName: p.buddy_name,
  workMobile: p.work_mobile,
  baseBuildingId: p.base_building_id,
  active: p.active,
});

/** JSON API, one resource per path; every route is described in the OpenAPI document at /api/docs. */
export const apiRoutes: FastifyPluginAsync<{ services: Services }> = async (app, { services }) => {
  // Authenticate before anything else looks at the request, so a caller without a valid token
  // always gets 401, never a validation answer about a body or id it may not send.
  app.addHook('onRequest', async (request) => {
    apiActor(request);
  });

  app.get(
    '/me',
    {
      schema: {
        tags: ['people'],
        summary: 'The token owner, their buddy and management chain',
        response: { 200: s.me },
      },
    },
    async (request) => {
      const actor = apiActor(request);
      const mine = await services.people.myRelationships(actor);
      return {
        accountId: actor.accountId,
        email: actor.email,
        roles: actor.roles,
        staffId: actor.staffId,
        buddyId: mine.buddy?.id ?? null,
        buddyTo: mine.buddyTo.map((b) => b.id),
        managementChain: mine.chain.map((c) => c.id),
      };
    },
  );

  app.get(
    '/directorates',
    { schema: { tags: ['organisation'], summary: 'Directorates', response: { 200: s.list(s.directorate) } } },
    async (request) => {
      apiActor(request);
      return { items: await services.organisation.directorates() };
    },
  );
  app.get(
    '/services',
    { schema: { tags: ['organisation'], summary: 'Services', response: { 200: s.list(s.service) } } },
    async (request) => {
      apiActor(request);
      return {
        items: (await services.organisation.services()).map((x) => ({
          id: x.id,
          name: x.name,
          directorateId: x.directorate_id,
        })),
      };
    },
  );
  app.get(
    '/teams',
    { schema: { tags: ['organisation'], summary: 'Teams the token owner can see', response: { 200: s.list(s.team) } } },
    async (request) => {
      const teams = await services.people.teamsFor(apiActor(request));
      return { items: teams.map(s.teamView) };
    },
  );
  app.get<{ Params: { id: string } }>(
    '/teams/:id',
    {
      schema: {
        tags: ['organisation'],
        summary: 'A team with its staff and buddies',
        params: s.idParams,
        response: { 200: s.teamDetail },
      },
    },
    async (request) => {
      const d = await services.people.team(apiActor(request), idParam(request.params.id));
      return {
        ...s.teamView(d.team),
        members: d.members.map(staffView),
        withoutBuddy: d.withoutBuddy.map((m) => m.id),
      };
    },
  );

  app.get<{ Querystring: { q?: string } }>(
    '/staff',
    {
      schema: {
        tags: ['people'],
        summary: 'Staff the token owner can see',
        querystring: s.searchQuery,
        response: { 200: s.list(s.staff) },
      },
    },
    async (request) => {
      const people = await services.people.list(apiActor(request), request.query.q);
      return { items: people.map(staffView) };
    },
  );
  app.get<{ Params: { id: string } }>(
    '/staff/:id',
    { schema: { tags: ['people'], summary: 'A member of staff', params: s.idParams, response: { 200: s.staff } } },
    async (request) => {
      const d = await services.people.person(apiActor(request), idParam(request.params.id));
      return staffView(d.person);
    },
  );
  app.post(
    '/staff',
    {
      schema: {
        tags: ['people'],
        summary: 'Add a member of staff (administrators)',
        body: s.staffBody,
        response: { 201: s.created },
      },
    },
    async (request, reply) => {
      const actor = apiActor(request);
      const id = await services.people.createStaff(actor, parseWith(staffForm, s.stringify(request.body)));
      return reply.code(201).send({ id });
    },
  );
  app.put<{ Params: { id: string } }>(
    '/staff/:id/buddy',
    {
      schema: {
        tags: ['people'],
        summary: 'Allocate or clear a buddy (the person’s managers)',
        params: s.idParams,
        body: s.buddyBody,
        response: { 204: { type: 'null' } },
      },
    },
    async (request, reply) => {
      const actor = apiActor(request);
      await services.people.allocateBuddy(
        actor,
        idParam(request.params.id),
        parseWith(buddyForm, s.stringify(request.body)).buddyId,
      );
      return reply.code(204).send();
    },
  );

  app.get(
    '/buildings',
    {
      schema: {
        tags: ['buildings'],
        summary: 'Buildings and their incident response numbers',
        response: { 200: s.list(s.building) },
      },
    },
    async (request) => {
      apiActor(request);
      return { items: (await services.buildings.list()).map(s.buildingView) };
    },
  );
  app.get<{ Params: { id: string } }>(
    '/buildings/:id',
    { schema: { tags: ['buildings'], summary: 'A building', params: s.idParams, response: { 200: s.building } } },
    async (request) => {
      apiActor(request);
      return s.buildingView((await services.buildings.get(idParam(request.params.id))).building);
    },
  );
  app.post<{ Params: { id: string }; Body: { lat?: number; lng?: number } }>(
    '/visits/:id/check-ins',
    {
      schema: {
        tags: ['lone working'],
        summary: 'Check in during a running session, optionally with the device location',
        params: s.idParams,
        body: {
          type: 'object',
          properties: {
            lat: { type: 'number', minimum: 49, maximum: 61 },
            lng: { type: 'number', minimum: -9, maximum: 2 },
          },
          dependencies: { lat: ['lng'], lng: ['lat'] },
          additionalProperties: false,
        },
        response: { 201: { type: 'object', properties: { at: { type: 'string', format: 'date-time' } } } },
      },
    },
    async (request, reply) => {
      const actor = apiActor(request);
      const b = request.body ?? {};
      const id = idParam(request.params.id);
      const checkIn = () =>
        services.visits.checkIn(
          actor,
          id,
          b.lat !== undefined && b.lng !== undefined ? { lat: b.lat, lng: b.lng } : null,
        );
      // With an Idempotency-Key header, a check-in sent again (no answer on a weak signal) is recorded
      // once, and the repeat is answered with the first one's time.
      const key = request.headers['idempotency-key'];
      if (key === undefined) return reply.code(201).send({ at: (await checkIn()).at.toISOString() });
      if (typeof key !== 'string' || !idempotencyKeyFrom({ idempotency_key: key })) {
        throw new ValidationError([
          {
            field: 'Idempotency-Key',
            message: 'Idempotency-Key must be 8 to 100 letters, digits, hyphens or underscores',
          },
        ]);
      }
      const done = await services.idempotency.once(
        actor,
        { idempotency_key: key },
        `visits.check-in:${id}`,
        (r) => r.at.toISOString(),
        checkIn,
      );
      return reply.code(201).send({ at: done.location });
    },
  );

  app.get(
    '/major-incident-contacts',
    {
      schema: {
        tags: ['people'],
        summary: 'Assistant directors’ out-of-hours contacts (Appendix C)',
        response: { 200: s.list(s.contact) },
      },
    },
    async (request) => {
      apiActor(request);
      return {
        items: (await services.people.majorIncidentContacts()).map((c) => ({
          id: c.id,
          name: `${c.given_name} ${c.family_name}`,
          outOfHoursPhone: c.out_of_hours_phone,
          workMobile: c.work_mobile,
        })),
      };
    },
  );
};
