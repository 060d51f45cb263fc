import type { Kysely } from 'kysely';
import type { DB } from '../../db/schema.ts';
import type { NotificationsConfig } from '../../config.ts';
import type { ChannelName, ConfiguredChannels } from './routing.ts';
import { buildNotificationsRepository } from './repository.ts';
import { buildNotifyEmailChannel } from './notify-email.ts';
import { buildNotifySmsChannel, notifyClient } from './notify-sms.ts';
import { buildSmtpChannel } from './smtp.ts';
import { buildWebPushChannel, ensureVapidKeys } from './web-push.ts';
import { buildInboxChannel } from './inbox.ts';
import { SEND_TIMEOUT_MS, type NotificationChannel } from './channel.ts';

/** Which channels the configuration switches on, for channelPlan(). The inbox is always on. */
export function configuredChannels(
  config: { notifications: NotificationsConfig } | NotificationsConfig,
): ConfiguredChannels {
  const n = 'notifications' in config ? config.notifications : config;
  return {
    sms: Boolean(n.notify?.smsTemplateId),
    email: Boolean(n.notify?.emailTemplateId || n.smtp),
    push: Boolean(n.vapidSubject),
  };
}

export type Channels = Partial<Record<ChannelName, NotificationChannel>>;

/**
 * The adapters for the configured channels, plus the inbox. Email goes through Notify when it has
 * an email template, otherwise SMTP. Web Push makes its VAPID keys on first use and keeps them.
 */
export async function buildChannels(
  db: Kysely<DB>,
  config: NotificationsConfig,
  options: { timeoutMs?: number } = {},
): Promise<Channels> {
  const timeoutMs = options.timeoutMs ?? SEND_TIMEOUT_MS;
  const { publicBaseUrl } = config;
  const channels: Channels = { inbox: buildInboxChannel() };
  if (config.notify) {
    const client = notifyClient(config.notify, { timeoutMs, ratePerMinute: config.notify.ratePerMinute });
    if (config.notify.smsTemplateId)
      channels.sms = {
        ...buildNotifySmsChannel({ client, templateId: config.notify.smsTemplateId, publicBaseUrl, timeoutMs }),
        close: () => client.close(),
      };
    if (config.notify.emailTemplateId)
      channels.email = {
        ...buildNotifyEmailChannel({ client, templateId: config.notify.emailTemplateId, publicBaseUrl, timeoutMs }),
        ...(channels.sms ? {} : { close: () => client.close() }),
      };
  }
  if (!channels.email && config.smtp)
    channels.email = buildSmtpChannel({ url: config.smtp.url, from: config.smtp.from, publicBaseUrl, timeoutMs });
  if (config.vapidSubject) {
    const repo = buildNotificationsRepository(db);
    const keys = await ensureVapidKeys(repo);
    channels.push = buildWebPushChannel({ repo, subject: config.vapidSubject, keys, publicBaseUrl, timeoutMs });
  }
  return channels;
}

export async function closeChannels(channels: Channels): Promise<void> {
  await Promise.all(Object.values(channels).map((c) => c?.close?.()));
}
