/**
 * The retention schedule (issue 20) on the real engine: records past their period are erased or
 * anonymised and the others are not; legal holds and open investigations keep records; and the
 * published FOI statistics and the monthly counts are the same after anonymising as before.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { sql } from 'kysely';
import { engineName } from '../helpers/database.ts';
import { openSeeded, type Seeded } from '../helpers/services.ts';
import { buildComplaint, buildIncident } from '../helpers/foi.ts';
import { buildStaff } from '../helpers/factories.ts';
import { actorFor } from '../helpers/lone-working.ts';
import { demo } from '../helpers/app.ts';
import { STATISTICS, type StatParams } from '../../src/features/foi/statistics.ts';
import { seededRandom } from '../helpers/random.ts';

let s: Seeded;
const db = () => s.database.db;
const DAY = 86_400_000;
const ago = (days: number) => new Date(Date.now() - days * DAY);
const { next: rnd, pick } = seededRandom(20260520);

const ids = {
  oldSession: 0,
  recentSession: 0,
  heldSession: 0,
  incidentSession: 0,
  oldIncident: 0,
  recentIncident: 0,
  riddorLate: 0,
  investigated: 0,
  heldIncident: 0,
  claim: 0,
  oldComplaint: 0,
  pairA: 0,
  pairB: 0,
  splitOld: 0,
  splitOpen: 0,
  allegation: 0,
  heldComplaint: 0,
  recentComplaint: 0,
  retiredAllegation: 0,
  serving: 0,
  oldFlag: 0,
  recentFlag: 0,
  heldFlag: 0,
  oldGift: 0,
  newGift: 0,
  leaver: 0,
  stayer: 0,
  oldFoi: 0,
  heldFoi: 0,
};
let staffIds: number[] = [];

async function visit(workerId: number, endedDaysAgo: number) {
  const ended = ago(endedDaysAgo);
  const v = await db()
    .insertInto('visits')
    .values({
      worker_id: workerId,
      kind: 'visit',
      starts_at: new Date(ended.getTime() - 3600_000),
      ends_at: ended,
      address: '1 Test Road',
      postcode: 'TN23 1AA',
      latitude: 51.14,
      longitude: 0.87,
      state: 'completed',
      arrived_at: new Date(ended.getTime() - 3600_000),
      ended_at: ended,
      last_location: JSON.stringify({ lat: 51.1401, lng: 0.8701 }),
    } as never)
    .returning('id')
    .executeTakeFirstOrThrow();
  await db()
    .insertInto('timeline_events')
    .values({
      visit_id: v.id,
      type: 'check_in',
      actor_id: workerId,
      text: 'Checked in, location shared',
      detail: JSON.stringify({ location: { lat: 51.1402, lng: 0.8702 } }),
      at: new Date(ended.getTime() - 1800_000),
    })
    .execute();
  await db()
    .insertInto('timeline_events')
    .values({ visit_id: v.id, type: 'ended', actor_id: workerId, text: 'Visit over, safe', at: ended })
    .execute();
  return v.id;
}

async function closedIncident(closedDaysAgo: number, extra: Record<string, unknown> = {}) {
  const id = await buildIncident(db(), {
    employeeId: pick(staffIds),
    occurredAt: new Date(Date.now() - (closedDaysAgo + 30 + Math.floor(rnd() * 300)) * DAY).toISOString(),
    categories: pick([['physical_assault'], ['verbal_abuse', 'threats'], ['sexual_harassment']]),
    status: 'closed',
    policeReported: rnd() < 0.5,
    policeOutcome: rnd() < 0.3 ? 'charged' : null,
    courtOutcome: rnd() < 0.2 ? 'convicted' : null,
  });
  await db()
    .updateTable('incidents')
    .set({
      closed_at: ago(closedDaysAgo),
      narrative: 'He shouted at me in the kitchen',
      witnesses: 'Ann Neighbour',
      location: '12 Oak Road',
      others_present: 'The child’s uncle',
      meeting_held_at: rnd() < 0.6 ? ago(closedDaysAgo + 10) : null,
      police_right_told_at: rnd() < 0.5 ? ago(closedDaysAgo + 12) : null,
      ...extra,
    } as never)
    .where('id', '=', id)
    .execute();
  return id;
}

async function complaint(o: {
  closedDaysAgo: number | null;
  household: string | null;
  name: string;
  receivedDaysAgo: number;
  outcome?: string;
  staffId?: number;
}) {
  const receivedOn = new Date(Date.now() - o.receivedDaysAgo * DAY).toISOString().slice(0, 10);
  const id = await buildComplaint(db(), {
    receivedOn,
    staffIds: [o.staffId ?? pick(staffIds.slice(0, 7))],
    household: o.household,
    outcome: o.outcome ?? pick(['upheld', 'not_upheld', 'partially_upheld']),
    ...(rnd() < 0.3 ? { dismissal: { staffId: staffIds[0]!, on: receivedOn } } : {}),
  });
  await db()
    .updateTable('complaints')
    .set({
      complainant_name: o.name,
      complainant_contact: '1 Elm Street',
      closed_on:
        o.closedDaysAgo === null ? null : new Date(Date.now() - o.closedDaysAgo * DAY).toISOString().slice(0, 10),
    })
    .where('id', '=', id)
    .execute();
  await db()
    .insertInto('complaint_allegations')
    .values({ complaint_id: id, category: 'pl_b', detail: 'Ignored what the grandmother said' } as never)
    .execute();
  return id;
}

async function foiRequest(seq: number, closedDaysAgo: number) {
  return (
    await db()
      .insertInto('foi_requests')
      .values({
        reference: `FOI/R/${seq}`,
        ref_year: 2019,
        ref_seq: seq,
        regime: 'foi',
        title: 'Assaults',
        requester_name: 'Sam Requester',
        requester_contact: 'sam@example.org',
        received_at: ago(closedDaysAgo + 40),
        received_on: ago(closedDaysAgo + 40)
          .toISOString()
          .slice(0, 10),
        channel: 'email',
        status: 'closed',
        closed_at: ago(closedDaysAgo),
      } as never)
      .returning('id')
      .executeTakeFirstOrThrow()
  ).id;
}

/** Every published FOI statistic over the whole history, and the monthly count tables: what must not change. */
async function published() {
  const figures: Record<string, unknown> = {};
  const p: StatParams = {
    from: '2008-04-01',
    to: new Date().toISOString().slice(0, 10),
    teamId: null,
    serviceId: null,
    jobRole: null,
  };
  for (const stat of STATISTICS) {
    const table = await stat.compute({ db: db(), complaints: null, actor: null }, p);
    figures[stat.name] = table.rows.map((r) => [r.label, ...r.cells]);
  }
  const incidentCounts = (
    await sql`SELECT * FROM incident_monthly_counts WHERE assaults + police_reported + prosecuted + successful + manager_meetings + police_right_told > 0 ORDER BY month, employee_id`.execute(
      db(),
    )
  ).rows;
  const complaintCounts = (await sql`SELECT * FROM complaint_monthly_counts ORDER BY 1, 2, 3`.execute(db())).rows;
  // The daily counts (migration 0033) that the part-months of a period are read from.
  const incidentDailyCounts = (
    await sql`SELECT * FROM incident_daily_counts WHERE assaults + police_reported + prosecuted + successful + manager_meetings + police_right_told > 0 ORDER BY day, employee_id`.execute(
      db(),
    )
  ).rows;
  const complaintDailyCounts = (
    await sql`SELECT * FROM complaint_daily_counts WHERE n <> 0 ORDER BY 1, 2, 3, 4`.execute(db())
  ).rows;
  return { figures, incidentCounts, complaintCounts, incidentDailyCounts, complaintDailyCounts };
}

