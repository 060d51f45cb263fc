import { mkdirSync } from 'node:fs';
import { PGlite } from '@electric-sql/pglite';
import {
  CompiledQuery,
  Kysely,
  PostgresDialect,
  PostgresAdapter,
  PostgresIntrospector,
  PostgresQueryCompiler,
  type DatabaseConnection,
  type Dialect,
  type Driver,
  type QueryResult,
} from 'kysely';
import pg from 'pg';
import { fromPglite, type Db as IDatabase } from 'pg-boss';
import type { DB } from './schema.ts';
import { Mutex } from './mutex.ts';
import { scopedDialect } from './action-scope.ts';
import { lockDataDirectory } from './data-dir-lock.ts';

export type DatabaseKind = 'pglite' | 'postgres';

/** One open database, whichever engine: Kysely for the app, plus what migrations and pg-boss need. */
export interface Database {
  kind: DatabaseKind;
  db: Kysely<DB>;
  /** Runs SQL that may hold several statements (migrations). */
  exec(sqlText: string): Promise<void>;
  /** What pg-boss is given: a connection string for PostgreSQL, an adapter for PGlite. */
  boss: { connectionString: string } | { db: IDatabase; backend: 'pglite' };
  /** PGlite only: the whole data directory as a tarball (tests start new databases from one). */
  dumpPgliteDataDir?(): Promise<Blob>;
  close(): Promise<void>;
}

export interface OpenOptions {
  databaseUrl?: string | undefined;
  /** A directory, or 'memory://' for a throwaway database (tests). */
  pgliteDataDir?: string;
  poolSize?: number;
  /** PGlite only: how long a query waits for the single connection before failing (default 30 s). */
  pgliteAcquireTimeoutMs?: number;
  /**
   * PGlite only: start from this data directory tarball (from `dumpDataDir`) instead of running
   * initdb. Tests use a migrated copy: initdb in WebAssembly takes 4-10 s, loading about 1 s.
   */
  pgliteLoadDataDir?: Blob;
  /**
   * PostgreSQL only: told of every error on a connection (a reset, a failover, pg_terminate_backend).
   * The connection is dropped and replaced; the queries on it fail and their callers retry.
   */
  onConnectionError?: (err: Error) => void;
}

// Return timestamps as Date and bigint ids as strings, the same on both engines.
pg.types.setTypeParser(20, (v: string) => v);

export async function openDatabase(options: OpenOptions): Promise<Database> {
  if (options.databaseUrl)
    return openPostgres(options.databaseUrl, options.poolSize ?? 10, options.onConnectionError ?? (() => {}));
  return openPglite(
    options.pgliteDataDir ?? './data',
    options.pgliteAcquireTimeoutMs ?? PGLITE_ACQUIRE_TIMEOUT_MS,
    options.pgliteLoadDataDir,
  );
}

function openPostgres(connectionString: string, max: number, onConnectionError: (err: Error) => void): Database {
  // JIT compilation is off: these are short OLTP statements, and on the escalation engine's big
  // set-based statements PostgreSQL's cost estimates triggered JIT that took longer (~1.4 s) than
  // running the query (~0.2 s).
  const pool = new pg.Pool({ connectionString, max, options: '-c jit=off' });
  // A dropped connection must not crash the process. pg-pool listens for errors only on idle
  // clients; a client checked out by Kysely (a transaction, the engine's claim) that loses its
  // connection emits 'error' with nobody listening, which kills the process. So every client gets a
  // listener of its own for its whole life. Its query fails, pg-pool discards it on release (it is no
  // longer queryable), and the next query opens a new connection.
  pool.on('error', (err) => onConnectionError(err));
  pool.on('connect', (client) => client.on('error', (err) => onConnectionError(err)));
  const db = new Kysely<DB>({ dialect: scopedDialect(new PostgresDialect({ pool })) });
  return {
    kind: 'postgres',
    db,
    async exec(sqlText) {
      await pool.query(sqlText);
    },
    boss: { connectionString },
    async close() {
      await db.destroy();
    },
  };
}

