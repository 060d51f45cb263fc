import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { sql } from 'kysely';
import type { Database } from './database.ts';

const migrationsDir = join(dirname(fileURLToPath(import.meta.url)), 'migrations');

export interface Migration {
  version: string;
  sql: string;
}

export function listMigrations(dir = migrationsDir): Migration[] {
  return readdirSync(dir)
    .filter((f) => /^\d{4}_.+\.sql$/.test(f))
    .sort()
    .map((f) => ({ version: f.replace(/\.sql$/, ''), sql: readFileSync(join(dir, f), 'utf8') }));
}

/**
 * Applies checked-in SQL migrations in order, each in its own transaction. An advisory lock stops
 * two instances starting at once from applying the same migration twice.
 */
export async function migrate(database: Database): Promise<string[]> {
  const applied: string[] = [];
  await database.exec(`
    CREATE TABLE IF NOT EXISTS schema_migrations (
      version text PRIMARY KEY,
      applied_at timestamptz NOT NULL DEFAULT now()
    );`);
  await database.db.connection().execute(async (conn) => {
    await sql`SELECT pg_advisory_lock(727274)`.execute(conn);
    try {
      const done = new Set(
        (await conn.selectFrom('schema_migrations').select('version').execute()).map((r) => r.version),
      );
      for (const m of listMigrations()) {
        if (done.has(m.version)) continue;
        await conn.transaction().execute(async (trx) => {
          // Migrations hold many statements; sql.raw sends them as one simple-protocol query on
          // PostgreSQL. PGlite refuses that through query(), so it is split there.
          for (const statement of database.kind === 'pglite' ? splitStatements(m.sql) : [m.sql]) {
            await sql.raw(statement).execute(trx);
          }
          await trx.insertInto('schema_migrations').values({ version: m.version }).execute();
        });
        applied.push(m.version);
      }
    } finally {
      await sql`SELECT pg_advisory_unlock(727274)`.execute(conn);
    }
  });
  return applied;
}

export async function currentVersion(database: Database): Promise<string | null> {
  const row = await database.db
    .selectFrom('schema_migrations')
    .select('version')
    .orderBy('version', 'desc')
    .limit(1)
    .executeTakeFirst();
  return row?.version ?? null;
}

/**
 * Splits a migration into statements at semicolons that end a line, outside dollar-quoted bodies.
 * Migrations are written to that convention (one statement ends per line with ';').
 */
export function splitStatements(text: string): string[] {
  const out: string[] = [];
  let current = '';
  let inDollar = false;
  for (const line of text.split('\n')) {
    const trimmed = line.trim();
    if (!inDollar && trimmed.startsWith('--')) continue;
    const dollars = (line.match(/\$\$/g) ?? []).length;
    if (dollars % 2 === 1) inDollar = !inDollar;
    current += line + '\n';
    if (!inDollar && trimmed.endsWith(';')) {
      out.push(current.trim());
      current = '';
    }
  }
  if (current.trim()) out.push(current.trim());
  return out;
}
