/**
 * The worker's "are you safe?" prompt is prepared before the deadline and released at it
 * (0014_prompts_ahead.sql, engine.prepare/release/tidyPrompts). These tests hold that it is
 * released exactly once, only for a session still running with that deadline, is invisible
 * until then, and that the escalation that follows never sends the worker a second prompt.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { sql } from 'kysely';
import { openTestDatabase, engineName } from '../helpers/database.ts';
import { buildRepositories, buildServices } from '../../src/composition.ts';
import { seedDemo } from '../../src/demo/seed.ts';
import { actorFor, buildVisitForm, drain } from '../helpers/lone-working.ts';
import type { Actor } from '../../src/features/auth/actor.ts';

let database: Awaited<ReturnType<typeof openTestDatabase>>;
let services: ReturnType<typeof buildServices>;
let chloe: Actor, admin: Actor;

before(async () => {
  database = await openTestDatabase();
  const repos = buildRepositories(database.db);
  await seedDemo(database.db, repos.audit);
  services = buildServices(repos, { sessionTtlHours: 12, instanceId: 'test' });
  chloe = await actorFor(database.db, 'chloe.davies@harbour.example');
  admin = await actorFor(database.db, 'alex.morganadmin@harbour.example');
});
after(() => database.drop());
const db = () => database.db;

/** A running session for Chloe whose deadline is `seconds` from now. */
async function sessionDueIn(seconds: number): Promise<number> {
  const visitId = await services.visits.plan(chloe, buildVisitForm());
  await services.visits.arrive(chloe, visitId);
  await sql`UPDATE visits SET due_at = now() + make_interval(secs => ${seconds}) WHERE id = ${visitId}`.execute(db());
  await sql`UPDATE timers SET fire_at = v.due_at FROM visits v WHERE v.id = ${visitId} AND timers.kind = 'visit_due' AND timers.subject_id = v.id AND timers.status = 'pending'`.execute(
    db(),
  );
  return visitId;
}

/** Makes `seconds` pass for one session: its deadline, timer and prepared prompt all move back together. */
async function passTime(visitId: number, seconds: number) {
  await sql`UPDATE visits SET due_at = due_at - make_interval(secs => ${seconds}) WHERE id = ${visitId}`.execute(db());
  await sql`UPDATE timers SET fire_at = fire_at - make_interval(secs => ${seconds}) WHERE kind = 'visit_due' AND subject_id = ${visitId}`.execute(
    db(),
  );
  await sql`UPDATE notifications SET release_at = release_at - make_interval(secs => ${seconds}), next_attempt_at = next_attempt_at - make_interval(secs => ${seconds}) WHERE visit_id = ${visitId}`.execute(
    db(),
  );
}

const prompts = (visitId: number) =>
  db().selectFrom('notifications').selectAll().where('visit_id', '=', visitId).execute();

test(`[${engineName}] a prompt is prepared once, unseen, released once at the deadline, and the alert does not prompt again`, async () => {
  const inboxBefore = await services.notifications.unreadCount(chloe);
  const visitId = await sessionDueIn(30);
  assert.ok((await services.engine.prepare()) >= 1);
  assert.equal(await services.engine.prepare(), 0, 'preparing again adds nothing');
  let rows = await prompts(visitId);
  assert.equal(rows.length, 1);
  assert.equal(rows[0]!.status, 'scheduled');
  assert.equal(rows[0]!.recipient_id, chloe.staffId);
  assert.equal(await services.notifications.unreadCount(chloe), inboxBefore, 'a scheduled prompt is not in the inbox');
  assert.equal((await services.engine.release()).released, 0, 'not before the deadline');

  await passTime(visitId, 31);
  assert.equal((await services.engine.release()).released, 1);
  assert.equal((await services.engine.release()).released, 0, 'released exactly once');
  rows = await prompts(visitId);
  assert.equal(rows[0]!.status, 'sent');
  assert.ok(rows[0]!.handed_at);
  assert.equal(await services.notifications.unreadCount(chloe), inboxBefore + 1);

  // The engine then opens the alert: the released prompt is its step 0, and Chloe gets no second one.
  await drain(services);
  const alert = await db().selectFrom('alerts').selectAll().where('visit_id', '=', visitId).executeTakeFirstOrThrow();
  const step0 = await db()
    .selectFrom('notifications')
    .select(['id', 'recipient_id'])
    .where('alert_id', '=', alert.id)
    .where('step', '=', 0)
    .execute();
  assert.deepEqual(
    step0.map((n) => n.recipient_id),
    [chloe.staffId],
  );
  assert.equal(step0[0]!.id, rows[0]!.id);

  // Its delivery attempt and timeline line were written when it became the alert's message.
  const attempts = await db()
    .selectFrom('delivery_attempts')
    .select('ok')
    .where('notification_id', '=', rows[0]!.id)
    .execute();
  assert.deepEqual(
    attempts.map((a) => a.ok),
    [true],
  );
  const line = await db()
    .selectFrom('timeline_events')
    .select('text')
    .where('visit_id', '=', visitId)
    .where('type', '=', 'delivery')
    .execute();
  assert.equal(line.length, 1);
  await services.alerts.resolve(admin, alert.id, 'safe', null);
});

