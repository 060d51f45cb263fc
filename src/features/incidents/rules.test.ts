import { test } from 'node:test';
import assert from 'node:assert/strict';
import { debriefProblem, debriefWindow, isSerious, meetingDeadline, riddor, seriousReasons } from './rules.ts';

const at = (iso: string) => new Date(iso);

test('the manager meets within 24 hours after physical contact or a significant threat', () => {
  assert.equal(
    meetingDeadline(at('2026-06-10T14:00:00Z'), ['physical_assault']).toISOString(),
    '2026-06-11T14:00:00.000Z',
  );
  assert.equal(
    meetingDeadline(at('2026-06-10T14:00:00Z'), ['verbal_abuse', 'threats']).toISOString(),
    '2026-06-11T14:00:00.000Z',
  );
  assert.equal(meetingDeadline(at('2026-06-10T14:00:00Z'), ['weapon']).toISOString(), '2026-06-11T14:00:00.000Z');
});

test('otherwise within 3 days, keeping the London hour across a clock change', () => {
  assert.equal(meetingDeadline(at('2026-06-10T14:00:00Z'), ['verbal_abuse']).toISOString(), '2026-06-13T14:00:00.000Z');
  // 27 March 2026 10:00 GMT; clocks go forward on 29 March, so 30 March 10:00 BST is 09:00Z.
  assert.equal(
    meetingDeadline(at('2026-03-27T10:00:00Z'), ['council_property_damage']).toISOString(),
    '2026-03-30T09:00:00.000Z',
  );
});

test('the Support Line debrief is between 48 hours and 2 weeks after the incident', () => {
  const incident = at('2026-06-10T14:00:00Z');
  const { earliest, latest } = debriefWindow(incident);
  assert.equal(earliest.toISOString(), '2026-06-12T14:00:00.000Z');
  assert.equal(latest.toISOString(), '2026-06-24T14:00:00.000Z');
  assert.equal(debriefProblem(incident, earliest), null);
  assert.equal(debriefProblem(incident, latest), null);
  assert.match(
    debriefProblem(incident, at('2026-06-12T13:59:00Z'))!,
    /at least 48 hours after the incident, so no sooner than 12 June 2026 at 3:00pm/,
  );
  assert.match(
    debriefProblem(incident, at('2026-06-24T14:01:00Z'))!,
    /no later than 2 weeks after the incident, so by 24 June 2026 at 3:00pm/,
  );
});

test('RIDDOR: a specified injury is notified without delay and reported within 10 days', () => {
  const r = riddor(at('2026-06-10T09:00:00Z'), {
    categories: ['physical_assault'],
    specifiedInjury: true,
    daysIncapacitated: 0,
  });
  assert.equal(r.reportable, true);
  assert.equal(r.kind, 'specified_injury');
  assert.equal(r.reportable && r.notifyWithoutDelay, true);
  assert.equal(r.reportable && r.reportBy, '2026-06-20');
});

test('RIDDOR: more than 7 days off, not counting the day, is reported within 15 days; 7 days is not', () => {
  const r = riddor(at('2026-06-10T09:00:00Z'), {
    categories: ['physical_assault'],
    specifiedInjury: false,
    daysIncapacitated: 8,
  });
  assert.equal(r.kind, 'over_seven_day');
  assert.equal(r.reportable && r.reportBy, '2026-06-25');
  assert.equal(r.reportable && r.notifyWithoutDelay, false);
  const seven = riddor(at('2026-06-10T09:00:00Z'), {
    categories: ['physical_assault'],
    specifiedInjury: false,
    daysIncapacitated: 7,
  });
  assert.equal(seven.reportable, false);
  assert.equal(seven.kind, 'over_three_day');
});

test('RIDDOR: more than 3 days is recorded, not reportable; 3 days or fewer is nothing', () => {
  assert.equal(
    riddor(at('2026-06-10T09:00:00Z'), { categories: ['restraint'], specifiedInjury: false, daysIncapacitated: 4 })
      .kind,
    'over_three_day',
  );
  assert.equal(
    riddor(at('2026-06-10T09:00:00Z'), { categories: ['restraint'], specifiedInjury: false, daysIncapacitated: 3 })
      .kind,
    'not_reportable',
  );
  assert.equal(
    riddor(at('2026-06-10T09:00:00Z'), {
      categories: ['physical_assault'],
      specifiedInjury: false,
      daysIncapacitated: null,
    }).reportable,
    false,
  );
});

test('RIDDOR: verbal abuse and threats are never reportable, whatever the injury or days off', () => {
  const r = riddor(at('2026-06-10T09:00:00Z'), {
    categories: ['verbal_abuse', 'threats'],
    specifiedInjury: true,
    daysIncapacitated: 30,
  });
  assert.equal(r.reportable, false);
  assert.equal(r.kind, 'not_physical');
  assert.match(r.explanation, /verbal abuse and threats are never reportable/);
});

test('serious by rule: assault with injury, weapon, RIDDOR, major incident, or marked by a manager', () => {
  const base = {
    categories: [] as string[],
    injured: false,
    riddorReportable: false,
    majorIncident: false,
    markedSerious: false,
  };
  assert.equal(isSerious(base), false);
  assert.equal(isSerious({ ...base, categories: ['verbal_abuse'], injured: true }), false);
  assert.deepEqual(seriousReasons({ ...base, categories: ['physical_assault'], injured: true }), [
    'An assault caused injury',
  ]);
  assert.equal(isSerious({ ...base, categories: ['physical_assault'] }), false);
  assert.deepEqual(seriousReasons({ ...base, categories: ['weapon'] }), ['A weapon was involved or suspected']);
  assert.equal(isSerious({ ...base, riddorReportable: true }), true);
  assert.equal(isSerious({ ...base, majorIncident: true }), true);
  assert.equal(isSerious({ ...base, markedSerious: true }), true);
});
