import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import type { DB } from '../../db/schema.ts';
import { DeliveryError, SEND_TIMEOUT_MS, type NotificationChannel } from './channel.ts';
import type { Channels } from './channels.ts';
import { buildNotificationsRepository } from './repository.ts';
import type { ClaimedRow, ClaimFilter, OutcomeUpdate } from './dispatch-repository.ts';
import { channelPlan } from './routing.ts';
import { channelLabel, isChannelName, LEASE_RENEW_MS, SENDING_LEASE_MS, type Persistence } from './rules.ts';
import { alarmLatency, deliveriesTotal } from '../metrics/registry.ts';
import { groupWriter } from './group-writer.ts';
import { asDeliveryError, sendOrFind, type SendAttempt } from './send-attempt.ts';
import { deliveryOutcome, type SendOutcome } from './delivery-outcome.ts';

export interface DispatcherOptions {
  db: Kysely<DB>;
  channels: Channels | NotificationChannel[];
  /** Names this process in claims (notifications.claimed_by), e.g. hostname:pid. */
  instanceId: string;
  now?: () => Date;
  /** Sends in flight at once, per channel: a hanging provider holds only its own channel's slots. */
  concurrency?: number;
  /** Rows an in-place channel (the inbox) marks per statement. */
  inPlaceBatch?: number;
  sendTimeoutMs?: number;
  /** How long a claim holds a row without renewal, and how often it is renewed while sending. */
  leaseMs?: number;
  renewMs?: number;
  /** Called when a send finishes, so the loop can claim for the freed slot (and due fallbacks) at once. */
  onSettled?: () => void;
  logger?: Logger;
}

export interface Dispatcher {
  /**
   * One pass: delivers due inbox rows in bulk, then, for each channel with free slots, claims due
   * rows and starts their sends. Each send runs on its own (a slow one never holds up another);
   * with `wait` (the default) the pass waits for the sends it started, without it returns at once.
   * `more` is true when there is probably more to do straight away; `nextInMs`, when a channel is
   * waiting for its rate limit, is when it may send again.
   */
  tick(
    limit?: number,
    options?: { wait?: boolean },
  ): Promise<{ more: boolean; handed: number; nextInMs: number | null }>;
  /** Waits for every send in flight. */
  settled(): Promise<void>;
  /** Sends in flight now. */
  inFlight(): number;
  /** Channels whose every attempt has failed since the time given (a provider outage, not one bad number). */
  failing(): Map<string, Date>;
  /** Stops renewing leases (call after settled()). */
  close(): void;
}

export { groupWriter } from './group-writer.ts';
export type { SendOutcome } from './delivery-outcome.ts';

