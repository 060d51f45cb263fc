import { performance } from 'node:perf_hooks';
import pino from 'pino';
import { ConfigError, loadConfig } from './config.ts';
import { startHarbour } from './runtime.ts';

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
const harbour = await startHarbour(config, logger);
logger.info({ url: harbour.url, database: harbour.database.kind, startupMs: Math.round(performance.now() - started) }, `Harbour is running at ${harbour.url}`);

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    logger.info({ signal }, 'shutting down');
    const force = setTimeout(() => process.exit(1), 30_000);
    force.unref();
    harbour.stop().then(() => process.exit(0), (err) => {
      logger.error({ err }, 'shutdown failed');
      process.exit(1);
    });
  });
}
