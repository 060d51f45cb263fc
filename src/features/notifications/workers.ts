import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import type { DB } from '../../db/schema.ts';
import type { MonitoringConfig, NotificationsConfig } from '../../config.ts';
import { startLoop } from '../../jobs/loop.ts';
import { buildHealthRepository } from '../health/repository.ts';
import { buildEngineHealth } from '../health/service.ts';
import { buildChannels, closeChannels, type Channels } from './channels.ts';
import { withTimeout } from './channel.ts';
import { buildDispatcher, type Dispatcher } from './dispatcher.ts';
import { buildDeliveryWatchRepository } from './delivery-watch-repository.ts';
import { channelLabel } from './rules.ts';

export interface NotificationWorkers {
  /** The channels switched on, e.g. ['inbox', 'sms', 'email']. */
  channels: string[];
  /** Runs the dispatcher now instead of at its next poll (call after inserting notifications). */
  wake(): void;
  /** One watch pass now (early escalation, operations incidents); the loop runs it every few seconds. */
  watch(): Promise<void>;
  /** Finishes the pass and the sends in progress, then closes the channels (SMTP connections). */
  stop(): Promise<void>;
}

export interface NotificationWorkerOptions {
  db: Kysely<DB>;
  config: { notifications: NotificationsConfig; monitoring?: MonitoringConfig };
  logger: Logger;
  /** How long to wait between passes when there was nothing to send. */
  idleMs?: number;
  /** How often the watch pass runs. */
  watchEveryMs?: number;
  /** Adapters to use instead of those the configuration names (tests). */
  channels?: Channels;
  /** Options for the dispatcher (tests: a short send timeout; benchmarks: sends in flight per channel). */
  sendTimeoutMs?: number;
  concurrency?: number;
  /** How long a channel may fail every attempt before the operations contact is told. */
  failingForMs?: number;
}

/** How often this process records its heartbeat for a loop. */
const HEARTBEAT_EVERY_MS = 2_000;

/**
 * Starts the notification dispatcher in this process: builds the channel adapters from the
 * configuration (making the VAPID keys on first start when Web Push is on) and runs the
 * dispatcher's tick in a loop. Each send runs on its own, so a hanging provider never holds up the
 * others. Every few seconds it also fires the next step of an alert early when nobody at the current
 * step has been reached by text or email, and tells the operations contact (once per incident) when
 * a channel keeps failing or the engine is behind. Safe to run in several processes at once.
 */
