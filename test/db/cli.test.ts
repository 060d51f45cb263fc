import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { childProcessDatabase, engineName } from '../helpers/database.ts';
import { runHarbour, withCliDatabase } from '../helpers/cli.ts';

/** CSV files the import commands read. */
const dir = mkdtempSync(join(tmpdir(), 'harbour-cli-files-'));
let env: NodeJS.ProcessEnv;
let cleanup: () => Promise<void>;

before(async () => {
  ({ env, cleanup } = await childProcessDatabase());
});
after(async () => {
  await cleanup();
  rmSync(dir, { recursive: true, force: true });
});

const harbour = (...args: string[]) => runHarbour(env, ...args);
const withDb = <T>(fn: Parameters<typeof withCliDatabase<T>>[1]) => withCliDatabase(env, fn);

test(`[${engineName}] harbour migrate, seed-demo, user create, token create, import staff`, async () => {
  assert.match((await harbour('migrate')).stdout, /Applied 0001_foundation/);
  assert.match((await harbour('migrate')).stdout, /up to date/);
  assert.match((await harbour('seed-demo')).stdout, /Demo council loaded/);
  assert.match((await harbour('seed-demo')).stdout, /nothing loaded/);

  const created = await harbour('user', 'create', '--email', 'new.person@example.org', '--name', 'New Person', '--password', 'a-long-password-1', '--role', 'worker', 'team_manager');
  assert.equal(created.code, 0, created.stderr);
  const weak = await harbour('user', 'create', '--email', 'weak@example.org', '--name', 'Weak', '--password', 'short');
  assert.equal(weak.code, 1);
  assert.match(weak.stderr, /12 characters/);

  const token = await harbour('token', 'create', '--email', 'new.person@example.org', '--name', 'test');
  assert.match(token.stdout.trim(), /^hbr_[A-Za-z0-9_-]{40,}$/);

  const bad = join(dir, 'bad.csv');
  writeFileSync(bad, 'employee_number,given_name,family_name,email,job_role,team\nZ1,Zed,Zee,zed@example.org,astronaut,Swale Early Help\n');
  const refused = await harbour('import', 'staff', bad);
  assert.equal(refused.code, 1);
  assert.match(refused.stderr, /line 2: job_role "astronaut"/);
  const good = join(dir, 'good.csv');
  writeFileSync(good, 'employee_number,given_name,family_name,email,job_role,team\nZ1,Zed,Zee,zed@example.org,youth worker,Swale Early Help\n');
  assert.match((await harbour('import', 'staff', good)).stdout, /1 added/);

  // Training completions (issue 19): every bad row at once and nothing imported, then the good file.
  const badTraining = join(dir, 'bad-training.csv');
  writeFileSync(badTraining, 'employee_number,course,completed_on,expires_on\nZ1,Underwater basket weaving,2026-03-01,\nZ1,e-learning lone working!,31/02/2026,\n');
  const trainingRefused = await harbour('import', 'training', badTraining);
  assert.equal(trainingRefused.code, 1);
  assert.match(trainingRefused.stderr, /line 2: /);
  assert.match(trainingRefused.stderr, /line 3: /);
  const goodTraining = join(dir, 'good-training.csv');
  writeFileSync(goodTraining, 'employee_number,course,completed_on,expires_on\nZ1,e-learning lone working!,01/03/2026,\nz1,KSCMP Personal Safety – Lone Worker,2026-03-02,2029-03-02\n');
  const imported = await harbour('import', 'training', goodTraining);
  assert.equal(imported.code, 0, imported.stderr);
  assert.match(imported.stdout, /Imported 2 training completion\(s\) for 1 member\(s\) of staff/);
});