let before_: Awaited<ReturnType<typeof published>>;

before(async () => {
  s = await openSeeded();
  staffIds = (await db().selectFrom('staff').select('id').where('active', '=', true).orderBy('id').execute())
    .map((r) => r.id)
    .slice(0, 8);
  const worker = staffIds[1]!;
  ids.oldSession = await visit(worker, 120);
  ids.recentSession = await visit(worker, 30);
  ids.heldSession = await visit(worker, 200);
  ids.incidentSession = await visit(worker, 150);
  // A duress alarm on the old session carried the device location into its timeline and messages.
  const alert = await db()
    .insertInto('alerts')
    .values({
      visit_id: ids.oldSession,
      worker_id: worker,
      kind: 'duress',
      status: 'resolved',
      outcome: 'safe',
      resolved_at: ago(121),
      policy: JSON.stringify([{ to: 'line_manager', text: 'Silent alarm. Device location: 51.10000, 0.80000.' }]),
      opened_at: ago(121),
      deadline_at: ago(121),
    } as never)
    .returning('id')
    .executeTakeFirstOrThrow();
  await db()
    .insertInto('duress_alarms')
    .values({ alert_id: alert.id, via: 'pin', location: JSON.stringify({ lat: 51.1, lng: 0.8 }) } as never)
    .execute();
  await db()
    .insertInto('timeline_events')
    .values({
      alert_id: alert.id,
      visit_id: ids.oldSession,
      type: 'step',
      text: 'Told Aisha Khan. Device location: 51.10000, 0.80000.',
      at: ago(121),
    })
    .execute();

  // Incidents: many closed long ago (due), some recently; RIDDOR reported late; an open investigation; a hold; an ongoing legal action.
  for (let i = 0; i < 25; i++) await closedIncident(365 * 7 + i * 20);
  for (let i = 0; i < 10; i++) await closedIncident(365 * 2 + i * 20);
  ids.oldIncident = await closedIncident(365 * 7);
  ids.recentIncident = await closedIncident(365 * 5);
  ids.riddorLate = await closedIncident(365 * 7, {
    riddor_kind: 'over_seven_day',
    hse_reported_on: new Date(Date.now() - 365 * DAY).toISOString().slice(0, 10),
  });
  ids.investigated = await closedIncident(365 * 7);
  await db()
    .insertInto('incident_investigations')
    .values({ incident_id: ids.investigated, findings: 'Still being looked at' } as never)
    .execute();
  ids.heldIncident = await closedIncident(365 * 8);
  ids.claim = await closedIncident(365 * 8);
  await db()
    .insertInto('incident_legal_actions')
    .values({ incident_id: ids.claim, kind: 'injunction', action_on: '2018-01-01', ends_on: null } as never)
    .execute();
  const openIncident = await buildIncident(db(), {
    employeeId: worker,
    occurredAt: ago(200).toISOString(),
    categories: ['threats'],
    status: 'open',
  });
  await db().updateTable('incidents').set({ visit_id: ids.incidentSession }).where('id', '=', openIncident).execute();

  // Complaints: closed 7+ years ago (due), recent ones, a household with two old complaints (one group), a household split between an old and an open complaint.
  for (let i = 0; i < 20; i++)
    await complaint({
      closedDaysAgo: 365 * 7 + i * 10,
      household: `Family ${i % 7}`,
      name: `Parent ${i}`,
      receivedDaysAgo: 365 * 7 + i * 10 + 60,
    });
  for (let i = 0; i < 8; i++)
    await complaint({
      closedDaysAgo: 365 * 2 + i,
      household: null,
      name: `Recent ${i % 3}`,
      receivedDaysAgo: 365 * 2 + i + 60,
    });
  ids.oldComplaint = await complaint({
    closedDaysAgo: 365 * 7,
    household: null,
    name: 'Pat Lone',
    receivedDaysAgo: 365 * 7 + 90,
  });
  // Two complaints from one household about one member of staff: one complainant, so not a repeat; split apart they would be two.
  ids.pairA = await complaint({
    closedDaysAgo: 365 * 7,
    household: 'Hughes household',
    name: 'Mr Hughes',
    receivedDaysAgo: 365 * 7 + 90,
    staffId: staffIds[7],
  });
  ids.pairB = await complaint({
    closedDaysAgo: 365 * 6 + 100,
    household: 'Hughes household',
    name: 'Mrs Hughes',
    receivedDaysAgo: 365 * 6 + 150,
    staffId: staffIds[7],
  });
  ids.splitOld = await complaint({
    closedDaysAgo: 365 * 7,
    household: 'Osei household',
    name: 'Ama Osei',
    receivedDaysAgo: 365 * 7 + 90,
  });
  ids.splitOpen = await complaint({
    closedDaysAgo: null,
    household: 'Osei household',
    name: 'Kofi Osei',
    receivedDaysAgo: 30,
  });
  ids.allegation = await complaint({
    closedDaysAgo: 365 * 11,
    household: null,
    name: 'Lee Child',
    receivedDaysAgo: 365 * 11 + 90,
  });
  await db()
    .insertInto('complaint_allegations')
    .values({ complaint_id: ids.allegation, category: 'ca_b', detail: 'Failed in the duty of care' } as never)
    .execute();
  // With HR's retirement dates: one retired three years ago (10 years after closure decides: due), one retiring in 2050 (kept until then, not yet due).
  const retired = await buildStaff(db(), {
    normal_retirement_on: new Date(Date.now() - 3 * 365 * DAY).toISOString().slice(0, 10),
  });
  const serving = await buildStaff(db(), { normal_retirement_on: '2050-04-30' });
  ids.retiredAllegation = await complaint({
    closedDaysAgo: 365 * 11,
    household: null,
    name: 'Rory Retired',
    receivedDaysAgo: 365 * 11 + 90,
    staffId: retired.id,
  });
  ids.serving = await complaint({
    closedDaysAgo: 365 * 11,
    household: null,
    name: 'Sal Serving',
    receivedDaysAgo: 365 * 11 + 90,
    staffId: serving.id,
  });
  for (const id of [ids.retiredAllegation, ids.serving])
    await db()
      .insertInto('complaint_allegations')
      .values({ complaint_id: id, category: 'ca_b', detail: 'Failed in the duty of care' } as never)
      .execute();
  ids.heldComplaint = await complaint({
    closedDaysAgo: 365 * 8,
    household: null,
    name: 'Held Person',
    receivedDaysAgo: 365 * 8 + 90,
  });
  ids.recentComplaint = await complaint({
    closedDaysAgo: 365 * 3,
    household: null,
    name: 'Recent Person',
    receivedDaysAgo: 365 * 3 + 90,
  });

  // Warning flags: withdrawn two years ago (due), two months ago (not), expired two years ago but held.
  const flag = async (o: { withdrawn?: Date; expires?: Date }) =>
    (
      await db()
        .insertInto('warning_flags')
        .values({
          case_system: 'liberi',
          case_id: `C${Math.floor(rnd() * 1e6)}`,
          category: 'violence',
          description: 'Father threatened a social worker',
          withdrawn_at: o.withdrawn ?? null,
          expires_at: o.expires ?? null,
        } as never)
        .returning('id')
        .executeTakeFirstOrThrow()
    ).id;
  ids.oldFlag = await flag({ withdrawn: ago(730) });
  ids.recentFlag = await flag({ withdrawn: ago(60) });
  ids.heldFlag = await flag({ expires: ago(730) });

  // Register entries: a gift from 2015 (due) and one from last year (not).
  const gift = async (on: string) =>
    (
      await db()
        .insertInto('gift_entries')
        .values({
          staff_id: worker,
          kind: 'gift',
          offered_on: on,
          description: 'Chocolates',
          offered_by: 'A grateful family',
          value_pence: 1000,
          response: 'accepted',
          reason: 'Thank you',
        } as never)
        .returning('id')
        .executeTakeFirstOrThrow()
    ).id;
  ids.oldGift = await gift('2015-12-20');
  ids.newGift = await gift(`${new Date().getFullYear() - 1}-06-01`);

  // Emergency packs: someone who has left, and someone still here.
  ids.leaver = (await buildStaff(db(), { active: false })).id;
  ids.stayer = (await buildStaff(db())).id;
  for (const staffId of [ids.leaver, ids.stayer])
    await db().insertInto('emergency_packs').values({ staff_id: staffId, key_id: 'k', ciphertext: 'x' }).execute();

  // FOI requesters: closed four years ago, one under hold.
  ids.oldFoi = await foiRequest(901, 365 * 4);
  ids.heldFoi = await foiRequest(902, 365 * 4);

  const irene = await actorFor(db(), demo.foi);
  await s.services.retention.placeHold(irene, {
    kind: 'session',
    recordId: String(ids.heldSession),
    reason: 'Employment tribunal claim ET/123',
  });
  await s.services.retention.placeHold(irene, {
    kind: 'incident',
    recordId: String(ids.heldIncident),
    reason: 'Personal injury claim',
  });
  await s.services.retention.placeHold(irene, {
    kind: 'complaint',
    recordId: String(ids.heldComplaint),
    reason: 'Ombudsman review',
  });
  await s.services.retention.placeHold(irene, {
    kind: 'warning_flag',
    recordId: String(ids.heldFlag),
    reason: 'Police investigation',
  });
  await s.services.retention.placeHold(irene, {
    kind: 'foi_request',
    recordId: String(ids.heldFoi),
    reason: 'ICO appeal',
  });
  before_ = await published();
});
after(() => s.database.drop());

