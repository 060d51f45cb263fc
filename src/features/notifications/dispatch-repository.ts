import { sql, type Kysely } from 'kysely';
import type { DB } from '../../db/schema.ts';

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
  /** 0019: rounds of every external channel failed; the copy's own channel (duress, last step). */
  cycles: number;
  lane: string | null;
  /**
   * The alarm's status: the alert's ('open', 'acknowledged', 'resolved'); for a lockdown's alert,
   * 'open' until the lockdown ends or the recipient acknowledges it; null for any other message.
   */
  alert_status: string | null;
  lockdown_id: number | null;
  /** The deadline the message answers, and whether this claim is the first hand-over. */
  due_at: Date;
  first_hand: boolean;
  /** The delivery_attempts row recorded as 'sending' by the claim, and whether an earlier attempt's outcome is unknown. */
  attempt_id: string;
  unknown_before: boolean;
  given_name: string;
  family_name: string;
  work_mobile: string | null;
  email: string;
}

export interface TimelineEntry {
  alertId: string;
  text: string;
  detail: Record<string, unknown>;
}

export type AttemptOutcome = 'accepted' | 'failed' | 'unknown' | 'found';

export interface OutcomeUpdate {
  id: string;
  claim: string;
  channel: string;
  now: Date;
  /** The attempt the claim recorded as 'sending' (delivery_attempts.id), finished with its outcome. */
  attempt: { id: string; outcome: AttemptOutcome; error: string | null; providerRef: string | null };
  /**
   * The provider was asked about earlier attempts whose outcome was unknown: 'found' (one of them was
   * accepted) or 'absent' (none was). Either way they are settled, so they are not asked about again.
   */
  settlePrior?: 'found' | 'absent';
  /** The row afterwards. `external`: a provider accepted it (not the inbox). */
  set:
    | { status: 'sent'; attempts: number; providerRef: string | null; external: boolean }
    | {
        status: 'pending';
        channel: string;
        fallbacks: string[];
        attempts: number;
        nextAttemptAt: Date;
        error: string;
        cycles?: number;
        unreached?: boolean;
      }
    | { status: 'failed'; attempts: number; error: string };
  timeline: TimelineEntry | null;
}

/** Which rows a claim takes: one channel's, or those on any channel but these (no adapter here). */
export type ClaimFilter = { only: string } | { except: string[] };

/**
 * What the dispatcher does to the outbox: claims due rows under a lease, delivers inbox rows in
 * bulk, records each attempt's outcome.
 */
