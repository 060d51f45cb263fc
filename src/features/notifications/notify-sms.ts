import { buildNotifyApi, type NotifyApi } from './notify-client.ts';
import { DeliveryError, absoluteLink, withTimeout, type NotificationChannel, type OutgoingMessage } from './channel.ts';
import { shortError } from './rules.ts';

/**
 * A Notify client for the configured key (keep-alive connections, see notify-client.ts);
 * NOTIFY_BASE_URL points it elsewhere (a stub in tests).
 */
export function notifyClient(
  config: { apiKey: string; baseUrl: string | null },
  options: { timeoutMs?: number; ratePerMinute?: number | null | undefined } = {},
): NotifyApi {
  const { ratePerMinute, ...rest } = options;
  return buildNotifyApi({
    apiKey: config.apiKey,
    baseUrl: config.baseUrl,
    ...rest,
    ...(ratePerMinute !== undefined ? { ratePerMinute } : {}),
  });
}

export interface NotifyChannelOptions {
  client: NotifyApi;
  templateId: string;
  publicBaseUrl: string;
  timeoutMs: number;
}

/** The template's ((subject)), ((body)) and ((link)) placeholders. */
export function personalisation(m: OutgoingMessage, publicBaseUrl: string) {
  return { subject: m.subject, body: m.body, link: absoluteLink(publicBaseUrl, m.link) ?? '' };
}

/**
 * Turns the client's (axios) error into a DeliveryError. Notify answers 400 for a request it will
 * never accept (bad number, missing personalisation, trial mode) and 403 for a bad key: permanent.
 * 5xx and network failures are worth retrying. 429 RateLimitError (over 3,000 requests a minute
 * for the key) is `throttled`: not sent, to be sent on the same channel after a pause. 429
 * TooManyRequestsError (the service's daily limit) cannot clear for hours: an ordinary failure, so
 * the message moves on to its next channel.
 */
export function notifyError(e: unknown): DeliveryError {
  if (e instanceof DeliveryError) return e;
  const err = e as {
    response?: { status?: number; data?: { errors?: { error?: string; message?: string }[] } };
    code?: string;
    message?: string;
  };
  const status = err.response?.status;
  if (status) {
    const first = err.response?.data?.errors?.[0];
    const detail = first ? `${first.error ?? 'Error'}: ${first.message ?? ''}` : `HTTP ${status}`;
    const throttled = status === 429 && first?.error !== 'TooManyRequestsError';
    return new DeliveryError(
      shortError(`GOV.UK Notify answered ${status} (${detail})`),
      status === 400 || status === 403,
      false,
      throttled,
    );
  }
  // Refused: the request never left. Anything else (reset, timeout) may have reached Notify.
  return new DeliveryError(
    shortError(`GOV.UK Notify could not be reached (${err.code ?? err.message ?? 'unknown error'})`),
    false,
    err.code !== 'ECONNREFUSED',
  );
}

/** Asks Notify whether it already has a message with this reference (the notification id). */
export function notifyLookup(client: NotifyApi, type: 'sms' | 'email', timeoutMs: number) {
  return async (notificationId: string): Promise<{ providerRef: string } | null> => {
    try {
      const res = await withTimeout(
        client.getNotifications(type, undefined, notificationId),
        timeoutMs,
        'GOV.UK Notify',
      );
      const found = res.data.notifications.find((n) => n.reference === notificationId);
      return found ? { providerRef: found.id } : null;
    } catch (e) {
      throw notifyError(e);
    }
  };
}

export function buildNotifySmsChannel(options: NotifyChannelOptions): NotificationChannel {
  const { client, templateId, publicBaseUrl, timeoutMs } = options;
  return {
    name: 'sms',
    budget: client.budget,
    lookup: notifyLookup(client, 'sms', timeoutMs),
    async send(m) {
      if (!m.to.mobile) throw new DeliveryError(`${m.to.name} has no work mobile number`, true);
      try {
        const res = await withTimeout(
          client.sendSms(templateId, m.to.mobile, {
            personalisation: personalisation(m, publicBaseUrl),
            reference: m.notificationId,
          }),
          timeoutMs,
          'GOV.UK Notify',
        );
        return { providerRef: res.data.id };
      } catch (e) {
        throw notifyError(e);
      }
    },
  };
}
