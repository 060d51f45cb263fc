/**
 * The risk gate (seed 001 Appendix E) on a real database: visits are refused at check-in
 * (services.visits.arrive) until a RED visit has a current assessment and a control, and an AMBER
 * visit's precautions are confirmed or waived; warning flags re-rate visits.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { openTestDatabase, engineName } from '../helpers/database.ts';
import { buildRepositories, buildServices } from '../../src/composition.ts';
import { seedDemo } from '../../src/demo/seed.ts';
import { actorFor, buildVisitForm } from '../helpers/lone-working.ts';
import type { Actor } from '../../src/features/auth/actor.ts';
import { ForbiddenError, ValidationError } from '../../src/errors.ts';
import { PRECAUTION_KEYS, addDays, londonToday, type PrecautionAnswer } from '../../src/features/risk/rules.ts';
import type { AssessmentForm } from '../../src/features/risk/schema.ts';
import type { VisitForm } from '../../src/features/visits/schema.ts';

let database: Awaited<ReturnType<typeof openTestDatabase>>;
let services: ReturnType<typeof buildServices>;
let chloe: Actor, dev: Actor, aisha: Actor, helen: Actor, mark: Actor, jamal: Actor, fiona: Actor;
let civicCentre: number;

before(async () => {
  database = await openTestDatabase();
  const repos = buildRepositories(database.db);
  await seedDemo(database.db, repos.audit);
  services = buildServices(repos, { sessionTtlHours: 12, instanceId: 'risk-test' });
  chloe = await actorFor(database.db, 'chloe.davies@harbour.example'); // Ashford worker
  dev = await actorFor(database.db, 'dev.patel@harbour.example'); // Chloe's buddy
  aisha = await actorFor(database.db, 'aisha.khan@harbour.example'); // Chloe's line manager
  helen = await actorFor(database.db, 'helen.ward@harbour.example'); // service manager above Aisha
  mark = await actorFor(database.db, 'mark.evans@harbour.example'); // manages Maidstone, not Chloe
  jamal = await actorFor(database.db, 'jamal.brown@harbour.example'); // another service
  fiona = await actorFor(database.db, 'fiona.reid@harbour.example'); // health and safety
  civicCentre = (
    await database.db.selectFrom('buildings').select('id').where('name', '=', 'Civic Centre').executeTakeFirstOrThrow()
  ).id;
});
after(() => database.drop());

const db = () => database.db;
let n = 0;
/** A visit for Chloe with its own case id (so tests do not share assessments or flags). */
const plan = (overrides: Partial<VisitForm> = {}) =>
  services.visits.plan(
    chloe,
    buildVisitForm({ caseId: `RISK${++n}`, postcode: `TN2${n % 10} ${n % 10}AB`, ...overrides }),
  );
const stateOf = async (id: number) =>
  await db().selectFrom('visits').select(['state', 'risk_rating']).where('id', '=', id).executeTakeFirstOrThrow();
const today = () => londonToday();

function assessment(overrides: Partial<AssessmentForm> = {}): AssessmentForm {
  return {
    scope: 'visit',
    hazards: 'Father has threatened staff',
    whoHarmed: 'The visiting worker: verbal abuse, assault',
    controls: 'Meet at the Civic Centre; police aware',
    findings: 'Shared with the team and business support',
    documentRef: 'LIB-DOC-1',
    reviewDate: addDays(today(), 60),
    ...overrides,
  };
}
const answers = (
  keys: readonly string[],
  status: 'confirmed' | 'waived',
  reason: string | null = null,
): PrecautionAnswer[] =>
  PRECAUTION_KEYS.map((key) => ({
    key,
    status: keys.includes(key) ? status : null,
    reason: keys.includes(key) ? reason : null,
  }));

/** arrive() is refused with a ValidationError on the 'risk' field; returns the messages. */
async function refused(visitId: number): Promise<string[]> {
  try {
    await services.visits.arrive(chloe, visitId);
  } catch (e) {
    assert.ok(e instanceof ValidationError, `expected a ValidationError, got ${String(e)}`);
    assert.ok(e.errors.every((x) => x.field === 'risk'));
    assert.equal((await stateOf(visitId)).state, 'planned', 'a refused start changes nothing');
    return e.errors.map((x) => x.message);
  }
  assert.fail('the visit started, but it should have been refused');
}

