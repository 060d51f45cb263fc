import { test } from 'node:test';
import assert from 'node:assert/strict';
import { packProblem, reminderDue } from './rules.ts';
import { packForm, toFormValues, toPack } from './schema.ts';

const now = new Date('2026-11-23T10:00:00Z');

test('a pack is missing, stale after 12 months, or current', () => {
  assert.equal(packProblem(null, now), 'missing');
  assert.equal(packProblem(new Date('2025-11-22T10:00:00Z'), now), 'stale');
  assert.equal(packProblem(new Date('2025-11-24T10:00:00Z'), now), null);
});

test('a manager is reminded about a person at most every 30 days', () => {
  assert.equal(reminderDue(null, now), true);
  assert.equal(reminderDue(new Date('2026-11-01T10:00:00Z'), now), false);
  assert.equal(reminderDue(new Date('2026-10-24T10:00:00Z'), now), true);
});

test('the form needs a first contact with a number, and round-trips through the stored pack', () => {
  assert.equal(
    packForm.safeParse({ name: 'Chloe Davies', preferredContact: '1', contact1Name: 'Sam Davies' }).success,
    false,
  );
  const form = packForm.parse({
    name: 'Chloe Davies',
    'dob-day': '4',
    'dob-month': '7',
    'dob-year': '1990',
    carRegistration: 'ab12 cde',
    carColour: 'Blue',
    contact1Name: 'Sam Davies',
    contact1Mobile: '07700 900 123',
    preferredContact: '1',
    medication: 'Inhaler',
  });
  const pack = toPack(form);
  assert.equal(pack.dateOfBirth, '1990-07-04');
  assert.equal(pack.car.registration, 'AB12 CDE');
  assert.equal(pack.contacts.length, 1);
  const again = toPack(packForm.parse(toFormValues(pack)));
  assert.deepEqual(again, pack);
});

test('preferring a second contact needs one', () => {
  const r = packForm.safeParse({
    name: 'A B',
    contact1Name: 'C',
    contact1Mobile: '07700 900 123',
    preferredContact: '2',
  });
  assert.equal(r.success, false);
});
