import type { Kysely } from 'kysely';
import type { DB } from '../../db/schema.ts';
import type { Actor } from '../auth/actor.ts';
import { hasRole } from '../auth/actor.ts';
import { NotFoundError } from '../../errors.ts';
import type { RowError } from '../people/import-staff.ts';
import type { ImportProgress } from './file.ts';
import { buildImportJobsRepository, type ImportKind } from './repository.ts';

type Result = { ok: true; created: number } | { ok: true; imported: number } | { ok: false; errors: RowError[] };
/** What each kind of import offers: a full check that writes nothing, and the import itself. */
export interface Importer {
  checkImport(actor: Actor, text: string): Promise<{ rows: unknown[]; errors: RowError[] }>;
  importHistoric(actor: Actor, text: string, fileName: string, onProgress?: ImportProgress): Promise<Result>;
}

/** How a queued import is run: by pg-boss when the job engine is on, else within the upload request. */
export type Enqueue = (id: number) => Promise<void>;

export const IMPORT_QUEUE = 'imports.run';

/**
 * Historic imports as a background job (issue 15). The upload is checked in full first, so every
 * problem is shown at once and nothing is queued; a clean file becomes an import job whose page
 * the uploader follows. The import itself stays one transaction: all rows or none.
 *
 * Progress: the rows written so far inside that transaction (not yet kept). They are held in this
 * process, and, when the job engine gave a separate connection (PostgreSQL), written to the job's
 * row after every 100 rows so any process can show them. PGlite has a single connection, held by
 * the import's transaction, so there a page asked for during the import answers when it ends.
 */
export function buildImportsService(deps: { db: Kysely<DB>; importers: Record<ImportKind, Importer>; now?: () => Date; onError?: (err: unknown, id: number) => void }) {
  const repo = buildImportJobsRepository(deps.db);
  const now = deps.now ?? (() => new Date());
  const written = new Map<number, number>();
  let enqueue: Enqueue | null = null;
  let liveProgress = false;

  async function perform(id: number) {
    const job = await repo.get(id);
    if (!job || job.content === null || !(await repo.start(id, now()))) return { id, skipped: true };
    written.set(id, 0);
    const onProgress: ImportProgress = async (n) => {
      written.set(id, n);
      if (liveProgress) await repo.progress(id, n);
    };
    try {
      const result = await deps.importers[job.kind].importHistoric(job.actor, job.content, job.file_name, onProgress);
      if (result.ok) {
        const imported = 'created' in result ? result.created : result.imported;
        await repo.finish(id, { status: 'done', imported, done: imported, errors: null, at: now() });
        return { id, imported };
      }
      // Something changed between the upload's check and the job (another import, a leaver): every problem again.
      await repo.finish(id, { status: 'failed', imported: 0, done: 0, errors: result.errors, at: now() });
      return { id, problems: result.errors.length };
    } catch (err) {
      deps.onError?.(err, id);
      await repo.finish(id, { status: 'failed', imported: 0, done: 0, errors: [{ line: 0, message: 'The import stopped because of an unexpected error. Nothing was imported. Try again, or ask an administrator to look at the logs.' }], at: now() });
      return { id, failed: true };
    } finally {
      written.delete(id);
    }
  }

  return {
    /** The job engine: run queued imports through it, writing progress by its own connection when `liveProgress`. */
    useQueue(send: Enqueue, options: { liveProgress: boolean }) {
      enqueue = send;
      liveProgress = options.liveProgress;
    },
    perform: (payload: unknown) => perform(Number((payload as { id?: unknown } | null)?.id)),

    /** Checks the whole file; a clean one is queued. Nothing is written to the imported tables here. */
    async start(actor: Actor, kind: ImportKind, fileName: string, text: string): Promise<{ ok: true; id: number } | { ok: false; errors: RowError[] }> {
      const { rows, errors } = await deps.importers[kind].checkImport(actor, text);
      if (errors.length) return { ok: false, errors };
      const id = await repo.create({ kind, actor, fileName, content: text, total: rows.length });
      if (enqueue) await enqueue(id);
      // Without the job engine (JOBS_ENABLED=false, the route tests) the import runs within the upload, and its page shows the result.
      else await perform(id);
      return { ok: true, id };
    },

    /** The uploader's (or an administrator's) view of an import; anyone else is told it does not exist. */
    async view(actor: Actor, id: number) {
      const job = Number.isSafeInteger(id) ? await repo.get(id) : undefined;
      if (!job || (job.account_id !== actor.accountId && !hasRole(actor, 'admin'))) throw new NotFoundError('Import');
      return {
        id: job.id, kind: job.kind, fileName: job.file_name, status: job.status, total: job.total,
        done: Math.max(job.done, written.get(job.id) ?? 0), imported: job.imported, errors: job.errors ?? [],
        createdAt: job.created_at, finishedAt: job.finished_at,
      };
    },
  };
}
export type ImportsService = ReturnType<typeof buildImportsService>;
