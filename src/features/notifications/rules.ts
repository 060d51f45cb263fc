import type { ChannelName } from './routing.ts';

/**
 * The delivery rules, as pure functions: how long to wait before retrying a channel, when to give
 * up on it and try the next, and what the session's timeline says about each outcome.
 */

/** Waits after the 1st, 2nd, 3rd… failed attempt on one channel. */
export const RETRY_DELAYS_MS = [5_000, 30_000, 120_000] as const;
/** Attempts on one channel before moving to the next fallback. */
export const MAX_ATTEMPTS_PER_CHANNEL = 3;
/**
 * How long a claimed row may stay 'sending' without its lease being renewed. The dispatcher renews
 * it every LEASE_RENEW_MS while the send runs, so a row still 'sending' after it belongs to a
 * process that died: it is claimed again within seconds (asking Notify first whether it already has
 * the message).
 */
export const SENDING_LEASE_MS = 6_000;
export const LEASE_RENEW_MS = 2_000;

/**
 * Alarm messages (an alert's steps) are never given up on while the alert is open: after every
 * external channel has failed, the message is in the inbox (it always is) and the external channels
 * are tried again from the first, after a wait that grows and is capped. One retry per channel in
 * the first round (after 5 s), then one attempt per channel per round.
 */
export const ALARM_ATTEMPTS_PER_CHANNEL = 2;
export const ALARM_ROUND_DELAYS_MS = [5_000, 10_000, 20_000, 30_000] as const;
export const alarmRoundDelayMs = (cycles: number): number =>
  ALARM_ROUND_DELAYS_MS[Math.min(Math.max(cycles, 1), ALARM_ROUND_DELAYS_MS.length) - 1]!;

export const CHANNEL_LABELS: Record<ChannelName, string> = {
  sms: 'Text message',
  email: 'Email',
  push: 'Push notification',
  inbox: 'Harbour inbox message',
};

/** "…; trying email": what the next channel is called mid-sentence. */
const CHANNEL_NEXT: Record<ChannelName, string> = {
  sms: 'a text message',
  email: 'email',
  push: 'a push notification',
  inbox: 'the Harbour inbox',
};

export const isChannelName = (v: string): v is ChannelName =>
  v === 'sms' || v === 'email' || v === 'push' || v === 'inbox';
export const channelLabel = (v: string): string => (isChannelName(v) ? CHANNEL_LABELS[v] : v);

export interface DeliveryState {
  channel: string;
  fallbacks: string[];
  attempts: number;
  cycles?: number;
}

/** For an alarm message: the external channels to go round again, and whether its alert is still open. */
export interface Persistence {
  cycle: string[];
  alertOpen: boolean;
}

export type AfterFailure =
  /** Same channel again after a wait. */
  | { kind: 'retry'; channel: string; fallbacks: string[]; attempts: number; nextAttemptAt: Date; delayMs: number }
  /** This channel is done with: the next one, straight away, with its own attempts. */
  | { kind: 'fallback'; channel: string; fallbacks: string[]; attempts: 0; nextAttemptAt: Date }
  /**
   * An alarm message whose external channels have all failed: it waits in the inbox and the round
   * starts again from the first external channel after `delayMs`. `first` on the first round.
   */
  | {
      kind: 'cycle';
      channel: string;
      fallbacks: string[];
      attempts: 0;
      cycles: number;
      first: boolean;
      nextAttemptAt: Date;
      delayMs: number;
    }
  /** Nothing left to try. */
  | { kind: 'failed'; channel: string; fallbacks: string[]; attempts: number };

/** The wait after the nth failed attempt (n from 1); the last delay repeats if n runs past the list. */
export function retryDelayMs(failedAttempts: number): number {
  const i = Math.min(Math.max(failedAttempts, 1), RETRY_DELAYS_MS.length) - 1;
  return RETRY_DELAYS_MS[i]!;
}

