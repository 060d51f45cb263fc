import type { Services } from '../../composition.ts';

/** Working days: remind the complaints team of stage deadlines 2 working days ahead, and of breaches. */
export function buildComplaintRemindersJob(services: Pick<Services, 'complaints'>) {
  return {
    name: 'complaints.deadline-reminders',
    cron: '30 8 * * 1-5',
    async perform(_payload: unknown = {}) {
      return services.complaints.sendReminders();
    },
  };
}
