import { test } from 'node:test';
import assert from 'node:assert/strict';
import { groupWriter } from './dispatcher.ts';

test('outcomes that arrive while a batch is being written go together in the next write', async () => {
  const writes: number[][] = [];
  let release: () => void = () => {};
  const w = groupWriter(
    async (batch: number[]) => {
      writes.push(batch);
      if (writes.length === 1)
        await new Promise<void>((r) => {
          release = r;
        });
      return new Set(batch.filter((n) => n % 2 === 0));
    },
    (n, held) => held.has(n),
  );
  const first = w.record(0);
  const rest = [1, 2, 3, 4].map((n) => w.record(n));
  await new Promise((r) => setImmediate(r));
  assert.deepEqual(writes, [[0]], 'the first goes at once, the others wait for it');
  release();
  assert.deepEqual(await Promise.all([first, ...rest]), [true, false, true, false, true]);
  assert.deepEqual(writes, [[0], [1, 2, 3, 4]], 'one write for the four that waited');
});

test('one item that cannot be written fails only itself', async () => {
  const w = groupWriter(
    async (batch: number[]) => {
      if (batch.includes(13)) throw new Error('bad row');
      return batch.length;
    },
    () => 'ok',
  );
  const hold = w.record(1);
  const results = await Promise.allSettled([hold, w.record(2), w.record(13), w.record(4)]);
  assert.deepEqual(
    results.map((r) => r.status),
    ['fulfilled', 'fulfilled', 'rejected', 'fulfilled'],
  );
});
