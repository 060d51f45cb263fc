import type { CalendarService } from './index.ts';

/**
 * Re-reads the calendar feeds workers have subscribed to and imports the events marked as visits.
 * A plain job: pg-boss runs perform every 15 minutes (src/jobs/boss.ts); tests call it directly.
 */
export function buildRefreshSubscriptionsJob(services: { calendar: Pick<CalendarService, 'refreshSubscriptions'> }) {
  return {
    name: 'calendar.refresh-subscriptions',
    cron: '*/15 * * * *',
    async perform(_payload: unknown = {}) {
      return services.calendar.refreshSubscriptions();
    },
  };
}