test(`[${engineName}] harbour audit verify passes, then fails after a row is tampered with in SQL`, async () => {
  const ok = await harbour('audit', 'verify');
  assert.equal(ok.code, 0, ok.stderr);
  assert.match(ok.stdout, /Audit trail intact: \d+ entries checked/);

  const target = await withDb(async (d) => {
    await sql`ALTER TABLE audit_log DISABLE TRIGGER audit_log_no_update`.execute(d.db);
    const row = await d.db.selectFrom('audit_log').select('id').orderBy('id').offset(1).limit(1).executeTakeFirstOrThrow();
    await sql`UPDATE audit_log SET detail = '{"rewritten":true}' WHERE id = ${row.id}`.execute(d.db);
    return row.id;
  });
  const broken = await harbour('audit', 'verify');
  assert.equal(broken.code, 1);
  assert.match(broken.stderr, new RegExp(`BROKEN at entry ${target}: its contents do not match its hash`));
});

test(`[${engineName}] harbour retention --dry-run prints every kind with its period and count and changes nothing; harbour retention does it`, async () => {
  // Runs on its own too (migrate and seed-demo do nothing the second time).
  await harbour('migrate');
  await harbour('seed-demo');
  // A session that ended 100 days ago with its check-in location, and a withdrawn flag two years old.
  const { visit, flag } = await withDb(async (d) => {
    const worker = (await d.db.selectFrom('staff').select('id').orderBy('id').executeTakeFirstOrThrow()).id;
    const ended = new Date(Date.now() - 100 * 86_400_000);
    const v = await d.db.insertInto('visits').values({ worker_id: worker, kind: 'visit', starts_at: new Date(ended.getTime() - 3600_000), ends_at: ended, state: 'completed', ended_at: ended, last_location: JSON.stringify({ lat: 51.1, lng: 0.8 }) } as never).returning('id').executeTakeFirstOrThrow();
    const f = await d.db.insertInto('warning_flags').values({ postcode: 'TN23 1AA', category: 'dogs', description: 'Dog', withdrawn_at: new Date(Date.now() - 730 * 86_400_000) } as never).returning('id').executeTakeFirstOrThrow();
    return { visit: v.id, flag: f.id };
  });
  const dry = await harbour('retention', '--dry-run');
  assert.equal(dry.code, 0, dry.stderr);
  assert.match(dry.stdout, /^Retention dry run: nothing is changed/);
  for (const kind of ['Lone-working session locations and check-in detail: keep 90 days', 'Incidents and investigations: keep 6 years', 'Complaints about staff: keep 6 years',
    'Warning flags: keep Until withdrawn or expired, plus 1 year', 'Register entries', 'Emergency contact and medical details', 'FOI requester details: keep 3 years',
    'Idempotency keys', 'Sign-in sessions']) assert.ok(dry.stdout.includes(kind), kind);
  assert.match(dry.stdout, /Lone-working session locations and check-in detail: .*due now 1; would anonymise 1/);
  assert.match(dry.stdout, /Warning flags: .*due now 1; would erase 1/);
  const still = await withDb((d) => d.db.selectFrom('visits').select('last_location').where('id', '=', visit).executeTakeFirstOrThrow());
  assert.ok(still.last_location, 'a dry run changes nothing');

  const run = await harbour('retention');
  assert.equal(run.code, 0, run.stderr);
  assert.match(run.stdout, /Lone-working session locations and check-in detail: .*due now 1; anonymised 1/);
  assert.match(run.stdout, /Warning flags: .*due now 1; erased 1/);
  await withDb(async (d) => {
    assert.equal((await d.db.selectFrom('visits').select('last_location').where('id', '=', visit).executeTakeFirstOrThrow()).last_location, null);
    assert.equal(await d.db.selectFrom('warning_flags').select('id').where('id', '=', flag).executeTakeFirst(), undefined);
    const audit = await d.db.selectFrom('audit_log').select(['action', 'actor_label']).where('action', 'like', 'retention.%').execute();
    assert.ok(audit.some((a) => a.action === 'retention.anonymise' && a.actor_label === 'system (harbour retention)'));
    assert.ok(audit.some((a) => a.action === 'retention.run'));
  });
});