async function auditActions(entityType: string, entityId: number) {
  return (
    await db()
      .selectFrom('audit_log')
      .select('action')
      .where('entity_type', '=', entityType)
      .where('entity_id', '=', String(entityId))
      .execute()
  ).map((r) => r.action);
}

describe(`[${engineName}] RED`, () => {
  test('a self-referral is refused at check-in until an assessment and a manager’s approval exist', async () => {
    const id = await plan({ referralType: 'self_referral' });
    assert.equal((await stateOf(id)).risk_rating, 'RED');
    const first = await refused(id);
    assert.equal(first.length, 2);
    assert.match(first[0]!, /individual risk assessment/);

    const assessmentId = await services.risk.recordAssessment(chloe, id, assessment());
    assert.deepEqual(await auditActions('risk_assessment', assessmentId), ['risk_assessment.record']);
    const second = await refused(id);
    assert.deepEqual(second, [
      'This visit is rated RED: the risk assessment must be completed or countersigned by the worker’s line manager, or a manager above them',
      'This visit is rated RED: it needs a joint visit agreed by the line manager, a meeting in a council building, or the line manager’s approval before it can start',
    ]);
    // The worker, her buddy and business support cannot countersign; her line manager can.
    for (const who of [chloe, dev, mark]) await assert.rejects(services.risk.countersign(who, id), ForbiddenError);
    await services.risk.countersign(aisha, id);
    assert.deepEqual(await auditActions('risk_assessment', assessmentId), [
      'risk_assessment.record',
      'risk_assessment.countersign',
    ]);
    await assert.rejects(
      services.risk.countersign(aisha, id),
      (e) => e instanceof ValidationError && e.errors[0]!.field === 'countersign',
    );

    // Only the worker's line manager or above may approve: not the worker, the buddy, or another team's manager.
    for (const who of [chloe, dev, mark, fiona]) {
      await assert.rejects(
        services.risk.recordControl(who, id, {
          control: 'manager_approval',
          buildingId: null,
          buildingNote: null,
          approvalNote: 'OK',
        }),
        ForbiddenError,
      );
    }
    await assert.rejects(
      services.risk.recordControl(aisha, id, {
        control: 'manager_approval',
        buildingId: null,
        buildingNote: null,
        approvalNote: null,
      }),
      (e) => e instanceof ValidationError && e.errors[0]!.field === 'approvalNote',
    );
    await services.risk.recordControl(aisha, id, {
      control: 'manager_approval',
      buildingId: null,
      buildingNote: null,
      approvalNote: 'Police aware; call at 15:00',
    });
    assert.ok((await auditActions('visit', id)).includes('visit.risk_control'));

    await services.visits.arrive(chloe, id);
    assert.equal((await stateOf(id)).state, 'in_progress');
  });

  test('a case-level assessment covers every visit to the case; a council building meeting or a joint partner is a control', async () => {
    const caseId = `CASE${Date.now()}`;
    const first = await plan({ referralType: 'self_referral', caseId });
    await services.risk.recordAssessment(aisha, first, assessment({ scope: 'case' })); // completed by her manager: signed
    await assert.rejects(
      services.risk.recordControl(chloe, first, {
        control: 'council_building',
        buildingId: null,
        buildingNote: null,
        approvalNote: null,
      }),
      (e) => e instanceof ValidationError && e.errors[0]!.field === 'buildingId',
    );
    await services.risk.recordControl(chloe, first, {
      control: 'council_building',
      buildingId: civicCentre,
      buildingNote: 'Room 2',
      approvalNote: null,
    });
    await services.visits.arrive(chloe, first);

    // Same case, typed in lower case: the assessment applies; it still needs its own control.
    const second = await plan({ referralType: 'self_referral', caseId: caseId.toLowerCase() });
    assert.deepEqual((await refused(second)).length, 1);
    // A joint visit: the partner confirms and the manager agrees, or it does not start.
    const joint = await plan({ referralType: 'self_referral', caseId, jointPartnerId: dev.staffId });
    assert.deepEqual(await refused(joint), [
      'This visit is rated RED: the joint visit partner has not yet confirmed they are going',
      'This visit is rated RED: the line manager, or a manager above them, must agree to the joint visit',
    ]);
    await assert.rejects(services.risk.confirmJoint(chloe, joint), ForbiddenError, 'only the partner confirms');
    await services.risk.confirmJoint(dev, joint);
    assert.equal((await refused(joint)).length, 1);
    for (const who of [chloe, dev])
      await assert.rejects(
        services.risk.recordControl(who, joint, {
          control: 'joint_visit',
          buildingId: null,
          buildingNote: null,
          approvalNote: null,
        }),
        ForbiddenError,
      );
    await services.risk.recordControl(aisha, joint, {
      control: 'joint_visit',
      buildingId: null,
      buildingNote: null,
      approvalNote: null,
      jointNote: 'Both go in',
    });
    await services.visits.arrive(chloe, joint);
    assert.equal((await stateOf(joint)).state, 'in_progress');
  });

  test('an assessment past its review date blocks again until it is reviewed', async () => {
    const id = await plan({ referralType: 'self_referral' });
    await services.risk.recordAssessment(helen, id, assessment({ reviewDate: today() }));
    await services.risk.recordControl(chloe, id, {
      control: 'council_building',
      buildingId: civicCentre,
      buildingNote: null,
      approvalNote: null,
    });
    const yesterday = addDays(today(), -1);
    await db().updateTable('risk_assessments').set({ review_date: yesterday }).where('visit_id', '=', id).execute();
    const problems = await refused(id);
    assert.equal(problems.length, 1);
    assert.match(problems[0]!, /was due for review on .*; review it before the visit can start/);
    const page = await services.risk.visitRisk(chloe, id);
    assert.equal(page.assessment?.current, false);

    await assert.rejects(
      services.risk.recordAssessment(chloe, id, assessment({ reviewDate: yesterday })),
      (e) => e instanceof ValidationError && e.errors[0]!.field === 'reviewDate-day',
    );
    await services.risk.recordAssessment(aisha, id, assessment({ reviewDate: addDays(today(), 90) }));
    const superseded = await db()
      .selectFrom('risk_assessments')
      .select('superseded_at')
      .where('visit_id', '=', id)
      .where('review_date', '=', yesterday)
      .executeTakeFirstOrThrow();
    assert.ok(superseded.superseded_at, 'the review replaces the old assessment');
    await services.visits.arrive(chloe, id);
  });

  test('a case assessment needs the scope chosen; strangers and the buddy cannot record one', async () => {
    const id = await plan({ referralType: 'self_referral' });
    await assert.rejects(
      services.risk.recordAssessment(chloe, id, assessment({ scope: undefined })),
      (e) => e instanceof ValidationError && e.errors[0]!.field === 'scope',
    );
    await assert.rejects(services.risk.recordAssessment(jamal, id, assessment()), ForbiddenError);
    await assert.rejects(
      services.risk.recordAssessment(dev, id, assessment()),
      ForbiddenError,
      'the buddy may see, not act',
    );
    await assert.rejects(services.risk.visitRisk(jamal, id), ForbiddenError);
    assert.equal((await services.risk.visitRisk(dev, id)).rating, 'RED', 'the buddy sees the risk page');
  });
});

