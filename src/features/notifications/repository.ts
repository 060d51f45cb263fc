import { sql, type Kysely } from 'kysely';
import type { DB } from '../../db/schema.ts';
import type { Executor } from '../audit/repository.ts';

export const NOTIFICATION_STATUSES = ['pending', 'sending', 'sent', 'failed'] as const;
export type NotificationStatus = (typeof NOTIFICATION_STATUSES)[number];

/** A row claimed for sending, with what the channel needs to know about its recipient. */
export interface ClaimedRow {
  id: string;
  alert_id: string | null;
  recipient_id: number;
  channel: string;
  fallbacks: string[];
  subject: string;
  body: string;
  link: string | null;
  attempts: number;
  given_name: string;
  family_name: string;
  work_mobile: string | null;
  email: string;
}

export interface TimelineEntry { alertId: string; text: string; detail: Record<string, unknown> }

export interface OutcomeUpdate {
  id: string;
  claim: string;
  channel: string;
  now: Date;
  /** The attempt as delivery_attempts records it. */
  attempt: { ok: boolean; error: string | null; providerRef: string | null };
  /** The row afterwards. */
  set:
    | { status: 'sent'; attempts: number; providerRef: string | null }
    | { status: 'pending'; channel: string; fallbacks: string[]; attempts: number; nextAttemptAt: Date; error: string }
    | { status: 'failed'; attempts: number; error: string };
  timeline: TimelineEntry | null;
}