export async function startNotificationWorkers(options: NotificationWorkerOptions): Promise<NotificationWorkers> {
  const { db, config, logger } = options;
  const channels = options.channels ?? (await buildChannels(db, config.notifications));
  const instanceId = `${hostname()}:${process.pid}:${randomBytes(3).toString('hex')}`;
  const health = buildHealthRepository(db);
  const engineHealth = buildEngineHealth({
    repo: health,
    lagLimitSeconds: config.monitoring?.engineLagLimitSeconds ?? 30,
  });
  const watchRepo = buildDeliveryWatchRepository(db);
  const escalateSeconds = config.notifications.externalFailureEscalateSeconds ?? 60;
  const ops = config.notifications.opsAlert ?? null;
  const failingForMs = options.failingForMs ?? 60_000;
  let wakeLoop = () => {};
  const dispatcher: Dispatcher = buildDispatcher({
    db,
    channels,
    instanceId,
    logger,
    ...(options.sendTimeoutMs ? { sendTimeoutMs: options.sendTimeoutMs } : {}),
    ...(options.concurrency ? { concurrency: options.concurrency } : {}),
    onSettled: () => wakeLoop(),
  });
  const names = Object.keys(channels);
  logger.info({ channels: names }, 'notification dispatcher started');

  /** Tells the operations contact by whichever configured channel still works. */
  async function tellOps(id: string, kind: string, detail: string): Promise<void> {
    if (!ops) return;
    const failing = dispatcher.failing();
    const routes = [
      ...(ops.email && channels.email && !failing.has('email')
        ? [{ channel: channels.email, to: { mobile: null, email: ops.email } }]
        : []),
      ...(ops.sms && channels.sms && !failing.has('sms')
        ? [{ channel: channels.sms, to: { mobile: ops.sms, email: '' } }]
        : []),
      ...(ops.email && channels.email && failing.has('email')
        ? [{ channel: channels.email, to: { mobile: null, email: ops.email } }]
        : []),
      ...(ops.sms && channels.sms && failing.has('sms')
        ? [{ channel: channels.sms, to: { mobile: ops.sms, email: '' } }]
        : []),
    ];
    for (const route of routes) {
      try {
        await withTimeout(
          route.channel.send({
            notificationId: `ops-${id}`,
            to: { staffId: 0, name: 'Harbour operations', ...route.to },
            subject: `Harbour operations: ${kind === 'engine_behind' ? 'the alarm engine is behind' : 'a delivery channel keeps failing'}`,
            body: `${detail}. Check /health and the logs. You are told once per incident.`,
            link: '/health',
          }),
          10_000,
          channelLabel(route.channel.name),
        );
        await watchRepo.markTold(id, route.channel.name, new Date());
        logger.warn({ incident: id, kind, by: route.channel.name }, 'operations contact told');
        return;
      } catch (err) {
        logger.warn(
          { err, incident: id, kind, channel: route.channel.name },
          'could not tell the operations contact on this channel',
        );
      }
    }
  }

  async function watch(): Promise<void> {
    await watchRepo.stopClosedAlarms(new Date());
    if (escalateSeconds > 0) {
      const escalated = await watchRepo.escalateUnreached(escalateSeconds);
      if (escalated.length)
        logger.warn({ alerts: escalated }, 'nobody reached by text or email: next escalation step fired early');
    }
    const conditions = new Map<string, string>();
    const report = await engineHealth.check();
    if (report.behind) conditions.set('engine_behind', report.reasons.join('; '));
    const now = Date.now();
    for (const [channel, since] of dispatcher.failing()) {
      if (now - since.getTime() >= failingForMs) {
        conditions.set(
          `channel_failing:${channel}`,
          `${channelLabel(channel)} has failed every attempt since ${since.toISOString()}`,
        );
      }
    }
    for (const [kind, detail] of conditions) {
      logger.warn({ kind, detail }, 'operations incident');
      await watchRepo.openIncident(kind, detail);
    }
    const cleared = (await watchRepo.openKinds()).filter((k) => !conditions.has(k));
    await watchRepo.closeIncidents(cleared, new Date());
    if (ops) for (const i of await watchRepo.untold()) await tellOps(i.id, i.kind, i.detail);
  }

  let lastBeat = 0;
  const loop = startLoop(
    'notifications',
    async () => {
      const r = await dispatcher.tick(1000, { wait: false });
      if (Date.now() - lastBeat >= HEARTBEAT_EVERY_MS) {
        lastBeat = Date.now();
        await health.beat(instanceId, 'notifications', new Date());
      }
      return r;
    },
    options.idleMs ?? 500,
    logger,
  );
  wakeLoop = () => loop.wake();
  // The watch runs in a loop of its own, so a slow watch never holds up the deliveries.
  const watchLoop = startLoop(
    'notifications-watch',
    async () => {
      await watch();
      return { more: false };
    },
    options.watchEveryMs ?? 5_000,
    logger,
  );
  let stopping: Promise<void> | null = null;
  return {
    channels: names,
    wake: () => loop.wake(),
    watch,
    stop() {
      stopping ??= (async () => {
        await Promise.all([loop.stop(), watchLoop.stop()]);
        await dispatcher.settled();
        dispatcher.close();
        await closeChannels(channels);
      })();
      return stopping;
    },
  };
}
