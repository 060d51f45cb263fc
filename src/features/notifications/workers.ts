import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import type { DB } from '../../db/schema.ts';
import type { NotificationsConfig } from '../../config.ts';
import { startLoop } from '../../jobs/loop.ts';
import { buildChannels, closeChannels, type Channels } from './channels.ts';
import { buildDispatcher } from './dispatcher.ts';

export interface NotificationWorkers {
  /** The channels switched on, e.g. ['inbox', 'sms', 'email']. */
  channels: string[];
  /** Runs the dispatcher now instead of at its next poll (call after inserting notifications). */
  wake(): void;
  /** Finishes the pass in progress, then closes the channels (SMTP connections). */
  stop(): Promise<void>;
}

export interface NotificationWorkerOptions {
  db: Kysely<DB>;
  config: { notifications: NotificationsConfig };
  logger: Logger;
  /** How long to wait between passes when there was nothing to send. */
  idleMs?: number;
  /** Adapters to use instead of those the configuration names (tests). */
  channels?: Channels;
}

/**
 * Starts the notification dispatcher in this process: builds the channel adapters from the
 * configuration (making the VAPID keys on first start when Web Push is on) and runs the
 * dispatcher's tick in a loop. Safe to run in several processes at once.
 */
export async function startNotificationWorkers(options: NotificationWorkerOptions): Promise<NotificationWorkers> {
  const { db, config, logger } = options;
  const channels = options.channels ?? (await buildChannels(db, config.notifications));
  const instanceId = `${hostname()}:${process.pid}:${randomBytes(3).toString('hex')}`;
  const dispatcher = buildDispatcher({ db, channels, instanceId, logger });
  const names = Object.keys(channels);
  logger.info({ channels: names }, 'notification dispatcher started');
  const loop = startLoop('notifications', () => dispatcher.tick(), options.idleMs ?? 500, logger);
  let stopping: Promise<void> | null = null;
  return {
    channels: names,
    wake: () => loop.wake(),
    stop() {
      stopping ??= (async () => {
        await loop.stop();
        await closeChannels(channels);
      })();
      return stopping;
    },
  };
}
