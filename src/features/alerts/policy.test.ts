import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULT_POLICIES, policySchema, stepOffsets } from './policy.ts';

test('default overdue route follows Appendix D: worker, buddy, line manager, service manager, AD', () => {
  assert.deepEqual(
    DEFAULT_POLICIES.overdue.map((s) => s.targets[0]),
    ['worker', 'buddy', 'line_manager', 'service_manager', 'assistant_director'],
  );
  assert.match(DEFAULT_POLICIES.overdue.at(-1)!.instruction!, /999/);
});

test('duress skips the worker and tells buddy, line manager and business support at once', () => {
  assert.deepEqual(DEFAULT_POLICIES.duress[0]!.targets, ['buddy', 'line_manager', 'business_support']);
  assert.equal(DEFAULT_POLICIES.duress[0]!.delaySeconds, 0);
  assert.ok(!DEFAULT_POLICIES.duress.some((s) => s.targets.includes('worker')));
});

test('step offsets are cumulative', () => {
  assert.deepEqual(stepOffsets(DEFAULT_POLICIES.overdue), [0, 300, 900, 1800, 2700]);
});

test('every default policy is valid; bad policies are refused with reasons', () => {
  for (const steps of Object.values(DEFAULT_POLICIES)) assert.ok(policySchema.safeParse(steps).success);
  const bad = policySchema.safeParse([{ key: 'x', label: '', targets: [], delaySeconds: -1 }]);
  assert.equal(bad.success, false);
  const messages = bad.error!.issues.map((i) => i.message);
  assert.ok(messages.includes('Enter a name for each step'));
  assert.ok(messages.includes('Choose who each step tells'));
  assert.ok(messages.includes('Delays cannot be negative'));
  assert.equal(policySchema.safeParse([]).success, false);
});
