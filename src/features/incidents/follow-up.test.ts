import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  meetingReminderDue,
  flagReviewAlert,
  closeProblems,
  escalationTarget,
  meetingMissed,
  policeProblems,
  prosecuted,
  riddorAlertsDue,
  successfulProsecution,
  actionOverdue,
} from './rules.ts';
import { summarise, type StatsRow } from './stats.ts';
import { validateIncidentImport, INCIDENT_TEMPLATE, INCIDENT_COLUMNS } from './import.ts';
import { parseIncidentFlagForm, parsePoliceForm, parseRiddorForm, parseSeriousForm } from './follow-up-schema.ts';
import { parseStatsFilter } from './statistics-schema.ts';
import { derivedFacts } from './facts.ts';
import { ValidationError } from '../../errors.ts';

test('a missed meeting escalates to the next manager above the line manager; nobody above → null (health and safety)', () => {
  assert.equal(escalationTarget([{ id: 5 }, { id: 9 }, { id: 12 }]), 9);
  assert.equal(escalationTarget([{ id: 5 }]), null);
  assert.equal(escalationTarget([]), null);
});

test('a meeting is missed once its deadline passes with no meeting and no escalation yet, for open reports only', () => {
  const base = {
    status: 'open',
    meeting_due_at: new Date('2026-06-11T13:00:00Z'),
    meeting_held_at: null,
    meeting_escalated_at: null,
  };
  assert.equal(meetingMissed(base, new Date('2026-06-11T13:00:01Z')), true);
  assert.equal(meetingMissed(base, new Date('2026-06-11T12:59:59Z')), false);
  assert.equal(
    meetingMissed({ ...base, meeting_held_at: new Date('2026-06-11T10:00:00Z') }, new Date('2026-06-12T00:00:00Z')),
    false,
  );
  assert.equal(
    meetingMissed(
      { ...base, meeting_escalated_at: new Date('2026-06-11T14:00:00Z') },
      new Date('2026-06-12T00:00:00Z'),
    ),
    false,
  );
  assert.equal(meetingMissed({ ...base, status: 'awaiting_confirmation' }, new Date('2026-06-12T00:00:00Z')), false);
  assert.equal(meetingMissed({ ...base, status: 'closed' }, new Date('2026-06-12T00:00:00Z')), false);
});

test('RIDDOR alerts: a specified injury at once, then 3 days before, the day before, and overdue; each once; reported → none', () => {
  const spec = { kind: 'specified_injury', reportBy: '2026-06-20', reported: false };
  assert.deepEqual(riddorAlertsDue(spec, '2026-06-10', []), {
    send: 'riddor.notify_now',
    record: ['riddor.notify_now'],
  });
  assert.deepEqual(riddorAlertsDue(spec, '2026-06-12', ['riddor.notify_now']), { send: null, record: [] });
  assert.deepEqual(riddorAlertsDue(spec, '2026-06-17', ['riddor.notify_now']), {
    send: 'riddor.due_in_3_days',
    record: ['riddor.due_in_3_days'],
  });
  assert.deepEqual(riddorAlertsDue(spec, '2026-06-19', ['riddor.notify_now', 'riddor.due_in_3_days']), {
    send: 'riddor.due_tomorrow',
    record: ['riddor.due_tomorrow'],
  });
  assert.deepEqual(
    riddorAlertsDue(spec, '2026-06-20', ['riddor.notify_now', 'riddor.due_in_3_days', 'riddor.due_tomorrow']),
    { send: null, record: [] },
  );
  assert.deepEqual(
    riddorAlertsDue(spec, '2026-06-21', ['riddor.notify_now', 'riddor.due_in_3_days', 'riddor.due_tomorrow']),
    { send: 'riddor.overdue', record: ['riddor.overdue'] },
  );
  // First seen when already overdue: one message, the stale ones recorded with it.
  const seven = { kind: 'over_seven_day', reportBy: '2026-06-25', reported: false };
  assert.deepEqual(riddorAlertsDue(seven, '2026-06-10', []), { send: null, record: [] });
  assert.deepEqual(riddorAlertsDue(seven, '2026-06-27', []), {
    send: 'riddor.overdue',
    record: ['riddor.due_in_3_days', 'riddor.due_tomorrow', 'riddor.overdue'],
  });
  assert.deepEqual(riddorAlertsDue({ ...seven, reported: true }, '2026-06-27', []), { send: null, record: [] });
  assert.deepEqual(riddorAlertsDue({ kind: 'over_three_day', reportBy: null, reported: false }, '2026-06-27', []), {
    send: null,
    record: [],
  });
});