test(`[${engineName}] the dry run counts what is due by kind and changes nothing`, async () => {
  const dry = await s.services.retention.dryRun();
  const k = (kind: string) => dry.kinds.find((x) => x.kind === kind)!;
  // Sessions ended 120, 150 and 200 days ago are due; one is held, one linked to an open incident.
  assert.deepEqual([k('session').due, k('session').kept], [3, 2]);
  assert.deepEqual(k('session').keptReasons, { 'legal hold': 1, 'linked to an open investigation': 1 });
  // 25 + old + investigated + held + claim; the late RIDDOR report keeps its incident 3 years from the report.
  assert.equal(k('incident').due, 29);
  assert.deepEqual(k('incident').keptReasons, {
    'legal hold': 1,
    'linked to an open investigation': 1,
    'linked to an open claim': 1,
  });
  assert.equal(k('warning_flag').due, 2);
  assert.equal(k('warning_flag').kept, 1);
  assert.equal(k('register_entry').due, 1);
  assert.deepEqual([k('emergency_pack').due, k('foi_request').due, k('foi_request').kept], [1, 2, 1]);
  // 20 + lone + the Hughes pair + Osei (kept: the household's other complaint is open) + held + the allegation (kept: no retirement date) + the retired one's.
  assert.equal(k('complaint').due, 27);
  assert.deepEqual(k('complaint').keptReasons, {
    'legal hold': 1,
    'another complaint from the same complainant is still kept': 1,
    'allegation about staff: retirement date not recorded': 1,
  });
  assert.equal(
    (
      await db()
        .selectFrom('retention_done')
        .select(sql<number>`count(*)::int`.as('n'))
        .executeTakeFirstOrThrow()
    ).n,
    0,
  );
  assert.ok(
    (await db().selectFrom('incidents').select('narrative').where('id', '=', ids.oldIncident).executeTakeFirstOrThrow())
      .narrative,
  );
});