describe(`[${engineName}] AMBER`, () => {
  test('a new referral is refused at check-in until every precaution is confirmed or waived with a reason', async () => {
    const id = await plan({ referralType: 'new_referral' });
    assert.equal((await stateOf(id)).risk_rating, 'AMBER');
    assert.deepEqual(await refused(id), [
      'This visit is rated AMBER: confirm each precaution, or waive it with a reason, before it can start',
    ]);

    await assert.rejects(
      services.risk.recordPrecautions(chloe, id, answers(['parked_for_exit'], 'waived', '  ')),
      (e) => e instanceof ValidationError && e.errors[0]!.field === 'reason-parked_for_exit',
    );
    await assert.rejects(
      services.risk.recordPrecautions(chloe, id, answers([], 'confirmed')),
      ValidationError,
      'nothing answered',
    );
    await assert.rejects(
      services.risk.recordPrecautions(jamal, id, answers(['buddy_informed'], 'confirmed')),
      ForbiddenError,
    );

    const allButParking = PRECAUTION_KEYS.filter((k) => k !== 'parked_for_exit');
    await services.risk.recordPrecautions(chloe, id, answers(allButParking, 'confirmed'));
    const left = await refused(id);
    assert.equal(left.length, 1);
    assert.equal(
      left[0],
      'This visit is rated AMBER: still to confirm, or waive with a reason: “I will park where I can leave quickly”',
    );

    await assert.rejects(
      services.risk.recordPrecautions(chloe, id, answers(['parked_for_exit'], 'waived', '.')),
      (e) =>
        e instanceof ValidationError &&
        e.errors[0]!.field === 'reason-parked_for_exit' &&
        /15 characters or more/.test(e.errors[0]!.message),
      'a waiver needs a real reason',
    );
    await services.risk.recordPrecautions(
      chloe,
      id,
      answers(['parked_for_exit'], 'waived', 'Going by bus, no car today'),
    );
    const rows = await db().selectFrom('visit_precautions').selectAll().where('visit_id', '=', id).execute();
    assert.equal(rows.length, PRECAUTION_KEYS.length);
    assert.equal(rows.find((r) => r.precaution === 'parked_for_exit')?.reason, 'Going by bus, no car today');
    const told = await db()
      .selectFrom('notifications')
      .select(['subject', 'body'])
      .where('recipient_id', '=', aisha.staffId!)
      .where('subject', 'like', 'Precautions waived%')
      .execute();
    assert.ok(
      told.some((m) => m.body.includes('Going by bus, no car today')),
      'the line manager is told of the waiver',
    );
    assert.ok((await auditActions('visit', id)).includes('visit.precautions'));
    await services.visits.arrive(chloe, id);
    assert.equal((await stateOf(id)).state, 'in_progress');
  });

  test('a visit with no referral type is AMBER; a GREEN visit starts at once', async () => {
    const unknown = await plan({ referralType: null });
    assert.equal((await stateOf(unknown)).risk_rating, 'AMBER');
    const green = await plan({ referralType: 'agency_with_assessment' });
    assert.equal((await stateOf(green)).risk_rating, 'GREEN');
    await services.visits.arrive(chloe, green);
  });
});

