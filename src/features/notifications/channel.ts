/**
 * What every delivery channel is (the contract the adapters implement and the dispatcher calls),
 * apart from channels.ts, which builds the adapters: so an adapter never imports its builder.
 */
import type { ChannelName } from './routing.ts';
import type { SendBudget } from './notify-client.ts';

export interface Recipient {
  staffId: number;
  name: string;
  mobile: string | null;
  email: string;
}

export interface OutgoingMessage {
  notificationId: string;
  to: Recipient;
  subject: string;
  body: string;
  /** Absolute: PUBLIC_BASE_URL + the notification's path. */
  link: string | null;
}

/**
 * One way of reaching a person. send() resolves when the provider has accepted the message and
 * rejects (preferably with a DeliveryError) when it has not; the dispatcher records either.
 */
export interface NotificationChannel {
  name: ChannelName;
  send(m: OutgoingMessage): Promise<{ providerRef?: string }>;
  /**
   * Set on channels whose provider can be asked by reference (GOV.UK Notify lists notifications by
   * `reference`, which is the notification id): the provider's id for the message if it already
   * has it, else null. Asked before re-sending a row whose earlier outcome is unknown, so a message
   * the provider accepted just before a crash or a timeout is not sent twice.
   */
  lookup?(notificationId: string): Promise<{ providerRef: string } | null>;
  /**
   * Set on the inbox channel: the notification row itself is the message, so the dispatcher marks
   * inbox rows delivered in bulk SQL instead of calling send() once per row.
   */
  deliversInPlace?: boolean;
  /** Set on channels whose provider keeps a rate limit (GOV.UK Notify): how many sends may start now. */
  budget?: SendBudget;
  close?(): Promise<void> | void;
}

/**
 * A failed send. `permanent` means retrying the same channel cannot help: try the next one now.
 * `unknown` means the provider may have accepted it anyway (no answer in time, connection cut after
 * the request went): before sending again, ask the provider by reference if it can be asked.
 */
export class DeliveryError extends Error {
  /**
   * `throttled`: the provider refused it for now because the sender is over its rate limit (GOV.UK
   * Notify's 429 RateLimitError). Not a failure to reach anyone: the message waits and goes on the
   * same channel once the pause is over, with no attempt counted.
   */
  constructor(
    message: string,
    readonly permanent = false,
    readonly unknown = false,
    readonly throttled = false,
  ) {
    super(message);
    this.name = 'DeliveryError';
  }
}

/**
 * How long one send may take before it counts as failed (its outcome is then unknown: the provider
 * may have it). Short, so a hanging provider costs an alarm seconds, not minutes; the claim's lease
 * is renewed while the send runs.
 */
export const SEND_TIMEOUT_MS = 10_000;

export function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new DeliveryError(`${what} did not answer within ${Math.round(ms / 1000)} seconds`, false, true)),
      ms,
    );
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** Links in messages point at Harbour from outside: PUBLIC_BASE_URL + the path. */
export function absoluteLink(publicBaseUrl: string, link: string | null): string | null {
  if (!link) return null;
  if (/^https?:\/\//i.test(link)) return link;
  return `${publicBaseUrl}${link.startsWith('/') ? '' : '/'}${link}`;
}
