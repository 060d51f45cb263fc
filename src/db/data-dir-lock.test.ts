import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataDirectoryLockedError, lockDataDirectory } from './data-dir-lock.ts';

const freshDir = () => mkdtempSync(join(tmpdir(), 'harbour-lock-'));

test('a directory held by another live process is refused, naming the directory and the holder', () => {
  const dir = freshDir();
  try {
    writeFileSync(
      join(dir, 'harbour.lock'),
      JSON.stringify({ pid: process.ppid, host: hostname(), since: '2026-12-05T09:00:00Z', procStart: null }),
    );
    assert.throws(
      () => lockDataDirectory(dir),
      (e: Error) =>
        e instanceof DataDirectoryLockedError &&
        e.message.includes(dir) &&
        e.message.includes(`process ${process.ppid}`),
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('within one process the lock is counted: the file goes when the last holder releases it', () => {
  const dir = freshDir();
  try {
    const early = lockDataDirectory(dir);
    const database = lockDataDirectory(dir);
    early();
    assert.equal(JSON.parse(readFileSync(join(dir, 'harbour.lock'), 'utf8')).pid, process.pid, 'still held');
    database();
    database();
    assert.equal(existsSync(join(dir, 'harbour.lock')), false, 'released');
    lockDataDirectory(dir)();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a lock left by a process that died is taken over', () => {
  const dir = freshDir();
  try {
    const dead = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))']);
    const pid = Number(dead.stdout.toString());
    writeFileSync(
      join(dir, 'harbour.lock'),
      JSON.stringify({ pid, host: hostname(), since: '2026-01-01T00:00:00Z', procStart: '1' }),
    );
    const release = lockDataDirectory(dir);
    assert.equal(JSON.parse(readFileSync(join(dir, 'harbour.lock'), 'utf8')).pid, process.pid);
    release();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a pid reused by another program (other start time) does not hold the lock; an unreadable old lock is stale', () => {
  const dir = freshDir();
  try {
    writeFileSync(
      join(dir, 'harbour.lock'),
      JSON.stringify({
        pid: process.ppid,
        host: hostname(),
        since: '2026-01-01T00:00:00Z',
        procStart: 'not-its-start',
      }),
    );
    lockDataDirectory(dir)();
    writeFileSync(join(dir, 'harbour.lock'), '{"pid":');
    const old = new Date(Date.now() - 60_000);
    // An unreadable lock is given 2 s for its writer to finish; this one is a minute old.
    spawnSync('touch', ['-d', old.toISOString(), join(dir, 'harbour.lock')]);
    lockDataDirectory(dir)();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("a lock with this process's own pid that this process does not hold is stale (a container restarted as pid 1)", () => {
  const dir = freshDir();
  try {
    writeFileSync(
      join(dir, 'harbour.lock'),
      JSON.stringify({ pid: process.pid, host: hostname(), since: '2026-01-01T00:00:00Z', procStart: null }),
    );
    lockDataDirectory(dir)();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a lock held on another host is never taken over from here', () => {
  const dir = freshDir();
  try {
    writeFileSync(
      join(dir, 'harbour.lock'),
      JSON.stringify({ pid: 1, host: 'elsewhere.example', since: '2026-01-01T00:00:00Z', procStart: null }),
    );
    assert.throws(() => lockDataDirectory(dir), /process 1 on elsewhere\.example/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
