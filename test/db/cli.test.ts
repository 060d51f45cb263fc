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

  const created = await harbour(
    'user',
    'create',
    '--email',
    'new.person@example.org',
    '--name',
    'New Person',
    '--password',
    'a-long-password-1',
    '--role',
    'worker',
    'team_manager',
  );
  assert.equal(created.code, 0, created.stderr);
  const weak = await harbour('user', 'create', '--email', 'weak@example.org', '--name', 'Weak', '--password', 'short');
  assert.equal(weak.code, 1);
  assert.match(weak.stderr, /12 characters/);

  const token = await harbour('token', 'create', '--email', 'new.person@example.org', '--name', 'test');
  assert.match(token.stdout.trim(), /^hbr_[A-Za-z0-9_-]{40,}$/);

  const bad = join(dir, 'bad.csv');
  writeFileSync(
    bad,
    'employee_number,given_name,family_name,email,job_role,team\nZ1,Zed,Zee,zed@example.org,astronaut,Swale Early Help\n',
  );
  const refused = await harbour('import', 'staff', bad);
  assert.equal(refused.code, 1);
  assert.match(refused.stderr, /line 2: job_role "astronaut"/);
  const good = join(dir, 'good.csv');
  writeFileSync(
    good,
    'employee_number,given_name,family_name,email,job_role,team\nZ1,Zed,Zee,zed@example.org,youth worker,Swale Early Help\n',
  );
  assert.match((await harbour('import', 'staff', good)).stdout, /1 added/);

  // Training completions (issue 19): every bad row at once and nothing imported, then the good file.
  const badTraining = join(dir, 'bad-training.csv');
  writeFileSync(
    badTraining,
    'employee_number,course,completed_on,expires_on\nZ1,Underwater basket weaving,2026-03-01,\nZ1,e-learning lone working!,31/02/2026,\n',
  );
  const trainingRefused = await harbour('import', 'training', badTraining);
  assert.equal(trainingRefused.code, 1);
  assert.match(trainingRefused.stderr, /line 2: /);
  assert.match(trainingRefused.stderr, /line 3: /);
  const goodTraining = join(dir, 'good-training.csv');
  writeFileSync(
    goodTraining,
    'employee_number,course,completed_on,expires_on\nZ1,e-learning lone working!,01/03/2026,\nz1,KSCMP Personal Safety – Lone Worker,2026-03-02,2029-03-02\n',
  );
  const imported = await harbour('import', 'training', goodTraining);
  assert.equal(imported.code, 0, imported.stderr);
  assert.match(imported.stdout, /Imported 2 training completion\(s\) for 1 member\(s\) of staff/);
});

test(`[${engineName}] harbour import incidents and complaints: every problem listed and nothing written, then the whole file with progress lines`, async () => {
  const { hs, co, employee } = await withDb(async (d) => ({
    hs: (
      await sql<{
        email: string;
      }>`SELECT email FROM accounts WHERE 'health_and_safety_officer' = ANY(roles) ORDER BY id LIMIT 1`.execute(d.db)
    ).rows[0]!.email,
    co: (
      await sql<{
        email: string;
      }>`SELECT email FROM accounts WHERE 'complaints_officer' = ANY(roles) ORDER BY id LIMIT 1`.execute(d.db)
    ).rows[0]!.email,
    employee: (await d.db.selectFrom('staff').select('employee_number').orderBy('id').executeTakeFirstOrThrow())
      .employee_number,
  }));
  const count = (table: 'incidents' | 'complaints') =>
    withDb(async (d) =>
      Number(
        (await sql<{ n: string }>`SELECT count(*) AS n FROM ${sql.table(table)} WHERE source = 'import'`.execute(d.db))
          .rows[0]!.n,
      ),
    );

  // Incidents: a bad date on one row, an unknown employee on another, a repeated reference: all three at once.
  const incidentHeader = 'reference,occurred_date,employee_number,location,categories,narrative';
  const badIncidents = join(dir, 'bad-incidents.csv');
  writeFileSync(
    badIncidents,
    `${incidentHeader}\nCLI-1,2024-02-30,${employee},Office,verbal_abuse;physical_assault,Shouted\nCLI-2,2024-03-01,NOBODY,Office,physical_assault,Pushed\nCLI-2,2024-03-02,${employee},Office,physical_assault,Pushed\n`,
  );
  const refused = await harbour('import', 'incidents', badIncidents, '--as', hs);
  assert.equal(refused.code, 1);
  assert.match(refused.stderr, /line 2: occurred_date must be a date/);
  assert.match(refused.stderr, /line 3: employee_number NOBODY is not in Harbour/);
  assert.match(refused.stderr, /line 4: reference CLI-2 appears more than once \(also on line 3\)/);
  assert.match(refused.stderr, /problem\(s\); nothing was imported/);
  assert.equal(await count('incidents'), 0);

  const rows = Array.from(
    { length: 250 },
    (_, i) => `CLI-${i + 1},2024-03-01,${employee},Office,physical_assault,Pushed ${i + 1}`,
  );
  const goodIncidents = join(dir, 'good-incidents.csv');
  writeFileSync(goodIncidents, `${incidentHeader}\n${rows.join('\n')}\n`);
  const worker = await harbour('import', 'incidents', goodIncidents, '--as', 'nobody@example.org');
  assert.equal(worker.code, 1, 'an address with no account is refused');
  const imported = await harbour('import', 'incidents', goodIncidents, '--as', hs);
  assert.equal(imported.code, 0, imported.stderr);
  // Not a terminal here: one plain line per 100 rows and one at the end, then the summary.
  assert.deepEqual(imported.stdout.trim().split('\n'), [
    'Importing 100/250 rows',
    'Importing 200/250 rows',
    'Importing 250/250 rows',
    'Imported 250 incidents from good-incidents.csv',
  ]);
  assert.equal(await count('incidents'), 250);
  const again = await harbour('import', 'incidents', goodIncidents, '--as', hs);
  assert.equal(again.code, 1);
  assert.match(again.stderr, /line 2: reference CLI-1 has already been imported/);
  assert.match(again.stderr, /250 problem\(s\)/);

  // Complaints: the complaints officer may; health and safety may not.
  const complaintHeader = 'reference,received_on,complainant_type,staff_employee_numbers,allegations';
  const complaints = join(dir, 'complaints.csv');
  writeFileSync(
    complaints,
    `${complaintHeader}\nCLI-C1,2024-01-10,parent_carer,${employee},pl_b\nCLI-C2,2024-01-11,parent_carer,${employee},pl_n\n`,
  );
  const forbidden = await harbour('import', 'complaints', complaints, '--as', hs);
  assert.equal(forbidden.code, 1);
  assert.match(forbidden.stderr, /may not import complaints/);
  const badComplaints = join(dir, 'bad-complaints.csv');
  writeFileSync(
    badComplaints,
    `reference,received_on,complainant_type,staff_employee_numbers,colour\nX,2024-01-10,parent_carer,${employee},red\n`,
  );
  const header = await harbour('import', 'complaints', badComplaints, '--as', co);
  assert.equal(header.code, 1);
  assert.match(header.stderr, /line 1: The header row is missing: allegations/);
  assert.match(header.stderr, /line 1: Unknown columns: colour/, 'both header problems in the same report');
  const done = await harbour('import', 'complaints', complaints, '--as', co);
  assert.equal(done.code, 0, done.stderr);
  assert.match(done.stdout, /Importing 2\/2 rows\nImported 2 complaints from complaints.csv/);
  assert.equal(await count('complaints'), 2);
});

