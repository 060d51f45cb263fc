import type { Services } from '../../composition.ts';

/** Every 15 minutes: a missed meeting deadline escalates to the next manager, once per incident. */
export function buildMeetingEscalationJob(services: Pick<Services, 'incidents'>) {
  return {
    name: 'incidents.meeting-escalation',
    cron: '*/15 * * * *',
    async perform(_payload: unknown = {}) {
      return services.incidents.escalateMissedMeetings();
    },
  };
}

/** Daily at 08:00 London: alerts health and safety before each RIDDOR deadline, and once overdue. */
export function buildRiddorAlertsJob(services: Pick<Services, 'incidents'>) {
  return {
    name: 'incidents.riddor-alerts',
    cron: '0 8 * * *',
    async perform(_payload: unknown = {}) {
      return services.incidents.sendRiddorAlerts();
    },
  };
}

/** Daily at 07:30 London: warning flags raised from incidents due for review (7 days before) or expired, the team told once each. */
export function buildFlagReviewsJob(services: Pick<Services, 'incidents'>) {
  return {
    name: 'incidents.flag-reviews',
    cron: '30 7 * * *',
    async perform(_payload: unknown = {}) {
      return services.incidents.sendFlagReviews();
    },
  };
}
