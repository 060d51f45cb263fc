import type { Kysely, Transaction } from 'kysely';
import type { DB } from '../../db/schema.ts';
import type { Actor } from '../auth/actor.ts';
import { hasRole } from '../auth/actor.ts';
import { NotFoundError } from '../../errors.ts';
import type { RowError } from '../people/import-staff.ts';
import { inTransaction } from '../../db/transaction.ts';
import { lockImports } from './file.ts';
import { buildImportJobsRepository, type ImportKind } from './repository.ts';

/** What each kind of import offers: a full check that writes nothing, and the writing of checked rows, a batch at a time. */
export interface Importer {
  checkImport(
    actor: Actor,
    text: string,
    ex?: Transaction<DB>,
  ): Promise<{ rows: { line: number }[]; errors: RowError[] }>;
  /** Writes checked rows (a batch of the file, in file order) in the caller's transaction. */
  writeImportRows(trx: Transaction<DB>, actor: Actor, rows: { line: number }[], at: Date): Promise<void>;
  /** The import's one audit entry, written with its last batch. */
  auditImport(trx: Transaction<DB>, actor: Actor, fileName: string, rows: number): Promise<unknown>;
}

/** How a queued import is run: by pg-boss when the job engine is on, else within the upload request. */
export type Enqueue = (id: number) => Promise<void>;

export const IMPORT_QUEUE = 'imports.run';

/** A job checked again: another import of its kind to finish first, the end (skipped, or its problems), or its rows by position in the file. */
type Claim =
  | { busy: number }
  | { stop: { skipped: true } | { problems: number } }
  | { rows: Map<number, { line: number }>; at: Date };

/** A batch: at most this many rows, and no more rows once it has taken BATCH_MS, in one short transaction. */
export const IMPORT_BATCH_ROWS = 200;
const BATCH_MS = 100;
/** Rows written between two looks at the clock. */
const CHUNK = 5;
/** Between batches the import steps aside, so statements queued for the connection (the alarm engine's) go first. */
const PAUSE_MS = 10;
const pause = () => new Promise((resolve) => setTimeout(resolve, PAUSE_MS));

/**
 * Historic imports as a background job (issue 15). The upload is checked in full first, so every
 * problem is shown at once and nothing is queued; a clean file becomes an import job whose page
 * the uploader follows.
 *
 * The job checks the file again (one import of a kind at a time: the kind's lock, and no other job
 * of the kind still writing), then writes its rows in file order in batches of up to 200 rows, each
 * its own short transaction that also records how many rows are kept (`done`). So on PGlite, whose
 * one connection an import used to hold for the whole file, the alarm engine waits at most one
 * batch. A job left running by a stopped process (or by an error) carries on from `done` when it
 * runs again: the rows are in file order, so nothing is skipped or written twice. The batch
 * transaction locks the job's row, so two workers on one job take turns rather than overlap.
 */