test(`[${engineName}] the run erases or anonymises what is due, audits each action, honours holds, and leaves the published figures unchanged`, async () => {
  const auditBefore = (
    await db()
      .selectFrom('audit_log')
      .select(sql<number>`count(*)::int`.as('n'))
      .executeTakeFirstOrThrow()
  ).n;
  const run = await s.services.retention.runNow('cli');
  const done = Object.fromEntries(run.kinds.map((k) => [k.kind, k.done]));
  assert.deepEqual(
    { ...done, idempotency_key: 0, sign_in_session: 0 },
    {
      session: 1,
      incident: 26,
      complaint: 24,
      warning_flag: 1,
      register_entry: 1,
      emergency_pack: 1,
      foi_request: 1,
      idempotency_key: 0,
      sign_in_session: 0,
    },
  );
  const audited = await db()
    .selectFrom('audit_log')
    .select(['action', 'entity_type', 'entity_id'])
    .where('action', 'like', 'retention.%')
    .where('id', '>', String(auditBefore) as never)
    .execute();
  assert.equal(
    audited.filter((a) => a.action !== 'retention.run').length,
    1 + 26 + 24 + 1 + 1 + 1 + 1,
    'one audit entry per record acted on',
  );
  assert.ok(
    audited.some(
      (a) =>
        a.action === 'retention.anonymise' && a.entity_type === 'incident' && a.entity_id === String(ids.oldIncident),
    ),
  );

  // The published figures and the monthly counts are the same as before.
  const after_ = await published();
  assert.deepEqual(after_.figures, before_.figures);
  assert.deepEqual(after_.incidentCounts, before_.incidentCounts);
  assert.deepEqual(after_.complaintCounts, before_.complaintCounts);
  assert.ok(
    before_.incidentDailyCounts.length > 0 && before_.complaintDailyCounts.length > 0,
    'the history fills the daily counts',
  );
  assert.deepEqual(after_.incidentDailyCounts, before_.incidentDailyCounts);
  assert.deepEqual(after_.complaintDailyCounts, before_.complaintDailyCounts);

  // Sessions: coordinates gone from the old one (visit, check-ins, the duress alarm and its timeline); the session and its timeline stay.
  const old = await db()
    .selectFrom('visits')
    .select(['last_location', 'latitude', 'longitude', 'address'])
    .where('id', '=', ids.oldSession)
    .executeTakeFirstOrThrow();
  assert.deepEqual([old.last_location, old.latitude, old.longitude, old.address], [null, null, null, '1 Test Road']);
  const tl = await db()
    .selectFrom('timeline_events')
    .select(['type', 'detail', 'text'])
    .where('visit_id', '=', ids.oldSession)
    .orderBy('at')
    .execute();
  assert.equal(tl.length, 3);
  assert.ok(
    tl.every((e) => !JSON.stringify(e.detail ?? {}).includes('location') && !/\d+\.\d{5}, \d/.test(e.text)),
    JSON.stringify(tl),
  );
  assert.equal(
    (
      await sql<{
        location: unknown;
      }>`SELECT location FROM duress_alarms d JOIN alerts a ON a.id = d.alert_id WHERE a.visit_id = ${ids.oldSession}`.execute(
        db(),
      )
    ).rows[0]!.location,
    null,
  );
  const policy = (
    await sql<{ policy: unknown }>`SELECT policy FROM alerts WHERE visit_id = ${ids.oldSession}`.execute(db())
  ).rows[0]!.policy;
  assert.ok(
    !JSON.stringify(policy).includes('51.1'),
    `the alert's stored policy keeps no coordinates: ${JSON.stringify(policy)}`,
  );
  assert.ok(JSON.stringify(policy).includes('Device location removed under the retention schedule.'));
  for (const kept of [ids.recentSession, ids.heldSession, ids.incidentSession]) {
    assert.ok(
      (await db().selectFrom('visits').select('last_location').where('id', '=', kept).executeTakeFirstOrThrow())
        .last_location,
      `session ${kept} keeps its location`,
    );
    assert.equal(
      (
        await db()
          .selectFrom('timeline_events')
          .select('detail')
          .where('visit_id', '=', kept)
          .where('type', '=', 'check_in')
          .executeTakeFirstOrThrow()
      ).detail && true,
      true,
    );
  }

  // Incidents: narrative and witnesses gone from the due ones; the others untouched.
  const inc = async (id: number) =>
    db()
      .selectFrom('incidents')
      .select(['narrative', 'witnesses', 'location', 'categories', 'occurred_at'])
      .where('id', '=', id)
      .executeTakeFirstOrThrow();
  assert.deepEqual(
    [
      (await inc(ids.oldIncident)).narrative,
      (await inc(ids.oldIncident)).witnesses,
      (await inc(ids.oldIncident)).location,
    ],
    [null, null, null],
  );
  assert.ok((await inc(ids.oldIncident)).categories.length > 0, 'counted fields stay');
  for (const kept of [ids.recentIncident, ids.riddorLate, ids.investigated, ids.heldIncident, ids.claim])
    assert.equal((await inc(kept)).narrative, 'He shouted at me in the kitchen', `incident ${kept} kept`);

  // Complaints: complainant gone, household a pseudonym shared by the pair; the held, split, allegation and recent ones keep their names.
  const c = async (id: number) =>
    db()
      .selectFrom('complaints')
      .select(['complainant_name', 'complainant_contact', 'household', 'summary'])
      .where('id', '=', id)
      .executeTakeFirstOrThrow();
  assert.equal((await c(ids.oldComplaint)).complainant_name, null);
  assert.equal((await c(ids.oldComplaint)).complainant_contact, null);
  const [a, b] = [await c(ids.pairA), await c(ids.pairB)];
  assert.equal(a.complainant_name, null);
  assert.match(a.household!, /^anonymised [0-9a-f]{16}$/);
  assert.equal(a.household, b.household, 'one household still counts as one complainant');
  assert.equal(
    (await c(ids.retiredAllegation)).complainant_name,
    null,
    'an allegation about someone retired, 10 years after closure, is anonymised',
  );
  for (const [id, name] of [
    [ids.splitOld, 'Ama Osei'],
    [ids.splitOpen, 'Kofi Osei'],
    [ids.allegation, 'Lee Child'],
    [ids.serving, 'Sal Serving'],
    [ids.heldComplaint, 'Held Person'],
    [ids.recentComplaint, 'Recent Person'],
  ] as const) {
    assert.equal((await c(id)).complainant_name, name);
  }
  assert.equal(
    (
      await db()
        .selectFrom('complaint_allegations')
        .select('detail')
        .where('complaint_id', '=', ids.oldComplaint)
        .executeTakeFirstOrThrow()
    ).detail,
    null,
  );

  // Flags, register entries, packs, FOI requesters.
  const flags = (
    await db()
      .selectFrom('warning_flags')
      .select('id')
      .where('id', 'in', [ids.oldFlag, ids.recentFlag, ids.heldFlag])
      .execute()
  )
    .map((f) => f.id)
    .sort((x, y) => x - y);
  assert.deepEqual(
    flags,
    [ids.recentFlag, ids.heldFlag].sort((x, y) => x - y),
  );
  assert.deepEqual(
    (await db().selectFrom('gift_entries').select('id').where('id', 'in', [ids.oldGift, ids.newGift]).execute()).map(
      (g) => g.id,
    ),
    [ids.newGift],
  );
  assert.deepEqual(
    (
      await db()
        .selectFrom('emergency_packs')
        .select('staff_id')
        .where('staff_id', 'in', [ids.leaver, ids.stayer])
        .execute()
    ).map((p) => p.staff_id),
    [ids.stayer],
  );
  const foi = await db()
    .selectFrom('foi_requests')
    .select(['id', 'requester_name'])
    .where('id', 'in', [ids.oldFoi, ids.heldFoi])
    .orderBy('id')
    .execute();
  assert.deepEqual(
    foi.map((f) => f.requester_name),
    [null, 'Sam Requester'],
  );

  // A second run finds nothing more to do; the summary is kept for the administrator's home page.
  const again = await s.services.retention.runNow('job');
  assert.ok(
    again.kinds.every((k) => k.done === 0),
    JSON.stringify(again.kinds),
  );
  const admin = await actorFor(db(), demo.admin);
  const home = await s.services.retention.lastRun(admin);
  assert.equal(home!.run!.trigger, 'job');
  assert.equal(await s.services.retention.lastRun(await actorFor(db(), demo.worker)), null);
});