/**
 * What happens after an attempt fails. A permanent failure (no mobile number, no push subscription,
 * the provider refused the request as invalid) is not retried: the next channel is tried at once.
 */
export function afterFailure(state: DeliveryState, permanent: boolean, now: Date, alarm?: Persistence): AfterFailure {
  const attempts = state.attempts + 1;
  const cycles = state.cycles ?? 0;
  const maxAttempts = alarm ? (cycles === 0 ? ALARM_ATTEMPTS_PER_CHANNEL : 1) : MAX_ATTEMPTS_PER_CHANNEL;
  if (!permanent && attempts < maxAttempts) {
    const delayMs = alarm ? RETRY_DELAYS_MS[0] : retryDelayMs(attempts);
    return {
      kind: 'retry',
      channel: state.channel,
      fallbacks: state.fallbacks,
      attempts,
      delayMs,
      nextAttemptAt: new Date(now.getTime() + delayMs),
    };
  }
  // An alarm's external channels come first; the inbox is not a way out of trying them.
  const [next, ...rest] = alarm ? state.fallbacks.filter((c) => c !== 'inbox') : state.fallbacks;
  if (next !== undefined)
    return {
      kind: 'fallback',
      channel: next,
      fallbacks: alarm ? [...rest, 'inbox'] : rest,
      attempts: 0,
      nextAttemptAt: now,
    };
  if (alarm && alarm.alertOpen && alarm.cycle.length > 0) {
    const [first, ...others] = alarm.cycle;
    const delayMs = alarmRoundDelayMs(cycles + 1);
    return {
      kind: 'cycle',
      channel: first!,
      fallbacks: [...others, 'inbox'],
      attempts: 0,
      cycles: cycles + 1,
      first: cycles === 0,
      delayMs,
      nextAttemptAt: new Date(now.getTime() + delayMs),
    };
  }
  return { kind: 'failed', channel: state.channel, fallbacks: [], attempts };
}

function seconds(ms: number): string {
  if (ms < 60_000) return `${Math.round(ms / 1000)} seconds`;
  const m = Math.round(ms / 60_000);
  return m === 1 ? '1 minute' : `${m} minutes`;
}

/** One line for the session's timeline, like "Text message to Ben Carter failed: …; trying email". */
export function deliveryText(
  channel: string,
  recipientName: string,
  outcome: { ok: true; found?: boolean } | { ok: false; error: string; next: AfterFailure },
): string {
  const what = `${channelLabel(channel)} to ${recipientName}`;
  if (outcome.ok)
    return outcome.found ? `${what} delivered (GOV.UK Notify already had it: not sent again)` : `${what} delivered`;
  const reason = `${what} failed: ${outcome.error}`;
  const { next } = outcome;
  if (next.kind === 'retry') return `${reason}; trying again in ${seconds(next.delayMs)}`;
  if (next.kind === 'fallback')
    return `${reason}; trying ${isChannelName(next.channel) ? CHANNEL_NEXT[next.channel] : next.channel}`;
  if (next.kind === 'cycle') {
    return (
      `${reason}. Not reached by text or email: ${recipientName}. The message is in their Harbour inbox; ` +
      `Harbour keeps trying ${isChannelName(next.channel) ? CHANNEL_NEXT[next.channel] : next.channel} and the rest until the alert is dealt with`
    );
  }
  return `${reason}; no other way to reach them is left`;
}

/** The timeline line for an inbox copy: never "delivered", which means a text, email or push. */
export const inboxCopyText = (recipientName: string): string =>
  `Shown in ${recipientName}'s Harbour inbox (not a text message or email)`;

/** Keeps provider error text to a size that fits a table cell and a timeline line. */
export function shortError(message: string, max = 300): string {
  const oneLine = message.replace(/\s+/g, ' ').trim() || 'unknown error';
  return oneLine.length > max ? `${oneLine.slice(0, max - 1)}…` : oneLine;
}
