import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import type { DB } from '../../db/schema.ts';
import { DeliveryError, SEND_TIMEOUT_MS, withTimeout, type Channels, type NotificationChannel } from './channels.ts';
import { buildNotificationsRepository, type ClaimedRow, type OutcomeUpdate } from './repository.ts';
import { afterFailure, CHANNEL_LABELS, channelLabel, deliveryText, isChannelName, SENDING_LEASE_MS, shortError } from './rules.ts';

export interface DispatcherOptions {
  db: Kysely<DB>;
  channels: Channels | NotificationChannel[];
  /** Names this process in claims (notifications.claimed_by), e.g. hostname:pid. */
  instanceId: string;
  now?: () => Date;
  /** Sends in flight at once. */
  concurrency?: number;
  /** Rows an in-place channel (the inbox) marks per statement. */
  inPlaceBatch?: number;
  sendTimeoutMs?: number;
  logger?: Logger;
}

export interface Dispatcher {
  /**
   * One pass: delivers due inbox rows in bulk, then claims up to `limit` other due rows and hands
   * each to its channel. `more` is true when there is probably more to do straight away (a full
   * batch, or a row moved to a fallback channel that is due now).
   */
  tick(limit?: number): Promise<{ more: boolean; handed: number }>;
}

/** Runs `fn` over `items` with at most `limit` running at once. */
async function eachLimited<T>(items: T[], limit: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await fn(items[next++]!);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}

export function buildDispatcher(options: DispatcherOptions): Dispatcher {
  const { db, instanceId, logger } = options;
  const clock = options.now ?? (() => new Date());
  const concurrency = options.concurrency ?? 8;
  const inPlaceBatch = options.inPlaceBatch ?? 5000;
  const sendTimeoutMs = options.sendTimeoutMs ?? SEND_TIMEOUT_MS;
  const repo = buildNotificationsRepository(db);
  const channels: Channels = Array.isArray(options.channels)
    ? Object.fromEntries(options.channels.map((c) => [c.name, c]))
    : options.channels;
  // Inbox rows are marked delivered in bulk. Every other row is claimed and sent one by one,
  // including rows on a channel this process has no adapter for (one no longer configured): they
  // fail over to their next channel.
  const inboxInPlace = Boolean(channels.inbox?.deliversInPlace);
  let claims = 0;

  async function deliver(row: ClaimedRow, claim: string): Promise<'sent' | 'retry' | 'fallback' | 'failed' | 'lost'> {
    const name = `${row.given_name} ${row.family_name}`;
    const channel = isChannelName(row.channel) ? channels[row.channel] : undefined;
    let providerRef: string | null = null;
    let error: DeliveryError | null = null;
    try {
      if (!channel) throw new DeliveryError(`${channelLabel(row.channel)} is not set up on this Harbour`, true);
      const result = await withTimeout(channel.send({
        notificationId: row.id,
        to: { staffId: row.recipient_id, name, mobile: row.work_mobile, email: row.email },
        subject: row.subject, body: row.body, link: row.link,
      }), sendTimeoutMs, channelLabel(row.channel));
      providerRef = result.providerRef ?? null;
    } catch (e) {
      error = e instanceof DeliveryError ? e : new DeliveryError(shortError((e as Error)?.message ?? String(e)));
    }
    const now = clock();
    const detail = { notificationId: row.id, channel: row.channel, recipientId: row.recipient_id };
    let update: OutcomeUpdate;
    let outcome: 'sent' | 'retry' | 'fallback' | 'failed';
    if (!error) {
      outcome = 'sent';
      update = {
        id: row.id, claim, channel: row.channel, now,
        attempt: { ok: true, error: null, providerRef },
        set: { status: 'sent', attempts: row.attempts + 1, providerRef },
        timeline: row.alert_id ? { alertId: row.alert_id, text: deliveryText(row.channel, name, { ok: true }), detail: { ...detail, ok: true, providerRef } } : null,
      };
    } else {
      const message = shortError(error.message);
      const next = afterFailure({ channel: row.channel, fallbacks: row.fallbacks, attempts: row.attempts }, error.permanent, now);
      outcome = next.kind;
      update = {
        id: row.id, claim, channel: row.channel, now,
        attempt: { ok: false, error: message, providerRef: null },
        set: next.kind === 'failed'
          ? { status: 'failed', attempts: next.attempts, error: message }
          : { status: 'pending', channel: next.channel, fallbacks: next.fallbacks, attempts: next.attempts, nextAttemptAt: next.nextAttemptAt, error: message },
        timeline: row.alert_id ? { alertId: row.alert_id, text: deliveryText(row.channel, name, { ok: false, error: message, next }), detail: { ...detail, ok: false, error: message, next: next.kind, nextChannel: next.channel } } : null,
      };
    }
    const held = await db.transaction().execute((trx) => repo.recordOutcome(trx, update));
    if (!held) {
      logger?.warn({ notificationId: row.id, claim }, 'notification claim was lost before its outcome was recorded');
      return 'lost';
    }
    return outcome;
  }

  return {
    async tick(limit = 500) {
      const now = clock();
      let handed = 0;
      let more = false;
      if (inboxInPlace) {
        const n = await repo.deliverInbox(`${CHANNEL_LABELS.inbox} to `, ' delivered', now, inPlaceBatch);
        handed += n;
        if (n >= inPlaceBatch) more = true;
      }
      const claim = `${instanceId}#${++claims}`;
      const rows = await repo.claim(claim, inboxInPlace, now, new Date(now.getTime() + SENDING_LEASE_MS), limit);
      handed += rows.length;
      if (rows.length >= limit) more = true;
      await eachLimited(rows, concurrency, async (row) => {
        try {
          const outcome = await deliver(row, claim);
          if (outcome === 'fallback') more = true;
        } catch (err) {
          // Recording failed (a database blip): the row stays 'sending' and is claimed again once
          // its lease runs out, so the message is not lost.
          logger?.error({ err, notificationId: row.id }, 'could not record a notification outcome');
        }
      });
      return { more, handed };
    },
  };
}