test(`[${engineName}] the FOI team's own erasure job honours a legal hold too; releasing the hold lets it go`, async () => {
  const irene = await actorFor(db(), demo.foi);
  const held = await foiRequest(903, 365 * 4);
  const holdId = await s.services.retention.placeHold(irene, {
    kind: 'foi_request',
    recordId: String(held),
    reason: 'Tribunal',
  });
  await s.services.foi.eraseExpired();
  assert.equal(
    (await db().selectFrom('foi_requests').select('requester_name').where('id', '=', held).executeTakeFirstOrThrow())
      .requester_name,
    'Sam Requester',
  );
  await s.services.retention.releaseHold(irene, holdId, { reason: 'Tribunal decided' });
  await s.services.foi.eraseExpired();
  assert.equal(
    (await db().selectFrom('foi_requests').select('requester_name').where('id', '=', held).executeTakeFirstOrThrow())
      .requester_name,
    null,
  );
  const trail = await db()
    .selectFrom('audit_log')
    .select(['action', 'detail'])
    .where('action', 'in', ['retention.hold.place', 'retention.hold.release'])
    .where('entity_id', '=', String(held))
    .orderBy('id')
    .execute();
  assert.deepEqual(
    trail.map((t) => [t.action, (t.detail as { reason: string }).reason]),
    [
      ['retention.hold.place', 'Tribunal'],
      ['retention.hold.release', 'Tribunal decided'],
    ],
  );
});

test(`[${engineName}] a hold needs a kind, an existing record and a reason, all reported at once`, async () => {
  const irene = await actorFor(db(), demo.foi);
  await assert.rejects(
    () => s.services.retention.placeHold(irene, { kind: '', recordId: '', reason: '' }),
    (e: { errors: { field: string }[] }) => {
      assert.deepEqual(
        e.errors.map((x) => x.field),
        ['kind', 'recordId', 'reason'],
      );
      return true;
    },
  );
  await assert.rejects(
    () => s.services.retention.placeHold(irene, { kind: 'incident', recordId: '99999999', reason: 'x' }),
    (e: { errors: { field: string }[] }) => e.errors[0]!.field === 'recordId',
  );
  const worker = await actorFor(db(), demo.worker);
  await assert.rejects(
    () => s.services.retention.placeHold(worker, { kind: 'incident', recordId: '1', reason: 'x' }),
    /information governance/,
  );
});
