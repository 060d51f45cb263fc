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
import { ALWAYS, LOCATIONS, STEPS, alertText, type LockdownLocation } from './rules.ts';
import type { StartForm } from './schema.ts';

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

  const senior = (actor: Actor) => hasRole(actor, 'service_manager', 'assistant_director');

  /** The building manager, a key holder of the building, or a senior manager (service manager, assistant director). */
  async function mayStart(actor: Actor, buildingId: number, managerId: number | null) {
    if (senior(actor)) return true;
    if (actor.staffId === null) return false;
    if (managerId === actor.staffId) return true;
    return (await repo.keyHolderOf(actor.staffId)).some((k) => k.building_id === buildingId);
  }

  async function startable(actor: Actor) {
    const all = await repo.buildings();
    if (senior(actor)) return all;
    if (actor.staffId === null) return [];
    const held = new Set((await repo.keyHolderOf(actor.staffId)).map((k) => k.building_id));
    return all.filter((b) => b.building_manager_id === actor.staffId || held.has(b.id));
  }

  /** Appendix K: the building's incident response template. Service manager and AD are the building manager's. */
  async function template(buildingId: number) {
    const building = await buildings.get(buildingId);
    if (!building) throw new NotFoundError('Building');
    const [keyHolders, chain] = await Promise.all([buildings.keyHolders(buildingId), building.building_manager_id ? staff.chain(building.building_manager_id) : Promise.resolve([])]);
    const pick = (role: string) => chain.find((c) => c.job_role === role) ?? null;
    return { building, keyHolders, serviceManager: pick('service_manager'), assistantDirector: pick('assistant_director') };
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
      if (!list.length) throw new ForbiddenError('Only a building manager, a key holder or a senior manager can start a lockdown');
      return { buildings: list };
    },

    /** Starts the lockdown and alerts everyone in the building now, in one transaction. */
    async start(actor: Actor, form: StartForm) {
      const building = await buildings.get(form.buildingId);
      if (!building) throw new ValidationError([{ field: 'buildingId', message: 'Select the building to lock down' }]);
      if (!(await mayStart(actor, building.id, building.building_manager_id))) throw new ForbiddenError('Only the building manager, a key holder or a senior manager can start a lockdown of this building');
      const location = form.location as LockdownLocation;
      return inTransaction(db, async (trx) => {
        const running = await repo.running(building.id, trx);
        if (running) throw new ValidationError([{ field: 'buildingId', message: `${building.name} is already locked down. Open the running lockdown from the list` }]);
        const id = await repo.create(trx, { buildingId: building.id, location, details: form.details, startedBy: actor.staffId, startedByName: actor.displayName });
        const people = await repo.present(trx, building.id);
        await repo.addRecipients(trx, id, people);
        await repo.event(trx, id, actor.staffId, `${actor.displayName} started a Dynamic Lock Down: ${LOCATIONS[location].toLowerCase()}${form.details ? `. ${form.details}` : ''}`);
        await repo.event(trx, id, null, `Alert sent to ${people.length} ${people.length === 1 ? 'person' : 'people'} in the building (${people.filter((p) => p.reason === 'checked_in').length} checked in there, ${people.filter((p) => p.reason === 'based').length} based there)`);
        await repo.notify(trx, people.map((p) => p.id), { ...alertText(building.name, location, form.details), link: `${base}/lockdowns/${id}` }, plan, id);
        await audit.appendIn(trx, { ...actorFields(actor), action: 'lockdown.start', entityType: 'lockdown', entityId: id, detail: { buildingId: building.id, location, alerted: people.length } });
        return id;
      }).then((id) => { deps.onNotify?.(); return id; }, (e: unknown) => {
        // Two people starting the same building's lockdown at once: the unique index lets one win.
        if ((e as { code?: string }).code === '23505') throw new ValidationError([{ field: 'buildingId', message: `${building.name} is already locked down. Open the running lockdown from the list` }]);
        throw e;
      });
    },

    async list(actor: Actor) {
      return { lockdowns: await repo.list(), canStart: (await startable(actor)).length > 0 };
    },

    async view(actor: Actor, id: number) {
      const l = await load(id);
      const [t, recipients, events, canEnd] = await Promise.all([
        template(l.building_id), repo.recipients(id), repo.events(id), mayStart(actor, l.building_id, (await buildings.get(l.building_id))?.building_manager_id ?? null),
      ]);
      const me = actor.staffId === null ? undefined : recipients.find((r) => r.staff_id === actor.staffId);
      return {
        lockdown: l, ...t, recipients, events,
        steps: STEPS[l.location], always: ALWAYS, locationLabel: LOCATIONS[l.location],
        running: l.ended_at === null,
        me: me ?? null,
        canEnd: canEnd && l.ended_at === null,
        acknowledgedCount: recipients.filter((r) => r.acknowledged_at).length,
      };
    },

    /** A person alerted says they have the message. Saying it twice changes nothing. */
    async acknowledge(actor: Actor, id: number) {
      const l = await load(id);
      if (actor.staffId === null || !(await repo.recipient(id, actor.staffId))) throw new ForbiddenError('Only the people alerted about this lockdown acknowledge it');
      const staffId = actor.staffId;
      await inTransaction(db, async (trx) => {
        if (!(await repo.acknowledge(trx, id, staffId))) return;
        await repo.event(trx, id, staffId, `${actor.displayName} acknowledged${l.ended_at ? ' (after the all clear)' : ''}`);
        await audit.appendIn(trx, { ...actorFields(actor), action: 'lockdown.acknowledge', entityType: 'lockdown', entityId: id });
      });
    },

    /** "All clear": ends the lockdown and tells everyone who was alerted. */
    async allClear(actor: Actor, id: number, note: string | null) {
      const l = await load(id);
      const building = await buildings.get(l.building_id);
      if (!(await mayStart(actor, l.building_id, building?.building_manager_id ?? null))) throw new ForbiddenError('Only the building manager, a key holder or a senior manager can give the all clear');
      if (l.ended_at) throw new ValidationError([{ field: 'note', message: 'This lockdown has already ended' }]);
      await inTransaction(db, async (trx) => {
        if (!(await repo.end(trx, id, { staffId: actor.staffId, name: actor.displayName, note }))) throw new ValidationError([{ field: 'note', message: 'This lockdown has already ended' }]);
        await repo.event(trx, id, actor.staffId, `${actor.displayName} gave the all clear${note ? `: ${note}` : ''}`);
        const people = await repo.recipientIds(trx, id);
        await repo.notify(trx, people, { subject: `All clear at ${l.building_name}`, body: `The lockdown at ${l.building_name} has ended: all clear given by ${actor.displayName}.${note ? ` ${note}` : ''}`, link: `${base}/lockdowns/${id}` }, plan);
        await audit.appendIn(trx, { ...actorFields(actor), action: 'lockdown.all_clear', entityType: 'lockdown', entityId: id, detail: { note } });
      });
      deps.onNotify?.();
    },
  };
}

export type LockdownService = ReturnType<typeof buildLockdownService>;
