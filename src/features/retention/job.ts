import type { Services } from '../../composition.ts';

/** Nightly: erase or anonymise what the retention schedule says is due (each action audited); the summary shows on the administrator's home. */
export function buildRetentionJob(services: Pick<Services, 'retention'>) {
  return {
    name: 'retention.nightly',
    cron: '45 2 * * *',
    async perform(_payload: unknown = {}) {
      const summary = await services.retention.runNow('job');
      return Object.fromEntries(summary.kinds.map((k) => [k.kind, { due: k.due, done: k.done, kept: k.kept }]));
    },
  };
}
