import { sql, type Kysely } from 'kysely';
import type { DB } from '../../db/schema.ts';
import type { Executor } from '../audit/repository.ts';
import { insertInboxMessages } from '../notifications/inbox-insert.ts';
import { people } from './register-sql.ts';
import { buildDeclarationsRepository } from './declarations-repository.ts';
import { buildGiftsRepository } from './gifts-repository.ts';

/**
 * All the registers SQL, one object: declarations and gifts are their own modules; the people who
 * declare, sign and decide, and their messages, are here.
 */
export function buildRegistersRepository(db: Kysely<DB>) {
  return {
    ...buildDeclarationsRepository(db),
    ...buildGiftsRepository(db),

    person(id: number) {
      return people(db)
        .where('s.id', '=', id)
        .select([
          's.id',
          's.given_name',
          's.family_name',
          's.job_role',
          's.team_id',
          's.line_manager_id',
          's.politically_restricted',
          't.name as team_name',
          'd.name as directorate_name',
        ])
        .executeTakeFirst();
    },

    staffByEmail(email: string) {
      return db
        .selectFrom('staff')
        .select(['id', 'given_name', 'family_name'])
        .where(sql<string>`lower(email)`, '=', email.toLowerCase())
        .where('active', '=', true)
        .executeTakeFirst();
    },

    /** Active staff with nobody above them: the delegate signs their declarations. */
    async topOfChain() {
      return (
        await db
          .selectFrom('staff')
          .select('id')
          .where('active', '=', true)
          .where('line_manager_id', 'is', null)
          .execute()
      ).map((r) => r.id);
    },

    async notify(ex: Executor, n: { recipientId: number; subject: string; body: string; link: string }) {
      await insertInboxMessages(ex, [{ recipientId: n.recipientId, subject: n.subject, body: n.body, link: n.link }]);
    },

    activeStaff() {
      return db
        .selectFrom('staff')
        .select(['id', 'given_name', 'family_name', 'politically_restricted'])
        .where('active', '=', true)
        .orderBy('family_name')
        .orderBy('given_name')
        .execute();
    },

    async setPoliticallyRestricted(ex: Executor, staffId: number, restricted: boolean) {
      await ex.updateTable('staff').set({ politically_restricted: restricted }).where('id', '=', staffId).execute();
    },
  };
}

export type RegistersRepository = ReturnType<typeof buildRegistersRepository>;
