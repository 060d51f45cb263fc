import type { Actor } from '../auth/actor.ts';
import { hasRole } from '../auth/actor.ts';
import type { StaffRepository } from '../people/repository.ts';
import type { AlarmsRepository, OpenAlarm, OpenLockdown } from './repository.ts';

export interface AlarmBar {
  /** Each with the people whom no text, push or email of it has reached (issue 13), as on the alert page. */
  alarms: (OpenAlarm & { unreached: string[] })[];
  lockdowns: OpenLockdown[];
  /** People with an open alarm (two alarms about one person count once). */
  people: number;
  inboxUnread: number;
  /**
   * A fingerprint of what this person's own pages show (their messages, their own visits): when it
   * changes, public/live.js fetches the page's live regions again (the inbox, a visit's timeline).
   */
  mine: string;
}

const EMPTY: AlarmBar = { alarms: [], lockdowns: [], people: 0, inboxUnread: 0, mine: '' };

/**
 * The alarm bar: every open alarm the signed-in person must act on, on every page. Responders are
 * the people a step was sent to and the people who cover the worker (buddy, management line, the
 * team's business support, the duty officer). A worker never sees an alarm about themselves here.
 */
export function buildAlarmsService(deps: {
  alarms: AlarmsRepository;
  staff: StaffRepository;
  unreadCount: (actor: Actor) => Promise<number>;
  /** notifications.unreachedFor: the alert page's own reading of "not reached", so the two agree. */
  unreachedFor: (alertIds: string[]) => Promise<Record<string, string[]>>;
}) {
  const { alarms, staff } = deps;
  return {
    async barFor(actor: Actor): Promise<AlarmBar> {
      const staffId = actor.staffId;
      if (staffId === null) return EMPTY;
      const [reports, me] = await Promise.all([
        staff.reports(staffId),
        hasRole(actor, 'business_support') ? staff.get(staffId) : null,
      ]);
      const coverage = {
        staffId,
        reportIds: reports.map((r) => r.id),
        supportTeamId: me?.team_id ?? null,
        dutyOfficer: hasRole(actor, 'duty_officer'),
      };
      const [open, lockdowns, inboxUnread, mine] = await Promise.all([
        alarms.openAlarms(coverage),
        alarms.openLockdowns(staffId),
        deps.unreadCount(actor),
        alarms.mine(staffId),
      ]);
      const unreached = open.length ? await deps.unreachedFor(open.map((a) => a.id)) : {};
      return {
        alarms: open.map((a) => ({ ...a, unreached: unreached[a.id] ?? [] })),
        lockdowns,
        people: new Set(open.map((a) => a.worker_id)).size,
        inboxUnread,
        mine,
      };
    },
    version: () => alarms.version(),
  };
}

export type AlarmsService = ReturnType<typeof buildAlarmsService>;
