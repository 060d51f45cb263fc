import type { Services } from '../../composition.ts';

/** Weekdays: remind each person of training missing, expired or falling due in 30 days (at most weekly). */
export function buildTrainingRemindersJob(services: Pick<Services, 'training'>) {
  return {
    name: 'training.reminders',
    cron: '45 8 * * 1-5',
    async perform(_payload: unknown = {}) {
      return services.training.sendReminders();
    },
  };
}
