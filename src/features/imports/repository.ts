import type { Kysely } from 'kysely';
import type { DB } from '../../db/schema.ts';
import type { Actor } from '../auth/actor.ts';
import type { RowError } from '../people/import-staff.ts';

export type ImportKind = 'incidents' | 'complaints';

/** The import jobs table: one row per upload that passed its checks and was queued. */
export function buildImportJobsRepository(db: Kysely<DB>) {
  return {
    async create(j: { kind: ImportKind; actor: Actor; fileName: string; content: string; total: number }) {
      const row = await db.insertInto('import_jobs').values({
        kind: j.kind, account_id: j.actor.accountId, actor: JSON.stringify(j.actor), file_name: j.fileName, content: j.content, total: j.total,
      }).returning('id').executeTakeFirstOrThrow();
      return row.id;
    },
    get: (id: number) => db.selectFrom('import_jobs').selectAll().where('id', '=', id).executeTakeFirst(),
    /** Claims a queued job (or one left running by a process that stopped): true for one caller. */
    async start(id: number, at: Date) {
      const row = await db.updateTable('import_jobs').set({ status: 'running', started_at: at, done: 0 })
        .where('id', '=', id).where('status', 'in', ['queued', 'running']).returning('id').executeTakeFirst();
      return row !== undefined;
    },
    /** Rows written so far. On PostgreSQL this is its own connection, so it shows while the import's transaction is open. */
    progress: (id: number, done: number) => db.updateTable('import_jobs').set({ done }).where('id', '=', id).where('status', '=', 'running').execute(),
    /** The end: the result kept, the uploaded file erased. */
    finish: (id: number, r: { status: 'done' | 'failed'; imported: number | null; done: number; errors: RowError[] | null; at: Date }) =>
      db.updateTable('import_jobs').set({ status: r.status, imported: r.imported, done: r.done, errors: r.errors ? JSON.stringify(r.errors) : null, finished_at: r.at, content: null })
        .where('id', '=', id).execute(),
  };
}
export type ImportJobsRepository = ReturnType<typeof buildImportJobsRepository>;