export function buildImportsService(deps: {
  db: Kysely<DB>;
  importers: Record<ImportKind, Importer>;
  now?: () => Date;
  onError?: (err: unknown, id: number) => void;
  /** Tests: called after each batch is committed, with the rows kept so far. */
  afterBatch?: (id: number, done: number) => Promise<void> | void;
}) {
  const repo = buildImportJobsRepository(deps.db);
  const now = deps.now ?? (() => new Date());
  let enqueue: Enqueue | null = null;

  /** Checks the file again and claims the job: its rows by position in the file, or why it stops. */
  async function claim(id: number, job: { kind: ImportKind; actor: Actor; content: string }): Promise<Claim> {
    return inTransaction(deps.db, async (trx): Promise<Claim> => {
      const busy = await lockImports(trx, job.kind, id);
      if (busy) return { busy: busy.id };
      const row = await repo.lockRow(trx, id);
      if (!row || (row.status !== 'queued' && row.status !== 'running')) return { stop: { skipped: true } };
      const { rows, errors } = await deps.importers[job.kind].checkImport(job.actor, job.content, trx);
      // Carrying on: the rows already kept were written by this job, so their checks ("already imported") no longer apply.
      const kept = row.status === 'running' ? row.done : 0;
      const problems = errors.filter((e) => e.line < 2 || e.line - 2 >= kept);
      if (problems.length) {
        // Something changed between the upload's check and the job (another import, a leaver): every problem again.
        await repo.finish(id, { status: 'failed', imported: kept, done: kept, errors: problems, at: now() }, trx);
        return { stop: { problems: problems.length } };
      }
      if (row.status === 'queued') await repo.start(trx, id, now());
      return { rows: new Map(rows.map((r) => [r.line - 2, r])), at: row.started_at ?? now() };
    });
  }

  /** One batch from the rows kept so far, in one transaction; the last one also audits and finishes the job. Null: the job has ended. */
  async function writeBatch(
    id: number,
    job: { kind: ImportKind; actor: Actor; file_name: string },
    rows: Map<number, { line: number }>,
    at: Date,
  ) {
    const importer = deps.importers[job.kind];
    return inTransaction(deps.db, async (trx) => {
      const row = await repo.lockRow(trx, id);
      if (!row || row.status !== 'running') return null;
      const began = Date.now();
      let done = row.done;
      while (done < row.total && done - row.done < IMPORT_BATCH_ROWS && Date.now() - began < BATCH_MS) {
        const end = Math.min(row.total, done + CHUNK, row.done + IMPORT_BATCH_ROWS);
        const chunk = Array.from({ length: end - done }, (_, k) => rows.get(done + k));
        if (chunk.some((r) => r === undefined))
          throw new Error(
            `Import ${id}: row ${done + chunk.findIndex((r) => r === undefined) + 1} of the file was not checked`,
          );
        await importer.writeImportRows(trx, job.actor, chunk as { line: number }[], at);
        done = end;
      }
      if (done < row.total) await repo.progress(trx, id, done);
      else {
        await importer.auditImport(trx, job.actor, job.file_name, row.total);
        await repo.finish(id, { status: 'done', imported: row.total, done: row.total, errors: null, at: now() }, trx);
      }
      return { done, total: row.total };
    });
  }

  async function perform(id: number): Promise<Record<string, unknown>> {
    const job = Number.isSafeInteger(id) ? await repo.get(id) : undefined;
    if (!job || job.content === null || (job.status !== 'queued' && job.status !== 'running'))
      return { id, skipped: true };
    const content = job.content;
    try {
      let claimed = await claim(id, { ...job, content });
      // Another import of this kind is still being written (left by a stopped process, or running in another): it is finished first.
      while ('busy' in claimed) {
        await perform(claimed.busy);
        claimed = await claim(id, { ...job, content });
      }
      if ('stop' in claimed) return { id, ...claimed.stop };
      for (;;) {
        const step = await writeBatch(id, job, claimed.rows, claimed.at);
        if (step) await deps.afterBatch?.(id, step.done);
        if (!step || step.done === step.total) return { id, imported: step?.total ?? (await repo.get(id))?.imported };
        await pause();
      }
    } catch (err) {
      deps.onError?.(err, id);
      // Nothing written yet: the job ends here with the error. Rows already kept stay, and the job carries on from them when it runs again.
      if ((await repo.get(id))?.status !== 'queued') throw err;
      await repo.finish(id, {
        status: 'failed',
        imported: 0,
        done: 0,
        errors: [
          {
            line: 0,
            message:
              'The import stopped because of an unexpected error. Nothing was imported. Try again, or ask an administrator to look at the logs.',
          },
        ],
        at: now(),
      });
      return { id, failed: true };
    }
  }

  return {
    /** The job engine: run queued imports through it. */
    useQueue(send: Enqueue) {
      enqueue = send;
    },
    perform: (payload: unknown) => perform(Number((payload as { id?: unknown } | null)?.id)),

    /** Checks the whole file; a clean one is queued. Nothing is written to the imported tables here. */
    async start(
      actor: Actor,
      kind: ImportKind,
      fileName: string,
      text: string,
    ): Promise<{ ok: true; id: number } | { ok: false; errors: RowError[] }> {
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
        id: job.id,
        kind: job.kind,
        fileName: job.file_name,
        status: job.status,
        total: job.total,
        done: job.done,
        imported: job.imported,
        errors: job.errors ?? [],
        createdAt: job.created_at,
        finishedAt: job.finished_at,
      };
    },
  };
}
export type ImportsService = ReturnType<typeof buildImportsService>;