test(`[${engineName}] harbour audit verify passes, then fails after a row is tampered with in SQL`, async () => {
  const ok = await harbour('audit', 'verify');
  assert.equal(ok.code, 0, ok.stderr);
  assert.match(ok.stdout, /Audit trail intact: \d+ entries checked/);

  const target = await withDb(async (d) => {
    await sql`ALTER TABLE audit_log DISABLE TRIGGER audit_log_no_update`.execute(d.db);
    const row = await d.db
      .selectFrom('audit_log')
      .select('id')
      .orderBy('id')
      .offset(1)
      .limit(1)
      .executeTakeFirstOrThrow();
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
    const v = await d.db
      .insertInto('visits')
      .values({
        worker_id: worker,
        kind: 'visit',
        starts_at: new Date(ended.getTime() - 3600_000),
        ends_at: ended,
        state: 'completed',
        ended_at: ended,
        last_location: JSON.stringify({ lat: 51.1, lng: 0.8 }),
      } as never)
      .returning('id')
      .executeTakeFirstOrThrow();
    const f = await d.db
      .insertInto('warning_flags')
      .values({
        postcode: 'TN23 1AA',
        category: 'dogs',
        description: 'Dog',
        withdrawn_at: new Date(Date.now() - 730 * 86_400_000),
      } as never)
      .returning('id')
      .executeTakeFirstOrThrow();
    return { visit: v.id, flag: f.id };
  });
  const dry = await harbour('retention', '--dry-run');
  assert.equal(dry.code, 0, dry.stderr);
  assert.match(dry.stdout, /^Retention dry run: nothing is changed/);
  for (const kind of [
    'Lone-working session locations and check-in detail: keep 90 days',
    'Incidents and investigations: keep 6 years',
    'Complaints about staff: keep 6 years',
    'Warning flags: keep Until withdrawn or expired, plus 1 year',
    'Register entries',
    'Emergency contact and medical details',
    'FOI requester details: keep 3 years',
    'Idempotency keys',
    'Sign-in sessions',
  ])
    assert.ok(dry.stdout.includes(kind), kind);
  assert.match(dry.stdout, /Lone-working session locations and check-in detail: .*due now 1; would anonymise 1/);
  assert.match(dry.stdout, /Warning flags: .*due now 1; would erase 1/);
  const still = await withDb((d) =>
    d.db.selectFrom('visits').select('last_location').where('id', '=', visit).executeTakeFirstOrThrow(),
  );
  assert.ok(still.last_location, 'a dry run changes nothing');

  const run = await harbour('retention');
  assert.equal(run.code, 0, run.stderr);
  assert.match(run.stdout, /Lone-working session locations and check-in detail: .*due now 1; anonymised 1/);
  assert.match(run.stdout, /Warning flags: .*due now 1; erased 1/);
  await withDb(async (d) => {
    assert.equal(
      (await d.db.selectFrom('visits').select('last_location').where('id', '=', visit).executeTakeFirstOrThrow())
        .last_location,
      null,
    );
    assert.equal(
      await d.db.selectFrom('warning_flags').select('id').where('id', '=', flag).executeTakeFirst(),
      undefined,
    );
    const audit = await d.db
      .selectFrom('audit_log')
      .select(['action', 'actor_label'])
      .where('action', 'like', 'retention.%')
      .execute();
    assert.ok(audit.some((a) => a.action === 'retention.anonymise' && a.actor_label === 'system (harbour retention)'));
    assert.ok(audit.some((a) => a.action === 'retention.run'));
  });
});
