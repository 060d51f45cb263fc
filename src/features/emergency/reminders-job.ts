import type { Services } from '../../composition.ts';

/** Daily: tell line managers whose team members' emergency details are missing or over 12 months old. */
export function buildEmergencyPackRemindersJob(services: Pick<Services, 'emergency'>) {
  return {
    name: 'emergency.pack-reminders',
    cron: '30 8 * * 1-5',
    async perform(_payload: unknown = {}) {
      return services.emergency.sendReminders();
    },
  };
}
