import { test } from 'node:test';
import assert from 'node:assert/strict';
import { afterFailure, deliveryText, MAX_ATTEMPTS_PER_CHANNEL, retryDelayMs, shortError } from './rules.ts';

const now = new Date('2026-03-02T10:00:00Z');
const at = (ms: number) => new Date(now.getTime() + ms);

test('backoff: 5 seconds, then 30 seconds, then 2 minutes, and no longer', () => {
  assert.deepEqual([1, 2, 3, 4].map(retryDelayMs), [5_000, 30_000, 120_000, 120_000]);
  assert.equal(retryDelayMs(0), 5_000);
});

test('a failed attempt is retried on the same channel after the backoff', () => {
  const first = afterFailure({ channel: 'sms', fallbacks: ['email', 'inbox'], attempts: 0 }, false, now);
  assert.deepEqual(first, {
    kind: 'retry',
    channel: 'sms',
    fallbacks: ['email', 'inbox'],
    attempts: 1,
    delayMs: 5_000,
    nextAttemptAt: at(5_000),
  });
  const second = afterFailure({ channel: 'sms', fallbacks: ['email', 'inbox'], attempts: 1 }, false, now);
  assert.equal(second.kind, 'retry');
  assert.deepEqual(second.kind === 'retry' && second.nextAttemptAt, at(30_000));
});

test(`after ${MAX_ATTEMPTS_PER_CHANNEL} attempts the next channel is tried at once, with its attempts reset`, () => {
  const next = afterFailure(
    { channel: 'sms', fallbacks: ['email', 'inbox'], attempts: MAX_ATTEMPTS_PER_CHANNEL - 1 },
    false,
    now,
  );
  assert.deepEqual(next, { kind: 'fallback', channel: 'email', fallbacks: ['inbox'], attempts: 0, nextAttemptAt: now });
});

test('a permanent failure skips the retries', () => {
  assert.deepEqual(afterFailure({ channel: 'push', fallbacks: ['inbox'], attempts: 0 }, true, now), {
    kind: 'fallback',
    channel: 'inbox',
    fallbacks: [],
    attempts: 0,
    nextAttemptAt: now,
  });
});

test('nothing left to try: failed', () => {
  assert.deepEqual(afterFailure({ channel: 'email', fallbacks: [], attempts: 2 }, false, now), {
    kind: 'failed',
    channel: 'email',
    fallbacks: [],
    attempts: 3,
  });
  assert.deepEqual(afterFailure({ channel: 'email', fallbacks: [], attempts: 0 }, true, now), {
    kind: 'failed',
    channel: 'email',
    fallbacks: [],
    attempts: 1,
  });
});

test('timeline lines say what happened and what comes next', () => {
  assert.equal(deliveryText('sms', 'Ben Carter', { ok: true }), 'Text message to Ben Carter delivered');
  const fallback = afterFailure({ channel: 'sms', fallbacks: ['email'], attempts: 2 }, false, now);
  assert.equal(
    deliveryText('sms', 'Ben Carter', { ok: false, error: 'Notify answered 500', next: fallback }),
    'Text message to Ben Carter failed: Notify answered 500; trying email',
  );
  const retry = afterFailure({ channel: 'sms', fallbacks: ['email'], attempts: 0 }, false, now);
  assert.equal(
    deliveryText('sms', 'Ben Carter', { ok: false, error: 'timeout', next: retry }),
    'Text message to Ben Carter failed: timeout; trying again in 5 seconds',
  );
  const failed = afterFailure({ channel: 'email', fallbacks: [], attempts: 2 }, false, now);
  assert.match(
    deliveryText('email', 'Ben Carter', { ok: false, error: 'refused', next: failed }),
    /^Email to Ben Carter failed: refused; no other way/,
  );
});

test('provider errors are kept to one short line', () => {
  assert.equal(shortError('  a\n  b  '), 'a b');
  assert.equal(shortError('x'.repeat(500)).length, 300);
  assert.equal(shortError(''), 'unknown error');
});
