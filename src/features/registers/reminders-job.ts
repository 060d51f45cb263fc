import type { Services } from '../../composition.ts';

/** Daily: remind staff who have not declared their interests this year, and tell their manager after the set days. */
export function buildDeclarationRemindersJob(services: Pick<Services, 'registers'>) {
  return {
    name: 'registers.declaration-reminders',
    cron: '0 9 * * 1-5',
    async perform(_payload: unknown = {}) {
      return services.registers.sendReminders();
    },
  };
}
