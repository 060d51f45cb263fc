import type { StaffRepository } from '../people/repository.ts';
import type { VisitsRepository, HistoryScope } from './repository.ts';
import type { RiskGate } from './risk-gate.ts';
import type { Actor } from '../auth/actor.ts';
import { londonDate, londonDayBounds } from '../../time/london.ts';
import type { HistoryFilter } from './schema.ts';
import { can } from '../auth/access.ts';
import { hasRole } from '../auth/actor.ts';
import type { VisitGuards } from './guards.ts';

/** Reading visits: the worker's day, visit history, a session's light and its timeline. */
export function buildVisitReading(deps: {
  visits: VisitsRepository;
  staff: StaffRepository;
  risk: RiskGate;
  guards: VisitGuards;
}) {
  const {
    visits,
    staff,
    risk,
    guards: { viewable },
  } = deps;

  async function historyScope(actor: Actor): Promise<HistoryScope | null> {
    if (can(actor, 'people.view_all') || can(actor, 'organisation.manage')) return 'all';
    if (actor.staffId === null) return null;
    const me = hasRole(actor, 'business_support') ? await staff.get(actor.staffId) : undefined;
    return { staffId: actor.staffId, supportsTeamId: me?.team_id ?? null };
  }

  return {
    /** The worker's sessions for today and anything still running. */
    async myDay(actor: Actor) {
      if (actor.staffId === null) return { today: [], active: [], next: null, jointRequests: [] };
      const { start, end } = londonDayBounds(londonDate(new Date()));
      const [rows, active, jointRequests] = await Promise.all([
        visits.between([actor.staffId], start, end),
        visits.active([actor.staffId]),
        visits.awaitingPartner(actor.staffId),
      ]);
      // A planned session shows its light now: a flag raised since planning counts.
      const today = [];
      for (const v of rows) today.push(v.state === 'planned' ? { ...v, risk_rating: await risk.liveRating(v.id) } : v);
      // The worker's home: the running session first, then the next visit still to start today.
      const next =
        today
          .filter((v) => v.state === 'planned')
          .sort((a, b) => new Date(a.starts_at).getTime() - new Date(b.starts_at).getTime())[0] ?? null;
      return { today, active, next, jointRequests };
    },

    /**
     * Visit history: one page of the visits the actor could open, newest first. The scope is the rule
     * of `viewable` (see access.ts): administrators and those who see everyone get every visit; anyone
     * else their own, their joint visits, and those of the people they buddy, manage (the whole line) or,
     * as business support, whose team they support. A list row carries no alert, so it never tells
     * anyone, least of all its subject, that a silent alarm was raised.
     */
    async history(actor: Actor, filter: HistoryFilter, page: number) {
      const scope = await historyScope(actor);
      if (scope === null) return { rows: [], total: 0, page: 1, seesOthers: false };
      const seesOthers =
        scope === 'all' || scope.supportsTeamId !== null || (await visits.looksAfterAnyone(scope.staffId));
      return { ...(await visits.history(scope, filter, page)), seesOthers };
    },

    /** The light of a session now (the planned one, once it has started). */
    async liveRating(visitId: number, state: string, planned: string | null) {
      return state === 'planned' ? risk.liveRating(visitId) : planned;
    },

    async timelineFor(actor: Actor, visitId: number) {
      const { visit } = await viewable(actor, visitId);
      // A silent alarm leaves no trace on the worker's own screen (anyone may be looking at it).
      return visits.timeline(visitId, actor.staffId === visit.worker_id);
    },
  };
}
