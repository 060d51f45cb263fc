import type { Executor } from '../audit/repository.ts';

/**
 * A message to one person. Every notification row shows in its recipient's Harbour inbox; the
 * dispatcher also sends it on `channel` (the inbox itself unless another is given), then `fallbacks`.
 */
export interface InboxMessage {
  recipientId: number;
  subject: string;
  body: string;
  link: string | null;
  /** Defaults to 'inbox'. */
  channel?: string;
  fallbacks?: string[];
  /** The lockdown this message alarms about: the dispatcher keeps trying until it ends or is acknowledged. */
  lockdownId?: number | null;
  /** When the dispatcher may first send it; now when not given. */
  at?: Date;
}

/**
 * Queues messages for the dispatcher. Takes the caller's executor so the messages are written in the
 * same transaction as the change they tell people about, and vanish with it if it rolls back.
 */
export async function insertInboxMessages(ex: Executor, messages: readonly InboxMessage[]): Promise<void> {
  if (!messages.length) return;
  const now = new Date();
  await ex
    .insertInto('notifications')
    .values(
      messages.map((m) => ({
        recipient_id: m.recipientId,
        channel: m.channel ?? 'inbox',
        fallbacks: m.fallbacks,
        subject: m.subject,
        body: m.body,
        link: m.link,
        lockdown_id: m.lockdownId,
        next_attempt_at: m.at ?? now,
      })),
    )
    .execute();
}