test('RIDDOR and serious are worked out from the facts: verbal abuse never reportable; >7 days reportable in 15; >3 recorded only', () => {
  const occurred_at = new Date('2026-06-10T13:00:00Z');
  const base = {
    occurred_at,
    injured: true,
    specified_injury: false,
    days_off: 0,
    major_incident: false,
    marked_serious: false,
  };
  assert.deepEqual(
    derivedFacts({ ...base, categories: ['verbal_abuse', 'threats'], specified_injury: true, days_off: 30 }),
    { riddor_kind: 'not_physical', riddor_report_by: null, serious: false },
  );
  assert.deepEqual(derivedFacts({ ...base, categories: ['physical_assault'], days_off: 8 }), {
    riddor_kind: 'over_seven_day',
    riddor_report_by: '2026-06-25',
    serious: true,
  });
  assert.deepEqual(derivedFacts({ ...base, categories: ['physical_assault'], injured: false, days_off: 4 }), {
    riddor_kind: 'over_three_day',
    riddor_report_by: null,
    serious: false,
  });
  assert.deepEqual(derivedFacts({ ...base, categories: ['physical_assault'], specified_injury: true }), {
    riddor_kind: 'specified_injury',
    riddor_report_by: '2026-06-20',
    serious: true,
  });
  assert.equal(derivedFacts({ ...base, categories: ['council_property_damage'], injured: false }).serious, false);
  assert.equal(
    derivedFacts({ ...base, categories: ['council_property_damage'], injured: false, marked_serious: true }).serious,
    true,
  );
  assert.equal(
    derivedFacts({ ...base, categories: ['verbal_abuse'], injured: false, major_incident: true }).serious,
    true,
  );
});

test('police: nothing recorded against "not reported"; a court outcome only after a charge; dates in range', () => {
  const p = {
    reported: true,
    reportedOn: '2026-06-10',
    crimeReference: 'KE/1/26',
    outcome: 'charged' as const,
    courtOutcome: 'convicted' as const,
    courtAttended: true,
  };
  assert.deepEqual(policeProblems(p, '2026-06-10', '2026-07-01'), []);
  assert.deepEqual(
    policeProblems({ ...p, reported: false }, '2026-06-10', '2026-07-01').map((e) => e.field),
    ['policeReported'],
  );
  assert.deepEqual(
    policeProblems({ ...p, outcome: 'caution' }, '2026-06-10', '2026-07-01').map((e) => e.field),
    ['courtOutcome'],
  );
  assert.deepEqual(
    policeProblems({ ...p, reportedOn: '2026-06-09' }, '2026-06-10', '2026-07-01').map((e) => e.field),
    ['policeOn-day'],
  );
  assert.deepEqual(
    policeProblems({ ...p, reportedOn: '2026-07-02' }, '2026-06-10', '2026-07-01').map((e) => e.field),
    ['policeOn-day'],
  );
  assert.equal(prosecuted({ police_outcome: 'charged', court_outcome: null }), true);
  assert.equal(prosecuted({ police_outcome: 'caution', court_outcome: null }), false);
  assert.equal(successfulProsecution({ court_outcome: 'convicted' }), true);
  assert.equal(successfulProsecution({ court_outcome: 'acquitted' }), false);
});

test('closing: submitted and confirmed; a serious one needs findings; every action done', () => {
  assert.deepEqual(closeProblems({ status: 'open', serious: false, findings: null, openActions: 0 }), []);
  assert.equal(closeProblems({ status: 'open', serious: true, findings: null, openActions: 0 }).length, 1);
  assert.deepEqual(closeProblems({ status: 'open', serious: true, findings: 'Found', openActions: 0 }), []);
  assert.match(
    closeProblems({ status: 'open', serious: false, findings: null, openActions: 2 })[0]!,
    /2 actions are not done/,
  );
  assert.equal(
    closeProblems({ status: 'awaiting_confirmation', serious: false, findings: null, openActions: 0 }).length,
    1,
  );
  assert.equal(actionOverdue({ due_on: '2026-06-10', done_at: null }, '2026-06-11'), true);
  assert.equal(actionOverdue({ due_on: '2026-06-11', done_at: null }, '2026-06-11'), false);
  assert.equal(actionOverdue({ due_on: '2026-06-10', done_at: new Date() }, '2026-06-11'), false);
});

