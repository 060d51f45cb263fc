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
  civicCentre = (await database.db.selectFrom('buildings').select('id').where('name', '=', 'Civic Centre').executeTakeFirstOrThrow()).id;
});
after(() => database.drop());

const db = () => database.db;
let n = 0;
/** A visit for Chloe with its own case id (so tests do not share assessments or flags). */
const plan = (overrides: Partial<VisitForm> = {}) => services.visits.plan(chloe, buildVisitForm({ caseId: `RISK${++n}`, postcode: `TN2${n % 10} ${n % 10}AB`, ...overrides }));
const stateOf = async (id: number) => (await db().selectFrom('visits').select(['state', 'risk_rating']).where('id', '=', id).executeTakeFirstOrThrow());
const today = () => londonToday();

function assessment(overrides: Partial<AssessmentForm> = {}): AssessmentForm {
  return {
    scope: 'visit', hazards: 'Father has threatened staff', whoHarmed: 'The visiting worker: verbal abuse, assault', controls: 'Meet at the Civic Centre; police aware',
    findings: 'Shared with the team and business support', documentRef: 'LIB-DOC-1', reviewDate: addDays(today(), 60), ...overrides,
  };
}
const answers = (keys: readonly string[], status: 'confirmed' | 'waived', reason: string | null = null): PrecautionAnswer[] =>
  PRECAUTION_KEYS.map((key) => ({ key, status: keys.includes(key) ? status : null, reason: keys.includes(key) ? reason : null }));

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
  return (await db().selectFrom('audit_log').select('action').where('entity_type', '=', entityType).where('entity_id', '=', String(entityId)).execute()).map((r) => r.action);
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
    assert.deepEqual(second, ['This visit is rated RED: it needs a joint visit, a meeting in a council building, or the line manager’s approval before it can start']);

    // Only the worker's line manager or above may approve: not the worker, the buddy, or another team's manager.
    for (const who of [chloe, dev, mark, fiona]) {
      await assert.rejects(services.risk.recordControl(who, id, { control: 'manager_approval', buildingId: null, buildingNote: null, approvalNote: 'OK' }), ForbiddenError);
    }
    await assert.rejects(services.risk.recordControl(aisha, id, { control: 'manager_approval', buildingId: null, buildingNote: null, approvalNote: null }),
      (e) => e instanceof ValidationError && e.errors[0]!.field === 'approvalNote');
    await services.risk.recordControl(aisha, id, { control: 'manager_approval', buildingId: null, buildingNote: null, approvalNote: 'Police aware; call at 15:00' });
    assert.ok((await auditActions('visit', id)).includes('visit.risk_control'));

    await services.visits.arrive(chloe, id);
    assert.equal((await stateOf(id)).state, 'in_progress');
  });

  test('a case-level assessment covers every visit to the case; a council building meeting or a joint partner is a control', async () => {
    const caseId = `CASE${Date.now()}`;
    const first = await plan({ referralType: 'self_referral', caseId });
    await services.risk.recordAssessment(chloe, first, assessment({ scope: 'case' }));
    await assert.rejects(services.risk.recordControl(chloe, first, { control: 'council_building', buildingId: null, buildingNote: null, approvalNote: null }),
      (e) => e instanceof ValidationError && e.errors[0]!.field === 'buildingId');
    await services.risk.recordControl(chloe, first, { control: 'council_building', buildingId: civicCentre, buildingNote: 'Room 2', approvalNote: null });
    await services.visits.arrive(chloe, first);

    // Same case, typed in lower case: the assessment applies; it still needs its own control.
    const second = await plan({ referralType: 'self_referral', caseId: caseId.toLowerCase() });
    assert.deepEqual((await refused(second)).length, 1);
    const joint = await plan({ referralType: 'self_referral', caseId, jointPartnerId: (await db().selectFrom('staff').select('id').where('email', '=', 'dev.patel@harbour.example').executeTakeFirstOrThrow()).id });
    await services.visits.arrive(chloe, joint);
    assert.equal((await stateOf(joint)).state, 'in_progress');
  });

  test('an assessment past its review date blocks again until it is reviewed', async () => {
    const id = await plan({ referralType: 'self_referral' });
    await services.risk.recordAssessment(chloe, id, assessment({ reviewDate: today() }));
    await services.risk.recordControl(chloe, id, { control: 'council_building', buildingId: civicCentre, buildingNote: null, approvalNote: null });
    const yesterday = addDays(today(), -1);
    await db().updateTable('risk_assessments').set({ review_date: yesterday }).where('visit_id', '=', id).execute();
    const problems = await refused(id);
    assert.equal(problems.length, 1);
    assert.match(problems[0]!, /was due for review on .*; review it before the visit can start/);
    const page = await services.risk.visitRisk(chloe, id);
    assert.equal(page.assessment?.current, false);

    await assert.rejects(services.risk.recordAssessment(chloe, id, assessment({ reviewDate: yesterday })),
      (e) => e instanceof ValidationError && e.errors[0]!.field === 'reviewDate-day');
    await services.risk.recordAssessment(chloe, id, assessment({ reviewDate: addDays(today(), 90) }));
    const superseded = await db().selectFrom('risk_assessments').select('superseded_at').where('visit_id', '=', id).where('review_date', '=', yesterday).executeTakeFirstOrThrow();
    assert.ok(superseded.superseded_at, 'the review replaces the old assessment');
    await services.visits.arrive(chloe, id);
  });

  test('a case assessment needs the scope chosen; strangers and the buddy cannot record one', async () => {
    const id = await plan({ referralType: 'self_referral' });
    await assert.rejects(services.risk.recordAssessment(chloe, id, assessment({ scope: undefined })), (e) => e instanceof ValidationError && e.errors[0]!.field === 'scope');
    await assert.rejects(services.risk.recordAssessment(jamal, id, assessment()), ForbiddenError);
    await assert.rejects(services.risk.recordAssessment(dev, id, assessment()), ForbiddenError, 'the buddy may see, not act');
    await assert.rejects(services.risk.visitRisk(jamal, id), ForbiddenError);
    assert.equal((await services.risk.visitRisk(dev, id)).rating, 'RED', 'the buddy sees the risk page');
  });
});