async function openPglite(dataDir: string, acquireTimeoutMs: number, loadDataDir: Blob | undefined): Promise<Database> {
  let unlock = () => {};
  if (!dataDir.includes('://')) {
    mkdirSync(dataDir, { recursive: true });
    // One process per data directory: a second one would read a stale copy and overwrite the first one's writes.
    unlock = lockDataDirectory(dataDir);
  }
  // Smaller shared buffers than PostgreSQL's 128MB default: an embedded single-process database
  // with a demo-sized data set does not need them, and it saves about 80MB of resident memory.
  let pglite: PGlite;
  try {
    pglite = await PGlite.create(dataDir, {
      postgresqlconf: ['shared_buffers=32MB'],
      ...(loadDataDir ? { loadDataDir } : {}),
    });
  } catch (e) {
    unlock();
    throw e;
  }
  const mutex = new Mutex();
  const db = new Kysely<DB>({ dialect: scopedDialect(new LockedPgliteDialect(pglite, mutex, acquireTimeoutMs)) });
  const locked = {
    query: <T>(text: string, params?: unknown[]) => mutex.run(() => pglite.query<T>(text, params)),
    exec: (text: string) => mutex.run(() => pglite.exec(text)),
  };
  let closed = false;
  return {
    kind: 'pglite',
    db,
    async exec(sqlText) {
      await locked.exec(sqlText);
    },
    boss: { db: fromPglite(locked), backend: 'pglite' },
    dumpPgliteDataDir: () => mutex.run(() => pglite.dumpDataDir('none')),
    async close() {
      if (closed) return;
      closed = true;
      // Wait for statements in flight, then close so the data directory is left consistent.
      await mutex.run(() => pglite.close());
      unlock();
    },
  };
}

const PGLITE_ACQUIRE_TIMEOUT_MS = 30_000;

/** Kysely dialect for PGlite whose connections are held under the shared mutex. */
class LockedPgliteDialect implements Dialect {
  constructor(
    private readonly pglite: PGlite,
    private readonly mutex: Mutex,
    private readonly acquireTimeoutMs: number,
  ) {}
  createAdapter() {
    return new PostgresAdapter();
  }
  createQueryCompiler() {
    return new PostgresQueryCompiler();
  }
  createIntrospector(db: Kysely<unknown>) {
    return new PostgresIntrospector(db);
  }
  createDriver(): Driver {
    const { pglite, mutex, acquireTimeoutMs } = this;
    const releases = new WeakMap<DatabaseConnection, () => void>();
    const connection = (): DatabaseConnection => ({
      async executeQuery<R>(q: CompiledQuery): Promise<QueryResult<R>> {
        const result = await pglite.query<R>(q.sql, [...q.parameters]);
        return {
          rows: result.rows,
          ...(result.affectedRows !== undefined ? { numAffectedRows: BigInt(result.affectedRows) } : {}),
        };
      },
      // eslint-disable-next-line require-yield
      async *streamQuery() {
        throw new Error('Streaming is not supported on PGlite');
      },
    });
    return {
      async init() {},
      async acquireConnection() {
        // PGlite has one connection. A query on the outer handle inside a transaction would wait
        // for ever for the connection its own transaction holds; fail loudly instead.
        const release = await mutex.acquire(acquireTimeoutMs);
        const conn = connection();
        releases.set(conn, release);
        return conn;
      },
      async beginTransaction(conn) {
        await conn.executeQuery(CompiledQuery.raw('BEGIN'));
      },
      async commitTransaction(conn) {
        await conn.executeQuery(CompiledQuery.raw('COMMIT'));
      },
      async rollbackTransaction(conn) {
        await conn.executeQuery(CompiledQuery.raw('ROLLBACK'));
      },
      async releaseConnection(conn) {
        releases.get(conn)?.();
        releases.delete(conn);
      },
      async destroy() {},
    };
  }
}
