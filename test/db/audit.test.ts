import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { sql } from 'kysely';
import { openTestDatabase, engineName } from '../helpers/database.ts';
import { buildRepositories, buildServices } from '../../src/composition.ts';

let database: Awaited<ReturnType<typeof openTestDatabase>>;
let services: ReturnType<typeof buildServices>;

before(async () => {
  database = await openTestDatabase();
  services = buildServices(buildRepositories(database.db));
});
after(() => database.drop());

const entry = (i: number) => ({
  action: 'test.event',
  entityType: 'thing',
  entityId: i,
  detail: { i, note: 'ünïcödé ✓' },
});

test(`[${engineName}] concurrent appends keep one unbroken chain`, async () => {
  await Promise.all(Array.from({ length: 40 }, (_, i) => services.audit.record(null, entry(i))));
  const result = await services.audit.verify();
  assert.deepEqual(result, { ok: true, checked: 40 });
});

test(`[${engineName}] the audit log refuses UPDATE and DELETE`, async () => {
  await assert.rejects(sql`UPDATE audit_log SET action = 'x'`.execute(database.db), /append-only/);
  await assert.rejects(sql`DELETE FROM audit_log`.execute(database.db), /append-only/);
});

test(`[${engineName}] tampering in SQL is detected and the first broken entry named`, async () => {
  // Someone with table-owner rights switches the guard off and edits history.
  await sql`ALTER TABLE audit_log DISABLE TRIGGER audit_log_no_update`.execute(database.db);
  const target = await database.db
    .selectFrom('audit_log')
    .select('id')
    .orderBy('id')
    .offset(10)
    .limit(1)
    .executeTakeFirstOrThrow();
  await sql`UPDATE audit_log SET actor_label = 'someone else' WHERE id = ${target.id}`.execute(database.db);
  let result = await services.audit.verify();
  assert.equal(result.ok, false);
  assert.equal(!result.ok && result.brokenId, String(target.id));
  assert.equal(result.checked, 10);

  // Deleting an entry instead breaks the link of the one after it.
  await sql`UPDATE audit_log SET actor_label = 'system' WHERE id = ${target.id}`.execute(database.db);
  assert.equal((await services.audit.verify()).ok, true);
  await sql`DELETE FROM audit_log WHERE id = ${target.id}`.execute(database.db);
  result = await services.audit.verify();
  assert.equal(!result.ok && result.brokenId, String(Number(target.id) + 1));
  await sql`ALTER TABLE audit_log ENABLE TRIGGER audit_log_no_update`.execute(database.db);
});