const row = (o: Partial<StatsRow>): StatsRow => ({
  id: 1,
  employee_id: 7,
  occurred_at: new Date('2026-06-10T13:00:00Z'),
  categories: ['physical_assault'],
  team_name: 'Ashford',
  building_name: null,
  lone_working: false,
  police_reported: false,
  police_outcome: null,
  court_outcome: null,
  serious: false,
  status: 'open',
  riddor_kind: null,
  riddor_report_by: null,
  hse_reported_on: null,
  investigation_open: false,
  open_actions: 0,
  overdue_actions: 0,
  ...o,
});

test('statistics: by month in London, each category counted, lone-working share, police and prosecution, RIDDOR due', () => {
  const s = summarise(
    [
      row({
        id: 1,
        lone_working: true,
        police_reported: true,
        police_outcome: 'charged',
        court_outcome: 'convicted',
        categories: ['physical_assault', 'verbal_abuse'],
      }),
      // 31 May 23:30 UTC is 1 June 00:30 in London.
      row({
        id: 2,
        occurred_at: new Date('2026-05-31T23:30:00Z'),
        categories: ['verbal_abuse'],
        police_reported: true,
        police_outcome: 'caution',
        team_name: null,
      }),
      row({
        id: 3,
        occurred_at: new Date('2026-05-02T10:00:00Z'),
        categories: ['sexual_harassment'],
        riddor_kind: 'over_seven_day',
        riddor_report_by: '2026-05-17',
        investigation_open: true,
        overdue_actions: 2,
        serious: true,
      }),
      row({
        id: 4,
        categories: ['physical_assault'],
        riddor_kind: 'specified_injury',
        riddor_report_by: '2026-06-20',
        hse_reported_on: '2026-06-11',
        lone_working: true,
      }),
    ],
    '2026-06-12',
  );
  assert.equal(s.total, 4);
  assert.equal(s.staffAffected, 1);
  assert.deepEqual(
    s.byMonth.map((b) => [b.key, b.label, b.count]),
    [
      ['2026-05', 'May 2026', 1],
      ['2026-06', 'June 2026', 3],
    ],
  );
  const cat = Object.fromEntries(s.byCategory.map((b) => [b.key, b.count]));
  assert.equal(cat.physical_assault, 2);
  assert.equal(cat.verbal_abuse, 2);
  assert.equal(cat.sexual_harassment, 1);
  assert.equal(cat.weapon, 0, 'every category is listed, even with none');
  assert.deepEqual(s.loneWorking, { count: 2, percent: 50 });
  assert.deepEqual(s.police, { reported: 2, prosecuted: 1, successful: 1 });
  assert.equal(s.openInvestigations, 1);
  assert.equal(s.overdueActions, 2);
  assert.equal(s.riddorReportable, 2);
  assert.deepEqual(s.riddorDue, [{ id: 3, kind: 'over_seven_day', reportBy: '2026-05-17', overdue: true }]);
  assert.deepEqual(
    s.byTeam.map((b) => [b.label, b.count, b.width]),
    [
      ['Ashford', 3, 100],
      ['No team', 1, 33],
    ],
  );
  assert.deepEqual(summarise([], '2026-06-12').loneWorking, { count: 0, percent: 0 });
});

const ctx = {
  staff: new Map([['E1001', 7]]),
  buildings: new Map([['civic centre', 3]]),
  references: new Set(['OLD-1']),
};

test('import: the template itself imports cleanly', () => {
  const { rows, errors } = validateIncidentImport(INCIDENT_TEMPLATE, ctx, '2026-06-12');
  assert.deepEqual(errors, []);
  assert.equal(rows.length, 1);
  assert.equal(rows[0]!.employeeId, 7);
  assert.deepEqual(rows[0]!.categories, ['physical_assault', 'verbal_abuse']);
  assert.equal(rows[0]!.occurredAt.toISOString(), '2024-03-14T15:30:00.000Z');
  assert.equal(rows[0]!.courtOutcome, 'convicted');
  assert.deepEqual(rows[0]!.actionsTaken, [
    { kind: 'warning_letter', actionOn: '2024-03-20', endsOn: null },
    { kind: 'contact_ban', actionOn: '2024-04-01', endsOn: '2024-10-01' },
  ]);
  assert.equal(INCIDENT_COLUMNS.length, INCIDENT_TEMPLATE.split('\n')[0]!.split(',').length);
});

