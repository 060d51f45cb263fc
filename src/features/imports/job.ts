import type { PgBoss } from 'pg-boss';
import type { Logger } from 'pino';
import type { Database } from '../../db/database.ts';
import { IMPORT_QUEUE, type ImportsService } from './service.ts';

/**
 * Historic imports run by pg-boss as they are queued (not on a schedule): `perform({ id })`. One at
 * a time per process. The rows are written in batches, each kept with the count of rows kept, so a
 * job left running by a stopped process (or failed by an error, which pg-boss retries) is run again
 * from the first row not yet kept.
 */
export async function startImportWorker(boss: PgBoss, _database: Database, imports: ImportsService, logger: Logger) {
  await boss.createQueue(IMPORT_QUEUE);
  await boss.work(IMPORT_QUEUE, { pollingIntervalSeconds: 2 }, async (batch: { data: unknown }[]) => {
    for (const item of batch) logger.info({ job: IMPORT_QUEUE, result: await imports.perform(item.data) }, 'job done');
  });
  imports.useQueue(async (id) => {
    await boss.send(IMPORT_QUEUE, { id });
  });
}
