import { DeliveryError, withTimeout, type NotificationChannel } from './channel.ts';
import type { ClaimedRow } from './dispatch-repository.ts';
import { channelLabel, shortError } from './rules.ts';

/** What one send came to: the provider's reference, whether an earlier send was found, whether the provider was asked, or the error. */
export interface SendAttempt {
  providerRef: string | null;
  error: DeliveryError | null;
  found: boolean;
  asked: boolean;
}

/** Any failure as a DeliveryError, which the outcome is decided from. */
export const asDeliveryError = (e: unknown): DeliveryError =>
  e instanceof DeliveryError ? e : new DeliveryError(shortError((e as Error)?.message ?? String(e)));

/**
 * Sends a claimed row. When an earlier attempt's outcome is unknown the provider is asked first, so
 * a message that did get through is not sent twice.
 */
export async function sendOrFind(
  row: ClaimedRow,
  channel: NotificationChannel,
  name: string,
  sendTimeoutMs: number,
): Promise<SendAttempt> {
  let providerRef: string | null = null;
  let found = false;
  let asked = false;
  try {
    if (row.unknown_before && channel.lookup) {
      // An earlier attempt's outcome is unknown: ask the provider before sending again.
      let already: { providerRef: string } | null;
      try {
        // The lookup is a request to Notify as well: it counts against the key's rate limit.
        channel.budget?.take(1);
        already = await withTimeout(channel.lookup(row.id), sendTimeoutMs, channelLabel(row.channel));
      } catch (e) {
        if (e instanceof DeliveryError && e.throttled) throw e;
        const reason = e instanceof Error ? e.message : String(e);
        throw new DeliveryError(
          shortError(`could not check whether it was already sent (${reason}); not sent again yet`),
          false,
          true,
        );
      }
      asked = true;
      if (already) {
        found = true;
        providerRef = already.providerRef;
      }
    }
    if (!found) {
      const result = await withTimeout(
        channel.send({
          notificationId: row.id,
          to: { staffId: row.recipient_id, name, mobile: row.work_mobile, email: row.email },
          subject: row.subject,
          body: row.body,
          link: row.link,
        }),
        sendTimeoutMs,
        channelLabel(row.channel),
      );
      providerRef = result.providerRef ?? null;
    }
  } catch (e) {
    return { providerRef, error: asDeliveryError(e), found, asked };
  }
  return { providerRef, error: null, found, asked };
}
