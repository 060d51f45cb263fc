import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buddyProblem, lineManagerProblem, visibleTeamIds } from './rules.ts';

const person = { id: 1, teamId: 10, active: true };

test('a buddy from the same team is accepted', () => {
  assert.equal(buddyProblem(person, { id: 2, teamId: 10, active: true }), null);
});

test('clearing a buddy is allowed', () => {
  assert.equal(buddyProblem(person, null), null);
});

test('a buddy from another team, oneself, or a leaver is refused', () => {
  assert.match(buddyProblem(person, { id: 3, teamId: 11, active: true })!, /same team/);
  assert.match(buddyProblem(person, { ...person })!, /own buddy/);
  assert.match(buddyProblem(person, { id: 4, teamId: 10, active: false })!, /current member/);
  assert.match(buddyProblem({ ...person, teamId: null }, { id: 4, teamId: null, active: true })!, /team before/);
});

test('line manager loops are refused', () => {
  assert.match(lineManagerProblem(1, 1, new Set())!, /own line manager/);
  assert.match(lineManagerProblem(1, 5, new Set([5]))!, /reports to this person/);
  assert.equal(lineManagerProblem(1, 6, new Set([5])), null);
  assert.equal(lineManagerProblem(null, 6, new Set()), null);
});

test('visible teams are own, managed and reports’ teams', () => {
  const ids = visibleTeamIds({
    all: false,
    ownStaffId: 1,
    ownTeamId: 1,
    managedTeamIds: [2],
    reportTeamIds: [3, null, 2],
  });
  assert.deepEqual([...(ids as Set<number>)].sort(), [1, 2, 3]);
  assert.equal(
    visibleTeamIds({ all: true, ownStaffId: 1, ownTeamId: 1, managedTeamIds: [], reportTeamIds: [] }),
    'all',
  );
});
