import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { openDatabase, type Database } from '../../src/db/database.ts';
import { migrate } from '../../src/db/migrate.ts';

export const onPostgres = Boolean(process.env.TEST_DATABASE_URL);
export const engineName = onPostgres ? 'postgres' : 'pglite';

/**
 * A fresh, migrated database for one test file: in-memory PGlite by default, or a new database on
 * the PostgreSQL server in TEST_DATABASE_URL (dropped again by `drop`).
 */
export async function openTestDatabase(): Promise<Database & { drop(): Promise<void>; url: string | undefined }> {
  if (!onPostgres) {
    const database = await openDatabase({ pgliteDataDir: 'memory://' });
    await migrate(database);
    return { ...database, url: undefined, drop: () => database.close() };
  }
  const { url, drop } = await createPostgresDatabase();
  const database = await openDatabase({ databaseUrl: url, poolSize: 5 });
  await migrate(database);
  return {
    ...database,
    url,
    async drop() {
      await database.close();
      await drop();
    },
  };
}

/** Creates an empty database on the TEST_DATABASE_URL server; returns its URL and a dropper. */
export async function createPostgresDatabase(): Promise<{ url: string; drop(): Promise<void> }> {
  const admin = new URL(process.env.TEST_DATABASE_URL!);
  const name = `harbour_test_${randomBytes(6).toString('hex')}`;
  const client = new pg.Client({ connectionString: admin.toString() });
  await client.connect();
  await client.query(`CREATE DATABASE ${name}`);
  await client.end();
  const url = new URL(admin.toString());
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    async drop() {
      const c = new pg.Client({ connectionString: admin.toString() });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await c.end();
    },
  };
}

/**
 * Environment for a Harbour child process (server or CLI) with a database of its own: a PGlite
 * directory in a temporary folder, or a new database on TEST_DATABASE_URL. `cleanup` removes both.
 */
export async function childProcessDatabase(extra: NodeJS.ProcessEnv = {}): Promise<{ env: NodeJS.ProcessEnv; cleanup(): Promise<void> }> {
  const dir = mkdtempSync(join(tmpdir(), 'harbour-child-'));
  const env: NodeJS.ProcessEnv = { ...process.env, LOG_LEVEL: 'silent', PGLITE_DATA_DIR: join(dir, 'data'), ...extra };
  delete env.DATABASE_URL;
  let drop: (() => Promise<void>) | undefined;
  if (onPostgres) {
    const created = await createPostgresDatabase();
    env.DATABASE_URL = created.url;
    drop = created.drop;
  }
  return {
    env,
    async cleanup() {
      await drop?.();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