describe(`[${engineName}] warning flags`, () => {
  test('a violence flag on the postcode makes a previously-known visit RED, at check-in and when planning', async () => {
    const id = await plan({ referralType: 'previously_known', postcode: 'TN248ZZ' });
    assert.equal((await stateOf(id)).risk_rating, 'GREEN');

    const flagId = await services.risk.addFlag(aisha, {
      caseSystem: null,
      caseId: null,
      postcode: 'TN24 8ZZ',
      category: 'violence',
      description: 'Threatened a social worker, Jan 2026',
      expiresOn: null,
    });
    assert.deepEqual(await auditActions('warning_flag', flagId), ['warning_flag.raise']);
    const page = await services.risk.visitRisk(chloe, id);
    assert.equal(page.rating, 'RED');
    assert.equal(page.ratedWhenPlanned, 'RED', 'the flag re-rated the planned visit');
    const timeline = await db()
      .selectFrom('timeline_events')
      .select('text')
      .where('visit_id', '=', id)
      .where('type', '=', 'risk_rating')
      .execute();
    assert.deepEqual(
      timeline.map((e) => e.text),
      ['Risk rating changed from GREEN to RED: a warning flag was raised (History of violence or aggression)'],
    );
    const told = await db()
      .selectFrom('notifications')
      .select('recipient_id')
      .where('subject', '=', 'A planned visit is now rated RED')
      .where('link', 'like', `%/visits/${id}/risk`)
      .execute();
    assert.deepEqual(
      told.map((r) => r.recipient_id).sort(),
      [chloe.staffId, dev.staffId].sort(),
      'the worker and her buddy are told',
    );
    assert.ok(page.reasons.some((r) => r.includes('at the postcode') && r.includes('Threatened a social worker')));
    assert.equal((await refused(id)).length, 2, 'flags raised since planning count at check-in');

    const later = await plan({ referralType: 'previously_known', postcode: 'tn24 8zz'.toUpperCase() });
    assert.equal((await stateOf(later)).risk_rating, 'RED');

    // The worker sees the flag on her own visit; someone with no visit there does not.
    assert.ok((await services.risk.flags(chloe)).flags.some((f) => f.id === flagId));
    assert.ok(!(await services.risk.flags(jamal)).flags.some((f) => f.id === flagId));
    assert.ok(
      (await services.risk.flags(fiona)).flags.some((f) => f.id === flagId),
      'health and safety see every flag',
    );
  });

  test('a flag on the case matches wherever the visit is; dogs, expired and withdrawn flags do not make it RED', async () => {
    const caseId = `FLAG${Date.now()}`;
    await services.risk.addFlag(helen, {
      caseSystem: 'liberi',
      caseId: caseId.toUpperCase(),
      postcode: null,
      category: 'weapons',
      description: 'Knife seen at last visit',
      expiresOn: null,
    });
    const onCase = await plan({ referralType: 'previously_known', caseId: caseId.toLowerCase(), postcode: 'ME1 1AA' });
    assert.equal((await stateOf(onCase)).risk_rating, 'RED');

    await services.risk.addFlag(aisha, {
      caseSystem: null,
      caseId: null,
      postcode: 'ME2 2BB',
      category: 'dogs',
      description: 'Two large dogs',
      expiresOn: addDays(today(), 10),
    });
    const aisha_ = (
      await db().selectFrom('accounts').select('id').where('email', '=', aisha.email).executeTakeFirstOrThrow()
    ).id;
    await db()
      .insertInto('warning_flags')
      .values([
        {
          postcode: 'ME2 2BB',
          category: 'violence',
          description: 'Expired',
          raised_by: aisha_,
          expires_at: new Date(Date.now() - 60_000),
        },
        {
          postcode: 'ME2 2BB',
          category: 'violence',
          description: 'Withdrawn',
          raised_by: aisha_,
          withdrawn_at: new Date(),
          withdrawn_by: aisha_,
        },
      ])
      .execute();
    const dogs = await plan({ referralType: 'previously_known', postcode: 'ME22BB' });
    assert.equal((await stateOf(dogs)).risk_rating, 'GREEN');
    const page = await services.risk.visitRisk(chloe, dogs);
    assert.deepEqual(
      page.flags.map((f) => f.description),
      ['Two large dogs'],
      'only the live flag is shown',
    );
    await services.visits.arrive(chloe, dogs);
  });

  test('only managers, health and safety and administrators add flags; a flag needs a place and a future expiry', async () => {
    const flag = {
      caseSystem: null,
      caseId: null,
      postcode: 'CT1 1AA',
      category: 'violence' as const,
      description: 'x',
      expiresOn: null,
    };
    await assert.rejects(services.risk.addFlag(chloe, flag), ForbiddenError);
    await assert.rejects(
      services.risk.addFlag(aisha, { ...flag, postcode: null }),
      (e) => e instanceof ValidationError && e.errors[0]!.field === 'postcode',
    );
    await assert.rejects(
      services.risk.addFlag(aisha, { ...flag, expiresOn: today() }),
      (e) => e instanceof ValidationError && e.errors[0]!.field === 'expires-day',
    );
  });
});

