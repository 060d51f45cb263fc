/**
 * Incident follow-up on a real database (PGlite, or PostgreSQL with TEST_DATABASE_URL): a missed
 * meeting escalates to the next manager exactly once however often the job runs; RIDDOR alerts
 * reach health and safety once each; a flag raised from an incident makes a visit to that case
 * RED; an investigation closes only when done; statistics and the historic import.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { openTestDatabase, engineName } from '../helpers/database.ts';
import { buildRepositories, buildServices } from '../../src/composition.ts';
import { seedDemo } from '../../src/demo/seed.ts';
import { actorFor, buildVisitForm } from '../helpers/lone-working.ts';
import { ValidationError } from '../../src/errors.ts';
import type { Actor } from '../../src/features/auth/actor.ts';
import { buildIncidentsService } from '../../src/features/incidents/index.ts';
import {
  buildFlagReviewsJob,
  buildMeetingEscalationJob,
  buildRiddorAlertsJob,
} from '../../src/features/incidents/jobs.ts';
import { INCIDENT_TEMPLATE } from '../../src/features/incidents/import.ts';
import { summarise } from '../../src/features/incidents/stats.ts';
import { addDays, londonToday } from '../../src/time/london.ts';

let database: Awaited<ReturnType<typeof openTestDatabase>>;
let repos: ReturnType<typeof buildRepositories>;
let services: ReturnType<typeof buildServices>;
let chloe: Actor, aisha: Actor, helen: Actor, fiona: Actor;
let clock = new Date('2026-06-10T13:30:00Z');
let incidents: ReturnType<typeof buildIncidentsService>;

before(async () => {
  database = await openTestDatabase();
  repos = buildRepositories(database.db);
  await seedDemo(database.db, repos.audit);
  services = buildServices(repos, { sessionTtlHours: 12, instanceId: 'incidents-follow-up-test' });
  incidents = buildIncidentsService({
    db: database.db,
    incidents: repos.incidents,
    staff: repos.staff,
    audit: repos.audit,
    risk: repos.risk,
    now: () => clock,
  });
  chloe = await actorFor(database.db, 'chloe.davies@harbour.example');
  aisha = await actorFor(database.db, 'aisha.khan@harbour.example');
  helen = await actorFor(database.db, 'helen.ward@harbour.example');
  fiona = await actorFor(database.db, 'fiona.reid@harbour.example');
});
after(() => database.drop());

const fields = (o: Record<string, string | string[]> = {}) => ({
  'occurred-day': '10',
  'occurred-month': '6',
  'occurred-year': '2026',
  'occurred-time': '14:00',
  location: 'Park Road',
  loneWorking: 'yes',
  categories: ['physical_assault'],
  perpetratorType: 'parent_carer',
  injured: 'yes',
  injuryNature: 'Bruising',
  narrative: 'Pushed against the door',
  ...o,
});
const messagesFor = (staffId: number, like: string) =>
  database.db
    .selectFrom('notifications')
    .select(['subject', 'body', 'link'])
    .where('recipient_id', '=', staffId)
    .where('subject', 'like', like)
    .orderBy('id')
    .execute();
const auditFor = (id: number, action: string) =>
  database.db
    .selectFrom('audit_log')
    .select('id')
    .where('entity_type', '=', 'incident')
    .where('entity_id', '=', String(id))
    .where('action', '=', action)
    .execute();

describe(`incident follow-up (${engineName})`, () => {
  test('a missed meeting escalates to the next manager (Helen, above Aisha) exactly once, however often the job runs', async () => {
    clock = new Date('2026-06-10T13:30:00Z');
    const missed = await incidents.save(chloe, null, fields(), 'submit');
    const met = await incidents.save(chloe, null, fields(), 'submit');
    clock = new Date('2026-06-10T16:00:00Z');
    await incidents.respond(aisha, met, {
      meetingHeldAt: new Date('2026-06-10T15:00:00Z'),
      debriefAt: null,
      policeRightToldAt: null,
      support: {},
      notes: null,
    });
    const told = await messagesFor(aisha.staffId!, 'Incident reported: meet by%');
    assert.equal(
      told.filter((m) => m.link === `/incidents/${missed}`).length,
      1,
      'the line manager is told at once, with the deadline',
    );
    assert.match(told[0]!.subject, /meet by 14:00 on 11 June 2026/);
    const behalf = await incidents.save(aisha, null, fields({ employeeId: String(chloe.staffId) }), 'submit');
    assert.equal(
      (await messagesFor(chloe.staffId!, 'Please confirm%')).filter((m) => m.link === `/incidents/${behalf}`).length,
      1,
      'the employee is asked to confirm',
    );
    const job = buildMeetingEscalationJob({ incidents });
    // More than 4 hours before the 24-hour deadline: nothing.
    clock = new Date('2026-06-11T08:59:00Z');
    assert.deepEqual(await job.perform(), { escalated: 0, reminded: 0 });
    // Within 4 hours: the line manager is reminded, once (the report made on Chloe's behalf is not confirmed, so not open yet).
    clock = new Date('2026-06-11T09:30:00Z');
    await Promise.all([job.perform(), job.perform()]);
    assert.deepEqual(await job.perform(), { escalated: 0, reminded: 0 });
    assert.deepEqual(
      (await messagesFor(aisha.staffId!, 'Reminder: incident meeting%')).map((m) => m.link),
      [`/incidents/${missed}`],
    );
    clock = new Date('2026-06-11T13:01:00Z');
    const runs = await Promise.all([job.perform(), job.perform(), job.perform()]);
    assert.equal(
      runs.reduce((n, r) => n + r.escalated, 0),
      1,
      'one run escalates it',
    );
    assert.deepEqual(await job.perform(), { escalated: 0, reminded: 0 });
    const row = await database.db
      .selectFrom('incidents')
      .select(['meeting_escalated_to', 'meeting_escalated_at'])
      .where('id', '=', missed)
      .executeTakeFirstOrThrow();
    assert.equal(row.meeting_escalated_to, helen.staffId);
    const sent = await messagesFor(helen.staffId!, 'Missed incident meeting%');
    assert.equal(sent.length, 1);
    assert.match(sent[0]!.body, /Aisha Khan was due to meet Chloe Davies/);
    assert.equal(sent[0]!.link, `/incidents/${missed}`);
    assert.equal((await auditFor(missed, 'incident.meeting_escalated')).length, 1);
    // The incident met in time is never escalated.
    assert.equal(
      (
        await database.db
          .selectFrom('incidents')
          .select('meeting_escalated_at')
          .where('id', '=', met)
          .executeTakeFirstOrThrow()
      ).meeting_escalated_at,
      null,
    );
    assert.equal((await auditFor(met, 'incident.meeting_escalated')).length, 0);
    // The page says so.
    const view = await incidents.view(aisha, missed);
    assert.equal(view.incident.escalated_to_name, 'Helen Ward');
  });

  test('RIDDOR: a specified injury alerts health and safety at once, then before the deadline, each once; reported → no more', async () => {
    clock = new Date('2026-06-10T13:30:00Z');
    const id = await incidents.save(chloe, null, fields(), 'submit');
    let row = await database.db.selectFrom('incidents').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
    assert.equal(row.riddor_kind, 'not_reportable');
    assert.equal(row.serious, true, 'an assault causing injury is serious');
    await incidents.recordRiddor(aisha, id, {
      specifiedInjury: true,
      daysOff: 2,
      hseReference: null,
      hseReportedOn: null,
    });
    row = await database.db.selectFrom('incidents').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
    assert.equal(row.riddor_kind, 'specified_injury');
    const job = buildRiddorAlertsJob({ incidents });
    clock = new Date('2026-06-10T15:00:00Z');
    await job.perform();
    await job.perform();
    let alerts = await messagesFor(fiona.staffId!, `RIDDOR%incident ${id})`);
    assert.deepEqual(
      alerts.map((a) => a.subject),
      [`RIDDOR: notify the HSE without delay (incident ${id})`],
    );
    clock = new Date('2026-06-18T08:00:00Z'); // 2 days before 20 June
    await Promise.all([job.perform(), job.perform()]);
    alerts = await messagesFor(fiona.staffId!, `RIDDOR%incident ${id})`);
    assert.equal(alerts.length, 2);
    assert.match(alerts[1]!.subject, /due by 2026-06-20/);
    await incidents.recordRiddor(fiona, id, {
      specifiedInjury: true,
      daysOff: 2,
      hseReference: 'HSE-123',
      hseReportedOn: '2026-06-18',
    });
    clock = new Date('2026-06-25T08:00:00Z');
    await job.perform();
    assert.equal((await messagesFor(fiona.staffId!, `RIDDOR%incident ${id})`)).length, 2, 'reported: no overdue alert');
  });

  test('a flag raised from an incident makes a visit to that case RED', async () => {
    const live = buildIncidentsService({
      db: database.db,
      incidents: repos.incidents,
      staff: repos.staff,
      audit: repos.audit,
      risk: repos.risk,
    });
    const id = await live.save(
      chloe,
      null,
      fields({
        'occurred-day': String(Number(londonToday().slice(8, 10))),
        'occurred-month': String(Number(londonToday().slice(5, 7))),
        'occurred-year': londonToday().slice(0, 4),
        'occurred-time': '00:01',
      }),
      'submit',
    );
    const before = await services.visits.plan(
      chloe,
      buildVisitForm({
        caseSystem: 'liberi',
        caseId: 'FLAG-77',
        postcode: 'ME1 1AA',
        referralType: 'previously_known',
      }),
    );
    assert.equal(
      (await database.db.selectFrom('visits').select('risk_rating').where('id', '=', before).executeTakeFirstOrThrow())
        .risk_rating,
      'GREEN',
    );
    await assert.rejects(
      live.raiseFlag(chloe, id, {
        subject: 'case',
        caseSystem: 'liberi',
        caseId: 'FLAG-77',
        postcode: null,
        category: 'violence',
        reason: 'x',
        reviewOn: addDays(londonToday(), 30),
      }),
      /Only the managers/,
    );
    await assert.rejects(
      live.raiseFlag(aisha, id, {
        subject: 'case',
        caseSystem: 'liberi',
        caseId: 'FLAG-77',
        postcode: null,
        category: 'violence',
        reason: 'x',
        reviewOn: londonToday(),
      }),
      ValidationError,
    );
    const flagId = await live.raiseFlag(aisha, id, {
      subject: 'person',
      caseSystem: 'liberi',
      caseId: 'FLAG-77',
      postcode: null,
      category: 'violence',
      reason: 'Assaulted a worker',
      reviewOn: addDays(londonToday(), 90),
    });
    const flag = await database.db
      .selectFrom('warning_flags')
      .selectAll()
      .where('id', '=', flagId)
      .executeTakeFirstOrThrow();
    assert.equal(flag.source, 'incident');
    assert.match(flag.description, new RegExp(`Assaulted a worker \\(incident ${id}`));
    const after = await services.visits.plan(
      chloe,
      buildVisitForm({
        caseSystem: 'liberi',
        caseId: 'FLAG-77',
        postcode: 'ME1 1AA',
        referralType: 'previously_known',
      }),
    );
    assert.equal(
      (await database.db.selectFrom('visits').select('risk_rating').where('id', '=', after).executeTakeFirstOrThrow())
        .risk_rating,
      'RED',
    );
    assert.equal((await live.view(aisha, id)).flags.length, 1);
  });

  test('flag upkeep: the team is told when a flag is raised, due for review, renewed and expired, once each', async () => {
    clock = new Date('2026-06-10T13:30:00Z');
    const id = await incidents.save(chloe, null, fields(), 'submit');
    const flagId = await incidents.raiseFlag(aisha, id, {
      subject: 'address',
      caseSystem: null,
      caseId: null,
      postcode: 'ME15 6AA',
      category: 'violence',
      reason: 'Threw a mug',
      reviewOn: '2026-07-01',
    });
    const ola = (
      await database.db
        .selectFrom('staff')
        .select('id')
        .where('email', '=', 'ola.adeyemi@harbour.example')
        .executeTakeFirstOrThrow()
    ).id;
    assert.deepEqual(
      (await messagesFor(ola, 'Warning flag%ME15 6AA')).map((m) => m.subject),
      ['Warning flag: the address at ME15 6AA'],
      'a team-mate is told',
    );
    const job = buildFlagReviewsJob({ incidents });
    clock = new Date('2026-06-20T07:30:00Z');
    assert.deepEqual(await job.perform(), { sent: 0 });
    clock = new Date('2026-06-25T07:30:00Z');
    await Promise.all([job.perform(), job.perform()]);
    await job.perform();
    assert.deepEqual((await messagesFor(ola, 'Warning flag%ME15 6AA')).map((m) => m.subject).slice(1), [
      'Warning flag due for review: the address at ME15 6AA',
    ]);
    await assert.rejects(incidents.renewFlag(aisha, id, flagId, '2026-06-25'), ValidationError);
    await incidents.renewFlag(aisha, id, flagId, '2026-09-30');
    const flag = await database.db
      .selectFrom('warning_flags')
      .select('expires_at')
      .where('id', '=', flagId)
      .executeTakeFirstOrThrow();
    assert.equal(flag.expires_at!.toISOString(), '2026-09-30T23:00:00.000Z', 'end of 30 September in London');
    clock = new Date('2026-10-01T07:30:00Z');
    await job.perform();
    await job.perform();
    assert.deepEqual((await messagesFor(ola, 'Warning flag%ME15 6AA')).map((m) => m.subject).slice(2), [
      'Warning flag renewed: the address at ME15 6AA',
      'Warning flag expired: the address at ME15 6AA',
    ]);
  });

  test('investigation: actions tracked to done, close refused until findings and actions are done, then closed', async () => {
    clock = new Date('2026-06-10T13:30:00Z');
    const id = await incidents.save(chloe, null, fields({ categories: ['weapon'] }), 'submit');
    await assert.rejects(
      incidents.close(aisha, id),
      (e: unknown) => e instanceof ValidationError && /findings/.test(e.errors[0]!.message),
    );
    await incidents.saveInvestigation(aisha, id, {
      statements: 'Chloe: ...',
      chronology: '14:00 arrived',
      triggers: 'Court date',
      findings: 'Lone visit to a known risk',
      riskReview: 'Joint visits',
      teamCommunicated: 'Team meeting',
      providersToWarn: 'Housing',
    });
    const actionId = await incidents.addAction(aisha, id, {
      description: 'Update the case risk assessment',
      ownerId: chloe.staffId!,
      dueOn: '2026-06-20',
    });
    await assert.rejects(
      incidents.close(aisha, id),
      (e: unknown) => e instanceof ValidationError && /1 action is not done/.test(e.errors[0]!.message),
    );
    clock = new Date('2026-06-22T09:00:00Z');
    assert.equal((await incidents.investigationView(aisha, id)).actions[0]!.overdue, true);
    assert.equal(
      (
        await incidents.statistics({
          from: '2026-06-10',
          to: '2026-06-10',
          category: 'weapon',
          teamId: null,
          buildingId: null,
        })
      ).overdueActions,
      1,
    );
    await incidents.actionDone(chloe, id, actionId); // the owner
    await incidents.close(aisha, id);
    await incidents.close(aisha, id); // twice: nothing changes
    const row = await database.db
      .selectFrom('incidents')
      .select(['status', 'closed_by'])
      .where('id', '=', id)
      .executeTakeFirstOrThrow();
    assert.deepEqual(row, { status: 'closed', closed_by: aisha.staffId });
    assert.ok((await repos.incidents.investigation(id))?.closed_at);
    assert.equal((await auditFor(id, 'incident.close')).length, 1);
    await assert.rejects(
      incidents.saveInvestigation(aisha, id, {
        statements: 'late',
        chronology: null,
        triggers: null,
        findings: null,
        riskReview: null,
        teamCommunicated: null,
        providersToWarn: null,
      }),
      ValidationError,
    );
  });

  test('police and prosecution feed the statistics; the historic import is all or nothing', async () => {
    clock = new Date('2026-07-01T09:00:00Z');
    const id = await incidents.save(
      chloe,
      null,
      fields({ 'occurred-day': '2', 'occurred-month': '5', 'occurred-year': '2025' }),
      'submit',
    );
    await incidents.recordPolice(chloe, id, {
      reported: true,
      reportedOn: '2025-05-02',
      crimeReference: 'KE/9/25',
      outcome: 'charged',
      courtOutcome: 'convicted',
      courtAttended: true,
      courtNotes: null,
    });
    await assert.rejects(
      incidents.recordPolice(chloe, id, {
        reported: false,
        reportedOn: null,
        crimeReference: 'KE/9/25',
        outcome: null,
        courtOutcome: null,
        courtAttended: null,
        courtNotes: null,
      }),
      ValidationError,
    );
    const may2025 = { from: '2025-05-01', to: '2025-05-31', category: null, teamId: null, buildingId: null };
    let s = await incidents.statistics(may2025);
    assert.equal(s.total, 1);
    assert.deepEqual(s.police, { reported: 1, prosecuted: 1, successful: 1 });

    const bad = `${INCIDENT_TEMPLATE.split('\n')[0]}\nH-1,2025-05-20,E1001,Somewhere,threats,,yes\n`;
    const refused = await incidents.importHistoric(fiona, bad);
    assert.equal(refused.ok, false);
    const staffNumber = (
      await database.db
        .selectFrom('staff')
        .select('employee_number')
        .where('id', '=', chloe.staffId!)
        .executeTakeFirstOrThrow()
    ).employee_number;
    const good = INCIDENT_TEMPLATE.replace('E1001', staffNumber)
      .replace('2024-03-14', '2025-05-20')
      .replace(',2024-03-14,', ',2025-05-20,');
    const imported = await incidents.importHistoric(fiona, good, 'old.csv');
    assert.deepEqual(imported, { ok: true, created: 1 });
    s = await incidents.statistics(may2025);
    assert.equal(s.total, 2);
    assert.deepEqual(s.police, { reported: 2, prosecuted: 2, successful: 2 });
    assert.equal(s.byCategory.find((b) => b.key === 'verbal_abuse')!.count, 1);
    // The template's actions taken against the perpetrator come in with it (issue 16).
    const importedId = (
      await database.db
        .selectFrom('incidents')
        .select('id')
        .where('import_reference', '=', 'HS157-2024-0012')
        .executeTakeFirstOrThrow()
    ).id;
    const actions = await database.db
      .selectFrom('incident_legal_actions')
      .select(['kind', 'ends_on'])
      .where('incident_id', '=', importedId)
      .orderBy('id')
      .execute();
    assert.deepEqual(
      actions.map((a) => [a.kind, a.ends_on === null]),
      [
        ['warning_letter', true],
        ['contact_ban', false],
      ],
    );
    // The same reference again: refused, nothing written.
    const again = await incidents.importHistoric(fiona, good);
    assert.ok(!again.ok && /already been imported/.test(again.errors[0]!.message));
    assert.equal((await incidents.statistics(may2025)).total, 2);
    await assert.rejects(incidents.importHistoric(aisha, good), /Only health and safety/);
  });

  test('the statistics counted by the database match the same statistics worked out row by row', async () => {
    const today = londonToday(clock);
    const none = { from: null, to: null, category: null, teamId: null, buildingId: null };
    const filters = [
      none,
      { ...none, from: '2026-06-10', to: '2026-06-10' },
      { ...none, category: 'physical_assault' },
      {
        ...none,
        teamId: (
          await database.db
            .selectFrom('teams')
            .select('id')
            .where('name', '=', 'Ashford Children in Care')
            .executeTakeFirstOrThrow()
        ).id,
      },
    ];
    for (const f of filters) {
      const bySql = await incidents.statistics(f);
      assert.ok(bySql.total > 0, JSON.stringify(f));
      assert.deepEqual(bySql, summarise(await repos.incidents.statisticsRows(f, today), today), JSON.stringify(f));
    }
    const all = await incidents.statistics(none);
    assert.equal(
      (await incidents.statistics({ ...none, jobRole: 'social_worker' })).total,
      all.total,
      'every incident here happened to Chloe, a social worker',
    );
    assert.equal((await incidents.statistics({ ...none, jobRole: 'team_manager' })).total, 0);
    assert.ok(all.riddorReportable >= 1 && all.police.reported >= 1 && all.serious >= 1);
  });
});
