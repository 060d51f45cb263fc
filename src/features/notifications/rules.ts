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
 * How long a claimed row may stay 'sending'. Longer than any send may take (each send is cut off
 * well before), so a row still 'sending' after it belongs to a process that died: it is claimed again.
 */
export const SENDING_LEASE_MS = 2 * 60_000;

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

export const isChannelName = (v: string): v is ChannelName => v === 'sms' || v === 'email' || v === 'push' || v === 'inbox';
export const channelLabel = (v: string): string => (isChannelName(v) ? CHANNEL_LABELS[v] : v);

export interface DeliveryState { channel: string; fallbacks: string[]; attempts: number }

export type AfterFailure =
  /** Same channel again after a wait. */
  | { kind: 'retry'; channel: string; fallbacks: string[]; attempts: number; nextAttemptAt: Date; delayMs: number }
  /** This channel is done with: the next one, straight away, with its own attempts. */
  | { kind: 'fallback'; channel: string; fallbacks: string[]; attempts: 0; nextAttemptAt: Date }
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
export function afterFailure(state: DeliveryState, permanent: boolean, now: Date): AfterFailure {
  const attempts = state.attempts + 1;
  if (!permanent && attempts < MAX_ATTEMPTS_PER_CHANNEL) {
    const delayMs = retryDelayMs(attempts);
    return { kind: 'retry', channel: state.channel, fallbacks: state.fallbacks, attempts, delayMs, nextAttemptAt: new Date(now.getTime() + delayMs) };
  }
  const [next, ...rest] = state.fallbacks;
  if (next !== undefined) return { kind: 'fallback', channel: next, fallbacks: rest, attempts: 0, nextAttemptAt: now };
  return { kind: 'failed', channel: state.channel, fallbacks: [], attempts };
}

function seconds(ms: number): string {
  if (ms < 60_000) return `${Math.round(ms / 1000)} seconds`;
  const m = Math.round(ms / 60_000);
  return m === 1 ? '1 minute' : `${m} minutes`;
}

/** One line for the session's timeline, like "Text message to Ben Carter failed: …; trying email". */
export function deliveryText(channel: string, recipientName: string, outcome: { ok: true } | { ok: false; error: string; next: AfterFailure }): string {
  const what = `${channelLabel(channel)} to ${recipientName}`;
  if (outcome.ok) return `${what} delivered`;
  const reason = `${what} failed: ${outcome.error}`;
  const { next } = outcome;
  if (next.kind === 'retry') return `${reason}; trying again in ${seconds(next.delayMs)}`;
  if (next.kind === 'fallback') return `${reason}; trying ${isChannelName(next.channel) ? CHANNEL_NEXT[next.channel] : next.channel}`;
  return `${reason}; no other way to reach them is left`;
}

/** Keeps provider error text to a size that fits a table cell and a timeline line. */
export function shortError(message: string, max = 300): string {
  const oneLine = message.replace(/\s+/g, ' ').trim() || 'unknown error';
  return oneLine.length > max ? `${oneLine.slice(0, max - 1)}…` : oneLine;
}
