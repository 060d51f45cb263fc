import type { Transaction } from 'kysely';
import type { DB } from '../../db/schema.ts';
import type { AuditRepository } from '../audit/repository.ts';
import type { Actor } from '../auth/actor.ts';
import { actorFields } from '../audit/service.ts';
import { can } from '../auth/access.ts';
import { ForbiddenError, NotFoundError, ValidationError } from '../../errors.ts';
import { londonToday } from '../../time/london.ts';
import type { WorkingDayCalendar } from '../../time/working-days.ts';
import type { HolidaysService } from '../holidays/service.ts';
import type { ComplaintsRepository } from './repository.ts';
import type { StaffRepository } from '../people/repository.ts';
import type { StageNumber, StageRecord } from './rules.ts';

export interface ComplaintsDeps {
  complaints: ComplaintsRepository;
  audit: AuditRepository;
  holidays: Pick<HolidaysService, 'calendars'>;
  /** The management line, for a senior manager's scope. */
  staff: Pick<StaffRepository, 'reports'>;
  now?: () => Date;
}

export const fullName = (p: { given_name: string; family_name: string }) => `${p.given_name} ${p.family_name}`;
export const stageRecord = (s: {
  stage: number;
  started_on: string;
  extended_to: string | null;
  responded_on: string | null;
  panel_held_on: string | null;
  report_on: string | null;
}): StageRecord => ({
  stage: s.stage as StageNumber,
  started_on: s.started_on,
  extended_to: s.extended_to,
  responded_on: s.responded_on,
  panel_held_on: s.panel_held_on,
  report_on: s.report_on,
});

/**
 * What every capability of the complaints service shares: the clock and the complaints calendar,
 * who may see or manage complaints (and which ones), and the audited change of one complaint.
 */
export function buildComplaintsContext(deps: ComplaintsDeps) {
  const { complaints: repo, audit } = deps;
  const now = deps.now ?? (() => new Date());
  const today = () => londonToday(now());
  const calendar = async (): Promise<WorkingDayCalendar> => (await deps.holidays.calendars()).complaints;

  const mustView = (actor: Actor) => {
    if (!can(actor, 'complaints.view'))
      throw new ForbiddenError('Only the complaints team and senior managers can see complaints about staff');
  };
  const mustManage = (actor: Actor) => {
    if (!can(actor, 'complaints.manage'))
      throw new ForbiddenError('Only the complaints team can record and update complaints');
  };
  async function load(id: number) {
    const c = await repo.complaint(id);
    if (!c) throw new NotFoundError('Complaint');
    return c;
  }
  /**
   * Which complaints a reader may see. The complaints team sees them all. A service manager or
   * assistant director sees those about people in their own management line (or recorded against
   * one of its teams): a complaint is personal data about the staff named, and a manager elsewhere
   * has no reason to read it. Nobody sees a complaint that names them. Null means every complaint.
   */
  async function lineOf(actor: Actor): Promise<{ staff: Set<number>; teams: Set<number> } | null> {
    if (can(actor, 'complaints.manage')) return null;
    const line = actor.staffId === null ? [] : await deps.staff.reports(actor.staffId);
    return {
      staff: new Set(line.map((r) => r.id)),
      teams: new Set(line.map((r) => r.team_id).filter((t): t is number => t !== null)),
    };
  }
  async function visible(actor: Actor, onlyIds: number[] | null = null): Promise<Set<number> | null> {
    const line = await lineOf(actor);
    if (!line) return null;
    if (actor.staffId === null) return new Set();
    return repo.visibleTo(actor.staffId, [...line.staff], [...line.teams], onlyIds);
  }
  async function mustSee(actor: Actor, id: number) {
    mustView(actor);
    const scope = await visible(actor, [id]);
    // As if it did not exist: the reader learns nothing about complaints outside their line.
    if (scope && !scope.has(id)) throw new NotFoundError('Complaint');
  }
  const within = <T extends { id: number }>(rows: T[], scope: Set<number> | null) =>
    scope ? rows.filter((r) => scope.has(r.id)) : rows;
  const finished = (c: { withdrawn_on: string | null; not_investigated_on: string | null; closed_on: string | null }) =>
    Boolean(c.withdrawn_on || c.not_investigated_on || c.closed_on);
  async function mustBeOpen(id: number) {
    const c = await load(id);
    if (finished(c)) throw new ValidationError([{ field: 'form', message: 'This complaint is closed' }]);
    return c;
  }
  async function change(
    actor: Actor,
    id: number,
    action: string,
    detail: Record<string, unknown>,
    fn: (trx: Transaction<DB>) => Promise<void>,
  ) {
    await repo.transaction(async (trx) => {
      await fn(trx);
      await audit.appendIn(trx, { ...actorFields(actor), action, entityType: 'complaint', entityId: id, detail });
    });
  }

  return {
    repo,
    audit,
    now,
    today,
    calendar,
    mustView,
    mustManage,
    load,
    lineOf,
    visible,
    mustSee,
    within,
    finished,
    mustBeOpen,
    change,
  };
}

export type ComplaintsContext = ReturnType<typeof buildComplaintsContext>;
