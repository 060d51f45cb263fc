import type { Actor } from '../auth/actor.ts';
import { ALWAYS, ENDED_AS, LOCATIONS, STEPS } from './rules.ts';
import { isAcknowledgement } from './acknowledgement-text.ts';
import type { LockdownContext } from './context.ts';

/** The list of lockdowns and a lockdown's page, with who is present shown only to those responding. */
export function buildViewing({ repo, startable, endingAs, template, load }: LockdownContext) {
  return {
    async list(actor: Actor, filter: Parameters<typeof repo.list>[0]) {
      const found = await repo.list(filter);
      return {
        lockdowns: found.rows,
        total: found.total,
        page: found.page,
        buildings: await repo.buildings(),
        canStart: (await startable(actor)).length > 0,
      };
    },

    async view(actor: Actor, id: number) {
      const l = await load(id);
      const t = await template(l.building_id);
      const [recipients, events, endAs] = await Promise.all([
        repo.recipients(id),
        repo.events(id),
        endingAs(actor, l, t.building.building_manager_id),
      ]);
      const me = actor.staffId === null ? undefined : recipients.find((r) => r.staff_id === actor.staffId);
      // Who is in the building is for the people running the lockdown and the building's responders
      // (its manager, key holders, the Appendix K senior managers alerted): others see the count only.
      const seesPresence =
        endAs !== null ||
        (actor.staffId !== null &&
          (l.started_by === actor.staffId ||
            t.building.building_manager_id === actor.staffId ||
            t.keyHolders.some((k) => k.id === actor.staffId) ||
            (me !== undefined && (me.reason === 'building_manager' || me.reason === 'senior_manager'))));
      return {
        lockdown: l,
        ...t,
        recipients: seesPresence ? recipients : [],
        alertedCount: recipients.length,
        seesPresence,
        // Others' acknowledgements say who is there too: without the list, only the viewer's own show.
        events: seesPresence
          ? events
          : events.filter((e) => !isAcknowledgement(e.text) || e.actor_id === actor.staffId),
        // After the all clear the page is a record: no instructions to follow any more.
        steps: l.ended_at === null ? STEPS[l.location] : [],
        always: l.ended_at === null ? ALWAYS : [],
        locationLabel: LOCATIONS[l.location],
        running: l.ended_at === null,
        me: me ?? null,
        canEnd: endAs !== null && l.ended_at === null,
        endingRemotely: endAs === 'remote_senior',
        endedAsLabel: l.ended_as ? ENDED_AS[l.ended_as] : null,
        acknowledgedCount: recipients.filter((r) => r.acknowledged_at).length,
      };
    },
  };
}
