import type { Kysely } from 'kysely';
import type { DB } from '../../db/schema.ts';
import type { AuditRepository, Executor } from '../audit/repository.ts';
import type { StaffRepository } from '../people/repository.ts';
import type { Actor } from '../auth/actor.ts';
import { hasRole } from '../auth/actor.ts';
import { ForbiddenError, NotFoundError } from '../../errors.ts';
import { addDays, londonToday } from '../../time/london.ts';
import type { TrainingRepository } from './repository.ts';
import { DUE_WINDOW_DAYS } from './rules.ts';
import { readinessOf } from './ready-to-work-alone.ts';

export interface TrainingDeps {
  db: Kysely<DB>;
  training: TrainingRepository;
  staff: StaffRepository;
  audit: AuditRepository;
  now?: () => Date;
}

export const MANAGER_ROLES = ['team_manager', 'service_manager', 'assistant_director'] as const;

/**
 * What every capability of the training service shares: the clock, whose training the actor sees
 * and records, everyone's readiness to work alone, and who may set a team's policy.
 */
export function buildTrainingContext(deps: TrainingDeps) {
  const { db, training: repo, staff, audit } = deps;
  const now = deps.now ?? (() => new Date());

  /**
   * The people whose readiness the actor sees and whose training they record: their whole line
   * (a team manager's reports; a service manager's and assistant director's everyone below) and the
   * members of teams they manage. Administrators and health and safety officers: everyone.
   */
  async function scope(actor: Actor): Promise<number[] | 'all'> {
    if (hasRole(actor, 'admin', 'health_and_safety_officer')) return 'all';
    if (actor.staffId === null) return [];
    const [reports, managed] = await Promise.all([staff.reports(actor.staffId), staff.managedTeamIds(actor.staffId)]);
    const members = await repo.teamMembers(managed);
    return [...new Set([...reports.map((r) => r.id), ...members])].filter((id) => id !== actor.staffId);
  }
  const inScope = (s: number[] | 'all', id: number) => s === 'all' || s.includes(id);
  const mayRecord = (actor: Actor) => hasRole(actor, 'admin', ...MANAGER_ROLES);

  async function readinessFor(ids: number[] | 'all', ex: Executor = db) {
    const at = now();
    const today = londonToday(at);
    const people = await repo.people(ids, addDays(today, DUE_WINDOW_DAYS), ex);
    const personIds = people.map((p) => p.id);
    const [courses, records, due] = [
      await repo.courses({}, ex),
      await repo.records(personIds, ex),
      await repo.dueItems(personIds, ex),
    ];
    return people.map((p) =>
      readinessOf(
        p,
        courses,
        records.filter((r) => r.staff_id === p.id),
        due.filter((d) => d.staff_id === p.id),
        at,
        today,
      ),
    );
  }

  async function mustSeePerson(actor: Actor, id: number) {
    const person = await staff.get(id);
    if (!person) throw new NotFoundError('Person');
    const s = await scope(actor);
    const self = actor.staffId === id;
    if (!self && !inScope(s, id)) throw new ForbiddenError('You can see the training of the people you manage only');
    return { person, mayRecord: !self && mayRecord(actor) && inScope(s, id) };
  }

  async function mayChangePolicy(actor: Actor, managerId: number | null) {
    if (hasRole(actor, 'admin')) return true;
    if (actor.staffId === null || managerId === null) return false;
    if (managerId === actor.staffId) return true;
    return (await staff.chain(managerId)).some((c) => c.id === actor.staffId);
  }

  return { db, repo, audit, now, scope, inScope, mayRecord, readinessFor, mustSeePerson, mayChangePolicy };
}

export type TrainingContext = ReturnType<typeof buildTrainingContext>;
