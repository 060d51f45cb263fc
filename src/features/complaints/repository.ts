import { sql, type Kysely, type Transaction } from 'kysely';
import type { DB } from '../../db/schema.ts';
import type { Executor } from '../audit/repository.ts';
import { insertInboxMessages } from '../notifications/inbox-insert.ts';
import { inTransaction } from '../../db/transaction.ts';
import { buildComplaintRecordsRepository } from './records-repository.ts';
import { buildComplaintPageRepository } from './page-repository.ts';
import { buildComplaintListsRepository } from './lists-repository.ts';

/**
 * All the complaints SQL, one object: the record's writes, a complaint's page and the lists are
 * their own modules; the staff and teams an import or a form needs, and the reminders, are here.
 */
export function buildComplaintsRepository(db: Kysely<DB>) {
  return {
    /** Runs fn in one transaction (retried after a deadlock or a serialisation failure): the service's writes across tables. */
    transaction<T>(fn: (trx: Transaction<DB>) => Promise<T>) {
      return inTransaction(db, fn);
    },

    ...buildComplaintRecordsRepository(db),
    ...buildComplaintPageRepository(db),
    ...buildComplaintListsRepository(db),

    staffByIds(ids: number[]) {
      if (!ids.length) return Promise.resolve([]);
      return db
        .selectFrom('staff as s')
        .leftJoin('teams as t', 't.id', 's.team_id')
        .select([
          's.id',
          's.given_name',
          's.family_name',
          's.job_role',
          's.employee_number',
          's.team_id',
          't.name as team_name',
        ])
        .where('s.id', 'in', ids)
        .execute();
    },
    activeStaff() {
      return db
        .selectFrom('staff')
        .select(['id', 'given_name', 'family_name', 'employee_number', 'team_id'])
        .where('active', '=', true)
        .orderBy('family_name')
        .orderBy('given_name')
        .execute();
    },
    teams(ex: Executor = db) {
      return ex
        .selectFrom('teams as t')
        .innerJoin('services as sv', 'sv.id', 't.service_id')
        .select(['t.id', 't.name', 't.service_id', 'sv.name as service_name'])
        .orderBy('t.name')
        .execute();
    },
    staffByEmployeeNumber(ex: Executor = db) {
      return ex.selectFrom('staff').select(['id', 'employee_number', 'team_id']).execute();
    },
    /** Staff ids of the complaints team (accounts with the role and a staff record), who get the reminders. */
    async complaintsTeam() {
      const rows = await db
        .selectFrom('accounts')
        .select('staff_id')
        .where('staff_id', 'is not', null)
        .where('disabled_at', 'is', null)
        .where(sql<boolean>`'complaints_officer' = ANY(roles)`)
        .execute();
      return rows.map((r) => r.staff_id!);
    },
    async recordReminder(ex: Executor, r: { stageId: number; milestone: string; dueOn: string; kind: string }) {
      const row = await ex
        .insertInto('complaint_reminders')
        .values({ stage_id: r.stageId, milestone: r.milestone, due_on: r.dueOn, kind: r.kind })
        .onConflict((oc) => oc.doNothing())
        .returning('id')
        .executeTakeFirst();
      return row !== undefined;
    },
    async notify(
      ex: Executor,
      n: { recipientId: number; subject: string; body: string; link: string | null; at: Date },
    ) {
      await insertInboxMessages(ex, [
        { recipientId: n.recipientId, subject: n.subject, body: n.body, link: n.link, at: n.at },
      ]);
    },
  };
}

export type ComplaintsRepository = ReturnType<typeof buildComplaintsRepository>;
