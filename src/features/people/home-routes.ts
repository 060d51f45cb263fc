import type { FastifyPluginAsync } from 'fastify';
import type { Services } from '../../composition.ts';
import { requireActor } from '../../web/security.ts';

export const homeRoutes: FastifyPluginAsync<{ services: Services }> = async (app, { services }) => {
  app.get('/', async (request, reply) => {
    const actor = requireActor(request);
    // A worker's home is their day: the running session first, then the next visit, then planning one.
    const [mine, teams, day, endPin, training] = await Promise.all([
      services.people.myRelationships(actor),
      services.people.teamsFor(actor),
      services.visits.myDay(actor),
      actor.staffId === null ? null : services.duress.endForm(actor, actor.staffId),
      services.training.home(actor),
    ]);
    // Administrators and the information governance officer: what the last retention run did (issue 20).
    const retention = await services.retention.lastRun(actor);
    // Issue 15: each role's own work first; the buddy and chain panels only for people who work alone.
    const work = await services.worklist.forActor(actor);
    const worksAlone = actor.roles.includes('worker') || Boolean(mine.me?.buddy_id);
    const visibleTeamIds = teams.map((t) => t.id);
    return reply.view('people/home.njk', {
      title: 'Home',
      retention,
      ...mine,
      teams,
      active: day.active,
      next: day.next,
      endPin,
      training,
      work,
      worksAlone,
      visibleTeamIds,
    });
  });
};
