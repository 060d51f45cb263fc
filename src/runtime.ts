import pino, { type Logger } from 'pino';
import type { FastifyInstance } from 'fastify';
import type { Config } from './config.ts';
import { openDatabase, type Database } from './db/database.ts';
import { currentVersion, migrate } from './db/migrate.ts';
import { buildApp } from './app.ts';
import { buildRepositories, buildServices, type Services } from './composition.ts';
import { seedDemo } from './demo/seed.ts';
import { startJobs, type JobRunner } from './jobs/boss.ts';
import { startLoop, type Loop } from './jobs/loop.ts';
import { hostname } from 'node:os';
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
export async function startHarbour(config: Config, logger: Logger = pino({ level: config.logLevel })): Promise<Harbour> {
  const database = await openDatabase({ databaseUrl: config.databaseUrl, pgliteDataDir: config.pgliteDataDir });
  const applied = await migrate(database);
  if (applied.length) logger.info({ applied }, 'migrations applied');
  const repos = buildRepositories(database.db);
  if (config.seedDemo && (await seedDemo(database.db, repos.audit))) logger.info('demo council loaded');
  const loops: Loop[] = [];
  let notifications: NotificationWorkers | null = null;
  const channels = configuredChannels(config);
  const services = buildServices(repos, {
    sessionTtlHours: config.sessionTtlHours,
    apiTokenCacheMs: config.apiTokenCacheSeconds * 1000,
    instanceId: `${hostname()}:${process.pid}`,
    baseUrl: config.notifications.publicBaseUrl,
    registers: config.registers,
    channelPlan: channelPlan(channels),
    pushEnabled: channels.push,
    onSessionChange: () => loops[0]?.wake(),
  });
  const jobs = config.jobsEnabled ? await startJobs(database, services, logger) : null;
  if (config.jobsEnabled) {
    notifications = await startNotificationWorkers({ db: database.db, config, logger });
    // The escalation engine: claims due deadlines every 250 ms (at once while a burst lasts), and
    // wakes the dispatcher as soon as a step has queued messages.
    loops.push(startLoop('escalation', async () => {
      const r = await services.engine.tick();
      if (r.stepsFired) notifications?.wake();
      return { more: r.more };
    }, 250, logger));
  }
  const app = await buildApp(services, {
    logger,
    cookieSecure: config.cookieSecure,
    signInRateLimit: config.signInRateLimit,
    health: async () => ({ status: 'ok', database: database.kind, migration: await currentVersion(database), jobs: jobs ? 'running' : 'off' }),
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
    app, database, services, jobs, logger, loops,
    url: address.replace('0.0.0.0', 'localhost').replace('[::]', 'localhost'),
    stop() {
      // Order matters: stop taking requests, let running jobs finish, then close the database
      // (PGlite must be closed cleanly or its data directory needs recovery on next start).
      stopping ??= (async () => {
        await app.close();
        await Promise.all(loops.map((l) => l.stop()));
        await notifications?.stop();
        await jobs?.stop();
        await database.close();
      })();
      return stopping;
    },
  };
}
