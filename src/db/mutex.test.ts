import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Mutex, MutexTimeoutError } from './mutex.ts';

test('mutex runs critical sections one at a time, in order', async () => {
  const mutex = new Mutex();
  const events: string[] = [];
  const section = (name: string, ms: number) =>
    mutex.run(async () => {
      events.push(`${name}:start`);
      await new Promise((r) => setTimeout(r, ms));
      events.push(`${name}:end`);
    });
  await Promise.all([section('a', 20), section('b', 1), section('c', 5)]);
  assert.deepEqual(events, ['a:start', 'a:end', 'b:start', 'b:end', 'c:start', 'c:end']);
});

test('mutex releases after a failure', async () => {
  const mutex = new Mutex();
  await assert.rejects(
    mutex.run(async () => {
      throw new Error('boom');
    }),
  );
  assert.equal(await mutex.run(async () => 42), 42);
});

test('a waiter that times out gets a clear error and does not block the queue', async () => {
  const mutex = new Mutex();
  const release = await mutex.acquire();
  await assert.rejects(
    mutex.acquire(20),
    (e: unknown) => e instanceof MutexTimeoutError && /transaction handle/.test((e as Error).message),
  );
  const later = mutex.acquire(1000);
  release();
  const releaseLater = await later;
  releaseLater();
  assert.equal(await mutex.run(async () => 7), 7);
});