test('import: actions taken against the perpetrator, by key or label, each problem named (issue 16)', () => {
  const head = 'reference,occurred_date,employee_number,location,categories,narrative,actions_taken';
  const ok = validateIncidentImport(
    `${head}\nB-1,2024-01-05,E1001,Park Road,threats,Threatened,Warning letter|2024-01-10;injunction|2024-02-01|2025-02-01`,
    ctx,
    '2026-06-12',
  );
  assert.deepEqual(ok.errors, []);
  assert.deepEqual(
    ok.rows[0]!.actionsTaken.map((a) => a.kind),
    ['warning_letter', 'injunction'],
  );
  const bad = validateIncidentImport(
    `${head}\nB-2,2024-01-05,E1001,Park Road,threats,Threatened,scolding|2024-01-10;contact_ban;injunction|2024-02-01|2024-01-01;warning_letter|2030-01-01`,
    ctx,
    '2026-06-12',
  );
  assert.deepEqual(
    bad.errors.map((e) => e.message),
    [
      'actions_taken: "scolding" must be one of warning_letter, contact_ban, injunction, asbo, service_withdrawal (kind|date|ends_on)',
      'actions_taken: the date of contact_ban is missing (kind|date|ends_on)',
      'actions_taken: injunction ends before it starts',
      'actions_taken: the date of warning_letter must not be in the future',
    ],
  );
});

test('import: every row problem, with its line number; labels accepted in any case', () => {
  const csv = [
    'reference,occurred_date,employee_number,location,categories,narrative,police_outcome,court_outcome,building,lone_working,police_reported',
    'A-1,2024-01-05,e1001,Park Road,Physical Assault;weapon,Hit with a bottle,charged,convicted,Civic Centre,yes,yes',
    'OLD-1,2024-13-05,E9999,,nonsense,,,,Nowhere,maybe,',
    'A-1,2030-01-01,E1001,Park Road,verbal_abuse,Shouted,,convicted,,,',
  ].join('\n');
  const { rows, errors } = validateIncidentImport(csv, ctx, '2026-06-12');
  assert.equal(rows.length, 1);
  assert.equal(rows[0]!.buildingId, 3);
  assert.equal(rows[0]!.loneWorking, true);
  const byLine = (line: number) => errors.filter((e) => e.line === line).map((e) => e.message);
  assert.deepEqual(byLine(2), []);
  for (const m of [
    /already been imported/,
    /occurred_date must be a date/,
    /E9999 is not in Harbour/,
    /location is missing/,
    /category "nonsense"/,
    /narrative is missing/,
    /building "Nowhere"/,
    /lone_working must be yes or no/,
  ]) {
    assert.ok(
      byLine(3).some((e) => m.test(e)),
      `line 3: ${m}`,
    );
  }
  for (const m of [
    /appears more than once \(also on line 2\)/,
    /must not be in the future/,
    /verbal_channel is needed/,
    /police_reported must be yes/,
    /court_outcome needs police_outcome charged/,
  ]) {
    assert.ok(
      byLine(4).some((e) => m.test(e)),
      `line 4: ${m}`,
    );
  }
  assert.match(
    validateIncidentImport('reference,narrative\nA,B', ctx, '2026-06-12').errors[0]!.message,
    /header row is missing: occurred_date, employee_number, location, categories/,
  );
  assert.match(
    validateIncidentImport(`${INCIDENT_COLUMNS.join(',')},colour\n`, ctx, '2026-06-12').errors[0]!.message,
    /Unknown columns: colour/,
  );
  // Both header problems in one report, not one per upload (issue 15).
  assert.deepEqual(
    validateIncidentImport('reference,narative\nA,B', ctx, '2026-06-12').errors.map((e) => `${e.line}: ${e.message}`),
    [
      '1: The header row is missing: occurred_date, employee_number, location, categories, narrative. Download the template to see the columns.',
      '1: Unknown columns: narative',
    ],
  );
});

