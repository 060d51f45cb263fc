import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  DEFAULT_RETENTION as S,
  KINDS,
  complaintDueOn,
  dueGroups,
  emergencyPackDue,
  flagDueOn,
  incidentDueOn,
  isDue,
  keptBecause,
  registerDueOn,
  retirementDate,
  schedule,
  sessionLocationsDueAt,
} from './rules.ts';
import { formatRetention } from './format.ts';

test('the schedule lists every kind of record with its period, starting event, action and source', () => {
  const rows = schedule(S);
  assert.deepEqual(
    rows.map((r) => r.kind),
    [...KINDS],
  );
  for (const r of rows) {
    assert.ok(r.period && r.runsFrom && r.actionText && r.source, r.kind);
  }
  assert.equal(rows.find((r) => r.kind === 'session')!.period, '90 days');
  assert.match(rows.find((r) => r.kind === 'incident')!.period, /^6 years .*3 years/);
  assert.equal(rows.find((r) => r.kind === 'session')!.action, 'anonymise');
  assert.equal(rows.find((r) => r.kind === 'warning_flag')!.action, 'erase');
  // Configured periods show through.
  assert.equal(schedule({ ...S, locationDays: 30 }).find((r) => r.kind === 'session')!.period, '30 days');
});

test('session coordinates are due 90 days after the session ends, never while it runs', () => {
  assert.equal(sessionLocationsDueAt(S, null), null);
  assert.equal(sessionLocationsDueAt(S, new Date('2026-01-01T10:00:00Z'))!.toISOString(), '2026-04-01T10:00:00.000Z');
});

test('incidents: 6 years after closure; RIDDOR at least 3 years after the report, whichever is longer; open ones never', () => {
  assert.equal(incidentDueOn(S, { closedAt: null, riddor: false, hseReportedOn: null, riddorReportBy: null }), null);
  assert.equal(
    incidentDueOn(S, {
      closedAt: new Date('2019-05-01T12:00:00Z'),
      riddor: false,
      hseReportedOn: null,
      riddorReportBy: null,
    }),
    '2025-05-01',
  );
  // Reported to HSE long after closure (a late report): 3 years after the report is later.
  assert.equal(
    incidentDueOn(S, {
      closedAt: new Date('2019-05-01T12:00:00Z'),
      riddor: true,
      hseReportedOn: '2024-02-01',
      riddorReportBy: '2019-05-10',
    }),
    '2027-02-01',
  );
  // Usual case: the report soon after; 6 years after closure is later.
  assert.equal(
    incidentDueOn(S, {
      closedAt: new Date('2019-05-01T12:00:00Z'),
      riddor: true,
      hseReportedOn: '2019-04-20',
      riddorReportBy: null,
    }),
    '2025-05-01',
  );
  // Closed late in the evening in summer: the London date counts.
  assert.equal(
    incidentDueOn(S, {
      closedAt: new Date('2019-06-30T23:30:00Z'),
      riddor: false,
      hseReportedOn: null,
      riddorReportBy: null,
    }),
    '2025-07-01',
  );
});

test('complaints: 6 years after closure; allegations about staff until retirement or 10 years, whichever is longer; unknown retirement keeps them', () => {
  assert.deepEqual(complaintDueOn(S, { closedOn: null, allegationsAboutStaff: false, staffRetirementOn: [] }), {
    dueOn: null,
    unknownRetirement: false,
  });
  assert.deepEqual(
    complaintDueOn(S, { closedOn: '2018-03-31', allegationsAboutStaff: false, staffRetirementOn: [null] }),
    { dueOn: '2024-03-31', unknownRetirement: false },
  );
  // 10 years is longer than retirement for an older member of staff.
  assert.deepEqual(
    complaintDueOn(S, {
      closedOn: '2018-03-31',
      allegationsAboutStaff: true,
      staffRetirementOn: [retirementDate(S, '1955-01-01')],
    }),
    { dueOn: '2028-03-31', unknownRetirement: false },
  );
  // Retirement (67) is longer for a young one.
  assert.deepEqual(
    complaintDueOn(S, {
      closedOn: '2018-03-31',
      allegationsAboutStaff: true,
      staffRetirementOn: [retirementDate(S, '1990-06-15')],
    }),
    { dueOn: '2057-06-15', unknownRetirement: false },
  );
  assert.equal(retirementDate(S, '1990-06-15'), '2057-06-15');
  // No date of birth: never due.
  assert.deepEqual(
    complaintDueOn(S, { closedOn: '2000-01-01', allegationsAboutStaff: true, staffRetirementOn: [null] }),
    { dueOn: null, unknownRetirement: true },
  );
});

test('warning flags: a year after withdrawal or expiry; a live flag never', () => {
  const now = new Date('2026-06-01T00:00:00Z');
  assert.equal(flagDueOn(S, { withdrawnAt: null, expiresAt: null }, now), null);
  assert.equal(flagDueOn(S, { withdrawnAt: null, expiresAt: new Date('2027-01-01T00:00:00Z') }, now), null);
  assert.equal(flagDueOn(S, { withdrawnAt: null, expiresAt: new Date('2025-03-01T12:00:00Z') }, now), '2026-03-01');
  assert.equal(flagDueOn(S, { withdrawnAt: new Date('2025-08-01T12:00:00Z'), expiresAt: null }, now), '2026-08-01');
});

test('register entries: the configured years after the end of the year; emergency packs once the person has left', () => {
  assert.equal(registerDueOn(S, 2019), '2026-01-01');
  assert.equal(registerDueOn({ ...S, registerYears: 2 }, 2019), '2022-01-01');
  assert.equal(emergencyPackDue({ active: true }), false);
  assert.equal(emergencyPackDue({ active: false }), true);
});

test('due on the day itself; holds and open links keep a record, holds first', () => {
  assert.equal(isDue('2026-01-01', '2026-01-01'), true);
  assert.equal(isDue('2026-01-02', '2026-01-01'), false);
  assert.equal(isDue(null, '2099-01-01'), false);
  assert.equal(keptBecause({ held: false }), null);
  assert.equal(keptBecause({ held: true, openClaim: true }), 'legal hold');
  assert.equal(keptBecause({ held: false, openComplaint: true }), 'linked to an open complaint');
  assert.equal(keptBecause({ held: false, openClaim: true }), 'linked to an open claim');
  assert.equal(keptBecause({ held: false, openInvestigation: true }), 'linked to an open investigation');
});

test('a complainant group is anonymised only when every complaint in it is due', () => {
  const ready = dueGroups([
    { group: 'household:a', due: true },
    { group: 'household:a', due: false },
    { group: 'household:b', due: true },
    { group: 'household:b', due: true },
  ]);
  assert.deepEqual([...ready], ['household:b']);
});

test('the command line summary names every kind, its period and its count', () => {
  const rows = schedule(S);
  const kinds = rows.map((r) => ({
    kind: r.kind,
    label: r.label,
    action: r.actionText,
    due: 3,
    done: 0,
    kept: 1,
    keptReasons: { 'legal hold': 1 },
  }));
  const text = formatRetention({ dryRun: true, at: '2026-01-01T00:00:00Z', kinds }, rows);
  assert.match(text, /^Retention dry run/);
  for (const r of rows) assert.ok(text.includes(`${r.label}: keep ${r.period}`), r.kind);
  assert.match(
    text,
    /Lone-working session locations and check-in detail: .*due now 3; would anonymise 2; kept 1 \(1 legal hold\)/,
  );
});