describe(`[${engineName}] reviews`, () => {
  test('managers see assessments for their teams that are overdue or due within 30 days', async () => {
    const id = await plan({ referralType: 'self_referral' });
    const soon = await services.risk.recordAssessment(
      chloe,
      id,
      assessment({ scope: 'case', reviewDate: addDays(today(), 10) }),
    );
    const other = await plan({ referralType: 'self_referral' });
    const notYet = await services.risk.recordAssessment(
      chloe,
      other,
      assessment({ scope: 'case', reviewDate: addDays(today(), 45) }),
    );

    const ids = async (who: Actor) => (await services.risk.reviews(who)).reviews.map((r) => r.id);
    for (const who of [aisha, helen, fiona]) {
      const seen = await ids(who);
      assert.ok(seen.includes(soon), `${who.email} should see the assessment due soon`);
      assert.ok(!seen.includes(notYet), 'not due within 30 days');
    }
    assert.ok(!(await ids(mark)).includes(soon), 'another team’s manager does not see it');
    await assert.rejects(services.risk.reviews(chloe), ForbiddenError);

    await db()
      .updateTable('risk_assessments')
      .set({ review_date: addDays(today(), -3) })
      .where('id', '=', soon)
      .execute();
    const overdue = (await services.risk.reviews(aisha)).reviews.find((r) => r.id === soon);
    assert.equal(overdue?.overdue, true);
    assert.equal(overdue?.latest_visit_id, id, 'links to the latest visit of the case');
  });
});

