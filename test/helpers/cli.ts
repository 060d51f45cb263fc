import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { openDatabase } from '../../src/db/database.ts';

const run = promisify(execFile);

/** Runs `harbour ...` as a user would, in its own process, with this environment. */
export async function runHarbour(
  env: NodeJS.ProcessEnv,
  ...args: string[]
): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, ['bin/harbour.mjs', ...args], { env, timeout: 60_000 });
    return { code: 0, stdout, stderr };
  } catch (e) {
    const err = e as { code: number; stdout: string; stderr: string };
    return { code: err.code, stdout: err.stdout, stderr: err.stderr };
  }
}

/** Opens the database the command-line process uses, for the length of `fn`. */
export async function withCliDatabase<T>(
  env: NodeJS.ProcessEnv,
  fn: (db: Awaited<ReturnType<typeof openDatabase>>) => Promise<T>,
) {
  const database = await openDatabase({ databaseUrl: env.DATABASE_URL, pgliteDataDir: env.PGLITE_DATA_DIR });
  try {
    return await fn(database);
  } finally {
    await database.close();
  }
}
