import { sql, type Kysely } from 'kysely';
import type { DB } from '../../db/schema.ts';
import type { Executor } from '../audit/repository.ts';
import { insertInboxMessages } from '../notifications/inbox-insert.ts';

/** A date column as its ISO text (London dates are stored as dates). */
export const dateText = (col: string) => sql<string | null>`${sql.ref(col)}::text`;

/** The SQL of the FOI upkeep jobs: deadline reminders to the assignee, and erasing requesters' details when due. */
export function buildFoiUpkeepRepository(db: Kysely<DB>) {
  return {
    // ---- Reminders ----
    /** Requests still running (open, or answered with a review to come) with an assignee, their events, and the reminders sent. */
    async remindable() {
      const rows = await db
        .selectFrom('foi_requests')
        .select(['id', 'reference', 'title', 'assignee_id', 'regime', dateText('received_on').as('received_on')])
        .where('status', 'in', ['open', 'responded'])
        .where('assignee_id', 'is not', null)
        .orderBy('id')
        .execute();
      if (!rows.length) return [];
      const ids = rows.map((r) => r.id);
      const [events, sent] = await Promise.all([
        db
          .selectFrom('foi_events')
          .select(['request_id', 'kind', dateText('on_date').as('on_date'), dateText('target_date').as('target_date')])
          .where('request_id', 'in', ids)
          .execute(),
        db
          .selectFrom('foi_reminders')
          .select(['request_id', 'kind', dateText('due_on').as('due_on')])
          .where('request_id', 'in', ids)
          .execute(),
      ]);
      return rows.map((r) => ({
        ...r,
        events: events.filter((e) => e.request_id === r.id),
        sent: sent.filter((x) => x.request_id === r.id),
      }));
    },
    /** Records the reminder (once per deadline: the key refuses a second) and puts it in the assignee's inbox. */
    async recordReminder(
      trx: Executor,
      r: {
        requestId: number;
        kind: string;
        dueOn: string;
        recipientId: number;
        subject: string;
        body: string;
        link: string;
        at: Date;
      },
    ) {
      const claimed = await trx
        .insertInto('foi_reminders')
        .values({ request_id: r.requestId, kind: r.kind, due_on: r.dueOn, sent_at: r.at })
        .onConflict((oc) => oc.doNothing())
        .returning('request_id')
        .executeTakeFirst();
      if (!claimed) return false;
      await insertInboxMessages(trx, [
        { recipientId: r.recipientId, subject: r.subject, body: r.body, link: r.link, at: r.at },
      ]);
      return true;
    },

    // ---- Retention ----
    dueForErasure(closedBefore: Date) {
      return (
        db
          .selectFrom('foi_requests')
          .select(['id', 'reference'])
          .where('closed_at', '<', closedBefore)
          .where('requester_erased_at', 'is', null)
          .where((eb) => eb.or([eb('requester_name', 'is not', null), eb('requester_contact', 'is not', null)]))
          // A request under legal hold (retention schedule, issue 20) is never erased.
          .where(
            sql<boolean>`NOT EXISTS (SELECT 1 FROM legal_holds h WHERE h.kind = 'foi_request' AND h.record_id = foi_requests.id::text AND h.released_at IS NULL)`,
          )
          .orderBy('id')
          .limit(500)
          .execute()
      );
    },
    async erase(trx: Executor, id: number) {
      await trx
        .updateTable('foi_requests')
        .set({ requester_name: null, requester_contact: null, requester_erased_at: sql<Date>`now()` })
        .where('id', '=', id)
        .execute();
    },
  };
}
