import { performance } from 'node:perf_hooks';
import pino from 'pino';
import { ConfigError, loadConfig } from './config.ts';
import { mkdirSync } from 'node:fs';
import type { Harbour } from './runtime.ts';
import { DataDirectoryLockedError, lockDataDirectory } from './db/data-dir-lock.ts';

const started = performance.now();
let config;
try {
  config = loadConfig();
} catch (e) {
  if (e instanceof ConfigError) {
    console.error(e.message);
    process.exit(78);
  }
  throw e;
}
const logger = pino({ level: config.logLevel });

/*
 * What happens to an error nobody handled (docs/architecture.md, "When things fail"):
 * - A rejected promise nobody awaited (unhandledRejection) is logged and Harbour carries on. Its
 *   work is lost, not corrupted: every alarm step lives in the database and is claimed again by the
 *   next engine pass, so stopping every alarm for one stray rejection would do more harm.
 * - An exception thrown with nobody to catch it (uncaughtException) leaves the process in a state
 *   nobody planned for. Harbour logs it, stops as cleanly as it can within 10 s and exits 70, and
 *   the supervisor (systemd, the container runtime; see the README) starts it again. The engine is
 *   built to survive exactly that: whatever was in flight is rolled back and done again, once.
 * - Database connection errors are neither: each connection has its own listener (db/database.ts).
 */
let harbour: Harbour | null = null;
process.on('unhandledRejection', (reason) => {
  logger.error({ err: reason }, 'unhandled promise rejection (carrying on)');
});
process.on('uncaughtException', (err) => {
  logger.fatal({ err }, 'uncaught exception: stopping so the supervisor can restart Harbour');
  const force = setTimeout(() => process.exit(70), 10_000);
  force.unref();
  void (harbour?.stop() ?? Promise.resolve()).finally(() => process.exit(70));
});

// An embedded database has one process: check that before loading the rest of Harbour, so a second
// `npm start` on the same directory is told at once, not after seconds of start-up.
let early: (() => void) | null = null;
try {
  if (!config.databaseUrl && !config.pgliteDataDir.includes('://')) {
    mkdirSync(config.pgliteDataDir, { recursive: true });
    early = lockDataDirectory(config.pgliteDataDir);
  }
  const { startHarbour } = await import('./runtime.ts');
  harbour = await startHarbour(config, logger);
} catch (e) {
  if (e instanceof DataDirectoryLockedError) {
    logger.fatal(e.message);
    console.error(e.message);
    process.exit(75);
  }
  throw e;
} finally {
  // The database now holds the lock itself (counted); it goes when the database closes.
  early?.();
}
logger.info(
  { url: harbour.url, database: harbour.database.kind, startupMs: Math.round(performance.now() - started) },
  `Harbour is running at ${harbour.url}`,
);

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    logger.info({ signal }, 'shutting down');
    const force = setTimeout(() => process.exit(1), 30_000);
    force.unref();
    harbour!.stop().then(
      () => process.exit(0),
      (err) => {
        logger.error({ err }, 'shutdown failed');
        process.exit(1);
      },
    );
  });
}