export function buildDispatcher(options: DispatcherOptions): Dispatcher {
  const { db, instanceId, logger } = options;
  const clock = options.now ?? (() => new Date());
  const concurrency = options.concurrency ?? 512;
  const inPlaceBatch = options.inPlaceBatch ?? 5000;
  const sendTimeoutMs = options.sendTimeoutMs ?? SEND_TIMEOUT_MS;
  const leaseMs = options.leaseMs ?? SENDING_LEASE_MS;
  const renewMs = options.renewMs ?? LEASE_RENEW_MS;
  const repo = buildNotificationsRepository(db);
  const channels: Channels = Array.isArray(options.channels)
    ? Object.fromEntries(options.channels.map((c) => [c.name, c]))
    : options.channels;
  // Inbox rows are marked in bulk. Every other row is claimed and sent one by one, per channel,
  // including rows on a channel this process has no adapter for (one no longer configured): they
  // fail over to their next channel.
  const inboxInPlace = Boolean(channels.inbox?.deliversInPlace);
  const sendChannels = Object.keys(channels).filter((c) => !(c === 'inbox' && inboxInPlace));
  const orphanFilter: ClaimFilter = { except: inboxInPlace ? [...sendChannels, 'inbox'] : sendChannels };
  // The external channels an alarm goes round again, in the plan's order (text, push, email).
  const plan = channelPlan({
    sms: Boolean(channels.sms),
    email: Boolean(channels.email),
    push: Boolean(channels.push),
  });
  const cycle: string[] = [plan.channel, ...plan.fallbacks].filter((c) => c !== 'inbox');
  const busy = new Map<string, number>();
  const running = new Set<Promise<void>>();
  const failingSince = new Map<string, Date>();
  let claims = 0;

  // Rows in flight by claim: their leases are renewed together, one statement per claim every
  // renewal period, rather than one timer and one statement per row.
  const inFlightByClaim = new Map<string, Set<string>>();
  function holding(claim: string, id: string, on: boolean) {
    let ids = inFlightByClaim.get(claim);
    if (on) {
      if (!ids) inFlightByClaim.set(claim, (ids = new Set()));
      ids.add(id);
    } else if (ids) {
      ids.delete(id);
      if (ids.size === 0) inFlightByClaim.delete(claim);
    }
  }
  /** Every row this dispatcher is sending now, whatever its claim. */
  const inFlightIds = (): string[] => [...inFlightByClaim.values()].flatMap((ids) => [...ids]);
  let renewing = false;
  const renewal = setInterval(() => {
    if (renewing || inFlightByClaim.size === 0) return;
    renewing = true;
    const until = new Date(clock().getTime() + leaseMs);
    Promise.all([...inFlightByClaim].map(([claim, ids]) => repo.renewLeases(claim, [...ids], until)))
      .catch((err: unknown) => logger?.warn({ err }, 'could not renew notification leases'))
      .finally(() => {
        renewing = false;
      });
  }, renewMs);
  renewal.unref();

  // Outcomes are written in batches: sends that finish while a batch is being written go into the
  // next one (one statement each), so the database is not asked once per message in a burst.
  const outcomes = groupWriter(
    (batch: OutcomeUpdate[]) => repo.recordOutcomes(batch),
    (u, held) => held.has(u.id),
  );

  function persistence(row: ClaimedRow): Persistence | undefined {
    if (row.alert_id === null && row.lockdown_id === null) return undefined;
    return { cycle: row.lane ? [row.lane] : cycle, alertOpen: row.alert_status === 'open' };
  }

  /** Sends one claimed row and records the outcome; every step re-checks that the claim holds. */
  async function deliver(row: ClaimedRow, claim: string, claimedAt: Date): Promise<SendOutcome> {
    const alarm = persistence(row);
    const name = `${row.given_name} ${row.family_name}`;
    const channel = isChannelName(row.channel) ? channels[row.channel] : undefined;
    const started = clock();
    if (alarm && row.first_hand)
      alarmLatency.observe(
        { stage: 'handed', channel: row.channel },
        Math.max(0, (started.getTime() - new Date(row.due_at).getTime()) / 1000),
      );
    // The lease is renewed while the send runs (with every other row in flight: one statement per claim every renewal period), so
    // no other dispatcher takes the row meanwhile.
    holding(claim, row.id, true);
    let sent: SendAttempt = { providerRef: null, error: null, found: false, asked: false };
    try {
      if (!channel) throw new DeliveryError(`${channelLabel(row.channel)} is not set up on this Harbour`, true);
      // The claim recorded the attempt; a claim older than a renewal period is re-checked (and
      // renewed) before the provider is called, so a row taken over meanwhile is not sent twice.
      if (
        clock().getTime() - claimedAt.getTime() >= renewMs &&
        !(await repo.renewLease(row.id, claim, new Date(clock().getTime() + leaseMs)))
      ) {
        holding(claim, row.id, false);
        return 'lost';
      }
      sent = await sendOrFind(row, channel, name, sendTimeoutMs);
    } catch (e) {
      sent = { ...sent, error: asDeliveryError(e) };
    }
    const now = clock();
    const { update, outcome, attemptOutcome } = deliveryOutcome({ row, claim, now, name, channel, alarm, ...sent });
    const { error } = sent;
    deliveriesTotal.inc({ channel: row.channel, outcome: error?.throttled ? 'throttled' : attemptOutcome });
    if (!error) failingSince.delete(row.channel);
    else if (!error.permanent && !error.throttled && !failingSince.has(row.channel)) failingSince.set(row.channel, now);
    let held: boolean;
    try {
      held = await outcomes.record(update);
    } finally {
      holding(claim, row.id, false);
    }
    if (!held) {
      logger?.warn({ notificationId: row.id, claim }, 'notification claim was lost before its outcome was recorded');
      return 'lost';
    }
    return outcome;
  }

  /** Starts one send in its channel's slot; resolves when it is finished and recorded. */
  function start(
    row: ClaimedRow,
    claim: string,
    claimedAt: Date,
    group: string,
    onFallback: () => void,
  ): Promise<void> {
    busy.set(group, (busy.get(group) ?? 0) + 1);
    let moved = false;
    const p = deliver(row, claim, claimedAt)
      .then(
        (outcome) => {
          if (outcome === 'fallback') {
            moved = true;
            onFallback();
          }
        },
        (err: unknown) => {
          // Recording failed (a database blip): the row stays 'sending' and is claimed again once its
          // lease runs out; its attempt stays 'sending', so Notify is asked before it is sent again.
          logger?.error({ err, notificationId: row.id }, 'could not record a notification outcome');
        },
      )
      .finally(() => {
        const left = (busy.get(group) ?? 1) - 1;
        busy.set(group, left);
        running.delete(p);
        // Claim again once half the channel's slots are free (not after every send: a claim per
        // message would cost as much as the sends), or straight away when a message moved on to a
        // fallback channel that is due now.
        if (moved || left <= concurrency / 2) options.onSettled?.();
      });
    running.add(p);
    return p;
  }

  return {
    async tick(limit = 500, tickOptions = {}) {
      const wait = tickOptions.wait ?? true;
      const now = clock();
      let handed = 0;
      let more = false;
      if (inboxInPlace) {
        const { n, alarmLagsSeconds } = await repo.deliverInbox(
          'Shown in ',
          "'s Harbour inbox (not a text message or email)",
          now,
          inPlaceBatch,
        );
        for (const lag of alarmLagsSeconds)
          alarmLatency.observe({ stage: 'handed', channel: 'inbox' }, Math.max(0, lag));
        handed += n;
        if (n >= inPlaceBatch) more = true;
      }
      const started: Promise<void>[] = [];
      const groups: { key: string; filter: ClaimFilter }[] = [
        ...sendChannels.map((c) => ({ key: c, filter: { only: c } as ClaimFilter })),
        { key: '*', filter: orphanFilter },
      ];
      let nextInMs: number | null = null;
      for (const { key, filter } of groups) {
        // A channel with a rate limit (Notify) claims no more than it may send now; the rest stay
        // pending, and the loop comes back when the budget has refilled.
        const budget = channels[key as keyof Channels]?.budget;
        const allowed = budget ? budget.available(now.getTime()) : Infinity;
        const free = Math.min(limit, concurrency - (busy.get(key) ?? 0), allowed);
        let rows: ClaimedRow[] = [];
        const claim = `${instanceId}#${++claims}`;
        if (free > 0)
          rows = await repo.claim(claim, filter, now, new Date(now.getTime() + leaseMs), free, inFlightIds());
        if (budget) {
          budget.take(rows.length, now.getTime());
          // Spent (or paused) with rows possibly left: come back when the next send may start.
          if (rows.length >= free && budget.available(now.getTime()) <= 0) {
            const next = budget.msUntilAvailable(now.getTime());
            nextInMs = nextInMs === null ? next : Math.min(nextInMs, next);
          }
        }
        handed += rows.length;
        if (wait && free > 0 && rows.length >= free) more = true;
        for (const row of rows)
          started.push(
            start(row, claim, now, key, () => {
              more = true;
            }),
          );
      }
      if (wait) await Promise.all(started);
      return { more, handed, nextInMs };
    },
    async settled() {
      while (running.size) await Promise.all([...running]);
    },
    close() {
      clearInterval(renewal);
    },
    inFlight: () => running.size,
    failing: () => new Map(failingSince),
  };
}
