import type { Transaction } from 'kysely';
import type { DB } from '../../db/schema.ts';
import type { AuditRepository } from '../audit/repository.ts';
import type { AlertsRepository } from '../alerts/repository.ts';
import type { VisitsRepository } from './repository.ts';
import type { DayRepository } from './day-repository.ts';
import type { Actor } from '../auth/actor.ts';
import { actorFields } from '../audit/service.ts';
import { ValidationError } from '../../errors.ts';
import { timers } from '../alerts/timers-repository.ts';
import { dayTimerSubject } from '../alerts/engine.ts';
import { addDays, defaultFinish, londonDate } from '../../time/london.ts';
import type { VisitGuards } from './guards.ts';

export type ArmEndOfDay = (trx: Transaction<DB>, workerId: number, sessionStart: Date, until: Date) => Promise<void>;

/** Day confirmations: the end-of-day check a session arms, and the worker's "Finished and safe". */
export function buildDayConfirmations(deps: {
  visits: VisitsRepository;
  alerts: AlertsRepository;
  days: DayRepository;
  audit: AuditRepository;
  guards: VisitGuards;
}) {
  const {
    visits,
    alerts,
    days,
    audit,
    guards: { mustActFor },
  } = deps;

  /**
   * The finishing time of the worker's day: 17:00 or the end of their last session, whichever is later.
   * The working day is the day the session started: a late visit that runs past midnight still belongs to it,
   * so its "finished and safe" confirms the day the worker was working.
   */
  async function armEndOfDay(trx: Transaction<DB>, workerId: number, sessionStart: Date, until: Date) {
    const workDate = londonDate(sessionStart);
    const finish = new Date(Math.max(defaultFinish(workDate).getTime(), until.getTime() + 15 * 60_000));
    const row = await days.arm(trx, workerId, workDate, finish);
    if (!row.confirmed_at)
      await timers.arm(trx, 'end_of_day', dayTimerSubject(workerId, workDate), 0, new Date(row.finish_at));
  }

  async function openWorkDate(trx: Transaction<DB>, workerId: number) {
    const today = londonDate(new Date());
    const yesterday = addDays(today, -1);
    const open = await days.isOpen(trx, workerId, yesterday);
    return open ? yesterday : today;
  }

  return {
    armEndOfDay: armEndOfDay satisfies ArmEndOfDay,
    service: {
      /** "Finished and safe" at the end of the day: the buddy sees it; the end-of-day check stands down. */
      async finishDay(actor: Actor, workerId: number) {
        await mustActFor(actor, workerId);
        await visits.transaction(async (trx) => {
          // Not while a session runs or an alarm is open: the buddy would read "safe" beside it. The
          // reason never names a silent alarm (someone else may be holding the phone).
          const running = await visits.runningFor(trx, workerId);
          if (running)
            throw new ValidationError([
              {
                field: 'finish',
                message: 'A session is still running. Say "Visit over, I’m safe" on it first, then finish for the day',
              },
            ]);
          const alarm = await alerts.openOfKinds(trx, workerId, ['overdue', 'duress']);
          if (alarm)
            throw new ValidationError([
              {
                field: 'finish',
                message:
                  alarm.kind === 'duress'
                    ? 'Harbour cannot record that yet. Ring the office to finish for the day'
                    : 'An alert about a missed check-in is still open. Ring your buddy or manager so they can close it, then finish for the day',
              },
            ]);
          // After midnight the day still open is yesterday's (a late session); otherwise it is today.
          const workDate = await openWorkDate(trx, workerId);
          const subject = dayTimerSubject(workerId, workDate);
          await timers.pending(trx, 'end_of_day', subject);
          await days.confirm(trx, workerId, workDate);
          await timers.cancel(trx, 'end_of_day', subject);
          // Every end-of-day alert still open for this worker stands down: they have said they are safe.
          const open = await alerts.openForWorker(trx, workerId, 'end_of_day');
          for (const a of open) {
            await alerts.closeSafe(trx, a.id, 'Finished and safe', actor.accountId);
            await timers.cancel(trx, 'alert_step', a.id);
          }
          await alerts.addEvent(trx, {
            type: 'finished',
            actor_id: workerId,
            text: 'Finished for the day and safe',
            alert_id: open[0]?.id ?? null,
          });
          await audit.appendIn(trx, {
            ...actorFields(actor),
            action: 'day.finished',
            entityType: 'staff',
            entityId: workerId,
          });
        });
      },

      async dayStatus(workerId: number) {
        const workDate = londonDate(new Date());
        return days.get(workerId, workDate);
      },
    },
  };
}
