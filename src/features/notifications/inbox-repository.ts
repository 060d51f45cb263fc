import type { Kysely } from 'kysely';
import type { DB } from '../../db/schema.ts';

export const NOTIFICATION_STATUSES = ['pending', 'sending', 'sent', 'failed'] as const;
export type NotificationStatus = (typeof NOTIFICATION_STATUSES)[number];

/** Each person's inbox (read and unread) and the administrators' outbox with its counts. */
export function buildInboxRepository(db: Kysely<DB>) {
  return {
    inboxFor: (staffId: number, limit = 100) =>
      db
        .selectFrom('notifications')
        .select(['id', 'alert_id', 'subject', 'body', 'link', 'created_at', 'read_at'])
        .where('recipient_id', '=', staffId)
        .where('status', '<>', 'scheduled')
        .where('lane', 'is', null)
        .orderBy('created_at', 'desc')
        .orderBy('id', 'desc')
        .limit(limit)
        .execute(),

    async unreadCount(staffId: number): Promise<number> {
      const row = await db
        .selectFrom('notifications')
        .select((eb) => eb.fn.countAll<string>().as('n'))
        .where('recipient_id', '=', staffId)
        .where('read_at', 'is', null)
        .where('status', '<>', 'scheduled')
        .where('lane', 'is', null)
        .executeTakeFirstOrThrow();
      return Number(row.n);
    },

    /** Marks one of this person's messages read; someone else's is left alone. */
    async markRead(staffId: number, id: number, now: Date): Promise<boolean> {
      const r = await db
        .updateTable('notifications')
        .set({ read_at: now })
        .where('id', '=', String(id))
        .where('recipient_id', '=', staffId)
        .where('read_at', 'is', null)
        .where('status', '<>', 'scheduled')
        .executeTakeFirst();
      return Number(r.numUpdatedRows) > 0;
    },

    async markAllRead(staffId: number, now: Date): Promise<number> {
      const r = await db
        .updateTable('notifications')
        .set({ read_at: now })
        .where('recipient_id', '=', staffId)
        .where('read_at', 'is', null)
        .where('status', '<>', 'scheduled')
        .executeTakeFirst();
      return Number(r.numUpdatedRows);
    },

    outbox: (status: NotificationStatus | null, limit: number, offset = 0) => {
      let q = db
        .selectFrom('notifications as n')
        .innerJoin('staff as s', 's.id', 'n.recipient_id')
        .select([
          'n.id',
          'n.alert_id',
          'n.channel',
          'n.fallbacks',
          'n.subject',
          'n.status',
          'n.attempts',
          'n.last_error',
          'n.created_at',
          'n.handed_at',
          'n.sent_at',
          'n.next_attempt_at',
          'n.link',
          's.given_name',
          's.family_name',
          (eb) =>
            eb
              .selectFrom('delivery_attempts as d')
              .select((e) => e.fn.countAll<string>().as('c'))
              .whereRef('d.notification_id', '=', 'n.id')
              .as('total_attempts'),
        ])
        .where('n.status', '<>', 'scheduled')
        .orderBy('n.created_at', 'desc')
        .orderBy('n.id', 'desc')
        .limit(limit)
        .offset(offset);
      if (status) q = q.where('n.status', '=', status);
      return q.execute();
    },

    async countsByStatus(): Promise<Record<NotificationStatus, number>> {
      const rows = await db
        .selectFrom('notifications')
        .select(['status', (eb) => eb.fn.countAll<string>().as('n')])
        .where('status', '<>', 'scheduled')
        .groupBy('status')
        .execute();
      const counts = { pending: 0, sending: 0, sent: 0, failed: 0 };
      for (const r of rows) counts[r.status as NotificationStatus] = Number(r.n);
      return counts;
    },
  };
}
