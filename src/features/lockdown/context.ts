import type { Kysely } from 'kysely';
import type { DB } from '../../db/schema.ts';
import type { AuditRepository } from '../audit/repository.ts';
import type { StaffRepository } from '../people/repository.ts';
import type { BuildingsRepository } from '../buildings/repository.ts';
import { hasRole, type Actor } from '../auth/actor.ts';
import { NotFoundError } from '../../errors.ts';
import type { LockdownRepository } from './repository.ts';
import { allClearAs, type EndedAs } from './rules.ts';

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

/**
 * What every capability of the lockdown service shares: the alert's channels and links, who may
 * start a lockdown and on what footing someone may end one, the building's Appendix K template.
 */
export function buildLockdownContext(deps: LockdownDeps) {
  const { db, lockdown: repo, buildings, staff, audit } = deps;
  const plan = deps.plan ?? { channel: 'inbox', fallbacks: [] };
  const base = deps.baseUrl ?? '';
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

  const notified = () => deps.onNotify?.();

  return { db, repo, buildings, audit, plan, base, startable, mayStart, endingAs, template, load, notified };
}

export type LockdownContext = ReturnType<typeof buildLockdownContext>;
