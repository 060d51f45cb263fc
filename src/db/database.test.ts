import { test } from 'node:test';
import assert from 'node:assert/strict';
import { sql } from 'kysely';
import { openDatabase } from './database.ts';
import { MutexTimeoutError } from './mutex.ts';

test('PGlite: the outer handle used inside a transaction fails loudly instead of hanging', async () => {
  const database = await openDatabase({ pgliteDataDir: 'memory://', pgliteAcquireTimeoutMs: 200 });
  try {
    await assert.rejects(
      database.db.transaction().execute(async (trx) => {
        await sql`SELECT 1`.execute(trx);
        await sql`SELECT 2`.execute(database.db); // the mistake
      }),
      MutexTimeoutError,
    );
    // The transaction rolled back and released the connection: the database is usable again.
    const { rows } = await sql<{ n: number }>`SELECT 3 AS n`.execute(database.db);
    assert.equal(rows[0]!.n, 3);
  } finally {
    await database.close();
  }
});
