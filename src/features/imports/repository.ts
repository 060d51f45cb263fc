import { sql, type Kysely, type Transaction } from 'kysely';
import type { DB } from '../../db/schema.ts';
import type { Actor } from '../auth/actor.ts';
import type { RowError } from '../people/import-staff.ts';

export type ImportKind = 'incidents' | 'complaints';

/** The import jobs table: one row per upload that passed its checks and was queued. */
export function buildImportJobsRepository(db: Kysely<DB>) {
  return {
    async create(j: { kind: ImportKind; actor: Actor; fileName: string; content: string; total: number }) {
      const row = await db
        .insertInto('import_jobs')
        .values({
          kind: j.kind,
          account_id: j.actor.accountId,
          actor: JSON.stringify(j.actor),
          file_name: j.fileName,
          content: j.content,
          total: j.total,
        })
        .returning('id')
        .executeTakeFirstOrThrow();
      return row.id;
    },
    get: (id: number) => db.selectFrom('import_jobs').selectAll().where('id', '=', id).executeTakeFirst(),
    /** The job's row, locked until the end of `trx`: one writer of its batches at a time, reading the rows kept so far. */
    lockRow: (trx: Transaction<DB>, id: number) =>
      trx
        .selectFrom('import_jobs')
        .select(['status', 'done', 'total', 'started_at'])
        .where('id', '=', id)
        .forUpdate()
        .executeTakeFirst(),
    /** A queued job claimed once its file has passed its checks again: its batches are written from now on. */
    start: (trx: Transaction<DB>, id: number, at: Date) =>
      trx
        .updateTable('import_jobs')
        .set({ status: 'running', started_at: at, done: 0 })
        .where('id', '=', id)
        .where('status', '=', 'queued')
        .execute(),
    /** Rows kept so far, in the transaction that wrote them. */
    progress: (trx: Transaction<DB>, id: number, done: number) =>
      trx.updateTable('import_jobs').set({ done }).where('id', '=', id).execute(),
    /** The end: the result kept, the uploaded file erased. */
    finish: (
      id: number,
      r: { status: 'done' | 'failed'; imported: number | null; done: number; errors: RowError[] | null; at: Date },
      ex: Kysely<DB> | Transaction<DB> = db,
    ) =>
      ex
        .updateTable('import_jobs')
        .set({
          status: r.status,
          imported: r.imported,
          done: r.done,
          errors: r.errors ? JSON.stringify(r.errors) : null,
          finished_at: r.at,
          content: null,
        })
        .where('id', '=', id)
        .execute(),
  };
}
export type ImportJobsRepository = ReturnType<typeof buildImportJobsRepository>;

/**
 * One import of a kind at a time: taken at the start of each import transaction (the upload's
 * check-and-claim, a whole CLI import), before its rows are checked against what is in Harbour, so
 * two uploads of one file cannot both pass that check on PostgreSQL and import every row twice.
 * A queued import writes its rows in batches, each its own transaction, so the lock alone does not
 * cover it: the import job of this kind still writing (status running) is returned, and the caller
 * must not check or write until it has finished (`exceptJob`: the caller's own job).
 */
export async function lockImports(
  trx: Transaction<DB>,
  kind: ImportKind,
  exceptJob?: number,
): Promise<{ id: number; file_name: string } | null> {
  await sql`SELECT pg_advisory_xact_lock(hashtext(${`harbour.import.${kind}`}))`.execute(trx);
  let running = trx
    .selectFrom('import_jobs')
    .select(['id', 'file_name'])
    .where('kind', '=', kind)
    .where('status', '=', 'running');
  if (exceptJob !== undefined) running = running.where('id', '<>', exceptJob);
  return (await running.orderBy('id').executeTakeFirst()) ?? null;
}
