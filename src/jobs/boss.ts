import { PgBoss } from 'pg-boss';
import type { Logger } from 'pino';
import type { Database } from '../db/database.ts';
import type { Services } from '../composition.ts';
import { buildHousekeepingJob } from './housekeeping.ts';
import { buildRefreshSubscriptionsJob } from '../features/calendar/refresh-job.ts';
import { buildDeclarationRemindersJob } from '../features/registers/reminders-job.ts';
import { buildEmergencyPackRemindersJob } from '../features/emergency/reminders-job.ts';
import { buildIdempotencyPurgeJob } from '../features/offline/purge-job.ts';
import { buildFlagReviewsJob, buildMeetingEscalationJob, buildRiddorAlertsJob } from '../features/incidents/jobs.ts';
import { buildComplaintRemindersJob } from '../features/complaints/reminders-job.ts';
import { buildFoiRemindersJob, buildFoiRetentionJob } from '../features/foi/jobs.ts';
import { buildRetentionJob } from '../features/retention/job.ts';
import { buildTrainingRemindersJob } from '../features/training/reminders-job.ts';
import { startImportWorker } from '../features/imports/job.ts';

export interface JobRunner {
  boss: PgBoss;
  stop(): Promise<void>;
}
interface ScheduledJob {
  name: string;
  cron: string;
  perform(payload: unknown): Promise<unknown>;
}

/**
 * pg-boss schedules and delivers jobs on the same database as the app. Each job is a plain
 * `perform(payload)` function; pg-boss only decides when it runs.
 */
export async function startJobs(
  database: Database,
  services: Services,
  logger: Logger,
  options: { pollingIntervalSeconds?: number } = {},
): Promise<JobRunner> {
  const boss =
    'connectionString' in database.boss
      ? new PgBoss({ connectionString: database.boss.connectionString, max: 4 })
      : new PgBoss({ db: database.boss.db, backend: database.boss.backend });
  boss.on('error', (err: unknown) => logger.error({ err }, 'job engine error'));
  await boss.start();

  const jobs: ScheduledJob[] = [
    buildHousekeepingJob(services),
    buildRefreshSubscriptionsJob(services),
    buildDeclarationRemindersJob(services),
    // Emergency details reminders to managers; forgetting week-old idempotency keys.
    buildEmergencyPackRemindersJob(services),
    buildIdempotencyPurgeJob(services),
    buildComplaintRemindersJob(services),
    // FOI: reminders to the assignee before each deadline; erasing requester details after the retention period.
    buildFoiRemindersJob(services),
    buildFoiRetentionJob(services),
    // Violence at work: missed meeting escalation, RIDDOR deadline alerts, warning flag reviews.
    buildMeetingEscalationJob(services),
    buildRiddorAlertsJob(services),
    buildFlagReviewsJob(services),
    // Training falling due (issue 19): each person reminded at most once a week.
    buildTrainingRemindersJob(services),
    // The retention schedule (issue 20): erase or anonymise what is due, nightly.
    buildRetentionJob(services),
  ];
  for (const job of jobs) {
    await boss.createQueue(job.name);
    // Every job here is a schedule (every few minutes at most), so its worker need not ask for
    // work every 2 s: eleven such polls would take the embedded database from web requests.
    await boss.work(
      job.name,
      { pollingIntervalSeconds: options.pollingIntervalSeconds ?? 30 },
      async (batch: { data: unknown }[]) => {
        for (const item of batch) logger.info({ job: job.name, result: await job.perform(item.data) }, 'job done');
      },
    );
    await boss.schedule(job.name, job.cron, {}, { tz: 'Europe/London' });
  }
  // Historic imports (issue 15): run as they are queued, not on a schedule.
  await startImportWorker(boss, database, services.imports, logger);
  return {
    boss,
    // Graceful: stop taking new jobs and wait for running ones before the database closes.
    stop: () => boss.stop({ graceful: true, timeout: 20_000, close: true }),
  };
}
