import type { Insertable, Kysely, Transaction, Updateable } from 'kysely';
import type { DB } from '../../db/schema.ts';

type Trx = Transaction<DB>;

/**
 * SQL for the staff import: what a file is checked against, and its writes (teams, staff, their
 * links, and a leaver's account turned off with its sessions ended), all in the one transaction.
 */
export function buildStaffImportRepository(db: Kysely<DB>) {
  return {
    /** Runs the whole import in one transaction (no retry: it is run again by hand). */
    transaction: <T>(fn: (trx: Trx) => Promise<T>) => db.transaction().execute(fn),
    /** Teams, services, buildings and staff, as a file is checked against them. */
    context() {
      return Promise.all([
        db.selectFrom('teams').select(['id', 'name', 'service_id']).execute(),
        db.selectFrom('services').select(['id', 'name']).execute(),
        db.selectFrom('buildings').select(['id', 'name']).execute(),
        db
          .selectFrom('staff as s')
          .leftJoin('teams as t', 't.id', 's.team_id')
          .select(['s.id', 's.employee_number', 's.email', 't.name as team_name'])
          .execute(),
      ]);
    },
    async createTeam(trx: Trx, name: string, serviceId: number) {
      return (
        await trx.insertInto('teams').values({ name, service_id: serviceId }).returning('id').executeTakeFirstOrThrow()
      ).id;
    },
    async updateStaff(trx: Trx, id: number, values: Updateable<DB['staff']>) {
      await trx.updateTable('staff').set(values).where('id', '=', id).execute();
    },
    async createStaff(trx: Trx, values: Insertable<DB['staff']>) {
      return (await trx.insertInto('staff').values(values).returning('id').executeTakeFirstOrThrow()).id;
    },
    /** Turns off the sign-in accounts of these staff still on, returning them. */
    disableAccounts(trx: Trx, staffIds: number[]) {
      return trx
        .updateTable('accounts')
        .set({ disabled_at: new Date() })
        .where('staff_id', 'in', staffIds)
        .where('disabled_at', 'is', null)
        .returning(['id', 'email'])
        .execute();
    },
    /** Ends every session of an account; returns how many. */
    async endSessions(trx: Trx, accountId: number) {
      return Number(
        (await trx.deleteFrom('sessions').where('account_id', '=', accountId).executeTakeFirst()).numDeletedRows,
      );
    },
  };
}

export type StaffImportRepository = ReturnType<typeof buildStaffImportRepository>;