describe(`[${engineName}] issue 21: no one-person bypass of RED`, () => {
  test('every spelling of a case id matches its flag (AB 12345, AB12345, AB-12345, "AB  12345"; LB 99 001); another case system is only a warning', async () => {
    const stamp = String(Date.now()).slice(-5);
    await services.risk.addFlag(aisha, {
      caseSystem: 'liberi',
      caseId: `AB ${stamp}`,
      postcode: null,
      category: 'violence',
      description: 'Threats',
      expiresOn: null,
    });
    for (const spelling of [`AB${stamp}`, `AB-${stamp}`, `AB  ${stamp}`, `ab ${stamp}`]) {
      const id = await plan({ referralType: 'previously_known', caseId: spelling });
      assert.equal((await stateOf(id)).risk_rating, 'RED', `${spelling} matches the flag on AB ${stamp}`);
    }
    await services.risk.addFlag(aisha, {
      caseSystem: 'liberi',
      caseId: `LB 99 ${stamp}`,
      postcode: null,
      category: 'weapons',
      description: 'Knife',
      expiresOn: null,
    });
    assert.equal(
      (await stateOf(await plan({ referralType: 'previously_known', caseId: `LB99${stamp}` }))).risk_rating,
      'RED',
    );
    const keys = await db()
      .selectFrom('warning_flags')
      .select('case_key')
      .where('case_id', '=', `LB 99 ${stamp}`)
      .executeTakeFirstOrThrow();
    assert.equal(keys.case_key, `LB99${stamp}`, 'the database stores the canonical key');

    const elsewhere = await plan({ referralType: 'previously_known', caseSystem: 'ehm', caseId: `AB-${stamp}` });
    assert.equal(
      (await stateOf(elsewhere)).risk_rating,
      'GREEN',
      'a flag under another case system does not rate the visit',
    );
    const page = await services.risk.visitRisk(chloe, elsewhere);
    assert.ok(
      page.otherSystemWarnings.some((w) => w.includes('Liberi') && w.includes('not EHM')),
      'but the page warns it may be the same family',
    );
  });

  test('meeting in a council building moves the session: its address, what the buddy sees, the escalation address; choosing another control moves it back', async () => {
    const id = await plan({ referralType: 'self_referral', address: '1 Test Road', postcode: 'TN23 4TR' });
    await services.risk.recordAssessment(aisha, id, assessment());
    await services.risk.recordControl(chloe, id, {
      control: 'council_building',
      buildingId: civicCentre,
      buildingNote: null,
      approvalNote: null,
    });
    const civic = await db()
      .selectFrom('buildings')
      .select(['address', 'postcode'])
      .where('id', '=', civicCentre)
      .executeTakeFirstOrThrow();
    const moved = await db()
      .selectFrom('visits')
      .select(['address', 'postcode', 'building_id', 'home_address', 'home_postcode', 'risk_rating'])
      .where('id', '=', id)
      .executeTakeFirstOrThrow();
    assert.deepEqual(moved, {
      address: civic.address,
      postcode: civic.postcode,
      building_id: civicCentre,
      home_address: '1 Test Road',
      home_postcode: 'TN23 4TR',
      risk_rating: 'RED',
    });
    const buddyView = await services.visits.viewable(dev, id);
    assert.equal(buddyView.visit.address, civic.address, 'the buddy sees the building');
    assert.equal((await services.risk.visitRisk(chloe, id)).rating, 'RED', 'still rated at the home address');

    await services.risk.recordControl(aisha, id, {
      control: 'manager_approval',
      buildingId: null,
      buildingNote: null,
      approvalNote: 'Home visit essential; police aware',
    });
    const back = await db()
      .selectFrom('visits')
      .select(['address', 'postcode', 'building_id', 'home_address'])
      .where('id', '=', id)
      .executeTakeFirstOrThrow();
    assert.deepEqual(back, { address: '1 Test Road', postcode: 'TN23 4TR', building_id: null, home_address: null });
  });

  test('a joint partner must be a current field worker in the same team', async () => {
    const ids = async (email: string) =>
      (await db().selectFrom('staff').select('id').where('email', '=', email).executeTakeFirstOrThrow()).id;
    const cases: [string, RegExp][] = [
      ['emma.green@harbour.example', /field worker/], // business support
      ['priya.shah@harbour.example', /field worker/], // assistant director
      ['nadia.hussain@harbour.example', /same team/], // another team
    ];
    for (const [email, message] of cases) {
      await assert.rejects(
        plan({ referralType: 'self_referral', jointPartnerId: await ids(email) }),
        (e) =>
          e instanceof ValidationError && e.errors[0]!.field === 'jointPartnerId' && message.test(e.errors[0]!.message),
        email,
      );
    }
    await assert.rejects(
      plan({ jointPartnerId: chloe.staffId }),
      (e) => e instanceof ValidationError && /someone else/.test(e.errors[0]!.message),
    );
    const ok = await plan({ referralType: 'self_referral', jointPartnerId: dev.staffId });
    const asked = await db()
      .selectFrom('notifications')
      .select('link')
      .where('recipient_id', '=', dev.staffId!)
      .where('subject', 'like', 'Joint visit:%')
      .execute();
    assert.ok(
      asked.some((m) => m.link?.endsWith(`/visits/${ok}`)),
      'the partner is asked to confirm',
    );
  });

  test('other kinds of session are rated when they carry an address or case', async () => {
    const stamp = String(Date.now()).slice(-6);
    await services.risk.addFlag(aisha, {
      caseSystem: 'liberi',
      caseId: `OF${stamp}`,
      postcode: null,
      category: 'violence',
      description: 'Threats',
      expiresOn: null,
    });
    const office = await plan({
      kind: 'office',
      buildingId: civicCentre,
      address: null,
      postcode: null,
      caseId: `OF ${stamp}`,
      referralType: null,
    });
    assert.equal((await stateOf(office)).risk_rating, 'RED');
    assert.ok(
      (await refused(office)).some((m) => /risk assessment/.test(m)),
      'a RED office session needs the assessment too',
    );
    const home = await plan({
      kind: 'home_working',
      caseId: null,
      caseSystem: null,
      referralType: null,
      address: '3 Home Lane',
      postcode: 'TN25 1AA',
    });
    assert.equal((await stateOf(home)).risk_rating, 'GREEN');
    const plain = await plan({
      kind: 'building_lone_working',
      buildingId: civicCentre,
      caseId: null,
      caseSystem: null,
      address: null,
      postcode: null,
      referralType: null,
    });
    assert.equal((await stateOf(plain)).risk_rating, null, 'nothing to rate');
    await services.visits.arrive(chloe, plain);
  });

  test('Appendix E’s AMBER actions cannot be waived; an agency referral without an assessment meets in a council building', async () => {
    const id = await plan({ referralType: 'new_referral' });
    await assert.rejects(
      services.risk.recordPrecautions(
        chloe,
        id,
        answers(['records_checked', 'joint_visit_discussed'], 'waived', 'No time to do this today at all'),
      ),
      (e) =>
        e instanceof ValidationError &&
        e.errors
          .map((x) => x.field)
          .sort()
          .join() === 'status-joint_visit_discussed,status-records_checked',
    );
    const agency = await plan({ referralType: 'agency_no_assessment' });
    await services.risk.recordPrecautions(chloe, agency, answers(PRECAUTION_KEYS, 'confirmed'));
    assert.deepEqual(await refused(agency), [
      'This visit is rated AMBER (a referral from another agency with no risk assessment): meet in a council building, or get the line manager’s approval',
    ]);
    await services.risk.recordControl(chloe, agency, {
      control: 'council_building',
      buildingId: civicCentre,
      buildingNote: null,
      approvalNote: null,
    });
    await services.visits.arrive(chloe, agency);
  });

  test('editing a planned visit keeps its assessment, re-runs the gate, and a new partner must confirm again', async () => {
    const id = await plan({ referralType: 'self_referral', jointPartnerId: dev.staffId });
    await services.risk.recordAssessment(aisha, id, assessment());
    await services.risk.confirmJoint(dev, id);
    await services.risk.recordControl(aisha, id, {
      control: 'joint_visit',
      buildingId: null,
      buildingNote: null,
      approvalNote: null,
    });
    const ben = (
      await db()
        .selectFrom('staff')
        .select('id')
        .where('email', '=', 'ben.carter@harbour.example')
        .executeTakeFirstOrThrow()
    ).id;
    const current = await services.visits.viewable(chloe, id);
    await services.visits.edit(
      chloe,
      id,
      buildVisitForm({
        caseId: current.visit.case_id,
        postcode: current.visit.postcode,
        referralType: 'self_referral',
        jointPartnerId: ben,
        description: 'Edited visit',
      }),
    );
    const after = await db()
      .selectFrom('visits')
      .select(['description', 'joint_partner_id', 'joint_confirmed_at', 'risk_rating'])
      .where('id', '=', id)
      .executeTakeFirstOrThrow();
    assert.deepEqual(after, {
      description: 'Edited visit',
      joint_partner_id: ben,
      joint_confirmed_at: null,
      risk_rating: 'RED',
    });
    const page = await services.risk.visitRisk(chloe, id);
    assert.ok(page.assessment, 'the assessment is kept');
    assert.equal(page.control, null, 'the agreement was for the old partner');
    assert.equal((await refused(id)).length, 2);

    const green = await plan({ referralType: 'previously_known' });
    await services.visits.edit(chloe, green, buildVisitForm({ referralType: 'self_referral', caseId: `EDIT${n}` }));
    assert.equal((await stateOf(green)).risk_rating, 'RED', 'the light is worked out again');
    await assert.rejects(services.visits.edit(jamal, green, buildVisitForm()), ForbiddenError);
  });
});