describe(`[${engineName}] AMBER`, () => {
  test('a new referral is refused at check-in until every precaution is confirmed or waived with a reason', async () => {
    const id = await plan({ referralType: 'new_referral' });
    assert.equal((await stateOf(id)).risk_rating, 'AMBER');
    assert.deepEqual(await refused(id), ['This visit is rated AMBER: confirm each precaution, or waive it with a reason, before it can start']);

    await assert.rejects(services.risk.recordPrecautions(chloe, id, answers(['parked_for_exit'], 'waived', '  ')),
      (e) => e instanceof ValidationError && e.errors[0]!.field === 'reason-parked_for_exit');
    await assert.rejects(services.risk.recordPrecautions(chloe, id, answers([], 'confirmed')), ValidationError, 'nothing answered');
    await assert.rejects(services.risk.recordPrecautions(jamal, id, answers(['buddy_informed'], 'confirmed')), ForbiddenError);

    const allButParking = PRECAUTION_KEYS.filter((k) => k !== 'parked_for_exit');
    await services.risk.recordPrecautions(chloe, id, answers(allButParking, 'confirmed'));
    const left = await refused(id);
    assert.equal(left.length, 1);
    assert.equal(left[0], 'This visit is rated AMBER: still to confirm, or waive with a reason: “I will park where I can leave quickly”');

    await services.risk.recordPrecautions(chloe, id, answers(['parked_for_exit'], 'waived', 'Going by bus'));
    const rows = await db().selectFrom('visit_precautions').selectAll().where('visit_id', '=', id).execute();
    assert.equal(rows.length, PRECAUTION_KEYS.length);
    assert.equal(rows.find((r) => r.precaution === 'parked_for_exit')?.reason, 'Going by bus');
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

    const flagId = await services.risk.addFlag(aisha, { caseSystem: null, caseId: null, postcode: 'TN24 8ZZ', category: 'violence', description: 'Threatened a social worker, Jan 2026', expiresOn: null });
    assert.deepEqual(await auditActions('warning_flag', flagId), ['warning_flag.raise']);
    const page = await services.risk.visitRisk(chloe, id);
    assert.equal(page.rating, 'RED');
    assert.equal(page.ratedWhenPlanned, 'GREEN');
    assert.ok(page.reasons.some((r) => r.includes('at the postcode') && r.includes('Threatened a social worker')));
    assert.equal((await refused(id)).length, 2, 'flags raised since planning count at check-in');

    const later = await plan({ referralType: 'previously_known', postcode: 'tn24 8zz'.toUpperCase() });
    assert.equal((await stateOf(later)).risk_rating, 'RED');

    // The worker sees the flag on her own visit; someone with no visit there does not.
    assert.ok((await services.risk.flags(chloe)).flags.some((f) => f.id === flagId));
    assert.ok(!(await services.risk.flags(jamal)).flags.some((f) => f.id === flagId));
    assert.ok((await services.risk.flags(fiona)).flags.some((f) => f.id === flagId), 'health and safety see every flag');
  });

  test('a flag on the case matches wherever the visit is; dogs, expired and withdrawn flags do not make it RED', async () => {
    const caseId = `FLAG${Date.now()}`;
    await services.risk.addFlag(helen, { caseSystem: 'liberi', caseId: caseId.toUpperCase(), postcode: null, category: 'weapons', description: 'Knife seen at last visit', expiresOn: null });
    const onCase = await plan({ referralType: 'previously_known', caseId: caseId.toLowerCase(), postcode: 'ME1 1AA' });
    assert.equal((await stateOf(onCase)).risk_rating, 'RED');

    await services.risk.addFlag(aisha, { caseSystem: null, caseId: null, postcode: 'ME2 2BB', category: 'dogs', description: 'Two large dogs', expiresOn: addDays(today(), 10) });
    const aisha_ = (await db().selectFrom('accounts').select('id').where('email', '=', aisha.email).executeTakeFirstOrThrow()).id;
    await db().insertInto('warning_flags').values([
      { postcode: 'ME2 2BB', category: 'violence', description: 'Expired', raised_by: aisha_, expires_at: new Date(Date.now() - 60_000) },
      { postcode: 'ME2 2BB', category: 'violence', description: 'Withdrawn', raised_by: aisha_, withdrawn_at: new Date(), withdrawn_by: aisha_ },
    ]).execute();
    const dogs = await plan({ referralType: 'previously_known', postcode: 'ME22BB' });
    assert.equal((await stateOf(dogs)).risk_rating, 'GREEN');
    const page = await services.risk.visitRisk(chloe, dogs);
    assert.deepEqual(page.flags.map((f) => f.description), ['Two large dogs'], 'only the live flag is shown');
    await services.visits.arrive(chloe, dogs);
  });

  test('only managers, health and safety and administrators add flags; a flag needs a place and a future expiry', async () => {
    const flag = { caseSystem: null, caseId: null, postcode: 'CT1 1AA', category: 'violence' as const, description: 'x', expiresOn: null };
    await assert.rejects(services.risk.addFlag(chloe, flag), ForbiddenError);
    await assert.rejects(services.risk.addFlag(aisha, { ...flag, postcode: null }), (e) => e instanceof ValidationError && e.errors[0]!.field === 'postcode');
    await assert.rejects(services.risk.addFlag(aisha, { ...flag, expiresOn: today() }), (e) => e instanceof ValidationError && e.errors[0]!.field === 'expires-day');
  });
});

