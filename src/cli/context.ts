import { loadConfig } from '../config.ts';
import { openDatabase } from '../db/database.ts';
import { migrate } from '../db/migrate.ts';
import { buildRepositories, buildServices } from '../composition.ts';

/** What a command works with: the configuration, the migrated database, its repositories and services. */
export type CliContext = Awaited<ReturnType<typeof open>>;

/** Opens the database for one command and closes it afterwards, whether the command succeeds or fails. */
export async function withServices<T>(fn: (ctx: CliContext) => Promise<T>): Promise<T> {
  const ctx = await open();
  try {
    return await fn(ctx);
  } finally {
    await ctx.database.close();
  }
}

async function open() {
  const config = loadConfig();
  const database = await openDatabase({ databaseUrl: config.databaseUrl, pgliteDataDir: config.pgliteDataDir });
  await migrate(database);
  const repos = buildRepositories(database.db);
  return {
    database,
    repos,
    config,
    services: buildServices(repos, {
      sessionTtlHours: config.sessionTtlHours,
      emergency: config.emergency,
      foi: config.foi,
      retention: config.retention,
    }),
  };
}

/** Thrown by fail(): unwinds to the end of cli.ts, closing the database on the way. */
export class Failed extends Error {}

/**
 * Prints the message and ends the command with exit code 1. It does not call process.exit() here:
 * writes to a pipe can still be queued, and exiting at once cut a long list of import problems
 * short. The end of cli.ts exits once stderr has written everything.
 */
export function fail(message: string): never {
  console.error(message);
  throw new Failed(message);
}
