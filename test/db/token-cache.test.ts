import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { sql } from 'kysely';
import { engineName } from '../helpers/database.ts';
import { openSeeded, type Seeded } from '../helpers/services.ts';
import { actorFor } from '../helpers/lone-working.ts';

let database: Seeded['database'];
let services: Seeded['services'];

before(async () => {
  ({ database, services } = await openSeeded({ sessionTtlHours: 1, apiTokenCacheMs: 300 }));
});
after(() => database.drop());

test(`[${engineName}] API token cache: revoking here applies at once; elsewhere within the cache time`, async () => {
  const chloe = await actorFor(database.db, 'chloe.davies@harbour.example');
  const a = await services.auth.createApiToken(chloe, chloe.accountId, 'a', null);
  assert.ok(await services.auth.resolveApiToken(a.token, null));
  await services.auth.revokeToken(chloe, a.id);
  assert.equal(await services.auth.resolveApiToken(a.token, null), null, 'revoked in this process: refused at once');

  const b = await services.auth.createApiToken(chloe, chloe.accountId, 'b', null);
  assert.ok(await services.auth.resolveApiToken(b.token, null));
  // Another instance revokes it (straight in the database).
  await sql`UPDATE api_tokens SET revoked_at = now() WHERE id = ${b.id}`.execute(database.db);
  assert.ok(await services.auth.resolveApiToken(b.token, null), 'still remembered here for the cache time');
  await new Promise((r) => setTimeout(r, 350));
  assert.equal(await services.auth.resolveApiToken(b.token, null), null, 'refused once the cache time has passed');
});
