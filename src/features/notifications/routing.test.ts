import { test } from 'node:test';
import assert from 'node:assert/strict';
import { channelPlan } from './routing.ts';

test('nothing configured: inbox only', () => {
  assert.deepEqual(channelPlan({ sms: false, email: false, push: false }), { channel: 'inbox', fallbacks: [] });
});

test('SMS first, then push, then email, then inbox', () => {
  assert.deepEqual(channelPlan({ sms: true, email: true, push: true }), {
    channel: 'sms',
    fallbacks: ['push', 'email', 'inbox'],
  });
  assert.deepEqual(channelPlan({ sms: false, email: true, push: false }), { channel: 'email', fallbacks: ['inbox'] });
});
