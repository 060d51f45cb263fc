import { test } from 'node:test';
import assert from 'node:assert/strict';
import { alertText, STEPS } from './rules.ts';

test('the alert names the building and carries the steps for where the incident is', () => {
  const outside = alertText('Civic Centre', 'outside', null);
  assert.match(outside.subject, /LOCKDOWN at Civic Centre: incident outside/);
  assert.ok(outside.body.includes('lock the external doors'));
  const inside = alertText('Civic Centre', 'inside', 'Man with a knife in reception');
  assert.ok(inside.body.includes('safe place'));
  assert.ok(inside.body.includes('Man with a knife in reception'));
  assert.ok(!inside.body.includes('lock the external doors'));
  assert.equal(STEPS.inside.length, 5);
});
