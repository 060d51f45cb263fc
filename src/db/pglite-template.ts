import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { PgBoss, type Db as IDatabase } from 'pg-boss';
import { openDatabase, type Database, type OpenOptions } from './database.ts';
import { listMigrations, migrate, type Migration } from './migrate.ts';

/*
 * A migrated PGlite data directory kept as a tarball: "the template". A new data directory starts
 * from it instead of running initdb, which is 5-10 s of WebAssembly on a small machine (unpacking the
 * template takes a fraction of a second), and then needs no migrations, nor pg-boss's first install.
 * `npm install` makes it (postinstall); a first start or a test run that finds none makes it then and
 * keeps it for the next time.
 *
 * Its name carries a hash of the PGlite and pg-boss versions and of every migration, so a template
 * made before a migration was added or changed is never used. `migrate` still runs after loading, as
 * on any start.
 */

const root = new URL('../../', import.meta.url);

/** Changes whenever a migration, the PGlite build or pg-boss does. */
export function templateKey(migrations: Migration[] = listMigrations()): string {
  const hash = createHash('sha256');
  for (const pkg of ['@electric-sql/pglite', 'pg-boss'])
    hash.update(JSON.parse(readFileSync(new URL(`node_modules/${pkg}/package.json`, root), 'utf8')).version as string);
  for (const m of migrations) hash.update(m.version).update(m.sql);
  return hash.digest('hex').slice(0, 16);
}

/** Where templates are kept: `PGLITE_TEMPLATE_DIR`, or node_modules/.cache/harbour (gone with node_modules, rebuilt by `npm install`). */
export function templateDir(): string {
  return process.env.PGLITE_TEMPLATE_DIR || fileURLToPath(new URL('node_modules/.cache/harbour/', root));
}

export function templateFile(key = templateKey(), dir = templateDir()): string {
  return join(dir, `pglite-migrated-${key}.tar`);
}

/** The template for these migrations, or undefined if there is none (or it cannot be read). */
export function readTemplate(file = templateFile()): Blob | undefined {
  try {
    return new Blob([readFileSync(file)]);
  } catch {
    return undefined;
  }
}

/**
 * Keeps a template: written to a unique name and renamed, so processes starting together never read
 * half a file. Templates for other migrations older than an hour are removed (45 MB each).
 */
export function saveTemplate(tar: Uint8Array, file = templateFile()): void {
  const dir = join(file, '..');
  mkdirSync(dir, { recursive: true });
  const partial = `${file}.${process.pid}.${randomBytes(4).toString('hex')}`;
  writeFileSync(partial, tar);
  renameSync(partial, file);
  for (const name of readdirSync(dir)) {
    const other = join(dir, name);
    if (other === file || !name.startsWith('pglite-migrated-')) continue;
    try {
      if (Date.now() - statSync(other).mtimeMs > 3_600_000) rmSync(other, { force: true });
    } catch {
      /* another process removed it */
    }
  }
}

/** Makes the template: initdb and every migration on a throwaway in-memory PGlite, dumped and kept. */
export async function buildTemplate(file = templateFile()): Promise<Blob> {
  const database = await openDatabase({ pgliteDataDir: 'memory://' });
  try {
    await migrate(database);
    // pg-boss's own tables, made as its first start makes them, so the server's first start need not.
    const boss = new PgBoss({ db: (database.boss as { db: IDatabase }).db, backend: 'pglite' });
    await boss.start();
    await boss.stop({ graceful: true, timeout: 5000, close: false });
    const dump = await database.dumpPgliteDataDir!();
    saveTemplate(new Uint8Array(await dump.arrayBuffer()), file);
    return dump;
  } finally {
    await database.close();
  }
}

/** The template for these migrations: the kept one, or a new one made now. */
export async function migratedTemplate(file = templateFile()): Promise<Blob> {
  return readTemplate(file) ?? buildTemplate(file);
}

/** True for a PGlite data directory holding no database yet (missing, empty, or only Harbour's lock). */
export function isNewDataDir(dataDir: string): boolean {
  if (dataDir.includes('://')) return false;
  return !existsSync(join(dataDir, 'PG_VERSION'));
}

