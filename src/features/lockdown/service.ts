import type { Kysely } from 'kysely';
import type { DB } from '../../db/schema.ts';
import type { AuditRepository } from '../audit/repository.ts';
import type { StaffRepository } from '../people/repository.ts';
import type { BuildingsRepository } from '../buildings/repository.ts';
import { hasRole, type Actor } from '../auth/actor.ts';
import { actorFields } from '../audit/service.ts';
import { ForbiddenError, NotFoundError, ValidationError } from '../../errors.ts';
import { inTransaction } from '../../db/transaction.ts';
import type { LockdownRepository } from './repository.ts';
import {
  ALWAYS,
  ENDED_AS,
  LOCATIONS,
  STEPS,
  alertText,
  allClearAs,
  allClearProblems,
  type EndedAs,
  type LockdownLocation,
} from './rules.ts';
import type { AllClearForm, StartForm } from './schema.ts';

export interface LockdownDeps {
  db: Kysely<DB>;
  lockdown: LockdownRepository;
  buildings: BuildingsRepository;
  staff: StaffRepository;
  audit: AuditRepository;
  /** First channel and fallbacks for the alert (the configured providers). */
  plan?: { channel: string; fallbacks: string[] };
  baseUrl?: string;
  onNotify?: () => void;
}

/** Seed 001 §5 and Appendix K: Dynamic Lock Down of a building. */
export function buildLockdownService(deps: LockdownDeps) {
  const { db, lockdown: repo, buildings, staff, audit } = deps;
  const plan = deps.plan ?? { channel: 'inbox', fallbacks: [] };
  const base = deps.baseUrl ?? '';

  const ACKNOWLEDGED = 'acknowledged';
  const isAcknowledgement = (text: string) => / acknowledged( \(after the all clear\))?$/.test(text);
  const senior = (actor: Actor) => hasRole(actor, 'service_manager', 'assistant_director');

  /**
   * §5: all staff "initiate lockdown procedure if appropriate". Anyone checked in at the building or
   * based there, its building manager and key holders, and senior managers (service manager,
   * assistant director) may start one.
   */
  async function startable(actor: Actor) {
    const all = await repo.buildings();
    if (senior(actor)) return all;
    if (actor.staffId === null) return [];
    const [held, where] = await Promise.all([repo.keyHolderOf(actor.staffId), repo.whereIs(actor.staffId)]);
    const mine = new Set([
      ...held.map((k) => k.building_id),
      ...where.checkedIn,
      ...(where.base === null ? [] : [where.base]),
    ]);
    return all.filter((b) => b.building_manager_id === actor.staffId || mine.has(b.id));
  }
  const mayStart = async (actor: Actor, buildingId: number) =>
    (await startable(actor)).some((b) => b.id === buildingId);

  /** On what footing the actor may give the all clear (rules.ts allClearAs), or null. */
  async function endingAs(
    actor: Actor,
    l: { building_id: number; started_by: number | null },
    managerId: number | null,
  ): Promise<EndedAs | null> {
    const me = actor.staffId;
    let keyHolderPresent = false;
    if (me !== null && (await repo.keyHolderOf(me)).some((k) => k.building_id === l.building_id)) {
      keyHolderPresent = (await repo.present(db, l.building_id)).some(
        (p) => p.id === me && p.reason !== 'based_elsewhere',
      );
    }
    return allClearAs({
      runner: me !== null && l.started_by === me,
      buildingManager: me !== null && managerId === me,
      keyHolderPresent,
      senior: senior(actor),
    });
  }

  /** Appendix K: the building's incident response template. Service manager and AD are the building manager's. */
  async function template(buildingId: number) {
    const building = await buildings.get(buildingId);
    if (!building) throw new NotFoundError('Building');
    const [keyHolders, chain] = await Promise.all([
      buildings.keyHolders(buildingId),
      building.building_manager_id ? staff.chain(building.building_manager_id) : Promise.resolve([]),
    ]);
    const pick = (role: string) => chain.find((c) => c.job_role === role) ?? null;
    return {
      building,
      keyHolders,
      serviceManager: pick('service_manager'),
      assistantDirector: pick('assistant_director'),
    };
  }

  async function load(id: number) {
    const l = await repo.get(id);
    if (!l) throw new NotFoundError('Lockdown');
    return l;
  }

  return {
    startable,
    locations: LOCATIONS,

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
          deps.onNotify?.();
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

    /** A person alerted says they have the message. Saying it twice changes nothing. */
    async acknowledge(actor: Actor, id: number) {
      const l = await load(id);
      if (actor.staffId === null || !(await repo.recipient(id, actor.staffId)))
        throw new ForbiddenError('Only the people alerted about this lockdown acknowledge it');
      const staffId = actor.staffId;
      await inTransaction(db, async (trx) => {
        if (!(await repo.acknowledge(trx, id, staffId))) return;
        await repo.event(
          trx,
          id,
          staffId,
          `${actor.displayName} ${ACKNOWLEDGED}${l.ended_at ? ' (after the all clear)' : ''}`,
        );
        await audit.appendIn(trx, {
          ...actorFields(actor),
          action: 'lockdown.acknowledge',
          entityType: 'lockdown',
          entityId: id,
        });
      });
    },

    /**
     * "All clear": ends the lockdown and tells everyone who was alerted. From the person running it,
     * the building manager or a key holder present; a senior manager elsewhere gives a reason. Where
     * the police attended, it records that they gave the all clear.
     */
    async allClear(actor: Actor, id: number, form: AllClearForm) {
      const l = await load(id);
      const building = await buildings.get(l.building_id);
      const as = await endingAs(actor, l, building?.building_manager_id ?? null);
      if (as === null)
        throw new ForbiddenError(
          'Only the person running the lockdown, the building manager or a key holder in the building can give the all clear',
        );
      if (l.ended_at) throw new ValidationError([{ field: 'note', message: 'This lockdown has already ended' }]);
      const problems = allClearProblems(as, form);
      if (problems.length) throw new ValidationError(problems);
      const note = form.note;
      const police =
        form.policeAttended === 'yes' ? 'The police attended and gave the all clear.' : 'The police did not attend.';
      await inTransaction(db, async (trx) => {
        if (
          !(await repo.end(trx, id, {
            staffId: actor.staffId,
            name: actor.displayName,
            note,
            as,
            remoteReason: as === 'remote_senior' ? form.reason : null,
            policeAttended: form.policeAttended === 'yes',
            policeAllClear: form.policeAttended === 'yes' ? form.policeAllClear : null,
          }))
        ) {
          throw new ValidationError([{ field: 'note', message: 'This lockdown has already ended' }]);
        }
        await repo.event(
          trx,
          id,
          actor.staffId,
          `${actor.displayName} gave the all clear as ${ENDED_AS[as]}. ${police}${as === 'remote_senior' ? ` Ended from elsewhere because: ${form.reason!}.` : ''}${note ? ` ${note}` : ''}`,
        );
        const people = await repo.recipientIds(trx, id);
        await repo.notify(
          trx,
          people,
          {
            subject: `All clear at ${l.building_name}`,
            body: `The lockdown at ${l.building_name} has ended: all clear given by ${actor.displayName}. ${police}${note ? ` ${note}` : ''}`,
            link: `${base}/lockdowns/${id}`,
          },
          plan,
        );
        await audit.appendIn(trx, {
          ...actorFields(actor),
          action: 'lockdown.all_clear',
          entityType: 'lockdown',
          entityId: id,
          detail: {
            note,
            endedAs: as,
            policeAttended: form.policeAttended === 'yes',
            reason: as === 'remote_senior' ? form.reason : null,
          },
        });
      });
      deps.onNotify?.();
    },
  };
}

export type LockdownService = ReturnType<typeof buildLockdownService>;
