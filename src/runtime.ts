import pino, { type Logger } from 'pino';
import type { FastifyInstance } from 'fastify';
import type { Config } from './config.ts';
import { openDatabase, type Database } from './db/database.ts';
import { currentVersion, migrate } from './db/migrate.ts';
import { buildApp } from './app.ts';
import { buildRepositories, buildServices, type Services } from './composition.ts';
import { seedDemo } from './demo/seed.ts';
import { startJobs, type JobRunner } from './jobs/boss.ts';

export interface Harbour {
  app: FastifyInstance;
  database: Database;
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
  const services = buildServices(repos, { sessionTtlHours: config.sessionTtlHours });
  const jobs = config.jobsEnabled ? await startJobs(database, services, logger) : null;
  const app = await buildApp(services, {
    logger,
    cookieSecure: config.cookieSecure,
    signInRateLimit: config.signInRateLimit,
    health: async () => ({ status: 'ok', database: database.kind, migration: await currentVersion(database), jobs: jobs ? 'running' : 'off' }),
  });
  const address = await app.listen({ port: config.port, host: config.host });

  let stopping: Promise<void> | null = null;
  return {
    app, database, services, jobs, logger,
    url: address.replace('0.0.0.0', 'localhost').replace('[::]', 'localhost'),
    stop() {
      // Order matters: stop taking requests, let running jobs finish, then close the database
      // (PGlite must be closed cleanly or its data directory needs recovery on next start).
      stopping ??= (async () => {
        await app.close();
        await jobs?.stop();
        await database.close();
      })();
      return stopping;
    },
  };
}
