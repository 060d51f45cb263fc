import {
  closeSync,
  mkdirSync,
  openSync,
  readFileSync,
  renameSync,
  rmdirSync,
  statSync,
  unlinkSync,
  writeSync,
} from 'node:fs';
import { hostname } from 'node:os';
import { join, resolve } from 'node:path';

/**
 * An exclusive lock on an embedded (PGlite) data directory: one process at a time.
 *
 * PGlite keeps the database in the process's memory and writes it back to the directory; a second
 * process on the same directory starts from a stale copy, hands out the same ids, and the last one to
 * write wins, so acknowledged writes vanish. The lock is a file created with O_EXCL that records the
 * holder's pid, host and process start time. A lock whose holder has died (SIGKILL, power loss) is
 * stale and is taken over; a pid reused by another program is told apart by its start time.
 */
export class DataDirectoryLockedError extends Error {}

interface Holder {
  pid: number;
  host: string;
  since: string;
  procStart: string | null;
}

const LOCK_FILE = 'harbour.lock';
/** A takeover is a few file operations; one older than this was abandoned by a process that died. */
const TAKEOVER_STALE_MS = 10_000;

/** Locks this process holds, counted, so the server can take the lock before it loads the rest of Harbour. */
const held = new Map<string, { count: number; release: () => void }>();

/**
 * Takes the lock (or throws DataDirectoryLockedError naming the holder); returns the release. Taking
 * it again in the same process counts up; the file goes when every holder has released it.
 */
export function lockDataDirectory(dataDir: string): () => void {
  const dir = resolve(dataDir);
  let mine = held.get(dir);
  if (!mine) {
    mine = { count: 0, release: acquire(dir) };
    held.set(dir, mine);
  }
  mine.count++;
  let released = false;
  return () => {
    if (released) return;
    released = true;
    if (--mine.count > 0) return;
    held.delete(dir);
    mine.release();
  };
}

function acquire(dir: string): () => void {
  const file = join(dir, LOCK_FILE);
  const me: Holder = {
    pid: process.pid,
    host: hostname(),
    since: new Date().toISOString(),
    procStart: processStart(process.pid),
  };
  for (let attempt = 0; attempt < 20; attempt++) {
    if (create(file, me)) return release(file, me);
    const holder = read(file);
    if (holder && isAlive(holder)) throw lockedError(dir, holder);
    if (!holder && ageMs(file) < 2000) {
      // Unreadable and new: its holder is still writing it.
      sleepSync(100);
      continue;
    }
    // Stale (or unreadable: a holder killed while writing it). Only one process may take it over.
    takeOver(dir, file, holder);
  }
  throw new DataDirectoryLockedError(
    `Could not lock the embedded database directory ${dir}: another process keeps taking it. Is a second Harbour starting?`,
  );
}

function create(file: string, me: Holder): boolean {
  let fd: number;
  try {
    fd = openSync(file, 'wx', 0o600);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw e;
  }
  try {
    writeSync(fd, JSON.stringify(me));
  } finally {
    closeSync(fd);
  }
  return true;
}

function read(file: string): Holder | null {
  try {
    const h = JSON.parse(readFileSync(file, 'utf8')) as Partial<Holder>;
    return typeof h.pid === 'number' && typeof h.host === 'string'
      ? { pid: h.pid, host: h.host, since: String(h.since ?? ''), procStart: h.procStart ?? null }
      : null;
  } catch {
    return null;
  }
}

function isAlive(holder: Holder): boolean {
  // Another machine's process (a shared volume) cannot be checked from here: assume it lives.
  if (holder.host !== hostname()) return true;
  // Our own pid, but this process does not hold it (see `held`): left by an earlier process with the
  // same pid, as in a container restarted where Harbour is always pid 1.
  if (holder.pid === process.pid) return false;
  try {
    process.kill(holder.pid, 0);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  const start = processStart(holder.pid);
  return holder.procStart === null || start === null || start === holder.procStart;
}

/**
 * Removes a stale lock so that `create` can be tried again. A directory made with mkdir (atomic)
 * guards the takeover, so two processes that both found the lock stale cannot both remove it: the
 * second would remove the first one's new, live lock.
 */
function takeOver(dir: string, file: string, stale: Holder | null) {
  const guard = join(dir, `${LOCK_FILE}.takeover`);
  try {
    mkdirSync(guard);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    try {
      if (Date.now() - statSync(guard).mtimeMs > TAKEOVER_STALE_MS) rmdirSync(guard);
    } catch {
      /* someone else removed it */
    }
    sleepSync(50);
    return;
  }
  try {
    // Still the same stale holder? (Another process may have finished a takeover meanwhile.)
    const now = read(file);
    if (now && isAlive(now)) return;
    if (JSON.stringify(now) !== JSON.stringify(stale)) return;
    try {
      renameSync(file, join(dir, `${LOCK_FILE}.stale`));
      unlinkSync(join(dir, `${LOCK_FILE}.stale`));
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
    }
  } finally {
    rmdirSync(guard);
  }
}

function release(file: string, me: Holder): () => void {
  let released = false;
  return () => {
    if (released) return;
    released = true;
    const holder = read(file);
    if (holder && holder.pid === me.pid && holder.since === me.since) {
      try {
        unlinkSync(file);
      } catch {
        /* already gone */
      }
    }
  };
}

function lockedError(dir: string, holder: Holder): DataDirectoryLockedError {
  const where = holder.host === hostname() ? `process ${holder.pid}` : `process ${holder.pid} on ${holder.host}`;
  return new DataDirectoryLockedError(
    `The embedded database in ${dir} is in use by ${where} (since ${holder.since}). ` +
      'Only one Harbour process may use an embedded database: stop the other one, set PGLITE_DATA_DIR to another ' +
      'directory, or use PostgreSQL (DATABASE_URL) to run several instances.' +
      (holder.host === hostname() ? '' : ` If that host is gone for good, delete ${join(dir, LOCK_FILE)}.`),
  );
}

/** The process's start time in clock ticks since boot (Linux), to tell a reused pid apart. */
function processStart(pid: number): string | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Field 22; the command name (field 2) is in parentheses and may hold spaces.
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19] ?? null;
  } catch {
    return null;
  }
}

function ageMs(file: string): number {
  try {
    return Date.now() - statSync(file).mtimeMs;
  } catch {
    return Infinity;
  }
}

function sleepSync(ms: number) {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}
