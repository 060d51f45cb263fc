import { test } from 'node:test';
import assert from 'node:assert/strict';
import { navigationFor } from './navigation.ts';
import type { Actor } from '../features/auth/actor.ts';

const actor = (roles: Actor['roles'], staffId: number | null = 1): Actor => ({ accountId: 1, staffId, email: 'a@example.org', displayName: 'A', roles, ip: null, via: 'session' });

test('workers see their team but not admin', () => {
  const texts = navigationFor(actor(['worker']), '/').map((i) => i.text);
  assert.ok(texts.includes('My team'));
  assert.ok(!texts.includes('Admin'));
});

test('administrators see Admin, managers see Teams', () => {
  assert.ok(navigationFor(actor(['admin']), '/').some((i) => i.text === 'Admin'));
  assert.ok(navigationFor(actor(['team_manager']), '/').some((i) => i.text === 'Teams'));
});

test('the current section is marked active', () => {
  const nav = navigationFor(actor(['worker']), '/teams/3');
  assert.deepEqual(nav.filter((i) => i.active).map((i) => i.href), ['/teams']);
});

test('nobody signed in gets no navigation', () => {
  assert.deepEqual(navigationFor(null, '/'), []);
});
