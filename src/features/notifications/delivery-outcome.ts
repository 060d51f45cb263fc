import type { NotificationChannel } from './channel.ts';
import type { AttemptOutcome, ClaimedRow, OutcomeUpdate } from './dispatch-repository.ts';
import { afterFailure, deliveryText, inboxCopyText, shortError, type Persistence } from './rules.ts';
import { alarmLatency } from '../metrics/registry.ts';
import { THROTTLE_PAUSES_MS } from './notify-client.ts';
import type { SendAttempt } from './send-attempt.ts';

export type SendOutcome = 'sent' | 'retry' | 'fallback' | 'cycle' | 'failed' | 'lost';

/**
 * What a send's result writes back: the row's next state (sent, paused for the rate limit, moved on
 * to its next channel, round again, failed), the attempt's outcome and the alert's timeline line.
 */
export function deliveryOutcome(
  p: {
    row: ClaimedRow;
    claim: string;
    now: Date;
    name: string;
    channel: NotificationChannel | undefined;
    alarm: Persistence | undefined;
  } & SendAttempt,
): { update: OutcomeUpdate; outcome: SendOutcome; attemptOutcome: AttemptOutcome } {
  const { row, claim, now, name, channel, alarm, error, found, asked, providerRef } = p;
  const detail = { notificationId: row.id, channel: row.channel, recipientId: row.recipient_id };
  let update: OutcomeUpdate;
  let outcome: SendOutcome;
  let attemptOutcome: AttemptOutcome;
  if (!error) {
    channel?.budget?.ok();
  }
  if (error?.throttled) {
    // Over the provider's rate limit: not sent, and nobody failed to be reached. The channel pauses
    // (longer after each 429 in a row) and the message waits for the pause on the same channel,
    // its attempts not counted, so a burst never spills to the fallbacks or the inbox for good.
    const pauseMs = channel?.budget?.throttled(now.getTime()) ?? THROTTLE_PAUSES_MS[0];
    outcome = 'retry';
    attemptOutcome = 'failed';
    const message = shortError(`${error.message}; sent again in ${Math.ceil(pauseMs / 1000)} s`);
    update = {
      id: row.id,
      claim,
      channel: row.channel,
      now,
      attempt: { id: row.attempt_id, outcome: attemptOutcome, error: message, providerRef: null },
      ...(asked ? { settlePrior: 'absent' as const } : {}),
      set: {
        status: 'pending',
        channel: row.channel,
        fallbacks: row.fallbacks,
        attempts: row.attempts,
        nextAttemptAt: new Date(now.getTime() + pauseMs),
        error: message,
      },
      timeline: null,
    };
  } else if (!error) {
    outcome = 'sent';
    attemptOutcome = found ? 'found' : 'accepted';
    const external = row.channel !== 'inbox';
    update = {
      id: row.id,
      claim,
      channel: row.channel,
      now,
      attempt: { id: row.attempt_id, outcome: attemptOutcome, error: null, providerRef },
      ...(asked ? { settlePrior: found ? ('found' as const) : ('absent' as const) } : {}),
      set: { status: 'sent', attempts: row.attempts + 1, providerRef, external },
      timeline: row.alert_id
        ? {
            alertId: row.alert_id,
            text: external ? deliveryText(row.channel, name, { ok: true, found }) : inboxCopyText(name),
            detail: { ...detail, ok: true, providerRef, found },
          }
        : null,
    };
    if (alarm && external)
      alarmLatency.observe(
        { stage: 'accepted', channel: row.channel },
        Math.max(0, (now.getTime() - new Date(row.due_at).getTime()) / 1000),
      );
  } else {
    attemptOutcome = error.unknown ? 'unknown' : 'failed';
    const message = shortError(error.message);
    const next = afterFailure(
      { channel: row.channel, fallbacks: row.fallbacks, attempts: row.attempts, cycles: row.cycles },
      error.permanent,
      now,
      alarm,
    );
    outcome = next.kind;
    // Later rounds of an outage add nothing new to the timeline: only the first round is told.
    const tell = row.alert_id !== null && row.cycles === 0;
    update = {
      id: row.id,
      claim,
      channel: row.channel,
      now,
      attempt: { id: row.attempt_id, outcome: attemptOutcome, error: message, providerRef: null },
      ...(asked ? { settlePrior: 'absent' as const } : {}),
      set:
        next.kind === 'failed'
          ? { status: 'failed', attempts: next.attempts, error: message }
          : {
              status: 'pending',
              channel: next.channel,
              fallbacks: next.fallbacks,
              attempts: next.attempts,
              nextAttemptAt: next.nextAttemptAt,
              error: message,
              ...(next.kind === 'cycle' ? { cycles: next.cycles, unreached: true } : {}),
            },
      timeline:
        tell && row.alert_id
          ? {
              alertId: row.alert_id,
              text: deliveryText(row.channel, name, { ok: false, error: message, next }),
              detail: { ...detail, ok: false, error: message, next: next.kind, nextChannel: next.channel },
            }
          : null,
    };
  }
  return { update, outcome, attemptOutcome };
}