export function buildDispatchRepository(db: Kysely<DB>) {
  return {
    /**
     * Marks due inbox rows as sent, in one statement: claim with SKIP LOCKED, update, record the
     * attempts and the timeline lines. The inbox needs no provider (the row is the message), so
     * this is the fast path for a burst of thousands of alerts. Returns how many rows it marked.
     */
    async deliverInbox(
      textPrefix: string,
      textSuffix: string,
      now: Date,
      limit: number,
    ): Promise<{ n: number; alarmLagsSeconds: number[] }> {
      const { rows } = await sql<{ n: number; lags: number[] | null }>`
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
          RETURNING n.id, n.alert_id, n.recipient_id, extract(epoch FROM (${now}::timestamptz - coalesce(n.due_at, n.release_at, n.created_at)))::float8 AS lag
        ), attempts AS (
          INSERT INTO delivery_attempts (notification_id, at, channel, ok, outcome, finished_at)
          SELECT id, ${now}, 'inbox', true, 'accepted', ${now} FROM done
        ), timeline AS (
          INSERT INTO timeline_events (alert_id, visit_id, at, type, text, detail)
          SELECT d.alert_id, a.visit_id, ${now}, 'delivery', ${textPrefix}::text || s.given_name || ' ' || s.family_name || ${textSuffix}::text,
                 jsonb_build_object('notificationId', d.id::text, 'channel', 'inbox', 'recipientId', d.recipient_id, 'ok', true)
            FROM done d JOIN staff s ON s.id = d.recipient_id JOIN alerts a ON a.id = d.alert_id
        )
        SELECT count(*)::int AS n, array_agg(lag) FILTER (WHERE alert_id IS NOT NULL) AS lags FROM done`.execute(db);
      return { n: Number(rows[0]?.n ?? 0), alarmLagsSeconds: (rows[0]?.lags ?? []).map(Number) };
    },

    /**
     * Claims up to `limit` due rows (pending and due, or 'sending' past their lease because the
     * process that claimed them died), leaving inbox rows to deliverInbox when `exceptInbox`. One
     * statement, so the claim is atomic; SKIP LOCKED lets several dispatchers claim side by side
     * without waiting or overlapping. handed_at is set the first time a row is handed to a channel.
     */
    async claim(
      claim: string,
      filter: ClaimFilter,
      now: Date,
      leaseUntil: Date,
      limit: number,
      inFlight: string[] = [],
    ): Promise<ClaimedRow[]> {
      // `channel <> 'inbox'` as a literal, so the planner can use the matching partial index.
      const channelFilter =
        'only' in filter
          ? sql`AND channel <> 'inbox' AND channel = ${filter.only}`
          : filter.except.includes('inbox')
            ? sql`AND channel <> 'inbox' AND channel <> ALL(${filter.except}::text[])`
            : sql`AND channel <> ALL(${filter.except}::text[])`;
      // The attempt is recorded as 'sending' in the same statement, before any provider is called;
      // `unknown_before` says an earlier attempt on this channel never finished or timed out.
      // An alarm going round again after its alert was dealt with is left to stopClosedAlarms().
      // `inFlight`: rows this dispatcher is sending now. Its own lease on them may have run out (a
      // renewal held up behind a busy database), but it is still sending them: never take them again.
      const notMine = inFlight.length ? sql`AND NOT (q.id = ANY(${inFlight}::bigint[]))` : sql``;
      const { rows } = await sql<ClaimedRow>`
        WITH c AS (
          UPDATE notifications n
             SET status = 'sending', claimed_by = ${claim}, next_attempt_at = ${leaseUntil}, handed_at = coalesce(n.handed_at, ${now})
            FROM staff s
           WHERE s.id = n.recipient_id
             AND n.id = ANY(ARRAY(
               SELECT id FROM notifications q
                WHERE status IN ('pending', 'sending') AND next_attempt_at <= ${now} ${channelFilter} ${notMine}
                  AND NOT (q.cycles > 0 AND (EXISTS (SELECT 1 FROM alerts a WHERE a.id = q.alert_id AND a.status <> 'open')
                                              OR EXISTS (${lockdownOver(sql`q`)})))
                ORDER BY next_attempt_at
                LIMIT ${limit}
                FOR UPDATE SKIP LOCKED))
          RETURNING n.id, n.alert_id, n.recipient_id, n.channel, n.fallbacks, n.subject, n.body, n.link,
                    n.attempts, n.cycles, n.lane, n.lockdown_id,
                    CASE WHEN n.alert_id IS NOT NULL THEN (SELECT a.status FROM alerts a WHERE a.id = n.alert_id)
                         WHEN n.lockdown_id IS NOT NULL THEN CASE WHEN EXISTS (${lockdownOver(sql`n`)}) THEN 'resolved' ELSE 'open' END END AS alert_status,
                    coalesce(n.due_at, n.release_at, n.created_at) AS due_at, n.handed_at = ${now} AS first_hand,
                    s.given_name, s.family_name, s.work_mobile, s.email
        ), ins AS (
          INSERT INTO delivery_attempts (notification_id, at, channel, ok, outcome, claim)
          SELECT c.id, ${now}, c.channel, NULL, 'sending', ${claim} FROM c
          RETURNING id, notification_id
        )
        SELECT c.id::text AS id, c.alert_id::text AS alert_id, c.recipient_id, c.channel, c.fallbacks, c.subject, c.body, c.link,
               c.attempts, c.cycles, c.lane, c.lockdown_id, c.alert_status, c.due_at, c.first_hand, c.given_name, c.family_name, c.work_mobile, c.email,
               ins.id::text AS attempt_id,
               EXISTS (SELECT 1 FROM delivery_attempts d WHERE d.notification_id = c.id AND d.channel = c.channel
                         AND d.outcome IN ('sending', 'unknown')) AS unknown_before
          FROM c JOIN ins ON ins.notification_id = c.id`.execute(db);
      return rows;
    },

    /** Keeps a claim's lease while its send runs. False if the claim was lost. */
    async renewLease(id: string, claim: string, leaseUntil: Date): Promise<boolean> {
      const r = await db
        .updateTable('notifications')
        .set({ next_attempt_at: leaseUntil })
        .where('id', '=', id)
        .where('claimed_by', '=', claim)
        .where('status', '=', 'sending')
        .executeTakeFirst();
      return Number(r.numUpdatedRows) > 0;
    },

    /**
     * Records one attempt's outcome: the row's new state (only if this claim still holds it), the
     * delivery_attempts row, and the timeline line. Returns false if the claim had been lost.
     */
    async recordOutcome(u: OutcomeUpdate): Promise<boolean> {
      return (await recordOutcomes(db, [u])).has(u.id);
    },

    /** Records many attempts' outcomes in one statement (see recordOutcomes below). */
    recordOutcomes: (us: OutcomeUpdate[]) => recordOutcomes(db, us),

    /** Keeps the leases of one claim's rows still sending. Returns the ids it renewed (the claim still holds them). */
    async renewLeases(claim: string, ids: string[], leaseUntil: Date): Promise<Set<string>> {
      if (ids.length === 0) return new Set();
      const { rows } = await sql<{ id: string }>`
        UPDATE notifications SET next_attempt_at = ${leaseUntil}
         WHERE id = ANY(${ids}::bigint[]) AND claimed_by = ${claim} AND status = 'sending'
        RETURNING id::text AS id`.execute(db);
      return new Set(rows.map((r) => r.id));
    },

    /**
     * For each of these alerts, the people whom no external channel has reached: every text, push
     * and email tried has failed, and no message of the alert to them was accepted.
     */
    async unreachedFor(alertIds: string[]): Promise<Record<string, string[]>> {
      if (alertIds.length === 0) return {};
      const { rows } = await sql<{ alert_id: string; names: string[] }>`
        SELECT n.alert_id::text AS alert_id, array_agg(DISTINCT s.given_name || ' ' || s.family_name) AS names
          FROM notifications n JOIN staff s ON s.id = n.recipient_id
         WHERE n.alert_id = ANY(${alertIds}::bigint[]) AND n.unreached_since IS NOT NULL AND n.accepted_at IS NULL AND n.lane IS NULL
           AND NOT EXISTS (SELECT 1 FROM notifications o WHERE o.alert_id = n.alert_id AND o.recipient_id = n.recipient_id AND o.accepted_at IS NOT NULL)
         GROUP BY n.alert_id`.execute(db);
      return Object.fromEntries(rows.map((r) => [r.alert_id, [...r.names].sort()]));
    },
  };
}

