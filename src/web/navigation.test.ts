import { test } from 'node:test';
import assert from 'node:assert/strict';
import { menuFor, navigationFor } from './navigation.ts';
import type { Actor } from '../features/auth/actor.ts';

const actor = (roles: Actor['roles'], staffId: number | null = 1): Actor => ({
  accountId: 1,
  staffId,
  email: 'a@example.org',
  displayName: 'A',
  roles,
  ip: null,
  via: 'session',
});

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
  assert.deepEqual(
    nav.filter((i) => i.active).map((i) => i.href),
    ['/teams'],
  );
});

test('the navigation stays short: the rest is under More, and the menu lists everything once', () => {
  const manager = actor(['team_manager', 'worker']);
  const nav = navigationFor(manager, '/');
  assert.ok(nav.length <= 10, `${nav.length} items`);
  assert.equal(nav.at(-1)!.href, '/menu');
  const menu = menuFor(manager).flatMap((g) => g.items.map((i) => i.href));
  assert.equal(new Set(menu).size, menu.length, 'no page twice');
  for (const item of nav.filter((i) => i.href !== '/' && i.href !== '/menu'))
    assert.ok(menu.includes(item.href), item.href);
  for (const href of ['/registers', '/lockdowns', '/emergency-pack', '/people'])
    assert.ok(menu.includes(href) && !nav.some((i) => i.href === href), href);
});

test('a page found under More marks More as the current section', () => {
  const nav = navigationFor(actor(['worker']), '/registers/gifts');
  assert.deepEqual(
    nav.filter((i) => i.active).map((i) => i.href),
    ['/menu'],
  );
});

test('complaints staff see complaints; health and safety do not', () => {
  const texts = (roles: Actor['roles']) => menuFor(actor(roles, null)).flatMap((g) => g.items.map((i) => i.text));
  assert.ok(texts(['complaints_officer']).includes('Complaints'));
  assert.ok(!texts(['health_and_safety_officer']).includes('Complaints'));
});

test('nobody signed in gets no navigation', () => {
  assert.deepEqual(navigationFor(null, '/'), []);
});

test('the Purple File screen is one click away for business support, managers and duty staff, not workers', () => {
  for (const role of [
    'business_support',
    'team_manager',
    'service_manager',
    'assistant_director',
    'duty_officer',
  ] as const) {
    assert.ok(
      navigationFor(actor([role]), '/').some((i) => i.href === '/purple-file'),
      role,
    );
  }
  assert.ok(!navigationFor(actor(['worker']), '/').some((i) => i.href === '/purple-file'));
  assert.ok(
    !navigationFor(actor(['team_manager'], null), '/').some((i) => i.href === '/purple-file'),
    'needs a staff record to be alerted',
  );
});
