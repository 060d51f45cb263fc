import { test } from 'node:test';
import assert from 'node:assert/strict';
import { declarationYear, formatPounds, giftProblems, isSeniorOfficer, parsePounds, publishable, remindersDue } from './rules.ts';

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
  assert.deepEqual(remindersDue(at('2027-01-19T09:00:00Z'), { sent, hasManager: true }, schedule), ['reminder', 'escalation']);
  const after = [...sent, { kind: 'escalation' as const, sentAt: at('2027-01-19T09:00:00Z') }, { kind: 'reminder' as const, sentAt: at('2027-01-19T09:00:00Z') }];
  assert.deepEqual(remindersDue(at('2027-01-26T09:00:00Z'), { sent: after, hasManager: true }, schedule), ['reminder'], 'escalation is sent once');
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

test('gift rules: returned needs a refusal letter; hospitality accepted needs advance authorisation; legacies refused', () => {
  assert.deepEqual(giftProblems({ kind: 'gift', response: 'returned', refusalLetter: null, authorisedInAdvance: false }).map((e) => e.field), ['refusalLetter']);
  assert.deepEqual(giftProblems({ kind: 'hospitality', response: 'accepted', refusalLetter: null, authorisedInAdvance: false }).map((e) => e.field), ['authorisedInAdvance']);
  assert.deepEqual(giftProblems({ kind: 'hospitality', response: 'refused', refusalLetter: null, authorisedInAdvance: false }), []);
  assert.deepEqual(giftProblems({ kind: 'legacy', response: 'accepted', refusalLetter: null, authorisedInAdvance: false }).map((e) => e.field), ['response']);
});

test('published register: senior officers, gifts and hospitality, at or above the threshold, decided', () => {
  const e = { job_role: 'service_manager', kind: 'gift', value_pence: 5000, status: 'approved' };
  assert.equal(publishable(e, 5000), true);
  assert.equal(publishable({ ...e, value_pence: 4999 }, 5000), false);
  assert.equal(publishable({ ...e, job_role: 'social_worker' }, 0), false);
  assert.equal(publishable({ ...e, kind: 'legacy' }, 0), false);
  assert.equal(publishable({ ...e, status: 'pending' }, 0), false);
});

test('senior managers are service managers and assistant directors', () => {
  assert.equal(isSeniorOfficer('service_manager'), true);
  assert.equal(isSeniorOfficer('assistant_director'), true);
  assert.equal(isSeniorOfficer('team_manager'), false);
  assert.equal(isSeniorOfficer('social_worker'), false);
});