/** A subquery: the lockdown of notification `n` has ended, or its recipient has acknowledged it. */
export function lockdownOver(n: ReturnType<typeof sql>) {
  return sql`SELECT 1 FROM lockdowns l LEFT JOIN lockdown_recipients r ON r.lockdown_id = l.id AND r.staff_id = ${n}.recipient_id
              WHERE l.id = ${n}.lockdown_id AND (l.ended_at IS NOT NULL OR r.acknowledged_at IS NOT NULL)`;
}

/**
 * Records many attempts' outcomes in one statement (atomic without a transaction), as
 * recordOutcome does for one: each row's new state only while its claim holds it; each attempt
 * finished whatever happened to the claim (it was made); the timeline lines. The dispatcher
 * gathers the outcomes of sends that finish together, so a burst costs one statement per batch
 * rather than one per message. Returns the ids whose claim still held.
 */
async function recordOutcomes(db: Kysely<DB>, us: OutcomeUpdate[]): Promise<Set<string>> {
  if (us.length === 0) return new Set();
  const rows = us.map((u) => {
    const s = u.set;
    return {
      id: u.id,
      claim: u.claim,
      channel: u.channel,
      now: u.now.toISOString(),
      status: s.status,
      attempts: s.attempts,
      provider_ref: s.status === 'sent' ? s.providerRef : null,
      external: s.status === 'sent' ? s.external : false,
      new_channel: s.status === 'pending' ? s.channel : null,
      fallbacks: s.status === 'pending' ? s.fallbacks : null,
      next_attempt_at: s.status === 'pending' ? s.nextAttemptAt.toISOString() : null,
      error: s.status === 'sent' ? null : s.error,
      cycles: s.status === 'pending' ? (s.cycles ?? null) : null,
      unreached: s.status === 'pending' ? Boolean(s.unreached) : false,
      attempt_id: u.attempt.id,
      outcome: u.attempt.outcome,
      attempt_error: u.attempt.error,
      attempt_ref: u.attempt.providerRef,
      settle_prior: u.settlePrior ?? null,
      tl_alert: u.timeline?.alertId ?? null,
      tl_text: u.timeline?.text ?? null,
      tl_detail: u.timeline?.detail ?? null,
    };
  });
  const { rows: held } = await sql<{ id: string }>`
    WITH u AS (
      SELECT * FROM jsonb_to_recordset(${JSON.stringify(rows)}::jsonb) AS u(
        id bigint, claim text, channel text, now timestamptz, status text, attempts int, provider_ref text, external boolean,
        new_channel text, fallbacks text[], next_attempt_at timestamptz, error text, cycles int, unreached boolean,
        attempt_id bigint, outcome text, attempt_error text, attempt_ref text, settle_prior text, tl_alert bigint, tl_text text, tl_detail jsonb)
    ), upd AS (
      UPDATE notifications n SET
             status = u.status, attempts = u.attempts, claimed_by = NULL,
             last_error = CASE WHEN u.status = 'sent' THEN NULL ELSE u.error END,
             sent_at = CASE WHEN u.status = 'sent' THEN u.now ELSE n.sent_at END,
             provider_ref = CASE WHEN u.status = 'sent' THEN u.provider_ref ELSE n.provider_ref END,
             accepted_at = CASE WHEN u.status = 'sent' AND u.external THEN u.now ELSE n.accepted_at END,
             unreached_since = CASE WHEN u.status = 'sent' AND u.external THEN NULL
                                    WHEN u.status = 'pending' AND u.unreached THEN coalesce(n.unreached_since, u.now) ELSE n.unreached_since END,
             inbox_copy_at = CASE WHEN u.status = 'pending' AND u.unreached THEN coalesce(n.inbox_copy_at, u.now) ELSE n.inbox_copy_at END,
             channel = CASE WHEN u.status = 'pending' THEN u.new_channel ELSE n.channel END,
             fallbacks = CASE WHEN u.status = 'pending' THEN u.fallbacks ELSE n.fallbacks END,
             next_attempt_at = CASE WHEN u.status = 'pending' THEN u.next_attempt_at ELSE u.now END,
             cycles = CASE WHEN u.status = 'pending' AND u.cycles IS NOT NULL THEN u.cycles ELSE n.cycles END
        FROM u
       WHERE n.id = u.id AND n.claimed_by = u.claim AND n.status = 'sending'
      RETURNING n.id
    ), att AS (
      UPDATE delivery_attempts d SET ok = u.outcome IN ('accepted', 'found'), outcome = u.outcome, error = u.attempt_error,
             provider_ref = u.attempt_ref, finished_at = u.now
        FROM u WHERE d.id = u.attempt_id
    ), prior AS (
      UPDATE delivery_attempts d SET ok = (u.settle_prior = 'found'), outcome = CASE WHEN u.settle_prior = 'found' THEN 'accepted' ELSE 'failed' END,
             finished_at = coalesce(d.finished_at, u.now),
             error = coalesce(d.error, CASE WHEN u.settle_prior = 'found' THEN NULL ELSE 'Not at GOV.UK Notify when asked by reference' END)
        FROM u
       WHERE u.settle_prior IS NOT NULL AND d.notification_id = u.id AND d.channel = u.channel AND d.id <> u.attempt_id
         AND d.outcome IN ('sending', 'unknown')
    ), tl AS (
      INSERT INTO timeline_events (alert_id, visit_id, at, type, text, detail)
      SELECT a.id, a.visit_id, u.now, 'delivery', u.tl_text, u.tl_detail
        FROM u JOIN alerts a ON a.id = u.tl_alert
       WHERE u.tl_alert IS NOT NULL
       ORDER BY u.now, u.id
    )
    SELECT id::text AS id FROM upd`.execute(db);
  return new Set(held.map((r) => r.id));
}
