import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  PRECAUTION_KEYS,
  addDays,
  amberProblems,
  endOfLondonDay,
  approvalProblem,
  explainRating,
  flagProblems,
  isHighRisk,
  isLive,
  isoDate,
  longDate,
  normaliseCaseId,
  normalisePostcode,
  outstandingPrecautions,
  precautionEntries,
  redProblems,
  reviewDateProblem,
  reviewDue,
  caseKey,
  jointPartnerProblem,
  lastDayOf,
  requiredPrecautions,
  startProblemsFor,
  type PrecautionRecord,
} from './rules.ts';
import { rateSession } from './rating.ts';

describe('warning flags', () => {
  test('postcodes are normalised to upper case with one space before the inward code', () => {
    assert.equal(normalisePostcode('tn231pl'), 'TN23 1PL');
    assert.equal(normalisePostcode('  TN23   1PL '), 'TN23 1PL');
    assert.equal(normalisePostcode('me10 4ah'), 'ME10 4AH');
    assert.equal(normalisePostcode('W1A0AX'), 'W1A 0AX');
    assert.equal(normalisePostcode(''), null);
    assert.equal(normalisePostcode(null), null);
    assert.equal(normalisePostcode(' not a postcode '), 'NOT A POSTCODE');
  });

  test('case ids compare without case or surrounding space', () => {
    assert.equal(normaliseCaseId(' lb/123 '), 'LB/123');
    assert.equal(normaliseCaseId('  '), null);
  });

  test('a flag is live until withdrawn or expired', () => {
    const now = new Date('2026-03-01T12:00:00Z');
    assert.equal(isLive({ withdrawn_at: null, expires_at: null }, now), true);
    assert.equal(isLive({ withdrawn_at: null, expires_at: new Date('2026-03-02T00:00:00Z') }, now), true);
    assert.equal(isLive({ withdrawn_at: null, expires_at: new Date('2026-03-01T11:59:59Z') }, now), false);
    assert.equal(isLive({ withdrawn_at: new Date('2026-02-01T00:00:00Z'), expires_at: null }, now), false);
  });

  test('violence, weapons and other high-risk factors are high risk; dogs are a hazard only', () => {
    assert.equal(isHighRisk('violence'), true);
    assert.equal(isHighRisk('weapons'), true);
    assert.equal(isHighRisk('other_high_risk'), true);
    assert.equal(isHighRisk('dogs'), false);
    assert.equal(isHighRisk('something new'), true, 'an unknown category errs on the side of caution');
  });

  test('a new flag names a case or a postcode, a whole case, and expires in the future', () => {
    const today = '2026-03-01';
    assert.deepEqual(
      flagProblems({ caseSystem: null, caseId: null, postcode: 'TN23 1PL', expiresOn: null }, today),
      [],
    );
    assert.deepEqual(
      flagProblems({ caseSystem: 'liberi', caseId: 'LB1', postcode: null, expiresOn: '2026-03-02' }, today),
      [],
    );
    assert.deepEqual(
      flagProblems({ caseSystem: null, caseId: null, postcode: null, expiresOn: null }, today).map((e) => e.field),
      ['postcode'],
    );
    assert.deepEqual(
      flagProblems({ caseSystem: null, caseId: 'LB1', postcode: null, expiresOn: null }, today).map((e) => e.field),
      ['caseSystem'],
    );
    assert.deepEqual(
      flagProblems({ caseSystem: 'ehm', caseId: null, postcode: 'TN23 1PL', expiresOn: null }, today).map(
        (e) => e.field,
      ),
      ['caseId'],
    );
    assert.deepEqual(
      flagProblems({ caseSystem: null, caseId: null, postcode: 'TN23 1PL', expiresOn: today }, today).map(
        (e) => e.field,
      ),
      ['expires-day'],
    );
  });
});

