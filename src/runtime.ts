import pino, { type Logger } from 'pino';
import type { FastifyInstance } from 'fastify';
import type { Config } from './config.ts';
import type { Database } from './db/database.ts';
import { currentVersion } from './db/migrate.ts';
import { openMigratedDatabase } from './db/pglite-template.ts';
import { buildApp } from './app.ts';
import { buildRepositories, buildServices, type Services } from './composition.ts';
import { seedDemo } from './demo/seed.ts';
import { startJobs, type JobRunner } from './jobs/boss.ts';
import { startLoop, type Loop } from './jobs/loop.ts';
import { hostname } from 'node:os';
import { armFailpoints } from './failpoints.ts';
import { buildCheckpointWriter } from './features/audit/checkpoint.ts';
import { configuredChannels } from './features/notifications/channels.ts';
import { channelPlan } from './features/notifications/routing.ts';
import { startNotificationWorkers, type NotificationWorkers } from './features/notifications/workers.ts';

export interface Harbour {
  app: FastifyInstance;
  database: Database;
  loops: Loop[];
  services: Services;
  jobs: JobRunner | null;
  logger: Logger;
  url: string;
  stop(): Promise<void>;
}

/** Opens the database, migrates, seeds the demo (first start only), starts jobs and listens. */
export async function startHarbour(
  config: Config,
  logger: Logger = pino({ level: config.logLevel }),
): Promise<Harbour> {
  armFailpoints(config.failpoints);
  // A new PGlite data directory starts from the migrated template (db/pglite-template.ts), not initdb.
  const { database, applied, newDataDir } = await openMigratedDatabase(
    {
      databaseUrl: config.databaseUrl,
      pgliteDataDir: config.pgliteDataDir,
      // A reset or failover: the queries on that connection fail (callers retry, loops back off) and
      // the pool opens a new one. Logged, never fatal.
      onConnectionError: (err) => logger.warn({ err }, 'database connection lost; it will be replaced'),
    },
    (err) => logger.warn({ err }, 'the migrated database template could not be used; running initdb'),
  );
  if (newDataDir) logger.info({ dataDir: config.pgliteDataDir, from: newDataDir }, 'new embedded database made');
  if (applied.length) logger.info({ applied }, 'migrations applied');
  const repos = buildRepositories(database.db);
  if (config.seedDemo && (await seedDemo(database.db, repos.audit, { history: true })))
    logger.info('demo council loaded, with a year of history');
  const loops: Loop[] = [];
  let notifications: NotificationWorkers | null = null;
  const channels = configuredChannels(config);
  let lastSessionWake = 0;
  const services = buildServices(repos, {
    sessionTtlHours: config.sessionTtlHours,
    apiTokenCacheMs: config.apiTokenCacheSeconds * 1000,
    instanceId: `${hostname()}:${process.pid}`,
    engineConcurrency: database.kind === 'postgres' ? 2 : 1,
    baseUrl: config.notifications.publicBaseUrl,
    registers: config.registers,
    foi: config.foi,
    retention: config.retention,
    emergency: config.emergency,
    channelPlan: channelPlan(channels),
    pushEnabled: channels.push,
    // A session change (check-in, extension, end) only moves deadlines: a wake at most every 250 ms,
    // the loop's own pace, so a stream of check-ins does not keep the engine polling flat out
    // (on PGlite it shares one connection with the web requests). A duress alarm wakes it at once.
    onSessionChange: () => {
      if (Date.now() - lastSessionWake < 250) return;
      lastSessionWake = Date.now();
      loops[0]?.wake();
    },
    onAlarm: () => loops[0]?.wake(),
    onNotify: () => notifications?.wake(),
  });
  const jobs = config.jobsEnabled ? await startJobs(database, services, logger) : null;
  // Emergency details are encrypted: without EMERGENCY_PACK_KEY a development key is made once and kept in the database.
  const emergencyKey = await services.emergency.ensureKey();
  if (emergencyKey.development)
    logger.warn(
      { keyId: emergencyKey.keyId },
      'EMERGENCY_PACK_KEY is not set: emergency details are encrypted with a development key kept in the database. Set EMERGENCY_PACK_KEY in production',
    );
  if (config.jobsEnabled) {
    notifications = await startNotificationWorkers({ db: database.db, config, logger });
    // The escalation engine: every 250 ms (at once while a burst lasts) releases the workers'
    // prompts prepared for deadlines that have passed, claims due deadlines and steps, and prepares
    // the prompts of the coming ones; it wakes the dispatcher as soon as messages are queued.
    loops.push(
      startLoop(
        'escalation',
        async () => {
          const r = await services.engine.pass();
          if (r.queued) notifications?.wake();
          return { more: r.more, nextInMs: r.nextInMs };
        },
        250,
        logger,
      ),
    );
    // Purple File call-back timers: claims the due ones every second (SKIP LOCKED, exactly once).
    loops.push(startLoop('purple-file-callbacks', () => services.duress.tickCallbacks(), 1000, logger));
  }
  // The audit trail's head, anchored outside the database every minute and at shutdown (log line,
  // and AUDIT_CHECKPOINT_FILE when set); `harbour audit verify` compares the chain with the file.
  const writeCheckpoint = buildCheckpointWriter({
    head: services.audit.head,
    file: config.auditCheckpoint.file,
    key: config.auditCheckpoint.key,
    log: (fields, message) => logger.info(fields, message),
  });
  const checkpoint = () =>
    writeCheckpoint().catch((err: unknown) => logger.error({ err }, 'audit checkpoint not written'));
  await checkpoint();
  const checkpointTimer = setInterval(() => void checkpoint(), 60_000);
  checkpointTimer.unref();
  const app = await buildApp(services, {
    logger,
    cookieSecure: config.cookieSecure,
    signInRateLimit: config.signInRateLimit,
    oidc: config.oidc,
    publicBaseUrl: config.notifications.publicBaseUrl,
    requireAdminTwoFactor: config.production && !config.oidc?.only,
    trustProxy: config.trustProxy,
    monitoring: config.monitoring,
    health: async () => ({
      status: 'ok',
      database: database.kind,
      migration: await currentVersion(database),
      jobs: jobs ? 'running' : 'off',
      channels,
    }),
  });
  if (config.benchBareRoute) {
    // The baseline for the check-in benchmark: no authentication, no validation, one INSERT.
    app.post('/api/bench/bare', { schema: { hide: true } }, async (_request, reply) => {
      await database.db.insertInto('timeline_events').values({ type: 'bench', text: 'bare' }).execute();
      return reply.code(201).send({ ok: true });
    });
  }
  const address = await app.listen({ port: config.port, host: config.host });

  let stopping: Promise<void> | null = null;
  return {
    app,
    database,
    services,
    jobs,
    logger,
    loops,
    url: address.replace('0.0.0.0', 'localhost').replace('[::]', 'localhost'),
    stop() {
      // Order matters: stop taking requests, let running jobs finish, then close the database
      // (PGlite must be closed cleanly or its data directory needs recovery on next start).
      stopping ??= (async () => {
        await app.close();
        await Promise.all(loops.map((l) => l.stop()));
        await notifications?.stop();
        await jobs?.stop();
        clearInterval(checkpointTimer);
        await checkpoint();
        await database.close();
      })();
      return stopping;
    },
  };
}
