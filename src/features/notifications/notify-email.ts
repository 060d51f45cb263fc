import { DeliveryError, withTimeout, type NotificationChannel } from './channel.ts';
import { notifyError, notifyLookup, personalisation, type NotifyChannelOptions } from './notify-sms.ts';

/** Email through GOV.UK Notify: the same template placeholders as the SMS one. */
export function buildNotifyEmailChannel(options: NotifyChannelOptions): NotificationChannel {
  const { client, templateId, publicBaseUrl, timeoutMs } = options;
  return {
    name: 'email',
    budget: client.budget,
    lookup: notifyLookup(client, 'email', timeoutMs),
    async send(m) {
      if (!m.to.email) throw new DeliveryError(`${m.to.name} has no email address`, true);
      try {
        const res = await withTimeout(
          client.sendEmail(templateId, m.to.email, {
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