describe('rating with reasons', () => {
  test('a high-risk flag makes any visit RED and is named', () => {
    const r = explainRating('previously_known', [
      { category: 'violence', description: 'Threatened staff 2025', matchedBy: 'postcode' },
    ]);
    assert.equal(r.rating, 'RED');
    assert.ok(r.reasons[0]!.includes('at the postcode') && r.reasons[0]!.includes('Threatened staff 2025'));
    assert.ok(r.reasons.some((x) => x.includes('Previously known')));
  });

  test('a dogs flag is listed but does not change the light', () => {
    const r = explainRating('previously_known', [
      { category: 'dogs', description: 'Two large dogs', matchedBy: 'case' },
    ]);
    assert.equal(r.rating, 'GREEN');
    assert.ok(r.reasons[0]!.includes('a hazard to plan for'));
  });

  test('no referral type is treated as a new referral (AMBER)', () => {
    const r = explainRating(null, []);
    assert.equal(r.rating, 'AMBER');
    assert.deepEqual(r.reasons, ['No referral type recorded, so it is treated as a new referral']);
  });
});

describe('dates', () => {
  test('date boxes become an ISO date, or null when the date does not exist', () => {
    assert.equal(isoDate('7', '3', '2026'), '2026-03-07');
    assert.equal(isoDate('30', '2', '2026'), null);
    assert.equal(isoDate('x', '2', '2026'), null);
  });

  test('review date: today or later, within a year', () => {
    assert.equal(reviewDateProblem('2026-03-01', '2026-03-01'), null);
    assert.equal(reviewDateProblem('2026-02-28', '2026-03-01'), 'The review date must be today or in the future');
    assert.equal(reviewDateProblem('2027-03-01', '2026-03-01'), null);
    assert.equal(reviewDateProblem('2027-03-03', '2026-03-01'), 'The review date must be within a year');
  });

  test('due for review: overdue or within 30 days', () => {
    assert.equal(reviewDue('2026-02-01', '2026-03-01'), true);
    assert.equal(reviewDue('2026-03-31', '2026-03-01'), true);
    assert.equal(reviewDue('2026-04-01', '2026-03-01'), false);
    assert.equal(addDays('2026-03-28', 3), '2026-03-31');
    assert.equal(longDate('2026-03-07'), '7 March 2026');
    assert.equal(endOfLondonDay('2026-07-01').toISOString(), '2026-07-01T23:00:00.000Z', 'British Summer Time');
    assert.equal(endOfLondonDay('2026-01-01').toISOString(), '2026-01-02T00:00:00.000Z');
  });
});

describe('RED: assessment and a control', () => {
  const today = '2026-03-01';
  const base = { today, hasJointPartner: false, control: null } as const;

  test('nothing recorded: both an assessment and a control are needed', () => {
    const p = redProblems({ ...base, assessment: null });
    assert.equal(p.length, 2);
    assert.match(p[0]!, /individual risk assessment/);
    assert.match(
      p[1]!,
      /joint visit agreed by the line manager, a meeting in a council building, or the line manager’s approval/,
    );
  });

  test('an assessment alone is not enough; any one control completes it; a joint visit needs the partner and the manager', () => {
    const assessment = { reviewDate: '2026-06-01', countersigned: true };
    assert.equal(redProblems({ ...base, assessment }).length, 1);
    assert.deepEqual(redProblems({ ...base, assessment, control: 'council_building' }), []);
    assert.deepEqual(redProblems({ ...base, assessment, control: 'manager_approval' }), []);
    assert.deepEqual(
      redProblems({ ...base, assessment, atCouncilBuilding: true }),
      [],
      'an office session in a council building is already controlled',
    );
    assert.equal(
      redProblems({ ...base, assessment, control: 'joint_visit' }).length,
      1,
      'a joint visit counts only when a partner is set on the visit',
    );
    // The worker naming a partner is not enough: the partner confirms and the manager agrees.
    assert.deepEqual(redProblems({ ...base, assessment, hasJointPartner: true }), [
      'This visit is rated RED: the joint visit partner has not yet confirmed they are going',
      'This visit is rated RED: the line manager, or a manager above them, must agree to the joint visit',
    ]);
    assert.equal(redProblems({ ...base, assessment, hasJointPartner: true, partnerConfirmed: true }).length, 1);
    assert.deepEqual(
      redProblems({ ...base, assessment, hasJointPartner: true, partnerConfirmed: true, control: 'joint_visit' }),
      [],
    );
  });

  test('a RED assessment the worker recorded alone needs a manager’s countersignature', () => {
    assert.deepEqual(
      redProblems({
        ...base,
        assessment: { reviewDate: '2026-06-01', countersigned: false },
        control: 'council_building',
      }),
      [
        'This visit is rated RED: the risk assessment must be completed or countersigned by the worker’s line manager, or a manager above them',
      ],
    );
  });

  test('a joint partner is someone else, current, a field worker, in the same team', () => {
    const worker = { id: 1, teamId: 5 };
    const partner = { id: 2, active: true, teamId: 5, roles: ['worker'] };
    assert.equal(jointPartnerProblem(partner, worker), null);
    assert.equal(jointPartnerProblem({ ...partner, roles: ['team_manager', 'worker'] }, worker), null);
    assert.match(jointPartnerProblem({ ...partner, roles: ['admin'] }, worker)!, /field worker/);
    assert.match(jointPartnerProblem({ ...partner, roles: ['business_support'] }, worker)!, /field worker/);
    assert.match(jointPartnerProblem({ ...partner, roles: ['assistant_director'] }, worker)!, /field worker/);
    assert.match(jointPartnerProblem({ ...partner, teamId: 6 }, worker)!, /same team/);
    assert.match(jointPartnerProblem({ ...partner, active: false }, worker)!, /current/);
    assert.match(jointPartnerProblem({ ...partner, id: 1 }, worker)!, /someone else/);
    assert.match(jointPartnerProblem(null, worker)!, /Select a colleague/);
  });

  test('an assessment past its review date blocks again; on the review date it still counts', () => {
    assert.deepEqual(redProblems({ ...base, assessment: { reviewDate: today }, control: 'manager_approval' }), []);
    const p = redProblems({ ...base, assessment: { reviewDate: '2026-02-28' }, control: 'manager_approval' });
    assert.deepEqual(p, [
      'This visit is rated RED: the risk assessment was due for review on 28 February 2026; review it before the visit can start',
    ]);
  });

  test('only the line manager or someone above may approve; never the worker', () => {
    const chain = [20, 30, 40];
    assert.equal(approvalProblem(20, 10, chain), null);
    assert.equal(approvalProblem(40, 10, chain), null);
    assert.match(approvalProblem(10, 10, chain)!, /line manager/);
    assert.match(approvalProblem(99, 10, chain)!, /line manager/);
    assert.match(approvalProblem(null, 10, chain)!, /line manager/);
  });
});