export interface Opened {
  database: Database;
  /** Migrations this start applied. */
  applied: string[];
  /** PGlite only: how a new data directory was made: from the kept template, from one made now, or by initdb here (the template failed). */
  newDataDir?: 'template' | 'template-built' | 'initdb';
}

/**
 * Opens Harbour's database and brings it up to date: what the server does on every start. A new
 * PGlite data directory is filled from the migrated template; PostgreSQL, and a PGlite directory
 * that already holds a database, are opened and migrated as they always were.
 */
export async function openMigratedDatabase(
  options: OpenOptions,
  onTemplateError: (err: unknown) => void = () => {},
  template?: string,
): Promise<Opened> {
  const dataDir = options.pgliteDataDir ?? './data';
  let newDataDir: Opened['newDataDir'];
  if (!options.databaseUrl && !options.pgliteLoadDataDir && isNewDataDir(dataDir)) {
    try {
      const file = template ?? templateFile();
      const built = !existsSync(file);
      if (built) await buildTemplate(file);
      unpackTemplate(file, dataDir);
      newDataDir = built ? 'template-built' : 'template';
    } catch (err) {
      // A template that cannot be made or read: start as before, with initdb in the directory itself
      // (after removing whatever a half-written copy left there, keeping the lock).
      onTemplateError(err);
      clearDataDir(dataDir);
      newDataDir = 'initdb';
    }
  }
  const database = await openDatabase(options);
  return { database, applied: await migrate(database), ...(newDataDir ? { newDataDir } : {}) };
}

/**
 * Writes the template's files into an empty data directory with plain file writes: about ten times
 * less work than PGlite's own `loadDataDir`, which copies every file through its WebAssembly file
 * system. The template is a plain ustar archive of directories and files (PGlite's `dumpDataDir`);
 * anything else in it is refused, and so is any name that would leave the directory.
 */
export function unpackTemplate(file: string, dataDir: string): void {
  const tar = readFileSync(file);
  const text = (from: number, to: number) => tar.toString('latin1', from, to).replace(/\0.*$/s, '');
  mkdirSync(dataDir, { recursive: true });
  let offset = 0;
  let entries = 0;
  while (offset + 512 <= tar.length && tar[offset] !== 0) {
    const prefix = text(offset + 345, offset + 500);
    const name = (prefix ? `${prefix}/` : '') + text(offset, offset + 100);
    const size = parseInt(text(offset + 124, offset + 136).trim() || '0', 8);
    const type = String.fromCharCode(tar[offset + 156]!);
    const parts = name.split('/').filter((p) => p && p !== '.');
    if (!Number.isFinite(size) || parts.includes('..') || (type !== '0' && type !== '5' && type !== '\0'))
      throw new Error(`not a PGlite template: entry ${JSON.stringify(name)} of type ${JSON.stringify(type)}`);
    const target = join(dataDir, ...parts);
    if (type === '5') mkdirSync(target, { recursive: true, mode: 0o750 });
    else {
      mkdirSync(dirname(target), { recursive: true, mode: 0o750 });
      writeFileSync(target, tar.subarray(offset + 512, offset + 512 + size), { mode: 0o600 });
    }
    entries++;
    offset += 512 + Math.ceil(size / 512) * 512;
  }
  if (!existsSync(join(dataDir, 'PG_VERSION')))
    throw new Error(`not a PGlite template: no PG_VERSION among its ${entries} entries`);
}

function clearDataDir(dataDir: string) {
  if (!existsSync(dataDir)) return;
  for (const name of readdirSync(dataDir)) {
    if (!name.startsWith('harbour.lock')) rmSync(join(dataDir, name), { recursive: true, force: true });
  }
}

// `node --import tsx src/db/pglite-template.ts` (postinstall): makes the template if it is missing.
// Never fails the install: without a template the first start makes one.
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const started = performance.now();
  try {
    const file = templateFile();
    if (existsSync(file)) {
      console.log(`Harbour: the migrated database template is ready (${file})`);
    } else {
      await buildTemplate(file);
      console.log(
        `Harbour: made the migrated database template in ${Math.round(performance.now() - started)} ms (${file}), so the first start is quick`,
      );
    }
  } catch (err) {
    console.log(`Harbour: no migrated database template made (${String(err)}); the first start will make it`);
  }
}
