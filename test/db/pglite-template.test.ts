/**
 * Issue 15 (a first run that looks right, and quick): a new embedded data directory starts from the
 * migrated template instead of initdb. It must hold exactly what initdb and every migration make,
 * and a template made for other migrations must never be used. PostgreSQL is opened and migrated
 * as before.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql, type Kysely } from 'kysely';
import { openDatabase, type Database } from '../../src/db/database.ts';
import { listMigrations, migrate } from '../../src/db/migrate.ts';
import { openMigratedDatabase, templateFile, templateKey, unpackTemplate } from '../../src/db/pglite-template.ts';
import { createPostgresDatabase, engineName, onPostgres } from '../helpers/database.ts';

/** Every table and column in the public schema, with its type and default, and the migrations recorded. */
async function schemaOf(db: Kysely<unknown>) {
  const columns = await sql<{ c: string }>`
    SELECT table_name || '.' || column_name || ' ' || data_type || ' ' || is_nullable || ' ' || coalesce(column_default, '') AS c
    FROM information_schema.columns WHERE table_schema = 'public' ORDER BY 1`.execute(db);
  const indexes = await sql<{
    c: string;
  }>`SELECT indexdef AS c FROM pg_indexes WHERE schemaname = 'public' ORDER BY 1`.execute(db);
  const triggers = await sql<{
    c: string;
  }>`SELECT tgname || ' on ' || tgrelid::regclass AS c FROM pg_trigger WHERE NOT tgisinternal ORDER BY 1`.execute(db);
  const migrations = await sql<{ version: string }>`SELECT version FROM schema_migrations ORDER BY version`.execute(db);
  return {
    columns: columns.rows.map((r) => r.c),
    indexes: indexes.rows.map((r) => r.c),
    triggers: triggers.rows.map((r) => r.c),
    migrations: migrations.rows.map((r) => r.version),
  };
}

const marker = async (database: Database) =>
  Boolean(
    (
      await sql<{ t: string | null }>`SELECT to_regclass('public.stale_template_marker')::text AS t`.execute(
        database.db,
      )
    ).rows[0]!.t,
  );

describe(
  `[${engineName}] a new data directory starts from the migrated template`,
  { skip: onPostgres && 'PGlite only (see the PostgreSQL test below)' },
  () => {
    let dir: string;
    let file: string;
    before(() => {
      dir = mkdtempSync(join(tmpdir(), 'harbour-template-test-'));
      file = templateFile(templateKey(), join(dir, 'templates'));
    });
    after(() => rmSync(dir, { recursive: true, force: true }));

    test('made when missing, then used: the same schema and migrations as initdb followed by migrate', async () => {
      const first = await openMigratedDatabase(
        { pgliteDataDir: join(dir, 'a') },
        (err) => assert.fail(String(err)),
        file,
      );
      assert.equal(first.newDataDir, 'template-built');
      assert.ok(existsSync(file), 'the template is kept for the next new directory');
      assert.deepEqual(first.applied, [], 'the template holds every migration');
      await first.database.close();

      const second = await openMigratedDatabase(
        { pgliteDataDir: join(dir, 'b') },
        (err) => assert.fail(String(err)),
        file,
      );
      assert.equal(second.newDataDir, 'template');
      assert.deepEqual(second.applied, []);
      const fromTemplate = await schemaOf(second.database.db as Kysely<unknown>);
      await second.database.close();

      const plain = await openDatabase({ pgliteDataDir: join(dir, 'c') });
      const applied = await migrate(plain);
      assert.equal(applied.length, listMigrations().length, 'initdb then every migration');
      const fromInitdb = await schemaOf(plain.db as Kysely<unknown>);
      await plain.close();

      assert.deepEqual(
        fromTemplate.migrations,
        listMigrations().map((m) => m.version),
      );
      assert.ok(fromTemplate.columns.length > 100);
      assert.deepEqual(fromTemplate, fromInitdb);

      // A directory that already holds a database is opened as it is: reopening b is not a new directory.
      const again = await openMigratedDatabase({ pgliteDataDir: join(dir, 'b') }, undefined, file);
      assert.equal(again.newDataDir, undefined);
      await again.database.close();
    });

    test('a template made for other migrations is not used; a broken one falls back to initdb', async () => {
      // A template whose database is marked, kept under the name of one migration fewer: stale. The
      // current one (made by the test above) sits beside it.
      const staleKey = templateKey(listMigrations().slice(0, -1));
      assert.notEqual(staleKey, templateKey());
      const m = await openDatabase({ pgliteDataDir: 'memory://', pgliteLoadDataDir: new Blob([readFileSync(file)]) });
      await m.exec('CREATE TABLE stale_template_marker (x int)');
      const tar = new Uint8Array(await (await m.dumpPgliteDataDir!()).arrayBuffer());
      await m.close();
      const current = file;
      writeFileSync(templateFile(staleKey, join(dir, 'templates')), tar);

      const opened = await openMigratedDatabase(
        { pgliteDataDir: join(dir, 'd') },
        (err) => assert.fail(String(err)),
        current,
      );
      assert.equal(opened.newDataDir, 'template');
      assert.equal(await marker(opened.database), false, 'the stale template was passed over');
      await opened.database.close();

      // The same marked template under the current name is used (so the test above can fail).
      writeFileSync(current, tar);
      const used = await openMigratedDatabase(
        { pgliteDataDir: join(dir, 'e') },
        (err) => assert.fail(String(err)),
        current,
      );
      assert.equal(used.newDataDir, 'template');
      assert.equal(await marker(used.database), true);
      await used.database.close();

      // A damaged template: reported, the directory cleared, and initdb and the migrations run as before.
      writeFileSync(current, 'not a tarball');
      const errors: unknown[] = [];
      const fallback = await openMigratedDatabase(
        { pgliteDataDir: join(dir, 'f') },
        (err) => errors.push(err),
        current,
      );
      assert.equal(fallback.newDataDir, 'initdb');
      assert.equal(errors.length, 1);
      assert.equal(fallback.applied.length, listMigrations().length);
      await fallback.database.close();
    });

    test('unpacking refuses an archive that is not a PGlite data directory', () => {
      const bad = join(dir, 'bad.tar');
      const header = Buffer.alloc(1024);
      header.write('../escape', 0, 'latin1');
      header.write('0000001\0', 124, 'latin1');
      header.write('0', 156, 'latin1');
      writeFileSync(bad, header);
      assert.throws(() => unpackTemplate(bad, join(dir, 'g')), /not a PGlite template/);
      assert.deepEqual(
        readdirSync(dir).filter((n) => n === 'escape'),
        [],
      );
    });
  },
);

test(
  `[${engineName}] PostgreSQL is opened and migrated as before, with no template`,
  { skip: !onPostgres && 'needs TEST_DATABASE_URL' },
  async () => {
    const { url, drop } = await createPostgresDatabase();
    try {
      const templates = mkdtempSync(join(tmpdir(), 'harbour-template-pg-'));
      const file = templateFile(templateKey(), templates);
      const opened = await openMigratedDatabase(
        { databaseUrl: url, poolSize: 1 },
        (err) => assert.fail(String(err)),
        file,
      );
      assert.equal(opened.newDataDir, undefined);
      assert.equal(opened.applied.length, listMigrations().length);
      assert.equal(existsSync(file), false, 'no template made for PostgreSQL');
      await opened.database.close();
      rmSync(templates, { recursive: true, force: true });
    } finally {
      await drop();
    }
  },
);
