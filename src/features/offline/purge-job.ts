import type { Services } from '../../composition.ts';

/** Nightly: forgets idempotency keys older than a week. */
export function buildIdempotencyPurgeJob(services: Pick<Services, 'idempotency'>) {
  return {
    name: 'offline.idempotency-purge',
    cron: '15 3 * * *',
    async perform(_payload: unknown = {}) {
      return { purged: await services.idempotency.purge() };
    },
  };
}
