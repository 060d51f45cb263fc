import { PgBoss } from 'pg-boss';
import type { Logger } from 'pino';
import type { Database } from '../db/database.ts';
import type { Services } from '../composition.ts';
import { buildHousekeepingJob } from './housekeeping.ts';
import { buildRefreshSubscriptionsJob } from '../features/calendar/refresh-job.ts';
import { buildDeclarationRemindersJob } from '../features/registers/reminders-job.ts';

export interface JobRunner { boss: PgBoss; stop(): Promise<void> }

/**
 * pg-boss schedules and delivers jobs on the same database as the app. Each job is a plain
 * `perform(payload)` function; pg-boss only decides when it runs.
 */
export async function startJobs(database: Database, services: Services, logger: Logger): Promise<JobRunner> {
  const boss = 'connectionString' in database.boss
    ? new PgBoss({ connectionString: database.boss.connectionString, max: 4 })
    : new PgBoss({ db: database.boss.db, backend: database.boss.backend });
  boss.on('error', (err: unknown) => logger.error({ err }, 'job engine error'));
  await boss.start();

  const jobs = [buildHousekeepingJob(services), buildRefreshSubscriptionsJob(services), buildDeclarationRemindersJob(services)];
  for (const job of jobs) {
    await boss.createQueue(job.name);
    await boss.work(job.name, async (batch: { data: unknown }[]) => {
      for (const item of batch) logger.info({ job: job.name, result: await job.perform(item.data) }, 'job done');
    });
    await boss.schedule(job.name, job.cron, {}, { tz: 'Europe/London' });
  }
  return {
    boss,
    // Graceful: stop taking new jobs and wait for running ones before the database closes.
    stop: () => boss.stop({ graceful: true, timeout: 20_000, close: true }),
  };
}
