import { createTransport } from 'nodemailer';
import { DeliveryError, absoluteLink, withTimeout, type NotificationChannel } from './channel.ts';
import { shortError } from './rules.ts';

export interface SmtpChannelOptions {
  url: string;
  from: string;
  publicBaseUrl: string;
  timeoutMs: number;
}

/** Email by SMTP (SMTP_URL, like smtps://user:pass@smtp.council.gov.uk:465), plain text. */
export function buildSmtpChannel(options: SmtpChannelOptions): NotificationChannel {
  const { from, publicBaseUrl, timeoutMs } = options;
  const transport = createTransport({
    url: options.url,
    pool: true,
    maxConnections: 4,
    connectionTimeout: timeoutMs,
    greetingTimeout: timeoutMs,
    socketTimeout: timeoutMs,
  });
  return {
    name: 'email',
    async send(m) {
      if (!m.to.email) throw new DeliveryError(`${m.to.name} has no email address`, true);
      const link = absoluteLink(publicBaseUrl, m.link);
      try {
        const info = await withTimeout(
          transport.sendMail({
            from,
            to: { name: m.to.name, address: m.to.email },
            subject: m.subject,
            text: link ? `${m.body}\n\n${link}\n` : `${m.body}\n`,
            headers: { 'X-Harbour-Notification': m.notificationId },
          }),
          timeoutMs,
          'The mail server',
        );
        return { providerRef: info.messageId };
      } catch (e) {
        if (e instanceof DeliveryError) throw e;
        // nodemailer marks 5xx replies permanent (the server will never take this message).
        const err = e as { message?: string; responseCode?: number; permanent?: boolean; code?: string };
        const what = err.responseCode
          ? `the mail server answered ${err.responseCode}`
          : `the mail server could not be reached (${err.code ?? 'error'})`;
        throw new DeliveryError(shortError(`${what}: ${err.message ?? ''}`), Boolean(err.permanent));
      }
    },
    close() {
      transport.close();
    },
  };
}
