import webpush from 'web-push';
import { DeliveryError, absoluteLink, type NotificationChannel } from './channel.ts';
import type { NotificationsRepository } from './repository.ts';
import { shortError } from './rules.ts';

export interface VapidKeys {
  publicKey: string;
  privateKey: string;
}

const VAPID_SETTING = 'vapid';

function isVapidKeys(v: unknown): v is VapidKeys {
  const k = v as Partial<VapidKeys> | null;
  return (
    typeof k?.publicKey === 'string' &&
    typeof k.privateKey === 'string' &&
    k.publicKey.length > 20 &&
    k.privateKey.length > 20
  );
}

/**
 * The VAPID key pair, made the first time it is needed and kept in app_settings. Never made again:
 * every browser subscribed with the old public key. Two processes starting together both insert
 * with ON CONFLICT DO NOTHING and then read back the one that won.
 */
export async function ensureVapidKeys(
  repo: Pick<NotificationsRepository, 'setting' | 'insertSettingIfAbsent'>,
): Promise<VapidKeys> {
  const existing = await repo.setting(VAPID_SETTING);
  if (isVapidKeys(existing)) return existing;
  const made = webpush.generateVAPIDKeys();
  await repo.insertSettingIfAbsent(VAPID_SETTING, { publicKey: made.publicKey, privateKey: made.privateKey });
  const stored = await repo.setting(VAPID_SETTING);
  if (!isVapidKeys(stored))
    throw new Error('app_settings holds an unusable VAPID key pair; fix or delete the "vapid" row');
  return stored;
}

export interface WebPushChannelOptions {
  repo: Pick<NotificationsRepository, 'pushSubscriptionsFor' | 'deletePushSubscription'>;
  subject: string;
  keys: VapidKeys;
  publicBaseUrl: string;
  timeoutMs: number;
}

type Outcome = { ok: true; ref: string } | { ok: false; gone: boolean; permanent: boolean; error: string };

/**
 * Web Push to every browser the recipient registered. Delivered if any push service accepts it. A
 * 404 or 410 means that subscription is gone: it is deleted. No subscription at all is a permanent
 * failure, so the dispatcher moves straight on to the next channel.
 *
 * The request is built by web-push (payload encryption, VAPID JWT) and sent with fetch, which also
 * lets tests use a plain-HTTP push service.
 */
export function buildWebPushChannel(options: WebPushChannelOptions): NotificationChannel {
  const { repo, subject, keys, publicBaseUrl, timeoutMs } = options;
  const vapidDetails = { subject, publicKey: keys.publicKey, privateKey: keys.privateKey };

  async function pushTo(
    sub: { endpoint: string; keys: { p256dh: string; auth: string } },
    payload: string,
  ): Promise<Outcome> {
    let status: number;
    let location: string | null = null;
    try {
      const details = webpush.generateRequestDetails({ endpoint: sub.endpoint, keys: sub.keys }, payload, {
        vapidDetails,
        TTL: 3600,
        urgency: 'high',
      });
      const headers = Object.fromEntries(
        Object.entries(details.headers)
          .filter(([k]) => k.toLowerCase() !== 'content-length')
          .map(([k, v]) => [k, String(v)]),
      );
      const res = await fetch(details.endpoint, {
        method: 'POST',
        headers,
        body: details.body ? new Uint8Array(details.body) : null,
        signal: AbortSignal.timeout(timeoutMs),
      });
      status = res.status;
      location = res.headers.get('location');
      await res.arrayBuffer().catch(() => undefined);
    } catch (e) {
      return {
        ok: false,
        gone: false,
        permanent: false,
        error: `the push service could not be reached (${(e as Error).message})`,
      };
    }
    if (status >= 200 && status < 300) return { ok: true, ref: location ?? new URL(sub.endpoint).host };
    if (status === 404 || status === 410) {
      await repo.deletePushSubscription(sub.endpoint);
      return { ok: false, gone: true, permanent: true, error: `the browser's subscription has expired (${status})` };
    }
    // 400/401/403/413: the request itself is wrong (keys, payload size); retrying cannot help.
    const permanent = status >= 400 && status < 500 && status !== 429;
    return { ok: false, gone: false, permanent, error: `the push service answered ${status}` };
  }

  return {
    name: 'push',
    async send(m) {
      const subs = await repo.pushSubscriptionsFor(m.to.staffId);
      if (!subs.length) throw new DeliveryError(`${m.to.name} has not turned on push notifications`, true);
      const payload = JSON.stringify({
        title: m.subject,
        body: m.body,
        url: absoluteLink(publicBaseUrl, m.link),
        tag: `harbour-${m.notificationId}`,
      });
      const outcomes = await Promise.all(subs.map((s) => pushTo(s, payload)));
      const delivered = outcomes.find((o) => o.ok);
      if (delivered) return { providerRef: delivered.ref };
      const failures = outcomes.filter((o): o is Extract<Outcome, { ok: false }> => !o.ok);
      throw new DeliveryError(
        shortError(failures.map((f) => f.error).join('; ')),
        failures.every((f) => f.permanent),
      );
    },
  };
}
