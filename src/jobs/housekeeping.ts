import type { Services } from '../composition.ts';

/** Removes expired sign-in sessions. A plain function: tests call perform directly. */
export function buildHousekeepingJob(services: Pick<Services, 'auth'>) {
  return {
    name: 'housekeeping.expired-sessions',
    cron: '17 * * * *',
    async perform(_payload: unknown = {}) {
      return { deleted: await services.auth.deleteExpiredSessions() };
    },
  };
}