test('forms: police, RIDDOR, serious, flag and filter parse what is typed and refuse what is not', () => {
  assert.deepEqual(
    parsePoliceForm({
      policeReported: 'yes',
      'policeOn-day': '10',
      'policeOn-month': '6',
      'policeOn-year': '2026',
      crimeReference: 'ke/1/26',
      policeOutcome: 'charged',
      courtOutcome: '',
      courtAttended: '',
    }),
    {
      reported: true,
      reportedOn: '2026-06-10',
      crimeReference: 'KE/1/26',
      outcome: 'charged',
      courtOutcome: null,
      courtAttended: null,
      courtNotes: null,
    },
  );
  assert.throws(
    () =>
      parsePoliceForm({ policeOutcome: 'shot', 'policeOn-day': '31', 'policeOn-month': '2', 'policeOn-year': '2026' }),
    (e: unknown) =>
      e instanceof ValidationError &&
      e.errors
        .map((x) => x.field)
        .sort()
        .join() === 'policeOn-day,policeOutcome',
  );
  assert.throws(
    () => parseRiddorForm({ 'hseOn-day': '1', 'hseOn-month': '6', 'hseOn-year': '2026' }),
    (e: unknown) =>
      e instanceof ValidationError &&
      e.errors
        .map((x) => x.field)
        .sort()
        .join() === 'hseReference,specifiedInjury',
  );
  assert.deepEqual(parseRiddorForm({ specifiedInjury: 'no', riddorDaysOff: '9' }), {
    specifiedInjury: false,
    daysOff: 9,
    hseReference: null,
    hseReportedOn: null,
  });
  assert.deepEqual(parseSeriousForm({ serious: ['marked', 'major'] }), { markedSerious: true, majorIncident: true });
  assert.deepEqual(parseSeriousForm({}), { markedSerious: false, majorIncident: false });
  const flag = {
    flagSubject: 'address',
    flagPostcode: 'tn231aa',
    flagCategory: 'violence',
    flagReason: 'Assaulted a worker',
    'flagReview-day': '1',
    'flagReview-month': '1',
    'flagReview-year': '2027',
    flagCaseId: 'X1',
    flagCaseSystem: 'liberi',
  };
  assert.deepEqual(parseIncidentFlagForm(flag), {
    subject: 'address',
    caseSystem: null,
    caseId: null,
    postcode: 'TN23 1AA',
    category: 'violence',
    reason: 'Assaulted a worker',
    reviewOn: '2027-01-01',
  });
  assert.throws(
    () => parseIncidentFlagForm({ ...flag, flagSubject: 'case', flagCaseId: '', 'flagReview-day': '' }),
    (e: unknown) =>
      e instanceof ValidationError &&
      e.errors
        .map((x) => x.field)
        .sort()
        .join() === 'flagCaseId,flagReview-day',
  );
  assert.throws(() => parseStatsFilter({ from: '2026-06-10', to: '2026-06-01' }), ValidationError);
  assert.deepEqual(parseStatsFilter({ category: 'weapon', teamId: '3' }), {
    from: null,
    to: null,
    category: 'weapon',
    teamId: 3,
    buildingId: null,
  });
});

test('flag review: the team is told 7 days before the review date and once expired; renewing starts afresh', () => {
  assert.equal(flagReviewAlert('2026-07-01', '2026-06-23', [], 5), null);
  assert.equal(flagReviewAlert('2026-07-01', '2026-06-24', [], 5), 'flag.review_due:5:2026-07-01');
  assert.equal(flagReviewAlert('2026-07-01', '2026-06-30', ['flag.review_due:5:2026-07-01'], 5), null);
  assert.equal(
    flagReviewAlert('2026-07-01', '2026-07-01', ['flag.review_due:5:2026-07-01'], 5),
    null,
    'still applies on its review day',
  );
  assert.equal(
    flagReviewAlert('2026-07-01', '2026-07-02', ['flag.review_due:5:2026-07-01'], 5),
    'flag.expired:5:2026-07-01',
  );
  assert.equal(
    flagReviewAlert('2026-10-01', '2026-09-25', ['flag.review_due:5:2026-07-01'], 5),
    'flag.review_due:5:2026-10-01',
  );
});

test('the line manager is reminded 4 hours before a 24-hour deadline and 12 hours before a 3-day one', () => {
  const due = new Date('2026-06-11T13:00:00Z');
  const base = {
    status: 'open',
    categories: ['physical_assault'],
    meeting_due_at: due,
    meeting_held_at: null,
    meeting_escalated_at: null,
  };
  assert.equal(meetingReminderDue(base, new Date('2026-06-11T08:59:00Z')), false);
  assert.equal(meetingReminderDue(base, new Date('2026-06-11T09:00:00Z')), true);
  assert.equal(
    meetingReminderDue(base, new Date('2026-06-11T13:00:00Z')),
    false,
    'past the deadline it is escalation, not a reminder',
  );
  assert.equal(meetingReminderDue({ ...base, categories: ['verbal_abuse'] }, new Date('2026-06-11T01:00:00Z')), true);
  assert.equal(meetingReminderDue({ ...base, meeting_held_at: new Date() }, new Date('2026-06-11T10:00:00Z')), false);
});