describe('AMBER: precautions', () => {
  const all = (status: 'confirmed' | 'waived', reason: string | null = null) =>
    new Map<string, PrecautionRecord>(PRECAUTION_KEYS.map((k) => [k, { status, reason }]));

  test('every precaution must be confirmed or waived with a reason', () => {
    assert.equal(outstandingPrecautions(new Map()).length, PRECAUTION_KEYS.length);
    assert.deepEqual(amberProblems(all('confirmed')), []);
    const waived = all('waived', 'On foot today, no car');
    assert.equal(amberProblems(waived).length, 1, 'checking the records is never waived');
    waived.set('records_checked', { status: 'confirmed', reason: null });
    assert.deepEqual(amberProblems(waived), []);
    assert.equal(amberProblems(all('waived', 'On foot')).length, 1, 'a reason under 15 characters is no reason');
    assert.deepEqual(
      amberProblems(all('waived', '  ')),
      ['This visit is rated AMBER: confirm each precaution, or waive it with a reason, before it can start'],
      'a blank reason is no reason',
    );
    const some = all('confirmed');
    some.delete('buddy_informed');
    assert.deepEqual(outstandingPrecautions(some), ['buddy_informed']);
    assert.deepEqual(amberProblems(some), [
      'This visit is rated AMBER: still to confirm, or waive with a reason: “My buddy knows where I am going and when I am due back”',
    ]);
    some.delete('phone_ready');
    assert.match(amberProblems(some)[0]!, /“My buddy knows .*”; “My phone is charged/);
  });

  test('recording: answered ones are kept; a waiver without a reason is refused; nothing answered is refused', () => {
    const ok = precautionEntries([
      { key: 'buddy_informed', status: 'confirmed', reason: 'ignored' },
      { key: 'parked_for_exit', status: 'waived', reason: ' Going by bus today ' },
      { key: 'phone_ready', status: null, reason: null },
    ]);
    assert.deepEqual(ok.errors, []);
    assert.deepEqual(ok.entries, [
      { key: 'buddy_informed', status: 'confirmed', reason: null },
      { key: 'parked_for_exit', status: 'waived', reason: 'Going by bus today' },
    ]);
    const dot = precautionEntries([{ key: 'parked_for_exit', status: 'waived', reason: '.' }]);
    assert.match(dot.errors[0]!.message, /15 characters or more/);

    const bad = precautionEntries([
      { key: 'buddy_informed', status: 'confirmed', reason: null },
      { key: 'parked_for_exit', status: 'waived', reason: '' },
    ]);
    assert.deepEqual(
      bad.errors.map((e) => e.field),
      ['reason-parked_for_exit'],
    );
    assert.deepEqual(bad.entries, [], 'all or nothing');

    const none = precautionEntries([{ key: 'buddy_informed', status: null, reason: null }]);
    assert.deepEqual(
      none.errors.map((e) => e.field),
      ['status-records_checked'],
    );
  });

  test('start problems by rating: GREEN and unrated have none', () => {
    const red = { assessment: null, today: '2026-03-01', hasJointPartner: false, control: null };
    assert.deepEqual(startProblemsFor('GREEN', red, new Map()), []);
    assert.deepEqual(startProblemsFor(null, red, new Map()), []);
    assert.equal(startProblemsFor('RED', red, new Map()).length, 2);
    assert.equal(startProblemsFor('AMBER', red, new Map()).length, 1);
  });
});

