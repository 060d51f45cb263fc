import type { Actor } from '../auth/actor.ts';
import { hasRole } from '../auth/actor.ts';
import type { StaffRepository } from '../people/repository.ts';
import type { AlarmsRepository, OpenAlarm, OpenLockdown } from './repository.ts';

export interface AlarmBar {
  alarms: OpenAlarm[];
  lockdowns: OpenLockdown[];
  /** People with an open alarm (two alarms about one person count once). */
  people: number;
  inboxUnread: number;
}

const EMPTY: AlarmBar = { alarms: [], lockdowns: [], people: 0, inboxUnread: 0 };

/**
 * The alarm bar: every open alarm the signed-in person must act on, on every page. Responders are
 * the people a step was sent to and the people who cover the worker (buddy, management line, the
 * team's business support, the duty officer). A worker never sees an alarm about themselves here.
 */
export function buildAlarmsService(deps: { alarms: AlarmsRepository; staff: StaffRepository; unreadCount: (actor: Actor) => Promise<number> }) {
  const { alarms, staff } = deps;
  return {
    async barFor(actor: Actor): Promise<AlarmBar> {
      const staffId = actor.staffId;
      if (staffId === null) return EMPTY;
      const [reports, me] = await Promise.all([staff.reports(staffId), hasRole(actor, 'business_support') ? staff.get(staffId) : null]);
      const coverage = { staffId, reportIds: reports.map((r) => r.id), supportTeamId: me?.team_id ?? null, dutyOfficer: hasRole(actor, 'duty_officer') };
      const [open, lockdowns, inboxUnread] = await Promise.all([alarms.openAlarms(coverage), alarms.openLockdowns(staffId), deps.unreadCount(actor)]);
      return { alarms: open, lockdowns, people: new Set(open.map((a) => a.worker_id)).size, inboxUnread };
    },
    version: () => alarms.version(),
  };
}

export type AlarmsService = ReturnType<typeof buildAlarmsService>;
