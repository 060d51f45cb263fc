import type { Insertable, Transaction } from 'kysely';
import type { DB } from '../../db/schema.ts';

/** The demo complaints' SQL (demo.ts says what they are): each row as the demo gives it, in the seed's transaction. */
export const demoComplaintsRepository = {
  async insertComplaint(trx: Transaction<DB>, values: Insertable<DB['complaints']>) {
    return (await trx.insertInto('complaints').values(values).returning('id').executeTakeFirstOrThrow()).id;
  },
  async setReference(trx: Transaction<DB>, id: number, reference: string) {
    await trx.updateTable('complaints').set({ reference }).where('id', '=', id).execute();
  },
  async addStaff(trx: Transaction<DB>, complaintId: number, staffId: number, notifiedAt: Date) {
    await trx
      .insertInto('complaint_staff')
      .values({ complaint_id: complaintId, staff_id: staffId, notified_at: notifiedAt })
      .execute();
  },
  async addAllegations(trx: Transaction<DB>, complaintId: number, categories: string[]) {
    await trx
      .insertInto('complaint_allegations')
      .values(categories.map((category) => ({ complaint_id: complaintId, category, detail: null, finding: null })))
      .execute();
  },
  async addStage(trx: Transaction<DB>, values: Insertable<DB['complaint_stages']>) {
    await trx.insertInto('complaint_stages').values(values).execute();
  },
};
