import { sql, type Kysely } from 'kysely';
import type { DB } from '../../db/schema.ts';
import { buildRetentionHoldsRepository } from './holds-repository.ts';
import { buildRetentionAnonymiseRepository } from './anonymise-repository.ts';
import { buildRetentionEraseRepository } from './erase-repository.ts';

export { CHILD_ALLEGATION_PREFIX, REGULATOR_REFERRALS } from './anonymise-repository.ts';

/**
 * All SQL for the retention schedule, one object: legal holds, the anonymising and the erasing are
 * their own modules; the runs and the counts of what the existing jobs keep are here.
 */
export function buildRetentionRepository(db: Kysely<DB>) {
  return {
    ...buildRetentionHoldsRepository(db),
    ...buildRetentionAnonymiseRepository(db),
    ...buildRetentionEraseRepository(db),

    // ---- Kept by the existing jobs: counted only ----
    async existingDue() {
      const { rows } = await sql<{ keys: number; sessions: number }>`
        SELECT (SELECT count(*)::int FROM idempotency_keys WHERE created_at < now() - interval '7 days') AS keys,
               (SELECT count(*)::int FROM sessions WHERE expires_at < now()) AS sessions`.execute(db);
      return rows[0]!;
    },

    // ---- Runs ----
    async startRun(trigger: 'job' | 'cli' | 'page') {
      return (await db.insertInto('retention_runs').values({ trigger }).returning('id').executeTakeFirstOrThrow()).id;
    },
    async finishRun(id: number, summary: unknown) {
      await db
        .updateTable('retention_runs')
        .set({ finished_at: sql<Date>`now()`, summary: JSON.stringify(summary) })
        .where('id', '=', id)
        .execute();
    },
    lastRun() {
      return db
        .selectFrom('retention_runs')
        .selectAll()
        .where('finished_at', 'is not', null)
        .orderBy('id', 'desc')
        .limit(1)
        .executeTakeFirst();
    },
  };
}

export type RetentionRepository = ReturnType<typeof buildRetentionRepository>;