export function buildNotificationsRepository(db: Kysely<DB>) {
  return {
    // ---- Dispatcher -------------------------------------------------------------------------

    /**
     * Marks due inbox rows as sent, in one statement: claim with SKIP LOCKED, update, record the
     * attempts and the timeline lines. The inbox needs no provider (the row is the message), so
     * this is the fast path for a burst of thousands of alerts. Returns how many rows it marked.
     */
    async deliverInbox(textPrefix: string, textSuffix: string, now: Date, limit: number): Promise<number> {
      const { rows } = await sql<{ n: number }>`
        WITH picked AS (
          SELECT id FROM notifications
           WHERE status IN ('pending', 'sending') AND channel = 'inbox' AND next_attempt_at <= ${now}
           ORDER BY next_attempt_at
           LIMIT ${limit}
           FOR UPDATE SKIP LOCKED
        ), done AS (
          UPDATE notifications n
             SET status = 'sent', handed_at = coalesce(n.handed_at, ${now}), sent_at = ${now}, attempts = n.attempts + 1,
                 last_error = NULL, claimed_by = NULL, next_attempt_at = ${now}
           WHERE n.id = ANY(ARRAY(SELECT id FROM picked))
          RETURNING n.id, n.alert_id, n.recipient_id
        ), attempts AS (
          INSERT INTO delivery_attempts (notification_id, at, channel, ok)
          SELECT id, ${now}, 'inbox', true FROM done
        ), timeline AS (
          INSERT INTO timeline_events (alert_id, visit_id, at, type, text, detail)
          SELECT d.alert_id, a.visit_id, ${now}, 'delivery', ${textPrefix}::text || s.given_name || ' ' || s.family_name || ${textSuffix}::text,
                 jsonb_build_object('notificationId', d.id::text, 'channel', 'inbox', 'recipientId', d.recipient_id, 'ok', true)
            FROM done d JOIN staff s ON s.id = d.recipient_id JOIN alerts a ON a.id = d.alert_id
        )
        SELECT count(*)::int AS n FROM done`.execute(db);
      return Number(rows[0]?.n ?? 0);
    },

    /**
     * Claims up to `limit` due rows (pending and due, or 'sending' past their lease because the
     * process that claimed them died), leaving inbox rows to deliverInbox when `exceptInbox`. One
     * statement, so the claim is atomic; SKIP LOCKED lets several dispatchers claim side by side
     * without waiting or overlapping. handed_at is set the first time a row is handed to a channel.
     */
    async claim(claim: string, exceptInbox: boolean, now: Date, leaseUntil: Date, limit: number): Promise<ClaimedRow[]> {
      // A literal predicate, so the planner can use the matching partial index.
      const channelFilter = exceptInbox ? sql`AND channel <> 'inbox'` : sql``;
      const { rows } = await sql<ClaimedRow>`
        UPDATE notifications n
           SET status = 'sending', claimed_by = ${claim}, next_attempt_at = ${leaseUntil}, handed_at = coalesce(n.handed_at, ${now})
          FROM staff s
         WHERE s.id = n.recipient_id
           AND n.id = ANY(ARRAY(
             SELECT id FROM notifications
              WHERE status IN ('pending', 'sending') AND next_attempt_at <= ${now} ${channelFilter}
              ORDER BY next_attempt_at
              LIMIT ${limit}
              FOR UPDATE SKIP LOCKED))
        RETURNING n.id::text AS id, n.alert_id::text AS alert_id, n.recipient_id, n.channel, n.fallbacks, n.subject, n.body, n.link,
                  n.attempts, s.given_name, s.family_name, s.work_mobile, s.email`.execute(db);
      return rows;
    },

    /**
     * Records one attempt's outcome: the row's new state (only if this claim still holds it), the
     * delivery_attempts row, and the timeline line. Returns false if the claim had been lost.
     */
    async recordOutcome(ex: Executor, u: OutcomeUpdate): Promise<boolean> {
      const s = u.set;
      const update = ex.updateTable('notifications').where('id', '=', u.id).where('claimed_by', '=', u.claim).where('status', '=', 'sending');
      const result = s.status === 'sent'
        ? await update.set({ status: 'sent', sent_at: u.now, attempts: s.attempts, provider_ref: s.providerRef, last_error: null, claimed_by: null, next_attempt_at: u.now }).executeTakeFirst()
        : s.status === 'pending'
          ? await update.set({ status: 'pending', channel: s.channel, fallbacks: s.fallbacks, attempts: s.attempts, next_attempt_at: s.nextAttemptAt, last_error: s.error, claimed_by: null }).executeTakeFirst()
          : await update.set({ status: 'failed', attempts: s.attempts, last_error: s.error, claimed_by: null, next_attempt_at: u.now }).executeTakeFirst();
      await ex.insertInto('delivery_attempts').values({
        notification_id: u.id, at: u.now, channel: u.channel, ok: u.attempt.ok, error: u.attempt.error, provider_ref: u.attempt.providerRef,
      }).execute();
      if (u.timeline) {
        await sql`
          INSERT INTO timeline_events (alert_id, visit_id, at, type, text, detail)
          SELECT a.id, a.visit_id, ${u.now}, 'delivery', ${u.timeline.text}, ${JSON.stringify(u.timeline.detail)}::jsonb
            FROM alerts a WHERE a.id = ${u.timeline.alertId}`.execute(ex);
      }
      return Number(result.numUpdatedRows) > 0;
    },

    // ---- Inbox and outbox -------------------------------------------------------------------

    inboxFor: (staffId: number, limit = 100) => db.selectFrom('notifications')
      .select(['id', 'alert_id', 'subject', 'body', 'link', 'created_at', 'read_at'])
      .where('recipient_id', '=', staffId)
      .where('status', '<>', 'scheduled')
      .orderBy('created_at', 'desc').orderBy('id', 'desc')
      .limit(limit).execute(),

    async unreadCount(staffId: number): Promise<number> {
      const row = await db.selectFrom('notifications').select((eb) => eb.fn.countAll<string>().as('n'))
        .where('recipient_id', '=', staffId).where('read_at', 'is', null).where('status', '<>', 'scheduled').executeTakeFirstOrThrow();
      return Number(row.n);
    },

    /** Marks one of this person's messages read; someone else's is left alone. */
    async markRead(staffId: number, id: number, now: Date): Promise<boolean> {
      const r = await db.updateTable('notifications').set({ read_at: now })
        .where('id', '=', String(id)).where('recipient_id', '=', staffId).where('read_at', 'is', null).where('status', '<>', 'scheduled').executeTakeFirst();
      return Number(r.numUpdatedRows) > 0;
    },

    async markAllRead(staffId: number, now: Date): Promise<number> {
      const r = await db.updateTable('notifications').set({ read_at: now })
        .where('recipient_id', '=', staffId).where('read_at', 'is', null).where('status', '<>', 'scheduled').executeTakeFirst();
      return Number(r.numUpdatedRows);
    },

    outbox: (status: NotificationStatus | null, limit: number, offset = 0) => {
      let q = db.selectFrom('notifications as n').innerJoin('staff as s', 's.id', 'n.recipient_id')
        .select([
          'n.id', 'n.alert_id', 'n.channel', 'n.fallbacks', 'n.subject', 'n.status', 'n.attempts', 'n.last_error', 'n.created_at',
          'n.handed_at', 'n.sent_at', 'n.next_attempt_at', 'n.link', 's.given_name', 's.family_name',
          (eb) => eb.selectFrom('delivery_attempts as d').select((e) => e.fn.countAll<string>().as('c')).whereRef('d.notification_id', '=', 'n.id').as('total_attempts'),
        ])
        .where('n.status', '<>', 'scheduled')
        .orderBy('n.created_at', 'desc').orderBy('n.id', 'desc').limit(limit).offset(offset);
      if (status) q = q.where('n.status', '=', status);
      return q.execute();
    },

    async countsByStatus(): Promise<Record<NotificationStatus, number>> {
      const rows = await db.selectFrom('notifications').select(['status', (eb) => eb.fn.countAll<string>().as('n')])
        .where('status', '<>', 'scheduled').groupBy('status').execute();
      const counts = { pending: 0, sending: 0, sent: 0, failed: 0 };
      for (const r of rows) counts[r.status as NotificationStatus] = Number(r.n);
      return counts;
    },

    // ---- Web Push subscriptions ---------------------------------------------------------------

    pushSubscriptionsFor: (staffId: number) => db.selectFrom('push_subscriptions').select(['endpoint', 'keys']).where('staff_id', '=', staffId).orderBy('id').execute(),

    async pushSubscriptionCount(staffId: number): Promise<number> {
      const row = await db.selectFrom('push_subscriptions').select((eb) => eb.fn.countAll<string>().as('n')).where('staff_id', '=', staffId).executeTakeFirstOrThrow();
      return Number(row.n);
    },

    /** Saves a browser's subscription; the same endpoint again (a re-subscribe) replaces the old row. */
    async savePushSubscription(ex: Executor, staffId: number, endpoint: string, keys: { p256dh: string; auth: string }): Promise<number> {
      const row = await ex.insertInto('push_subscriptions').values({ staff_id: staffId, endpoint, keys: JSON.stringify(keys) })
        .onConflict((oc) => oc.column('endpoint').doUpdateSet({ staff_id: staffId, keys: JSON.stringify(keys), created_at: new Date() }))
        .returning('id').executeTakeFirstOrThrow();
      return row.id;
    },

    async deletePushSubscription(endpoint: string): Promise<void> {
      await db.deleteFrom('push_subscriptions').where('endpoint', '=', endpoint).execute();
    },

    async deletePushSubscriptionsFor(ex: Executor, staffId: number): Promise<number> {
      const r = await ex.deleteFrom('push_subscriptions').where('staff_id', '=', staffId).executeTakeFirst();
      return Number(r.numDeletedRows);
    },

    // ---- Settings Harbour makes for itself ------------------------------------------------------

    async setting(key: string): Promise<unknown> {
      return (await db.selectFrom('app_settings').select('value').where('key', '=', key).executeTakeFirst())?.value;
    },

    async insertSettingIfAbsent(key: string, value: unknown): Promise<void> {
      await db.insertInto('app_settings').values({ key, value: JSON.stringify(value) }).onConflict((oc) => oc.column('key').doNothing()).execute();
    },
  };
}

export type NotificationsRepository = ReturnType<typeof buildNotificationsRepository>;
