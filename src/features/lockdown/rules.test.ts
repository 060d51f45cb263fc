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

test('the all clear: runner, building manager, a key holder present; a senior manager elsewhere only with a reason', async () => {
  const { allClearAs, allClearProblems } = await import('./rules.ts');
  const none = { runner: false, buildingManager: false, keyHolderPresent: false, senior: false };
  assert.equal(allClearAs(none), null, 'a worker who did not start it');
  assert.equal(allClearAs({ ...none, runner: true, senior: true }), 'runner');
  assert.equal(allClearAs({ ...none, buildingManager: true }), 'building_manager');
  assert.equal(allClearAs({ ...none, keyHolderPresent: true }), 'key_holder');
  assert.equal(allClearAs({ ...none, senior: true }), 'remote_senior');
  assert.deepEqual(allClearProblems('runner', { policeAttended: 'no', policeAllClear: false, reason: null }), []);
  assert.deepEqual(
    allClearProblems('runner', { policeAttended: 'yes', policeAllClear: false, reason: null }).map((e) => e.field),
    ['policeAllClear'],
  );
  assert.deepEqual(
    allClearProblems('remote_senior', { policeAttended: 'yes', policeAllClear: false, reason: 'short' }).map(
      (e) => e.field,
    ),
    ['policeAllClear', 'reason'],
  );
  assert.deepEqual(
    allClearProblems('remote_senior', {
      policeAttended: 'yes',
      policeAllClear: true,
      reason: 'Building manager phoned: police have left',
    }),
    [],
  );
});
