import type { Insertable } from 'kysely';
import type { DB } from '../../db/schema.ts';
import type { Executor } from '../audit/repository.ts';

/** The demo's requests (src/features/foi/demo.ts), written in the seed's transaction: the request, its questions, then its clock events one by one. */
export async function insertDemoRequest(
  ex: Executor,
  request: Insertable<DB['foi_requests']>,
  questions: (id: number) => Insertable<DB['foi_questions']>[],
  events: (id: number) => Insertable<DB['foi_events']>[],
) {
  const row = await ex.insertInto('foi_requests').values(request).returning('id').executeTakeFirstOrThrow();
  await ex.insertInto('foi_questions').values(questions(row.id)).execute();
  for (const e of events(row.id)) await ex.insertInto('foi_events').values(e).execute();
}
