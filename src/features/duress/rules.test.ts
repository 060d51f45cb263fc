import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULT_POLICIES } from '../alerts/policy.ts';
import {
  answersText,
  carriedText,
  duressSteps,
  needs999,
  nextQuestion,
  packReasonProblem,
  pinProblem,
  weaponMentioned,
} from './rules.ts';

const at = '2026-03-02T10:15:00.000Z';

test('"Dial 999 now" on any unanswered question, or when they need the police', () => {
  assert.equal(needs999({}), false);
  assert.equal(needs999({ at_address: { answer: 'yes', at }, in_danger: { answer: 'no', at } }), false);
  assert.equal(needs999({ in_danger: { answer: 'no_answer', at } }), true);
  assert.equal(needs999({ need_police: { answer: 'yes', at } }), true);
});

test('the script goes question by question, in the Appendix B order', () => {
  assert.equal(nextQuestion({}), 'at_address');
  assert.equal(nextQuestion({ at_address: { answer: 'yes', at } }), 'in_danger');
  assert.equal(
    nextQuestion(
      Object.fromEntries(
        ['at_address', 'in_danger', 'need_police', 'weapon', 'need_staff', 'call_back'].map((k) => [
          k,
          { answer: 'no' as const, at },
        ]),
      ),
    ),
    null,
  );
  assert.equal(weaponMentioned({ weapon: { answer: 'yes', at } }), 'Yes: a weapon was mentioned');
  assert.equal(weaponMentioned({}), 'Not asked yet');
  assert.deepEqual(
    answersText({ weapon: { answer: 'no_answer', at } }, null, () => '10:15'),
    ['Is there a weapon? No answer (10:15)'],
  );
});

test('PINs are 4 to 8 digits', () => {
  for (const ok of ['1234', '12345678']) assert.equal(pinProblem(ok), null);
  for (const bad of ['123', '123456789', '12a4', '']) assert.ok(pinProblem(bad));
});

test('the duress policy never messages the worker, starts at once and carries the case and location', () => {
  const steps = duressSteps(DEFAULT_POLICIES.duress, carriedText('Liberi C123', { lat: 51.1, lng: 0.87 }));
  assert.deepEqual(steps[0]!.targets, ['buddy', 'line_manager', 'business_support']);
  assert.match(steps[0]!.instruction!, /^Case: Liberi C123\. Device location: 51\.10000, 0\.87000\. Call 999 now/);
  const custom = duressSteps(
    [
      { key: 'w', label: 'Worker', targets: ['worker'], delaySeconds: 60 },
      { key: 'm', label: 'Manager', targets: ['worker', 'line_manager'], delaySeconds: 120 },
    ],
    null,
  );
  assert.deepEqual(
    custom.map((s) => [s.targets, s.delaySeconds]),
    [[['line_manager'], 0]],
  );
  assert.deepEqual(
    duressSteps([{ key: 'w', label: 'Worker', targets: ['worker'], delaySeconds: 0 }], null)[0]!.targets,
    ['buddy', 'line_manager', 'business_support'],
    'never an empty policy',
  );
  assert.equal(carriedText(null, null), null);
});

test('opening the emergency pack on a call needs a real reason, not a placeholder', () => {
  assert.match(packReasonProblem('') ?? '', /Enter why/);
  assert.match(packReasonProblem('   ') ?? '', /Enter why/);
  assert.match(packReasonProblem('pack') ?? '', /own words/);
  assert.match(packReasonProblem('Purple File call: police information pack') ?? '', /own words/);
  assert.equal(packReasonProblem('Police asked for her car'), null);
});
