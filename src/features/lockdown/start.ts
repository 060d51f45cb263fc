import type { Actor } from '../auth/actor.ts';
import { actorFields } from '../audit/service.ts';
import { ForbiddenError, ValidationError } from '../../errors.ts';
import { inTransaction } from '../../db/transaction.ts';
import { LOCATIONS, alertText, type LockdownLocation } from './rules.ts';
import type { StartForm } from './schema.ts';
import type { LockdownContext } from './context.ts';

/** Starting a lockdown: the buildings the actor may lock down, and everyone there alerted at once. */
export function buildStart({
  db,
  repo,
  buildings,
  audit,
  plan,
  base,
  startable,
  mayStart,
  template,
  notified,
}: LockdownContext) {
  return {
    async newForm(actor: Actor) {
      const list = await startable(actor);
      if (!list.length)
        throw new ForbiddenError('You can start a lockdown of the building you are checked in at or based in');
      return { buildings: list };
    },

    /** Starts the lockdown and alerts everyone in the building now, in one transaction. */
    async start(actor: Actor, form: StartForm) {
      const building = await buildings.get(form.buildingId);
      if (!building) throw new ValidationError([{ field: 'buildingId', message: 'Select the building to lock down' }]);
      if (!(await mayStart(actor, building.id)))
        throw new ForbiddenError('You can start a lockdown only of the building you are checked in at or based in');
      const location = form.location as LockdownLocation;
      const k = await template(building.id);
      return inTransaction(db, async (trx) => {
        const running = await repo.running(building.id, trx);
        if (running)
          throw new ValidationError([
            {
              field: 'buildingId',
              message: `${building.name} is already locked down. Open the running lockdown from the list`,
            },
          ]);
        const id = await repo.create(trx, {
          buildingId: building.id,
          location,
          details: form.details,
          startedBy: actor.staffId,
          startedByName: actor.displayName,
        });
        const people = await repo.present(trx, building.id);
        // Appendix K: the building manager, then its service manager and assistant director, told at once wherever they are.
        const here = new Set(people.map((p) => p.id));
        const managers = [
          ...(building.building_manager_id === null
            ? []
            : [{ id: building.building_manager_id, reason: 'building_manager' as const }]),
          ...[k.serviceManager, k.assistantDirector]
            .filter((m) => m !== null)
            .map((m) => ({ id: m.id, reason: 'senior_manager' as const })),
        ].filter((m, i, all) => !here.has(m.id) && all.findIndex((x) => x.id === m.id) === i);
        await repo.addRecipients(trx, id, [...people, ...managers]);
        await repo.event(
          trx,
          id,
          actor.staffId,
          `${actor.displayName} started a Dynamic Lock Down: ${LOCATIONS[location].toLowerCase()}${form.details ? `. ${form.details}` : ''}`,
        );
        const inside = people.filter((p) => p.reason !== 'based_elsewhere');
        const away = people.length - inside.length;
        await repo.event(
          trx,
          id,
          null,
          `Alert sent to ${inside.length} ${inside.length === 1 ? 'person' : 'people'} in the building (${people.filter((p) => p.reason === 'checked_in').length} checked in there, ${people.filter((p) => p.reason === 'based').length} based there)${away ? ` and ${away} based there but checked in elsewhere` : ''}`,
        );
        if (managers.length) {
          const named = managers.map(
            (m) =>
              [k.serviceManager, k.assistantDirector].find((x) => x?.id === m.id) ?? {
                given_name: building.building_manager_name ?? 'the building manager',
                family_name: '',
              },
          );
          await repo.event(
            trx,
            id,
            null,
            `Told at once, not in the building: ${named.map((n) => `${n.given_name} ${n.family_name}`.trim()).join(', ')} (Appendix K)`,
          );
        }
        const text = alertText(building.name, location, form.details);
        await repo.notify(
          trx,
          people.map((p) => p.id),
          { ...text, link: `${base}/lockdowns/${id}` },
          plan,
          id,
        );
        await repo.notify(
          trx,
          managers.map((m) => m.id),
          {
            subject: text.subject,
            body: `${actor.displayName} started a Dynamic Lock Down at ${building.name}. ${text.body}`,
            link: `${base}/lockdowns/${id}`,
          },
          plan,
          id,
        );
        await audit.appendIn(trx, {
          ...actorFields(actor),
          action: 'lockdown.start',
          entityType: 'lockdown',
          entityId: id,
          detail: {
            buildingId: building.id,
            location,
            alerted: people.length,
            managersTold: managers.map((m) => m.id),
          },
        });
        return id;
      }).then(
        (id) => {
          notified();
          return id;
        },
        (e: unknown) => {
          // Two people starting the same building's lockdown at once: the unique index lets one win.
          if ((e as { code?: string }).code === '23505')
            throw new ValidationError([
              {
                field: 'buildingId',
                message: `${building.name} is already locked down. Open the running lockdown from the list`,
              },
            ]);
          throw e;
        },
      );
    },
  };
}