describe('issue 21', () => {
  test('the canonical case key: every spelling of a case id is one key', () => {
    for (const v of ['AB 12345', 'AB12345', 'AB-12345', 'AB  12345', 'ab/12345', ' ab 12345 '])
      assert.equal(caseKey(v), 'AB12345', v);
    assert.equal(caseKey('LB 99 001'), 'LB99001');
    assert.equal(caseKey(' - '), null);
    assert.equal(caseKey(null), null);
  });

  test('a flag that stops at 00:00 on 11 December has its last day on 10 December (winter and summer)', () => {
    assert.equal(lastDayOf(endOfLondonDay('2026-12-10')), '2026-12-10');
    assert.equal(lastDayOf(endOfLondonDay('2026-07-10')), '2026-07-10');
    assert.equal(lastDayOf(null), null);
  });

  test('Appendix E’s AMBER actions cannot be waived', () => {
    assert.deepEqual(requiredPrecautions('new_referral'), ['records_checked', 'joint_visit_discussed']);
    assert.deepEqual(requiredPrecautions('agency_no_assessment'), ['records_checked']);
    const r = precautionEntries(
      [{ key: 'records_checked', status: 'waived', reason: 'A perfectly long reason' }],
      requiredPrecautions('agency_no_assessment'),
    );
    assert.deepEqual(
      r.errors.map((e) => e.field),
      ['status-records_checked'],
    );
    const waivedRequired = new Map<string, PrecautionRecord>(
      PRECAUTION_KEYS.map((k) => [k, { status: 'waived', reason: 'A perfectly long reason' }]),
    );
    assert.deepEqual(outstandingPrecautions(waivedRequired, requiredPrecautions('new_referral')), [
      'records_checked',
      'joint_visit_discussed',
    ]);
    const confirmed = new Map<string, PrecautionRecord>(
      PRECAUTION_KEYS.map((k) => [k, { status: 'confirmed', reason: null }]),
    );
    assert.equal(
      amberProblems(confirmed, { referralType: 'agency_no_assessment', control: null }).length,
      1,
      'an agency referral without an assessment meets in a council building',
    );
    assert.deepEqual(
      amberProblems(confirmed, { referralType: 'agency_no_assessment', control: 'council_building' }),
      [],
    );
  });

  test('other kinds of session are rated when they carry an address or case', () => {
    assert.equal(rateSession('office', { referralType: null, highRiskFlags: 1, hasPlace: true }), 'RED');
    assert.equal(rateSession('key_holder_callout', { referralType: null, highRiskFlags: 0, hasPlace: true }), 'GREEN');
    assert.equal(
      rateSession('home_working', { referralType: 'self_referral', highRiskFlags: 0, hasPlace: true }),
      'RED',
    );
    assert.equal(rateSession('building_lone_working', { referralType: null, highRiskFlags: 0, hasPlace: false }), null);
    assert.equal(
      rateSession('visit', { referralType: null, highRiskFlags: 0, hasPlace: false }),
      'AMBER',
      'a home visit is always rated',
    );
  });
});
