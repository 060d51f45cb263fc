import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { sql } from 'kysely';
import { startTestApp, type TestApp } from '../helpers/app.ts';
import { engineName } from '../helpers/database.ts';
import { actorFor, buildVisitForm, expireDeadline, expireNextStep } from '../helpers/lone-working.ts';

/** Issue 13: when every text, push and email to someone has failed, the alert page and the live board say so. */

let t: TestApp;
before(async () => {
  t = await startTestApp();
});
after(() => t.close());

test(`[${engineName}] "Not reached by text or email: <name>" on the alert page and the live board, until someone is reached`, async () => {
  const db = t.repos.db;
  const chloe = await actorFor(db, 'chloe.davies@harbour.example');
  const visitId = await t.services.visits.plan(chloe, buildVisitForm());
  await t.services.visits.arrive(chloe, visitId);
  await expireDeadline(db, visitId);
  await t.services.engine.tick();
  const alert = await db.selectFrom('alerts').select('id').where('visit_id', '=', visitId).executeTakeFirstOrThrow();
  await expireNextStep(db, String(alert.id));
  await t.services.engine.tick(); // step 2: Dev Patel, Chloe's buddy

  const aisha = await t.signIn('aisha.khan@harbour.example');
  assert.doesNotMatch((await aisha.get(`/alerts/${alert.id}`)).body, /Not reached by text or email/);

  // Every external channel to Dev has failed.
  await sql`UPDATE notifications SET unreached_since = now(), cycles = 1, channel = 'sms' WHERE alert_id = ${alert.id} AND step = 1`.execute(
    db,
  );
  const page = await aisha.get(`/alerts/${alert.id}`);
  assert.equal(page.statusCode, 200);
  assert.match(page.body, /Not reached by text or email: Dev Patel\./);
  assert.match((await aisha.get('/board')).body, /Not reached by text or email: Dev Patel/);

  // A text reaches him: the warning goes.
  await sql`UPDATE notifications SET accepted_at = now(), unreached_since = NULL, status = 'sent' WHERE alert_id = ${alert.id} AND step = 1`.execute(
    db,
  );
  assert.doesNotMatch((await aisha.get(`/alerts/${alert.id}`)).body, /Not reached by text or email/);
  assert.doesNotMatch((await aisha.get('/board')).body, /Not reached by text or email/);
});