describe(`[${engineName}] reviews`, () => {
  test('managers see assessments for their teams that are overdue or due within 30 days', async () => {
    const id = await plan({ referralType: 'self_referral' });
    const soon = await services.risk.recordAssessment(chloe, id, assessment({ scope: 'case', reviewDate: addDays(today(), 10) }));
    const other = await plan({ referralType: 'self_referral' });
    const notYet = await services.risk.recordAssessment(chloe, other, assessment({ scope: 'case', reviewDate: addDays(today(), 45) }));

    const ids = async (who: Actor) => (await services.risk.reviews(who)).reviews.map((r) => r.id);
    for (const who of [aisha, helen, fiona]) {
      const seen = await ids(who);
      assert.ok(seen.includes(soon), `${who.email} should see the assessment due soon`);
      assert.ok(!seen.includes(notYet), 'not due within 30 days');
    }
    assert.ok(!(await ids(mark)).includes(soon), 'another team’s manager does not see it');
    await assert.rejects(services.risk.reviews(chloe), ForbiddenError);

    await db().updateTable('risk_assessments').set({ review_date: addDays(today(), -3) }).where('id', '=', soon).execute();
    const overdue = (await services.risk.reviews(aisha)).reviews.find((r) => r.id === soon);
    assert.equal(overdue?.overdue, true);
    assert.equal(overdue?.latest_visit_id, id, 'links to the latest visit of the case');
  });
});
