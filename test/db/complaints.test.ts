/**
 * Complaints on the database (PGlite, or PostgreSQL with TEST_DATABASE_URL): the reminders job,
 * the seed 004 yearly table and the seed 003 repeat-complaints answer, the import's all-or-nothing
 * transaction, and the audit trail.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { openSeeded, type Seeded } from '../helpers/services.ts';
import { actorFor } from '../helpers/lone-working.ts';
import { demo } from '../helpers/app.ts';
import { buildComplaintForm } from '../helpers/complaints.ts';
import { buildStaff } from '../helpers/factories.ts';
import { buildComplaintsService } from '../../src/features/complaints/index.ts';
import { buildComplaintRemindersJob } from '../../src/features/complaints/reminders-job.ts';
import type { Actor } from '../../src/features/auth/actor.ts';
import pino from 'pino';
import { startJobs } from '../../src/jobs/boss.ts';

describe('complaints on the database', () => {
  let s: Seeded;
  let gareth: Actor, helen: Actor, irene: Actor;
  let chloeId: number, garethStaffId: number;

  before(async () => {
    s = await openSeeded();
    [gareth, helen, irene] = await Promise.all([
      actorFor(s.repos.db, demo.complaints),
      actorFor(s.repos.db, demo.serviceManager),
      actorFor(s.repos.db, demo.foi),
    ]);
    chloeId = (
      await s.repos.db.selectFrom('staff').select('id').where('email', '=', demo.worker).executeTakeFirstOrThrow()
    ).id;
    garethStaffId = gareth.staffId!;
  });
  after(() => s.database.drop());

  const inbox = (recipient: number, like: string) =>
    s.repos.db
      .selectFrom('notifications')
      .select(['subject', 'link'])
      .where('recipient_id', '=', recipient)
      .where('subject', 'like', like)
      .execute();

  test('the reminders job: 2 working days before the deadline, then once breached; each sent once', async () => {
    // Received Wed 2026-10-07: stage 1 due Wed 21st (10 working days). "Today" is Thu 15th, Mon 19th, Tue 20th, then Thu 22nd.
    const id = await s.services.complaints.record(gareth, buildComplaintForm([chloeId], { receivedOn: '2026-10-07' }));
    const ref = (await s.repos.complaints.complaint(id))!.reference!;
    const at = (iso: string) =>
      buildComplaintsService({
        complaints: s.repos.complaints,
        audit: s.repos.audit,
        holidays: s.services.holidays,
        staff: s.repos.staff,
        now: () => new Date(`${iso}T09:00:00Z`),
      });

    assert.equal(
      (await buildComplaintRemindersJob({ complaints: at('2026-10-15') }).perform()).sent,
      0,
      'four working days ahead: nothing yet',
    );
    const first = await buildComplaintRemindersJob({ complaints: at('2026-10-19') }).perform();
    assert.ok(first.sent >= 1);
    assert.equal((await inbox(garethStaffId, `Deadline soon: ${ref}%`)).length, 1);
    assert.equal((await inbox(garethStaffId, `Deadline soon: ${ref}%`))[0]!.link, `/complaints/${id}`);
    await buildComplaintRemindersJob({ complaints: at('2026-10-20') }).perform();
    assert.equal((await inbox(garethStaffId, `Deadline soon: ${ref}%`)).length, 1, 'sent once');
    await buildComplaintRemindersJob({ complaints: at('2026-10-22') }).perform();
    assert.equal((await inbox(garethStaffId, `Deadline missed: ${ref}%`)).length, 1);

    // Responded: no more reminders for it.
    await at('2026-10-22').stageDate(gareth, id, 1, 'responded', '2026-10-22');
    const deadlines = await at('2026-10-22').deadlines(gareth);
    assert.ok(!deadlines.some((d) => d.complaintId === id));
  });

  test('stage date errors write their dates as people write them, not 2026-10-07', async () => {
    const id = await s.services.complaints.record(gareth, buildComplaintForm([chloeId], { receivedOn: '2026-10-07' }));
    await assert.rejects(
      s.services.complaints.stageDate(gareth, id, 1, 'responded', '2026-10-01'),
      (e: { errors?: { message: string }[] }) => {
        assert.equal(e.errors?.[0]?.message, 'The date must be on or after the stage started, 7 October 2026');
        return true;
      },
    );
  });

  test('seed 004: the yearly table by financial year, with a part-year', async () => {
    const svc = s.services.complaints;
    const make = (receivedOn: string, over = {}) =>
      svc.record(gareth, buildComplaintForm([chloeId], { receivedOn, ...over }));
    const a = await make('2015-05-01');
    const b = await make('2015-07-01');
    const c = await make('2016-02-01');
    const d = await make('2016-06-01');
    await make('2016-06-02', { procedure: 'corporate' });
    await svc.withdraw(gareth, b, { on: '2015-07-10', reason: 'Withdrawn by the complainant' }, 'withdrawn');
    await svc.withdraw(gareth, c, { on: '2016-02-03', reason: 'Active police investigation' }, 'not_investigated');
    for (const id of [a, d]) {
      const allegations = await svc.allegationIds(id);
      await svc.recordFindings(gareth, id, {
        on: '2016-08-01',
        findings: allegations.map((x, i) => ({ id: x, finding: i === 0 ? 'upheld' : 'not_upheld' })),
      });
    }
    const stats = await svc.statistics(irene, { from: '2015-04-01', to: '2016-09-16' });
    assert.deepEqual(
      stats.years.map((y) => [
        y.label,
        y.received,
        y.investigated,
        y.withdrawn,
        y.notInvestigated,
        y.upheldOrPartiallyUpheld,
      ]),
      [
        ['2015/16', 3, 1, 1, 1, 1],
        ['Apr–Sep 2016', 1, 1, 0, 0, 1],
      ],
    );
    assert.equal(
      (await svc.statistics(irene, { from: '2015-04-01', to: '2016-09-16', procedure: 'all' })).totals.received,
      5,
    );
  });

  test('seed 003 Q10: staff with two or more complaints from unrelated complainants; one household counts once', async () => {
    const svc = s.services.complaints;
    const team = (
      await s.repos.db.selectFrom('staff').select('team_id').where('id', '=', chloeId).executeTakeFirstOrThrow()
    ).team_id;
    const sam = await buildStaff(s.repos.db, { team_id: team, job_role: 'social_worker' });
    const pat = await buildStaff(s.repos.db, { team_id: team, job_role: 'family_support_worker' });
    for (const household of ['Brown family', 'brown family', 'BROWN FAMILY'])
      await svc.record(gareth, buildComplaintForm([sam.id], { receivedOn: '2011-05-01', household }));
    for (const household of ['Green family', 'White family'])
      await svc.record(gareth, buildComplaintForm([pat.id], { receivedOn: '2011-06-01', household }));
    const period = { from: '2011-04-01', to: '2012-03-31' };
    const asHelen = await svc.statistics(helen, period);
    assert.deepEqual(
      asHelen.repeatStaff.staff.map((r) => [r.staffId, r.unrelatedComplainants, r.complaints]),
      [[pat.id, 2, 2]],
    );
    assert.ok(asHelen.repeatStaff.staff[0]!.name, 'senior managers see the name');
    const socialWorkers = await svc.statistics(irene, { ...period, jobRoles: ['social_worker'] });
    assert.equal(
      socialWorkers.repeatStaff.count,
      0,
      'Sam’s three complaints are from one family; Pat is not a social worker',
    );
    assert.equal(socialWorkers.years[0]!.received, 3);
  });

  test('the historic import writes every row or none, and is audited', async () => {
    const svc = s.services.complaints;
    const number = (
      await s.repos.db.selectFrom('staff').select('employee_number').where('id', '=', chloeId).executeTakeFirstOrThrow()
    ).employee_number;
    const csv = (ref: string) =>
      `reference,received_on,complainant_type,staff_employee_numbers,allegations,outcome\n${ref},2012-05-01,child,${number},pl_n,upheld\nDB-2,2012-05-02,child,${number},ca_a,not_upheld\n`;
    assert.equal((await svc.importHistoric(gareth, csv('DB-1'), 'a.csv')).ok, true);
    const before = await s.repos.db
      .selectFrom('complaints')
      .select(({ fn }) => fn.countAll<string>().as('n'))
      .executeTakeFirstOrThrow();
    const clash = await svc.importHistoric(gareth, csv('DB-3'), 'b.csv');
    assert.equal(clash.ok, false);
    assert.deepEqual(!clash.ok && clash.errors, [{ line: 3, message: 'reference DB-2 is already in Harbour' }]);
    const afterwards = await s.repos.db
      .selectFrom('complaints')
      .select(({ fn }) => fn.countAll<string>().as('n'))
      .executeTakeFirstOrThrow();
    assert.equal(afterwards.n, before.n, 'DB-3 was not written either');
    const audit = await s.repos.db
      .selectFrom('audit_log')
      .select('detail')
      .where('action', '=', 'complaint.import')
      .execute();
    assert.equal(audit.length, 1);
    const stats = await svc.statistics(gareth, { from: '2012-04-01', to: '2013-03-31' });
    assert.equal(stats.years[0]!.upheldOrPartiallyUpheld, 1);
  });

  test('the import carries actions, referrals with body and dates, and a disciplinary outcome per named member of staff (issue 16)', async () => {
    const svc = s.services.complaints;
    const team = (
      await s.repos.db.selectFrom('staff').select('team_id').where('id', '=', chloeId).executeTakeFirstOrThrow()
    ).team_id;
    const kim = await buildStaff(s.repos.db, { team_id: team, job_role: 'social_worker' });
    const lee = await buildStaff(s.repos.db, { team_id: team, job_role: 'social_worker' });
    const csv =
      'reference,received_on,complainant_type,staff_employee_numbers,allegations,outcome,closed_on,disciplinary_outcomes,actions,referrals\n' +
      `DB-ACT,2013-05-01,parent_carer,${kim.employee_number};${lee.employee_number},pl_a,upheld,2013-08-01,${kim.employee_number}|dismissal|2013-10-01;${lee.employee_number}|none|2013-09-01,apology;Practice change,swe|2013-09-15|No further action|2014-01-10;LGSCO|2013-11-01\n`;
    // A date column comes back as text on one engine and as a local-midnight Date on the other.
    const day = (v: unknown) =>
      v === null
        ? null
        : v instanceof Date
          ? `${v.getFullYear()}-${String(v.getMonth() + 1).padStart(2, '0')}-${String(v.getDate()).padStart(2, '0')}`
          : String(v).slice(0, 10);
    const result = await svc.importHistoric(gareth, csv, 'actions.csv');
    assert.deepEqual(result, { ok: true, imported: 1 });
    const id = (
      await s.repos.db.selectFrom('complaints').select('id').where('reference', '=', 'DB-ACT').executeTakeFirstOrThrow()
    ).id;
    const actions = await s.repos.db
      .selectFrom('complaint_actions')
      .select(['staff_id', 'kind', 'disciplinary_outcome', 'outcome_on'])
      .where('complaint_id', '=', id)
      .orderBy('id')
      .execute();
    assert.deepEqual(
      actions.map((a) => [a.staff_id, a.kind, a.disciplinary_outcome, day(a.outcome_on)]),
      [
        [kim.id, 'disciplinary_investigation', 'dismissal', '2013-10-01'],
        [lee.id, 'disciplinary_investigation', 'none', '2013-09-01'],
        [null, 'apology', null, null],
        [null, 'practice_change', null, null],
      ],
    );
    const referrals = await s.repos.db
      .selectFrom('complaint_referrals')
      .select(['body', 'referred_on', 'decision', 'decided_on'])
      .where('complaint_id', '=', id)
      .orderBy('id')
      .execute();
    assert.deepEqual(
      referrals.map((r) => [r.body, day(r.referred_on), r.decision, day(r.decided_on)]),
      [
        ['swe', '2013-09-15', 'No further action', '2014-01-10'],
        ['lgsco', '2013-11-01', null, null],
      ],
    );
    const dismissed = await svc.dismissals(gareth, { from: '2013-04-01', to: '2014-03-31' });
    assert.deepEqual(
      dismissed.filter((d) => d.complaint_id === id).map((d) => d.staff_id),
      [kim.id],
      'the dismissal counts for Kim alone',
    );
  });

  test('the reminders job is registered with pg-boss and runs through its worker', async () => {
    const runner = await startJobs(s.database, s.services, pino({ level: 'silent' }), { pollingIntervalSeconds: 0.5 });
    try {
      const name = buildComplaintRemindersJob(s.services).name;
      const id = await runner.boss.send(name, {});
      assert.ok(id);
      const deadline = Date.now() + 20_000;
      let state: string | undefined;
      while (Date.now() < deadline) {
        state = (await runner.boss.getJobById(name, id!))?.state;
        if (state === 'completed' || state === 'failed') break;
        await new Promise((r) => setTimeout(r, 200));
      }
      assert.equal(state, 'completed');
    } finally {
      await runner.stop();
    }
  });

  test('a senior manager sees complaints about their own management line only, never one naming them; the complaints team sees all', async () => {
    const db = s.repos.db;
    const staffId = async (email: string) =>
      (await db.selectFrom('staff').select('id').where('email', '=', email).executeTakeFirstOrThrow()).id;
    const [jamalId, helenId] = await Promise.all([
      staffId('jamal.brown@harbour.example'),
      staffId(demo.serviceManager),
    ]);
    const tom = await actorFor(db, 'tom.baker@harbour.example');
    const priya = await actorFor(db, 'priya.shah@harbour.example');
    const daniel = await actorFor(db, 'daniel.okafor@harbour.example');
    const aboutChloe = await s.services.complaints.record(
      gareth,
      buildComplaintForm([chloeId], { summary: 'Scope: Chloe' }),
    );
    const aboutJamal = await s.services.complaints.record(
      gareth,
      buildComplaintForm([jamalId], { summary: 'Scope: Jamal' }),
    );
    const aboutHelen = await s.services.complaints.record(
      gareth,
      buildComplaintForm([helenId], { summary: 'Scope: Helen' }),
    );
    const listed = async (who: Actor) => {
      const ids = new Set(
        (await s.services.complaints.list(who, { from: null, to: null, teamId: null, status: null })).complaints.map(
          (c) => c.id,
        ),
      );
      return [aboutChloe, aboutJamal, aboutHelen].map((id) => ids.has(id));
    };
    assert.deepEqual(await listed(gareth), [true, true, true], 'the complaints team');
    assert.deepEqual(
      await listed(helen),
      [true, false, false],
      'Helen: Chloe is in her line; Jamal is not; never one about herself',
    );
    assert.deepEqual(await listed(tom), [false, true, false], 'Tom: Jamal is in his line');
    assert.deepEqual(await listed(priya), [true, false, true], 'Priya: Helen and Chloe are in her line');
    assert.deepEqual(await listed(daniel), [false, true, false]);
    await assert.rejects(s.services.complaints.detail(helen, aboutJamal), /not found/i);
    await assert.rejects(s.services.complaints.detail(helen, aboutHelen), /not found/i);
    assert.ok((await s.services.complaints.detail(tom, aboutJamal)).complaint);
    const deadlines = async (who: Actor) =>
      new Set((await s.services.complaints.deadlines(who)).map((d) => d.complaintId));
    assert.equal(
      (await deadlines(gareth)).has(aboutJamal),
      (await deadlines(tom)).has(aboutJamal),
      'Tom sees the deadlines the team sees for his line',
    );
    assert.equal((await deadlines(helen)).has(aboutJamal), false);
  });

  test('health and safety and administrators may not read complaints or their statistics', async () => {
    for (const email of [demo.healthAndSafety, demo.admin, demo.worker]) {
      const actor = await actorFor(s.repos.db, email);
      await assert.rejects(
        s.services.complaints.statistics(actor, { from: '2012-04-01', to: '2013-03-31' }),
        /cannot see/,
      );
      await assert.rejects(
        s.services.complaints.list(actor, { from: null, to: null, teamId: null, status: null }),
        /complaints team and senior managers/,
      );
    }
  });
});
