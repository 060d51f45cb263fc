import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  addMonths,
  courseKey,
  courseStatus,
  dueSoon,
  expiryOf,
  lackingIn,
  personTraining,
  reminderDue,
  requiredFor,
  trainingStartProblems,
  LONE_WORKING_CATEGORIES,
  type CourseFacts,
  type GateFacts,
} from './rules.ts';

const course = (over: Partial<CourseFacts> = {}): CourseFacts => ({
  id: 1,
  name: 'E Learning Lone Working',
  category: 'lone_working',
  validity_months: 36,
  everyone: false,
  job_roles: [],
  team_ids: [],
  service_ids: [],
  key_holders: false,
  ...over,
});
const person = { jobRole: 'social_worker', teamId: 10, serviceId: 20, keyHolder: false };

test('course names match ignoring case, spaces and punctuation', () => {
  assert.equal(courseKey('KSCMP Personal Safety – Lone Worker'), courseKey('kscmp personal safety - lone worker'));
  assert.equal(courseKey('Team Teach basic (1 day)'), 'teamteachbasic1day');
  assert.notEqual(courseKey('Team Teach Level 2'), courseKey('Team Teach basic (1 day)'));
});

test('who needs a course: everyone, a job role, a team, a service, or key holders', () => {
  assert.equal(requiredFor(course(), person), false);
  assert.equal(requiredFor(course({ everyone: true }), person), true);
  assert.equal(requiredFor(course({ job_roles: ['social_worker'] }), person), true);
  assert.equal(requiredFor(course({ job_roles: ['youth_worker'] }), person), false);
  assert.equal(requiredFor(course({ team_ids: [10] }), person), true);
  assert.equal(requiredFor(course({ service_ids: [20] }), person), true);
  assert.equal(requiredFor(course({ key_holders: true }), person), false);
  assert.equal(requiredFor(course({ key_holders: true }), { ...person, keyHolder: true }), true);
  assert.equal(requiredFor(course({ team_ids: [10] }), { ...person, teamId: null }), false);
});

test('expiry: the record’s own date, else completed plus validity (month ends kept), else none', () => {
  assert.equal(expiryOf({ completed_on: '2025-03-10', expires_on: '2026-01-01' }, 36), '2026-01-01');
  assert.equal(expiryOf({ completed_on: '2025-03-10', expires_on: null }, 12), '2026-03-10');
  assert.equal(expiryOf({ completed_on: '2024-01-31', expires_on: null }, 1), '2024-02-29');
  assert.equal(expiryOf({ completed_on: '2025-03-10', expires_on: null }, null), null);
  assert.equal(addMonths('2023-02-28', 12), '2024-02-28');
});

test('currency: missing, current, expiring within 30 days, expired on the expiry date', () => {
  const today = '2026-06-15';
  assert.deepEqual(courseStatus([], 12, today), { state: 'missing', expiresOn: null, completedOn: null });
  assert.equal(courseStatus([{ completed_on: '2026-01-01', expires_on: null }], 12, today).state, 'current');
  assert.equal(courseStatus([{ completed_on: '2025-07-15', expires_on: null }], 12, today).state, 'expiring');
  assert.equal(courseStatus([{ completed_on: '2025-07-14', expires_on: null }], 12, today).state, 'expiring');
  assert.equal(courseStatus([{ completed_on: '2025-06-16', expires_on: null }], 12, today).state, 'expiring');
  assert.equal(courseStatus([{ completed_on: '2025-06-15', expires_on: null }], 12, today).state, 'expired');
  assert.equal(courseStatus([{ completed_on: '2025-06-14', expires_on: null }], 12, today).state, 'expired');
  assert.equal(courseStatus([{ completed_on: '2010-01-01', expires_on: null }], null, today).state, 'current');
  // A completion dated in the future does not count yet.
  assert.equal(courseStatus([{ completed_on: '2026-06-16', expires_on: null }], 12, today).state, 'missing');
  // The completion that lasts longest counts, whichever order they come in.
  const s = courseStatus(
    [
      { completed_on: '2026-01-01', expires_on: null },
      { completed_on: '2024-01-01', expires_on: null },
    ],
    12,
    today,
  );
  assert.deepEqual(s, { state: 'current', expiresOn: '2027-01-01', completedOn: '2026-01-01' });
  assert.equal(
    courseStatus(
      [
        { completed_on: '2024-01-01', expires_on: null },
        { completed_on: '2020-01-01', expires_on: '2030-01-01' },
      ],
      12,
      today,
    ).expiresOn,
    '2030-01-01',
  );
});

