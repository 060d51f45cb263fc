import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  declarationYear,
  formatPounds,
  giftProblems,
  isConfidential,
  isLate,
  isSeniorOfficer,
  lectureFeeKept,
  needsOverride,
  parsePounds,
  publishable,
  publishedDecision,
  remindersDue,
  valueBand,
} from './rules.ts';

const schedule = { reminderIntervalDays: 7, escalateAfterDays: 14 };
const at = (iso: string) => new Date(iso);

test('no reminder yet: remind now, nothing to escalate', () => {
  assert.deepEqual(remindersDue(at('2027-01-05T09:00:00Z'), { sent: [], hasManager: true }, schedule), ['reminder']);
});

test('reminders repeat every interval, not before', () => {
  const sent = [{ kind: 'reminder' as const, sentAt: at('2027-01-05T09:00:00Z') }];
  assert.deepEqual(remindersDue(at('2027-01-11T09:00:00Z'), { sent, hasManager: true }, schedule), []);
  assert.deepEqual(remindersDue(at('2027-01-12T09:00:00Z'), { sent, hasManager: true }, schedule), ['reminder']);
});

test('escalates once to the manager after the set days from the first reminder', () => {
  const sent = [
    { kind: 'reminder' as const, sentAt: at('2027-01-05T09:00:00Z') },
    { kind: 'reminder' as const, sentAt: at('2027-01-12T09:00:00Z') },
  ];
  assert.deepEqual(remindersDue(at('2027-01-18T09:00:00Z'), { sent, hasManager: true }, schedule), []);
  assert.deepEqual(remindersDue(at('2027-01-19T09:00:00Z'), { sent, hasManager: true }, schedule), [
    'reminder',
    'escalation',
  ]);
  const after = [
    ...sent,
    { kind: 'escalation' as const, sentAt: at('2027-01-19T09:00:00Z') },
    { kind: 'reminder' as const, sentAt: at('2027-01-19T09:00:00Z') },
  ];
  assert.deepEqual(
    remindersDue(at('2027-01-26T09:00:00Z'), { sent: after, hasManager: true }, schedule),
    ['reminder'],
    'escalation is sent once',
  );
});

test('no manager: reminders only', () => {
  const sent = [{ kind: 'reminder' as const, sentAt: at('2027-01-01T09:00:00Z') }];
  assert.deepEqual(remindersDue(at('2027-02-01T09:00:00Z'), { sent, hasManager: false }, schedule), ['reminder']);
});

test('the declaration year is the London calendar year', () => {
  assert.equal(declarationYear(at('2026-12-31T23:30:00Z')), 2026);
  assert.equal(declarationYear(at('2027-06-30T23:30:00Z')), 2027);
});

test('pounds and pence', () => {
  assert.equal(parsePounds('£1,200'), 120000);
  assert.equal(parsePounds('12.5'), 1250);
  assert.equal(parsePounds('0'), 0);
  assert.equal(parsePounds('ten'), null);
  assert.equal(parsePounds('-5'), null);
  assert.equal(formatPounds(1250), '£12.50');
  assert.equal(formatPounds(120000), '£1,200');
});

test('gift rules: returned needs a refusal letter; hospitality needs its date and, accepted, the manager who authorised it in advance; legacies refused', () => {
  assert.deepEqual(
    giftProblems({ kind: 'gift', response: 'returned', refusalLetter: null }).map((e) => e.field),
    ['refusalLetter'],
  );
  assert.deepEqual(
    giftProblems({
      kind: 'hospitality',
      response: 'accepted',
      refusalLetter: null,
      eventOn: null,
      authorisedById: null,
    }).map((e) => e.field),
    ['eventOn-day', 'authorisedById'],
  );
  assert.deepEqual(
    giftProblems({
      kind: 'hospitality',
      response: 'accepted',
      refusalLetter: null,
      eventOn: '2027-05-01',
      authorisedById: 3,
    }),
    [],
  );
  assert.deepEqual(
    giftProblems({ kind: 'hospitality', response: 'refused', refusalLetter: null, eventOn: '2027-05-01' }),
    [],
  );
  assert.deepEqual(
    giftProblems({ kind: 'legacy', response: 'accepted', refusalLetter: null }).map((e) => e.field),
    ['response'],
  );
});

test('L.1: a gift accepted from a client (any value), or from a contractor or supplier above the threshold, needs a manager override', () => {
  const g = { kind: 'gift', response: 'accepted', giverType: 'client' as const, supplierId: null, valuePence: 500 };
  assert.equal(needsOverride(g, 2500), true, 'from a client, even small');
  assert.equal(needsOverride({ ...g, response: 'refused' }, 2500), false);
  assert.equal(needsOverride({ ...g, kind: 'hospitality' }, 2500), false);
  assert.equal(
    needsOverride({ ...g, giverType: 'contractor_supplier', valuePence: 2500 }, 2500),
    false,
    'at the threshold is not above it',
  );
  assert.equal(needsOverride({ ...g, giverType: 'contractor_supplier', valuePence: 2501 }, 2500), true);
  assert.equal(
    needsOverride({ ...g, giverType: 'organisation', supplierId: 4, valuePence: 9000 }, 2500),
    true,
    'linked to a supplier',
  );
  assert.equal(needsOverride({ ...g, giverType: 'organisation', valuePence: 9000 }, 2500), false);
  assert.equal(isLate('hospitality', '2027-05-01', '2027-05-02'), true);
  assert.equal(isLate('hospitality', '2027-05-01', '2027-05-01'), false);
  assert.equal(isLate('gift', '2027-05-01', '2027-06-01'), false);
});

test('published register: senior officers, gifts and hospitality, at or above the threshold, decided, never from a private person or a client', () => {
  const e = {
    job_role: 'service_manager',
    kind: 'gift',
    value_pence: 5000,
    status: 'approved',
    giver_type: 'organisation',
  };
  assert.equal(publishable(e, 5000), true);
  assert.equal(publishable({ ...e, value_pence: 4999 }, 5000), false);
  assert.equal(publishable({ ...e, job_role: 'social_worker' }, 0), false);
  assert.equal(publishable({ ...e, kind: 'legacy' }, 0), false);
  assert.equal(publishable({ ...e, status: 'pending' }, 0), false);
  assert.equal(publishable({ ...e, giver_type: 'private_individual' }, 0), false);
  assert.equal(publishable({ ...e, giver_type: 'client' }, 0), false);
  assert.equal(publishedDecision({ response: 'accepted', status: 'declined' }), 'Declined by manager');
  assert.equal(publishedDecision({ response: 'refused', status: 'approved' }), 'Refused');
  assert.equal(publishedDecision({ response: 'accepted', status: 'approved' }), 'Accepted');
  assert.deepEqual([9999, 10000, 49999, 50000].map(valueBand), [
    'Under £100',
    '£100 to £249',
    '£250 to £499',
    '£500 or more',
  ]);
});

test("G.6: lecture fees kept in full in one's own time, half in the council's", () => {
  assert.equal(lectureFeeKept(30001, false), 30001);
  assert.equal(lectureFeeKept(30001, true), 15000);
  assert.equal(isConfidential('bankruptcy'), true);
  assert.equal(isConfidential('financial'), false);
});

test('senior managers are service managers and assistant directors', () => {
  assert.equal(isSeniorOfficer('service_manager'), true);
  assert.equal(isSeniorOfficer('assistant_director'), true);
  assert.equal(isSeniorOfficer('team_manager'), false);
  assert.equal(isSeniorOfficer('social_worker'), false);
});
