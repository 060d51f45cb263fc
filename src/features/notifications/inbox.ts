import type { NotificationChannel } from './channel.ts';

/**
 * The in-app inbox. Every notification row already shows in its recipient's inbox, so delivering to
 * the inbox is only marking the row sent: it cannot fail. The dispatcher does that for many rows
 * in one statement (deliversInPlace); send() is here for the interface and for single use.
 */
export function buildInboxChannel(): NotificationChannel {
  return {
    name: 'inbox',
    deliversInPlace: true,
    async send() {
      return {};
    },
  };
}
