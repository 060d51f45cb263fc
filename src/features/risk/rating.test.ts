import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rateVisit } from './rating.ts';

test('Appendix E traffic lights', () => {
  assert.equal(rateVisit({ referralType: 'self_referral', highRiskFlags: 0 }), 'RED');
  assert.equal(rateVisit({ referralType: 'previously_known', highRiskFlags: 1 }), 'RED');
  assert.equal(rateVisit({ referralType: 'agency_no_assessment', highRiskFlags: 0 }), 'AMBER');
  assert.equal(rateVisit({ referralType: 'new_referral', highRiskFlags: 0 }), 'AMBER');
  assert.equal(rateVisit({ referralType: null, highRiskFlags: 0 }), 'AMBER');
  assert.equal(rateVisit({ referralType: 'previously_known', highRiskFlags: 0 }), 'GREEN');
  assert.equal(rateVisit({ referralType: 'agency_with_assessment', highRiskFlags: 0 }), 'GREEN');
});