describe(`[${engineName}] issue 21: flags raised from an incident`, () => {
  test('a flag raised from an incident re-rates planned visits to that case and tells the worker and her buddy', async () => {
    const [y, m, d] = londonToday().split('-');
    const incident = await services.incidents.save(
      chloe,
      null,
      {
        'occurred-day': String(Number(d)),
        'occurred-month': String(Number(m)),
        'occurred-year': y!,
        'occurred-time': '00:01',
        location: 'Park Road',
        loneWorking: 'yes',
        categories: ['physical_assault'],
        perpetratorType: 'parent_carer',
        injured: 'yes',
        injuryNature: 'Bruising',
        narrative: 'Pushed against the door',
      },
      'submit',
    );
    const stamp = String(Date.now()).slice(-5);
    const id = await plan({ referralType: 'previously_known', caseId: `IN-${stamp}` });
    assert.equal((await stateOf(id)).risk_rating, 'GREEN');
    await services.incidents.raiseFlag(aisha, incident, {
      subject: 'case',
      caseSystem: 'liberi',
      caseId: `IN ${stamp}`,
      postcode: null,
      category: 'violence',
      reason: 'Assaulted a worker',
      reviewOn: addDays(today(), 30),
    });
    assert.equal((await stateOf(id)).risk_rating, 'RED');
    const told = await db()
      .selectFrom('notifications')
      .select('recipient_id')
      .where('subject', '=', 'A planned visit is now rated RED')
      .where('link', 'like', `%/visits/${id}/risk`)
      .execute();
    assert.deepEqual(told.map((r) => r.recipient_id).sort(), [chloe.staffId, dev.staffId].sort());
  });
});