test(`[${engineName}] a session ended before its deadline is never prompted, and its prompt is deleted`, async () => {
  const visitId = await sessionDueIn(30);
  await services.engine.prepare();
  assert.equal((await prompts(visitId)).length, 1);
  await services.visits.end(chloe, visitId);
  await passTime(visitId, 31);
  assert.equal((await services.engine.release()).released, 0);
  await passTime(visitId, 120);
  await services.engine.tidyPrompts();
  assert.equal((await prompts(visitId)).length, 0);
});

test(`[${engineName}] an extended session's old prompt is not released; the new deadline gets its own`, async () => {
  const visitId = await sessionDueIn(30);
  await services.engine.prepare();
  await services.visits.extend(chloe, visitId, 30);
  // The deadline is now 30 minutes later: outside the look-ahead, nothing new yet.
  await passTime(visitId, 31);
  assert.equal((await services.engine.release()).released, 0, 'the old deadline has gone');
  const due = await db().selectFrom('visits').select('due_at').where('id', '=', visitId).executeTakeFirstOrThrow();
  await passTime(visitId, Math.round((due.due_at!.getTime() - Date.now()) / 1000) - 20); // 20 s before the new deadline
  assert.equal(await services.engine.prepare(), 1);
  const now = await db().selectFrom('visits').select('due_at').where('id', '=', visitId).executeTakeFirstOrThrow();
  const scheduled = (await prompts(visitId)).filter((r) => r.status === 'scheduled');
  assert.equal(
    scheduled.filter((r) => r.release_at!.getTime() === now.due_at!.getTime()).length,
    1,
    'one prompt for the new deadline',
  );
  await services.visits.end(chloe, visitId);
});

test(`[${engineName}] no prompt is prepared when the team's policy does not start with the worker`, async () => {
  const team = await db()
    .selectFrom('staff')
    .select('team_id')
    .where('id', '=', chloe.staffId!)
    .executeTakeFirstOrThrow();
  await services.alerts.savePolicy(admin, team.team_id!, 'overdue', [
    { key: 'buddy', label: 'Buddy', targets: ['buddy'], delaySeconds: 0 },
  ]);
  try {
    const visitId = await sessionDueIn(30);
    await services.engine.prepare();
    assert.equal((await prompts(visitId)).length, 0);
    await services.visits.end(chloe, visitId);
  } finally {
    await services.alerts.savePolicy(admin, team.team_id!, 'overdue', null);
  }
});

test(`[${engineName}] if the engine opens the alert before the release, the worker still gets exactly one prompt`, async () => {
  const visitId = await sessionDueIn(30);
  await services.engine.prepare();
  await passTime(visitId, 31);
  await drain(services); // the engine first (as another instance might)
  const alert = await db().selectFrom('alerts').selectAll().where('visit_id', '=', visitId).executeTakeFirstOrThrow();
  let step0 = await db()
    .selectFrom('notifications')
    .select(['status', 'recipient_id'])
    .where('alert_id', '=', alert.id)
    .where('step', '=', 0)
    .execute();
  assert.deepEqual(
    step0.map((n) => [n.recipient_id, n.status]),
    [[chloe.staffId, 'scheduled']],
  );
  assert.equal((await services.engine.release()).released, 1);
  step0 = await db()
    .selectFrom('notifications')
    .select(['status', 'recipient_id'])
    .where('alert_id', '=', alert.id)
    .where('step', '=', 0)
    .execute();
  assert.deepEqual(
    step0.map((n) => [n.recipient_id, n.status]),
    [[chloe.staffId, 'sent']],
  );
  await services.alerts.resolve(admin, alert.id, 'safe', null);
});

test(`[${engineName}] the delivery is recorded once, whichever comes first, the release or the alert`, async () => {
  const delivered = async (visitId: number) =>
    (
      await db()
        .selectFrom('delivery_attempts as d')
        .innerJoin('notifications as n', 'n.id', 'd.notification_id')
        .select('d.ok')
        .where('n.visit_id', '=', visitId)
        .execute()
    ).length;
  // Alert first (as in the previous test, which ends resolved): the release records it.
  const a = await sessionDueIn(30);
  await services.engine.prepare();
  await passTime(a, 31);
  await drain(services);
  assert.equal(await delivered(a), 0, 'not yet sent, nothing recorded');
  await services.engine.release();
  assert.equal(await delivered(a), 1);
  // Release first: recorded when the alert opens.
  const b = await sessionDueIn(30);
  await services.engine.prepare();
  await passTime(b, 31);
  await services.engine.release();
  assert.equal(await delivered(b), 0);
  await drain(services);
  assert.equal(await delivered(b), 1);
  await drain(services);
  await services.engine.release();
  assert.equal(await delivered(b), 1, 'and only once');
  for (const visitId of [a, b]) {
    const alert = await db()
      .selectFrom('alerts')
      .select('id')
      .where('visit_id', '=', visitId)
      .executeTakeFirstOrThrow();
    await services.alerts.resolve(admin, alert.id, 'safe', null);
  }
});
