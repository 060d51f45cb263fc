import type { PgBoss } from 'pg-boss';
import type { Logger } from 'pino';
import type { Database } from '../../db/database.ts';
import { IMPORT_QUEUE, type ImportsService } from './service.ts';

/**
 * Historic imports run by pg-boss as they are queued (not on a schedule): `perform({ id })`. One at
 * a time per process; a job left running by a stopped process is run again (its transaction was
 * rolled back, so nothing was kept). Progress goes to the job's row by a separate connection on
 * PostgreSQL; PGlite has one connection, held by the import.
 */
export async function startImportWorker(boss: PgBoss, database: Database, imports: ImportsService, logger: Logger) {
  await boss.createQueue(IMPORT_QUEUE);
  await boss.work(IMPORT_QUEUE, { pollingIntervalSeconds: 2 }, async (batch: { data: unknown }[]) => {
    for (const item of batch) logger.info({ job: IMPORT_QUEUE, result: await imports.perform(item.data) }, 'job done');
  });
  imports.useQueue(async (id) => {
    await boss.send(IMPORT_QUEUE, { id });
  }, { liveProgress: database.kind === 'postgres' });
}
