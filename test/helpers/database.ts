import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { openDatabase, type Database } from '../../src/db/database.ts';
import { migrate } from '../../src/db/migrate.ts';
import { migratedTemplate, templateFile, templateKey, unpackTemplate } from '../../src/db/pglite-template.ts';

export const onPostgres = Boolean(process.env.TEST_DATABASE_URL);
export const engineName = onPostgres ? 'postgres' : 'pglite';

/**
 * A fresh, migrated database for one test file: in-memory PGlite by default, or a new database on
 * the PostgreSQL server in TEST_DATABASE_URL (dropped again by `drop`).
 */
export async function openTestDatabase(): Promise<Database & { drop(): Promise<void>; url: string | undefined }> {
  if (!onPostgres) {
    const database = await openDatabase({
      pgliteDataDir: 'memory://',
      pgliteLoadDataDir: await migratedPgliteTemplate(),
    });
    await migrate(database);
    return { ...database, url: undefined, drop: () => database.close() };
  }
  const { url, drop } = await createPostgresDatabase(await migratedPostgresTemplate());
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

let template: Promise<{ blob: Blob; file: string }> | undefined;

/**
 * The migrated PGlite template (src/db/pglite-template.ts), the one `npm install` and the server
 * make: each test file loads it instead of running initdb, which is most of the 4-10 s a new PGlite takes.
 */
async function migratedPgliteTemplate(): Promise<Blob> {
  return (await pgliteTemplate()).blob;
}

function pgliteTemplate(): Promise<{ blob: Blob; file: string }> {
  template ??= (async () => {
    const file = templateFile();
    return { blob: await migratedTemplate(file), file };
  })();
  return template;
}

/** Fills an empty PGlite data directory with the migrated template, so its first open skips initdb. */
export async function unpackMigratedPglite(dataDir: string): Promise<void> {
  unpackTemplate((await pgliteTemplate()).file, dataDir);
}

let pgTemplate: Promise<string> | undefined;

/**
 * The name of a migrated database on the TEST_DATABASE_URL server to copy test databases from
 * (CREATE DATABASE … TEMPLATE), named for the migrations. It is migrated under a temporary name
 * and renamed when done, so nobody copies a half-migrated one (a copy also fails while anyone is
 * connected to its template).
 */
function migratedPostgresTemplate(): Promise<string> {
  pgTemplate ??= (async () => {
    const name = `harbour_template_${templateKey()}`;
    const admin = new pg.Client({ connectionString: process.env.TEST_DATABASE_URL });
    await admin.connect();
    try {
      const found = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
      if (found.rowCount) return name;
      const { url, drop } = await createPostgresDatabase();
      const database = await openDatabase({ databaseUrl: url, poolSize: 1 });
      await migrate(database);
      await database.close();
      const partial = new URL(url).pathname.slice(1);
      try {
        await admin.query(`ALTER DATABASE ${partial} RENAME TO ${name}`);
      } catch {
        await drop(); // another test file made it first
      }
      return name;
    } finally {
      await admin.end();
    }
  })();
  return pgTemplate;
}

/** Creates a database on the TEST_DATABASE_URL server, empty or copied from `template`; returns its URL and a dropper. */
export async function createPostgresDatabase(template?: string): Promise<{ url: string; drop(): Promise<void> }> {
  const admin = new URL(process.env.TEST_DATABASE_URL!);
  const name = `harbour_test_${randomBytes(6).toString('hex')}`;
  const client = new pg.Client({ connectionString: admin.toString() });
  await client.connect();
  await client.query(`CREATE DATABASE ${name}${template ? ` TEMPLATE ${template}` : ''}`);
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
 * With `migrated` it starts migrated (from the template) rather than empty, which saves the fault
 * tests several seconds each; tests of `harbour migrate` itself need it empty.
 */
export async function childProcessDatabase(
  extra: NodeJS.ProcessEnv = {},
  options: { migrated?: boolean } = {},
): Promise<{ env: NodeJS.ProcessEnv; cleanup(): Promise<void> }> {
  const dir = mkdtempSync(join(tmpdir(), 'harbour-child-'));
  const env: NodeJS.ProcessEnv = { ...process.env, LOG_LEVEL: 'silent', PGLITE_DATA_DIR: join(dir, 'data'), ...extra };
  delete env.DATABASE_URL;
  let drop: (() => Promise<void>) | undefined;
  if (!onPostgres && options.migrated) {
    // The data directory starts as the migrated template, so the first process skips initdb.
    mkdirSync(join(dir, 'data'));
    await unpackMigratedPglite(join(dir, 'data'));
  } else if (onPostgres) {
    const created = await createPostgresDatabase(options.migrated ? await migratedPostgresTemplate() : undefined);
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