test('a person’s training: lacking, next expiry and outstanding refresher items', () => {
  const today = '2026-06-15';
  const lone = course({ id: 1, job_roles: ['social_worker'] });
  const safety = course({
    id: 2,
    name: 'KSCMP Personal Safety – Lone Worker',
    category: 'personal_safety',
    validity_months: 12,
    everyone: true,
  });
  const teach = course({ id: 3, name: 'Team Teach Level 2', category: 'physical_intervention', team_ids: [99] });
  const records = [
    { course_id: 1, completed_on: '2025-01-01', expires_on: null },
    { course_id: 2, completed_on: '2025-06-01', expires_on: null },
  ];
  const refresher = {
    id: 7,
    course_id: 1,
    course_name: lone.name,
    reason: 'Incident debrief',
    created_on: '2026-06-01',
    due_on: '2026-07-01',
  };
  const t = personTraining(person, [lone, safety, teach], records, [refresher], today);
  assert.deepEqual(
    t.required.map((r) => r.course.id),
    [1, 2],
  );
  assert.deepEqual(t.lacking, ['KSCMP Personal Safety – Lone Worker']);
  assert.equal(t.current, false);
  assert.equal(t.nextExpiry, '2028-01-01');
  assert.deepEqual(lackingIn(t, LONE_WORKING_CATEGORIES), ['KSCMP Personal Safety – Lone Worker']);
  assert.deepEqual(
    t.outstanding.map((d) => d.id),
    [7],
  );
  assert.deepEqual(
    dueSoon(t, today).map((d) => d.on),
    ['2026-06-01', '2026-07-01'],
  );
  // A completion on or after the day the refresher was advised clears it.
  const after = personTraining(
    person,
    [lone, safety],
    [
      ...records,
      { course_id: 1, completed_on: '2026-06-10', expires_on: null },
      { course_id: 2, completed_on: '2026-06-10', expires_on: null },
    ],
    [refresher],
    today,
  );
  assert.deepEqual(after.outstanding, []);
  assert.equal(after.current, true);
  assert.deepEqual(dueSoon(after, today), []);
});

test('reminders at most once a week', () => {
  const now = new Date('2026-06-15T09:00:00Z');
  assert.equal(reminderDue(null, now), true);
  assert.equal(reminderDue(new Date('2026-06-09T09:00:01Z'), now), false);
  assert.equal(reminderDue(new Date('2026-06-08T09:00:00Z'), now), true);
});

test('the gate: a team that requires training stops RED and AMBER lone visits without it, unless joint or approved', () => {
  const base: GateFacts = {
    kind: 'visit',
    rating: 'AMBER',
    policy: 'require',
    loneWorkingLacking: ['E Learning Lone Working'],
    keyHolderLacking: [],
    hasJointPartner: false,
    managerApproved: false,
    assessmentCurrent: false,
  };
  assert.equal(trainingStartProblems(base).length, 1);
  assert.match(trainingStartProblems(base)[0]!, /joint visit or the line manager’s approval/);
  assert.equal(trainingStartProblems({ ...base, rating: 'RED' }).length, 1);
  assert.deepEqual(trainingStartProblems({ ...base, rating: 'GREEN' }), []);
  assert.deepEqual(trainingStartProblems({ ...base, policy: 'warn' }), []);
  assert.deepEqual(trainingStartProblems({ ...base, loneWorkingLacking: [] }), []);
  assert.deepEqual(trainingStartProblems({ ...base, hasJointPartner: true }), []);
  assert.deepEqual(trainingStartProblems({ ...base, managerApproved: true }), []);
});

test('the gate: a key-holder call-out needs key-holder training and a risk assessment, whatever the policy', () => {
  const base: GateFacts = {
    kind: 'key_holder_callout',
    rating: null,
    policy: 'warn',
    loneWorkingLacking: ['x'],
    keyHolderLacking: ['Key holder training'],
    hasJointPartner: false,
    managerApproved: false,
    assessmentCurrent: false,
  };
  assert.equal(trainingStartProblems(base).length, 2);
  assert.equal(trainingStartProblems({ ...base, keyHolderLacking: [] }).length, 1);
  assert.deepEqual(trainingStartProblems({ ...base, keyHolderLacking: [], assessmentCurrent: true }), []);
  assert.deepEqual(trainingStartProblems({ ...base, kind: 'office' }), []);
});
