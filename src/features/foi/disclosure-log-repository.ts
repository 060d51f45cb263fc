import { sql, type Kysely } from 'kysely';
import type { DB } from '../../db/schema.ts';
import type { Executor } from '../audit/repository.ts';
import { fetchPage } from '../../web/paging.ts';
import { dateText } from './upkeep-repository.ts';

/** The SQL of the public disclosure log, and of the tables already released from a statistic. */
export function buildDisclosureLogRepository(db: Kysely<DB>) {
  return {
    // ---- Disclosure log ----
    async publish(
      trx: Executor,
      d: {
        requestId: number;
        reference: string;
        title: string;
        respondedOn: string | null;
        letter: unknown;
        datasets: unknown;
        by: number;
      },
    ) {
      await trx
        .insertInto('foi_disclosures')
        .values({
          request_id: d.requestId,
          reference: d.reference,
          title: d.title,
          responded_on: d.respondedOn,
          letter: JSON.stringify(d.letter),
          datasets: JSON.stringify(d.datasets),
          published_by: d.by,
        })
        .onConflict((oc) =>
          oc.column('request_id').doUpdateSet({
            letter: JSON.stringify(d.letter),
            datasets: JSON.stringify(d.datasets),
            published_at: sql<Date>`now()`,
            published_by: d.by,
          }),
        )
        .execute();
    },
    /**
     * Tables already released from a statistic: the answers frozen when sent, and the datasets in the
     * disclosure log (the disclosure audit links a new table to them).
     */
    async releasedTables(statistic: string): Promise<unknown[]> {
      const sent = await db
        .selectFrom('foi_questions')
        .select('snapshot')
        .where('statistic', '=', statistic)
        .where('snapshot', 'is not', null)
        .execute();
      const logged = await db
        .selectFrom('foi_disclosures')
        .select(sql<unknown>`d.value -> 'table'`.as('table'))
        .innerJoin(sql<{ value: unknown }>`jsonb_array_elements(foi_disclosures.datasets::jsonb)`.as('d'), (j) =>
          j.onTrue(),
        )
        .where(sql<boolean>`d.value ->> 'statistic' = ${statistic}`)
        .execute();
      return [...sent.map((r) => r.snapshot), ...logged.map((r) => r.table)];
    },
    disclosures(page: number) {
      return fetchPage(
        db
          .selectFrom('foi_disclosures')
          .select(['request_id', 'reference', 'title', dateText('responded_on').as('responded_on'), 'published_at'])
          .orderBy('published_at', 'desc')
          .orderBy('request_id', 'desc'),
        page,
      );
    },
    disclosure(requestId: number) {
      return db.selectFrom('foi_disclosures').selectAll().where('request_id', '=', requestId).executeTakeFirst();
    },
  };
}
