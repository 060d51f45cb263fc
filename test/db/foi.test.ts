import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { demo, startTestApp, type TestApp } from '../helpers/app.ts';
import { demoIds, type DemoIds } from '../routes/support.ts';
import { actorFor } from '../helpers/lone-working.ts';
import { buildComplaint, buildIncident } from '../helpers/foi.ts';
import { buildFoiRemindersJob, buildFoiRetentionJob } from '../../src/features/foi/jobs.ts';
import { STATISTICS, type StatParams } from '../../src/features/foi/statistics.ts';
import { engineName } from '../helpers/database.ts';
import type { Actor } from '../../src/features/auth/actor.ts';
import type { StatFilter } from '../../src/features/foi/schema.ts';

const fy = (fromYear: number, toYear: number, more: Partial<StatFilter> = {}): StatFilter => ({
  period: { period: 'financial_years', fromYear, toYear },
  teamId: null,
  serviceId: null,
  jobRole: null,
  ...more,
});

describe(`FOI statistics, clock and retention on ${engineName}`, () => {
  let t: TestApp;
  let ids: DemoIds;
  let irene: Actor;

  before(async () => {
    t = await startTestApp();
    ids = await demoIds(t.repos.db);
    irene = await actorFor(t.repos.db, demo.foi);
    const db = t.repos.db;
    // Incidents either side of the financial year end, in London time: 23:30 UTC on 31 March 2020 is
    // 00:30 BST on 1 April, so it belongs to 2020/21.
    await buildIncident(db, {
      employeeId: ids.person.chloe,
      occurredAt: '2020-03-31T22:30:00Z',
      categories: ['physical_assault'],
      policeReported: true,
    }); // 23:30 BST, 2019/20
    await buildIncident(db, {
      employeeId: ids.person.chloe,
      occurredAt: '2020-03-31T23:30:00Z',
      categories: ['physical_assault', 'sexual_harassment'],
      policeReported: true,
      policeOutcome: 'charged',
      courtOutcome: 'convicted',
    });
    for (let i = 0; i < 6; i++)
      await buildIncident(db, {
        employeeId: i % 2 ? ids.person.dev : ids.person.nadia,
        occurredAt: `2020-0${5 + (i % 3)}-1${i}T10:00:00Z`,
        categories: ['verbal_abuse'],
      });
    await buildIncident(db, {
      employeeId: ids.person.jamal,
      occurredAt: '2020-06-01T10:00:00Z',
      categories: ['verbal_abuse'],
    }); // youth worker, Swale

    // Seed 004: statutory complaints by financial year.
    for (let i = 0; i < 7; i++)
      await buildComplaint(db, {
        receivedOn: `2015-0${4 + (i % 5)}-0${1 + i}`,
        staffIds: [ids.person.chloe],
        household: `H${i}`,
        outcome: i < 3 ? 'upheld' : i < 4 ? 'partially_upheld' : 'not_upheld',
      });
    await buildComplaint(db, {
      receivedOn: '2015-09-09',
      staffIds: [ids.person.chloe],
      household: 'H0',
      withdrawnOn: '2015-09-20',
    });
    // Seed 003: Dev has two complaints from one household (related), Ola two from different households.
    await buildComplaint(db, { receivedOn: '2016-05-01', staffIds: [ids.person.dev], household: 'Smith family' });
    await buildComplaint(db, { receivedOn: '2016-06-01', staffIds: [ids.person.dev], household: ' smith family ' });
    await buildComplaint(db, { receivedOn: '2016-05-02', staffIds: [ids.person.ola], household: 'Jones' });
    await buildComplaint(db, { receivedOn: '2016-07-02', staffIds: [ids.person.ola], household: null });
    // Seed 004: four dismissals since 2008.
    for (const [i, who] of [ids.person.ben, ids.person.owen, ids.person.katie, ids.person.nadia].entries()) {
      await buildComplaint(db, {
        receivedOn: `201${i}-05-01`,
        staffIds: [who],
        household: `D${i}`,
        dismissal: { staffId: who, on: `201${i}-11-01` },
      });
    }
  });
  after(() => t.close());

  const cells = async (name: string, f: StatFilter) =>
    (await t.services.foi.statistic(irene, name, f)).raw.rows.map((r) => [r.label, ...r.cells.map((c) => c.value)]);

  test('every statistic runs on this engine with every filter', async () => {
    for (const s of STATISTICS) {
      for (const f of [
        fy(2019, 2020),
        fy(2019, 2020, { teamId: ids.team.ashford }),
        fy(2019, 2020, { serviceId: ids.service.childrenInCare }),
        fy(2019, 2020, { jobRole: 'social_workers' }),
        fy(2019, 2020, { jobRole: 'youth_worker' }),
      ]) {
        const r = await t.services.foi.statistic(irene, s.name, f);
        assert.ok(r.published.rows.length >= 1, s.name);
      }
    }
  });

  test('assaults by type fall in the London financial year', async () => {
    assert.deepEqual(await cells('assaults-by-type', fy(2019, 2020)), [
      ['2019/20', 1, 0, 0, 0],
      ['2020/21', 1, 7, 0, 1],
    ]);
    // Social workers only: Jamal, a youth worker, drops out.
    assert.deepEqual(await cells('assaults-by-type', fy(2020, 2020, { jobRole: 'social_workers' })), [
      ['2020/21', 1, 6, 0, 1],
    ]);
    assert.deepEqual(await cells('assaults-by-type', fy(2020, 2020, { teamId: ids.team.ashford })), [
      ['2020/21', 1, 3, 0, 1],
    ]);
  });

  test('seed 000: actions taken are counted in the year each was taken', async () => {
    const db = t.repos.db;
    const id = await buildIncident(db, {
      employeeId: ids.person.chloe,
      occurredAt: '2021-03-20T10:00:00Z',
      categories: ['council_property_damage'],
    });
    await db
      .updateTable('incidents')
      .set({
        meeting_held_at: new Date('2021-03-22T10:00:00Z'),
        police_right_told_at: new Date('2021-04-02T10:00:00Z'),
      } as never)
      .where('id', '=', id)
      .execute();
    await db
      .insertInto('incident_legal_actions')
      .values({ incident_id: id, kind: 'warning_letter', action_on: '2021-04-10' } as never)
      .execute();
    await db
      .insertInto('incident_legal_actions')
      .values({ incident_id: id, kind: 'contact_ban', action_on: '2021-05-10' } as never)
      .execute();
    const rows = Object.fromEntries((await cells('actions-taken', fy(2020, 2021))).map(([label, ...n]) => [label, n]));
    assert.deepEqual(rows['Manager met the member of staff'], [1, 0]);
    assert.deepEqual(rows['Told of their right to report to the police'], [0, 1]);
    assert.deepEqual(rows['Warning letter to the perpetrator'], [0, 1]);
    assert.deepEqual(rows['Contact ban'], [0, 1]);
    assert.deepEqual(rows['Injunction'], [0, 0]);
    // Another team's filter sees none of Chloe's.
    const swale = await cells('actions-taken', fy(2020, 2021, { teamId: ids.team.swale }));
    assert.ok(swale.every(([, ...n]) => n.every((x) => x === 0)));
  });

  test('staff assaulted counts incidents and distinct people, per year and over the whole period', async () => {
    assert.deepEqual(await cells('staff-assaulted', fy(2020, 2020)), [
      ['2020/21', 8, 4],
      ['Whole period (1 April 2020 to 31 March 2021)', 8, 4],
    ]);
    // Chloe assaulted in 2019/20 and 2020/21 is one person over the two years.
    assert.deepEqual(await cells('staff-assaulted', fy(2019, 2020)), [
      ['2019/20', 1, 1],
      ['2020/21', 8, 4],
      ['Whole period (1 April 2019 to 31 March 2021)', 9, 4],
    ]);
  });

  test('a part year is labelled with its dates, not as the whole year', async () => {
    const rows = await cells('staff-assaulted', {
      period: { period: 'custom', from: '2020-12-06', to: '2021-03-31' },
      teamId: null,
      serviceId: null,
      jobRole: null,
    });
    assert.equal(rows[0]![0], '2020/21 (6 December 2020 to 31 March 2021)');
  });

  test('police figures count the assaults asked about; every incident is a separately labelled figure', async () => {
    const db = t.repos.db;
    await buildIncident(db, {
      employeeId: ids.person.dev,
      occurredAt: '2018-06-01T10:00:00Z',
      categories: ['council_property_damage'],
      policeReported: true,
    });
    await buildIncident(db, {
      employeeId: ids.person.dev,
      occurredAt: '2018-07-01T10:00:00Z',
      categories: ['threats'],
      policeReported: true,
    });
    assert.deepEqual(await cells('police-and-prosecutions', fy(2018, 2018)), [['2018/19', 1, 0, 0]]);
    const r = await t.services.foi.statistic(irene, 'police-and-prosecutions', fy(2018, 2018));
    assert.ok(
      r.raw.notes.includes('All incidents, not only assaults, reported to the police: 2 in the period'),
      r.raw.notes.join('\n'),
    );
    assert.ok(
      r.published.notes.includes('All incidents, not only assaults, reported to the police: [c] in the period'),
    );
  });

  test('police and prosecutions (seed 000)', async () => {
    assert.deepEqual(await cells('police-and-prosecutions', fy(2019, 2020)), [
      ['2019/20', 1, 0, 0],
      ['2020/21', 1, 1, 1],
    ]);
    const published = (await t.services.foi.statistic(irene, 'police-and-prosecutions', fy(2019, 2020))).published;
    assert.equal(published.rows[0]!.cells[0]!.text, '[c]');
    assert.equal(published.columnTotals![0]!.text, '[c]', 'the total of 2 is small too');
  });

  test('seed 004: statutory complaints received, investigated, withdrawn, upheld or partially upheld', async () => {
    // Received, investigated and concluded, still open, withdrawn, not investigated, upheld or partially upheld.
    assert.deepEqual(await cells('complaints-by-year', fy(2015, 2015)), [['2015/16', 8, 7, 0, 1, 0, 4]]);
  });

  test('seed 004: four dismissals since 2008 are published as "[c]"', async () => {
    const r = await t.services.foi.statistic(irene, 'staff-dismissed', {
      period: { period: 'custom', from: '2008-01-01', to: '2020-12-31' },
      teamId: null,
      serviceId: null,
      jobRole: null,
    });
    assert.equal(r.raw.rows[0]!.cells[0]!.value, 4);
    assert.equal(r.published.rows[0]!.cells[0]!.text, '[c]');
  });

  test('the complaints statistics agree whether read through the complaints service or by Harbour FOI’s own query', async () => {
    const complaints = t.services.complaints.statistics;
    const periods: StatParams[] = [
      { from: '2008-01-01', to: '2020-12-31', teamId: null, serviceId: null, jobRole: null },
      { from: '2015-04-01', to: '2017-03-31', teamId: null, serviceId: null, jobRole: 'social_workers' },
    ];
    for (const name of ['staff-dismissed', 'staff-with-repeat-complaints']) {
      const def = STATISTICS.find((s) => s.name === name)!;
      for (const p of periods) {
        const viaService = await def.compute({ db: t.repos.db, complaints, actor: irene }, p);
        const viaSql = await def.compute({ db: t.repos.db, complaints: null, actor: irene }, p);
        const values = (x: typeof viaSql) => x.rows.map((r) => r.cells);
        if (name === 'complaints-by-year') {
          // The service labels part years differently; the figures must match year by year.
          assert.deepEqual(
            values(viaService).filter((c) => c.some(Boolean)),
            values(viaSql).filter((c) => c.some(Boolean)),
            `${name} ${p.from}`,
          );
        } else {
          assert.deepEqual(values(viaService), values(viaSql), `${name} ${p.from}`);
        }
      }
    }
  });

  test('seed 003: staff with two or more complaints from unrelated complainants', async () => {
    const r = await t.services.foi.statistic(irene, 'staff-with-repeat-complaints', {
      period: { period: 'custom', from: '2016-04-01', to: '2017-03-31' },
      teamId: null,
      serviceId: null,
      jobRole: 'social_workers',
    });
    // Ola (two households) counts; Dev (one household, twice) does not.
    assert.equal(r.raw.rows[0]!.cells[0]!.value, 1);
    assert.equal(r.published.rows[0]!.cells[0]!.text, '[c]');
  });

  test('seed 003: complaints about staff by outcome add up across rows and columns, with secondary suppression', async () => {
    const r = await t.services.foi.statistic(irene, 'complaints-about-staff', fy(2015, 2016));
    assert.equal(r.raw.grandTotal!.value, 12);
    for (const row of r.published.rows)
      assert.notEqual(
        [...row.cells, row.total!].filter((c) => c.suppressed).length,
        1,
        `${row.label}: ${JSON.stringify([...row.cells, row.total].map((c) => c!.text))} ${JSON.stringify(r.published.columnTotals?.map((c) => c.text))}`,
      );
  });

  test('seed 003: regulator and Ombudsman referrals are separate, concerns raised by staff count, and the notes carry no small count', async () => {
    const db = t.repos.db;
    const before = (await t.services.foi.statistic(irene, 'complaints-about-staff', fy(2012, 2012))).raw.grandTotal!
      .value!;
    const ids3 = [];
    for (let i = 0; i < 6; i++)
      ids3.push(
        await buildComplaint(db, {
          receivedOn: `2012-0${4 + i}-10`,
          staffIds: [ids.person.dev],
          household: `R${i}`,
          procedure: i === 5 ? 'staff_grievance' : 'corporate',
        }),
      );
    for (const [k, body] of [
      [0, 'swe'],
      [1, 'hcpc'],
      [2, 'gscc'],
      [3, 'lgsco'],
      [4, 'swe'],
    ] as const) {
      await db
        .insertInto('complaint_referrals')
        .values({ complaint_id: ids3[k]!, body, referred_on: '2012-10-01' } as never)
        .execute();
    }
    const r = await t.services.foi.statistic(irene, 'complaints-about-staff', fy(2012, 2012));
    assert.equal(r.raw.grandTotal!.value, before + 6, 'the concern raised by staff is counted');
    assert.ok(
      r.raw.notes.some((n) => /^Referred to a regulator .*: 4 complaints/.test(n)),
      r.raw.notes.join('\n'),
    );
    assert.ok(
      r.raw.notes.some((n) => /^Referred to the Local Government and Social Care Ombudsman: 1 complaints/.test(n)),
    );
    assert.ok(r.published.notes.every((n) => !/small numbers are protected/.test(n)));
    assert.ok(
      r.published.notes.filter((n) => !n.startsWith('[c] ')).every((n) => !/: [1-4] complaints/.test(n)),
      r.published.notes.join('\n'),
    );
  });

  test('a saved answer is frozen: later records do not change it; the request page says so and a new version keeps the old', async () => {
    const db = t.repos.db;
    const form = {
      title: 'Assaults',
      requesterName: 'R',
      requesterContact: 'r@example.org',
      receivedOn: '2026-01-05',
      receivedTime: '09:00',
      channel: 'email' as const,
      regime: 'foi' as const,
      assigneeId: null,
      questions: ['How many?'],
    };
    const id = await t.services.foi.create(irene, form);
    const [q] = await db.selectFrom('foi_questions').select('id').where('request_id', '=', id).execute();
    const filter = fy(2017, 2017);
    await t.services.foi.answer(irene, id, q!.id, {
      outcome: 'provided',
      answer: 'See the table.',
      advice: null,
      exemption: null,
      exemptionReasons: null,
      statistic: 'staff-assaulted',
      statFilter: filter,
    });
    const saved = (await t.services.foi.request(irene, id)).questions[0]!;
    assert.deepEqual(
      saved.published!.rows[0]!.cells.map((c) => c.text),
      ['0', '0'],
    );
    assert.equal(saved.frozen!.changed, false);
    assert.ok(saved.frozen!.dataAt);
    // Six assaults on six people are recorded afterwards (a historic import, say).
    const people = [
      ids.person.chloe,
      ids.person.dev,
      ids.person.nadia,
      ids.person.ola,
      ids.person.jamal,
      ids.person.aisha,
    ];
    for (const [i, p] of people.entries())
      await buildIncident(db, {
        employeeId: p,
        occurredAt: `2017-${String(5 + i).padStart(2, '0')}-10T10:00:00Z`,
        categories: ['threats'],
      });
    const after = (await t.services.foi.request(irene, id)).questions[0]!;
    assert.deepEqual(
      after.published!.rows[0]!.cells.map((c) => c.text),
      ['0', '0'],
      'the saved answer is what it was',
    );
    assert.equal(after.frozen!.changed, true, 'the page says the figures have changed');
    await t.services.foi.newVersion(irene, id, q!.id);
    const renewed = (await t.services.foi.request(irene, id)).questions[0]!;
    assert.equal(renewed.frozen!.versions, 1, 'the earlier version is kept');
    assert.deepEqual(
      renewed.published!.rows[0]!.cells.map((c) => c.text),
      ['6', '6'],
    );
    assert.equal(renewed.frozen!.changed, false);
  });

  test('two officers logging at once get different references', async () => {
    const form = {
      title: 'Race',
      requesterName: 'R',
      requesterContact: 'r@example.org',
      receivedOn: '2026-01-05',
      receivedTime: '09:00',
      channel: 'email' as const,
      regime: 'foi' as const,
      assigneeId: null,
      questions: ['Q'],
    };
    const [a, b] = await Promise.all([t.services.foi.create(irene, form), t.services.foi.create(irene, form)]);
    const refs = await t.repos.db.selectFrom('foi_requests').select('reference').where('id', 'in', [a, b]).execute();
    assert.equal(new Set(refs.map((r) => r.reference)).size, 2);
  });

  test('retention: requester details are erased three years after closure, each erasure audited', async () => {
    const form = {
      title: 'Old',
      requesterName: 'Old Requester',
      requesterContact: 'old@example.org',
      receivedOn: '2020-01-06',
      receivedTime: '09:00',
      channel: 'email' as const,
      regime: 'foi' as const,
      assigneeId: null,
      questions: ['Q'],
    };
    const old = await t.services.foi.create(irene, form);
    const recent = await t.services.foi.create(irene, { ...form, requesterName: 'Recent Requester' });
    for (const id of [old, recent])
      await t.services.foi.recordEvent(irene, id, { kind: 'close', on: '2020-02-03', targetDate: null, notes: null });
    await t.repos.db
      .updateTable('foi_requests')
      .set({ closed_at: new Date(Date.now() - 4 * 365 * 86_400_000) })
      .where('id', '=', old)
      .execute();
    const job = buildFoiRetentionJob(t.services);
    const result = (await job.perform({})) as { erased: number };
    assert.equal(result.erased, 1);
    const rows = await t.repos.db
      .selectFrom('foi_requests')
      .select(['id', 'requester_name', 'requester_contact', 'requester_erased_at'])
      .where('id', 'in', [old, recent])
      .orderBy('id')
      .execute();
    assert.deepEqual(
      rows.map((r) => [r.requester_name, r.requester_contact, r.requester_erased_at !== null]),
      [
        [null, null, true],
        ['Recent Requester', 'old@example.org', false],
      ],
    );
    const audit = await t.repos.db
      .selectFrom('audit_log')
      .select('action')
      .where('action', '=', 'foi.requester.erase')
      .where('entity_id', '=', String(old))
      .execute();
    assert.equal(audit.length, 1);
    assert.equal(((await job.perform({})) as { erased: number }).erased, 0, 'nothing twice');
  });

  test('the reminders job tells the assignee before the deadline, once', async () => {
    const received = new Date(Date.now() - 26 * 86_400_000).toISOString().slice(0, 10);
    const id = await t.services.foi.create(irene, {
      title: 'Due soon',
      requesterName: 'R',
      requesterContact: 'r@example.org',
      receivedOn: received,
      receivedTime: '09:00',
      channel: 'email',
      regime: 'foi',
      assigneeId: ids.person.helen,
      questions: ['Q'],
    });
    const job = buildFoiRemindersJob(t.services);
    await job.perform({});
    const sent = await t.repos.db.selectFrom('foi_reminders').select('kind').where('request_id', '=', id).execute();
    assert.equal(sent.length, 1);
    const inbox = await t.repos.db
      .selectFrom('notifications')
      .select('subject')
      .where('recipient_id', '=', ids.person.helen)
      .where('subject', 'like', 'FOI %')
      .execute();
    assert.equal(inbox.length, 1);
    await job.perform({});
    assert.equal(
      (await t.repos.db.selectFrom('foi_reminders').select('kind').where('request_id', '=', id).execute()).length,
      1,
    );
  });

  test('the internal review has its own reminder, and the s17 notice is reminded before a public interest target', async () => {
    const job = buildFoiRemindersJob(t.services);
    const daysAgo = (n: number) => new Date(Date.now() - n * 86_400_000).toISOString().slice(0, 10);
    const form = {
      title: 'Reviewed',
      requesterName: 'R',
      requesterContact: 'r@example.org',
      receivedOn: daysAgo(80),
      receivedTime: '09:00',
      channel: 'email' as const,
      regime: 'foi' as const,
      assigneeId: ids.person.helen,
      questions: ['Q'],
    };
    const reviewed = await t.services.foi.create(irene, form);
    await t.services.foi.recordEvent(irene, reviewed, {
      kind: 'response_sent',
      on: daysAgo(60),
      targetDate: null,
      notes: null,
    });
    await t.services.foi.recordEvent(irene, reviewed, {
      kind: 'review_requested',
      on: daysAgo(26),
      targetDate: null,
      notes: null,
    });
    const extended = await t.services.foi.create(irene, { ...form, title: 'Extended', receivedOn: daysAgo(26) });
    await t.services.foi.recordEvent(irene, extended, {
      kind: 'pi_extension',
      on: daysAgo(1),
      targetDate: new Date(Date.now() + 40 * 86_400_000).toISOString().slice(0, 10),
      notes: null,
    });
    await job.perform({});
    const kinds = async (id: number) =>
      (await t.repos.db.selectFrom('foi_reminders').select('kind').where('request_id', '=', id).execute()).map(
        (r) => r.kind,
      );
    assert.deepEqual(
      (await kinds(reviewed)).map((k) => k.split('.')[0]),
      ['review'],
    );
    assert.deepEqual(
      (await kinds(extended)).map((k) => k.split('.')[0]),
      ['s17'],
      'the answer is weeks away, but the s17 notice is due now',
    );
  });
});
