/**
 * Training and readiness (issue 19) on a real database: the import is all or nothing; the training
 * gate reads a session's facts through the caller's transaction (a team's 'require' policy for RED
 * and AMBER lone visits, key-holder call-outs); readiness reads the buddy, emergency details, duress
 * PIN and risk assessments due; each person is reminded at most once a week.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { sql } from 'kysely';
import { JOB_ROLES } from '../../src/features/people/job-roles.ts';
import { engineName } from '../helpers/database.ts';
import { openSeeded, type Seeded } from '../helpers/services.ts';
import { actorFor, buildVisitForm } from '../helpers/lone-working.ts';
import { demo } from '../helpers/app.ts';
import { buildTrainingGate, buildTrainingService } from '../../src/features/training/index.ts';
import { addDays, londonToday } from '../../src/time/london.ts';
import { STATISTICS } from '../../src/features/foi/statistics.ts';

describe(`[${engineName}] training and readiness`, () => {
  let s: Seeded;
  const count = async (table: 'training_records' | 'notifications') =>
    Number(
      (
        await s.database.db
          .selectFrom(table)
          .select((eb) => eb.fn.countAll<string>().as('n'))
          .executeTakeFirstOrThrow()
      ).n,
    );
  const staffId = async (email: string) =>
    await s.database.db
      .selectFrom('staff')
      .select(['id', 'employee_number', 'team_id'])
      .where('email', '=', email)
      .executeTakeFirstOrThrow();

  before(async () => {
    s = await openSeeded();
  });
  after(() => s.database.drop());

  test('the import writes every row or none', async () => {
    const before = await count('training_records');
    const ola = await staffId(demo.noBuddyWorker);
    const bad = await s.services.training.importFile(
      null,
      `employee_number,course,completed_on,expires_on\n${ola.employee_number},E Learning Lone Working,2025-01-01,\n${ola.employee_number},Nope,2025-01-01,\n`,
      'bad.csv',
    );
    assert.equal(bad.ok, false);
    assert.equal(await count('training_records'), before);
    const good = await s.services.training.importFile(
      null,
      `employee_number,course,completed_on,expires_on\n${ola.employee_number.toLowerCase()},e learning lone working,${addDays(londonToday(), -1)},\n`,
      'good.csv',
    );
    assert.deepEqual(good, { ok: true, imported: 1, people: 1 });
    assert.equal(await count('training_records'), before + 1);
    const audit = await s.database.db
      .selectFrom('audit_log')
      .select(['actor_label', 'detail'])
      .where('action', '=', 'training.import')
      .execute();
    assert.equal(audit.length, 1);
  });

  test('the gate: a team that requires training stops an AMBER lone visit without it; a joint visit lets it start', async () => {
    const db = s.database.db;
    const gate = buildTrainingGate(s.repos.training);
    const ola = await staffId(demo.noBuddyWorker);
    const olaActor = await actorFor(db, demo.noBuddyWorker);
    const visit = await s.services.visits.plan(olaActor, buildVisitForm());
    const problems = (rating: string) => db.transaction().execute((trx) => gate(trx, { id: visit, rating }));
    // Ola has the e-learning (imported above) but not the personal safety course.
    assert.deepEqual(await problems('AMBER'), [], 'warn is the default');
    const aisha = await actorFor(db, demo.teamManager);
    await s.services.training.setPolicy(aisha, ola.team_id!, 'require');
    const amber = await problems('AMBER');
    assert.equal(amber.length, 1);
    assert.match(amber[0]!, /KSCMP Personal Safety – Lone Worker is missing or expired/);
    assert.equal((await problems('RED')).length, 1);
    assert.deepEqual(await problems('GREEN'), []);
    // No rating given: the light the visit was planned under.
    await db.updateTable('visits').set({ risk_rating: 'AMBER' }).where('id', '=', visit).execute();
    assert.equal((await db.transaction().execute((trx) => gate(trx, { id: visit }))).length, 1);
    const dev = await staffId('dev.patel@harbour.example');
    await db.updateTable('visits').set({ joint_partner_id: dev.id }).where('id', '=', visit).execute();
    assert.deepEqual(await problems('AMBER'), []);
    await s.services.training.setPolicy(aisha, ola.team_id!, 'warn');
  });

  test('the gate: a key-holder call-out needs key-holder training and a risk assessment for it', async () => {
    const db = s.database.db;
    const gate = buildTrainingGate(s.repos.training);
    const grace = await actorFor(db, 'grace.lee@harbour.example');
    const visit = await s.services.visits.plan(
      grace,
      buildVisitForm({ kind: 'key_holder_callout', referralType: null, caseSystem: null, caseId: null }),
    );
    const problems = () => db.transaction().execute((trx) => gate(trx, { id: visit, rating: null }));
    assert.equal((await problems()).length, 2);
    const keys = (await s.services.training.courses()).find((c) => c.category === 'key_holder')!;
    const admin = await actorFor(db, demo.admin);
    await s.services.training.record(admin, grace.staffId!, {
      courseId: keys.id,
      completedOn: addDays(londonToday(), -5),
      expiresOn: null,
      evidence: null,
    });
    const left = await problems();
    assert.equal(left.length, 1);
    assert.match(left[0]!, /risk assessment/);
    await db
      .insertInto('risk_assessments')
      .values({
        visit_id: visit,
        hazards: 'h',
        who_harmed: 'w',
        controls: 'c',
        findings: 'f',
        review_date: addDays(londonToday(), 30),
        completed_by: grace.staffId,
      } as never)
      .execute();
    assert.deepEqual(await problems(), []);
  });

  test('readiness reads the buddy, emergency details, duress PIN and assessments due', async () => {
    const db = s.database.db;
    const chloe = await staffId(demo.worker);
    const row = async () => (await s.services.training.readinessFor([chloe.id]))[0]!;
    const before = await row();
    assert.deepEqual(
      [before.buddy, before.packCurrent, before.duressPin, before.trainingCurrent, before.ready],
      [true, false, false, true, false],
    );
    assert.deepEqual(before.reasons, ['No emergency details', 'No duress PIN']);
    await db.insertInto('emergency_packs').values({ staff_id: chloe.id, key_id: 'k', ciphertext: 'x' }).execute();
    await db.insertInto('duress_pins').values({ staff_id: chloe.id, duress_pin_hash: 'x' }).execute();
    await db
      .insertInto('risk_assessments')
      .values({
        case_system: 'liberi',
        case_id: 'TRAIN1',
        hazards: 'h',
        who_harmed: 'w',
        controls: 'c',
        findings: 'f',
        review_date: addDays(londonToday(), 10),
        completed_by: chloe.id,
      } as never)
      .execute();
    const afterRow = await row();
    assert.deepEqual(
      [afterRow.packCurrent, afterRow.duressPin, afterRow.assessmentsDue, afterRow.ready],
      [true, true, 1, true],
    );
  });

  test('each person is reminded at most once a week', async () => {
    let clock = new Date();
    const service = buildTrainingService({
      db: s.database.db,
      training: s.repos.training,
      staff: s.repos.staff,
      audit: s.repos.audit,
      now: () => clock,
    });
    const first = await service.sendReminders();
    assert.ok(first.sent > 0);
    const chloe = await staffId(demo.worker);
    const message = await s.database.db
      .selectFrom('notifications')
      .select(['subject', 'body', 'link'])
      .where('recipient_id', '=', chloe.id)
      .where('link', '=', '/training')
      .executeTakeFirstOrThrow();
    assert.match(message.body, /E Learning Lone Working: expires on/);
    assert.deepEqual(await service.sendReminders(), { sent: 0 });
    clock = new Date(clock.getTime() + 6 * 86_400_000);
    assert.deepEqual(await service.sendReminders(), { sent: 0 });
    clock = new Date(clock.getTime() + 86_400_000);
    assert.equal((await service.sendReminders()).sent, first.sent);
  });
  test('FOI: staff who have completed lone-working and personal safety training, by team and job role, one by one and through disclosure control', async () => {
    const db = s.database.db;
    const today = londonToday();
    const def = STATISTICS.find((x) => x.name === 'staff-trained-lone-working')!;
    const compute = (p: Partial<Parameters<typeof def.compute>[1]>) =>
      def.compute(
        { db, complaints: null, actor: null },
        { from: '2020-04-01', to: today, teamId: null, serviceId: null, jobRole: null, ...p },
      );
    // The oracle: every active member of staff, one by one, from their own records.
    const staff = await db
      .selectFrom('staff')
      .leftJoin('teams', 'teams.id', 'staff.team_id')
      .select(['staff.id', 'staff.job_role', 'teams.name as team'])
      .where('staff.active', '=', true)
      .execute();
    const records = await db
      .selectFrom('training_records as r')
      .innerJoin('training_courses as c', 'c.id', 'r.course_id')
      .select(['r.staff_id', 'c.category', sql<string>`r.completed_on::text`.as('on')])
      .execute();
    const trained = (id: number, by: string) =>
      ['lone_working', 'personal_safety'].every((cat) =>
        records.some((r) => r.staff_id === id && r.category === cat && r.on <= by),
      );
    const expected = new Map<string, number>();
    for (const p of staff)
      if (trained(p.id, today))
        expected.set(
          `${p.team ?? 'No team'}|${p.job_role}`,
          (expected.get(`${p.team ?? 'No team'}|${p.job_role}`) ?? 0) + 1,
        );
    const table = await compute({});
    const got = new Map<string, number>();
    const roleOf = (label: string) => Object.entries(JOB_ROLES).find(([, l]) => l === label)![0];
    for (const row of table.rows)
      row.cells.forEach((n, i) => {
        if (n) got.set(`${row.label}|${roleOf(table.columns[i]!)}`, n);
      });
    assert.deepEqual([...got].sort(), [...expected].sort());
    assert.ok(expected.size > 3);
    // Nobody had done both by the end of 2020 (the demo's completions are recent).
    assert.deepEqual(
      (await compute({ to: '2020-12-31' })).rows.flatMap((r) => r.cells).reduce((a, b) => a + b, 0),
      0,
    );
    const ashford = await compute({ teamId: (await staffId(demo.worker)).team_id });
    assert.deepEqual(
      ashford.rows.map((r) => r.label),
      ['Ashford Children in Care'],
    );
    // Through the same disclosure control as every FOI statistic: counts of 1 to 4 are withheld as [c].
    const irene = await actorFor(db, demo.foi);
    const result = await s.services.foi.statistic(irene, 'staff-trained-lone-working', {
      period: { period: 'last_years', years: 5 },
      teamId: null,
      serviceId: null,
      jobRole: null,
    } as never);
    const published = result.published.rows.flatMap((r) => r.cells.map((c) => c.text));
    assert.ok(published.includes('[c]'), JSON.stringify(published));
    assert.ok(!published.some((t) => ['1', '2', '3', '4'].includes(t)));
  });
});
