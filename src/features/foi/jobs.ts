import type { Services } from '../../composition.ts';

/** Weekdays 08:00: remind each assignee before their FOI response is due, and once it is overdue. */
export function buildFoiRemindersJob(services: Pick<Services, 'foi'>) {
  return {
    name: 'foi.reminders',
    cron: '0 8 * * 1-5',
    async perform(_payload: unknown = {}) {
      return services.foi.sendReminders();
    },
  };
}

/** Nightly: erase requester details the retention period after closure (each erasure audited). */
export function buildFoiRetentionJob(services: Pick<Services, 'foi'>) {
  return {
    name: 'foi.retention',
    cron: '30 2 * * *',
    async perform(_payload: unknown = {}) {
      return services.foi.eraseExpired();
    },
  };
}
