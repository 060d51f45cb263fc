/**
 * An anchored audit trail (issue 17): checkpoints of the chain's head, written outside the database
 * and signed, let `harbour audit verify` see what the chain alone cannot: the newest entries cut off,
 * and a chain recomputed after an edit. Each exits 1 naming the checkpoint.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { appendFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { buildAuditRepository } from '../../src/features/audit/repository.ts';
import { buildCheckpointWriter } from '../../src/features/audit/checkpoint.ts';
import { GENESIS_HASH, hashEntry } from '../../src/features/audit/chain.ts';
import { childProcessDatabase, engineName } from '../helpers/database.ts';
import { runHarbour, withCliDatabase } from '../helpers/cli.ts';
import { loadConfig } from '../../src/config.ts';
import { startHarbour } from '../../src/runtime.ts';

const dir = mkdtempSync(join(tmpdir(), 'harbour-checkpoints-'));
const file = join(dir, 'checkpoints.jsonl');
const KEY = 'test-checkpoint-key-kept-outside-the-database';
let env: NodeJS.ProcessEnv;
let cleanup: () => Promise<void>;

before(async () => {
  ({ env, cleanup } = await childProcessDatabase());
  env = { ...env, AUDIT_CHECKPOINT_FILE: file, AUDIT_CHECKPOINT_KEY: KEY };
});
after(async () => {
  await cleanup();
  rmSync(dir, { recursive: true, force: true });
});

const harbour = (...args: string[]) => runHarbour(env, ...args);
const withDb = <T>(fn: Parameters<typeof withCliDatabase<T>>[1]) => withCliDatabase(env, fn);

/** Appends `n` entries and writes a checkpoint of the head, as the running server does every minute. */
async function entriesThenCheckpoint(n: number) {
  return withDb(async (d) => {
    const audit = buildAuditRepository(d.db);
    for (let i = 0; i < n; i++)
      await audit.append({
        actorId: null,
        actorLabel: 'system',
        action: 'test.event',
        entityType: 'thing',
        entityId: i,
        ip: null,
        detail: { i },
      });
    const logged: string[] = [];
    const write = buildCheckpointWriter({
      head: () => audit.head(),
      file,
      key: KEY,
      log: (f) => logged.push(f.auditHeadId),
    });
    const cp = await write();
    assert.ok(cp && logged[0] === cp.id, 'the checkpoint is also a log line');
    return cp!;
  });
}

test(`[${engineName}] the chain agrees with its checkpoints; cutting off the newest entries is detected`, async () => {
  assert.equal((await harbour('migrate')).code, 0);
  await entriesThenCheckpoint(20);
  const last = await entriesThenCheckpoint(15);
  const ok = await harbour('audit', 'verify');
  assert.equal(ok.code, 0, ok.stderr);
  assert.match(ok.stdout, /Audit trail intact: 35 entries checked, and agrees with 2 checkpoint\(s\)/);

  // Delete the newest ten rows: what is left is a perfect chain, shorter than the checkpoint.
  await withDb(async (d) => {
    await sql`ALTER TABLE audit_log DISABLE TRIGGER audit_log_no_update`.execute(d.db);
    await sql`DELETE FROM audit_log WHERE id > ${Number(last.id) - 10}`.execute(d.db);
    await sql`ALTER TABLE audit_log ENABLE TRIGGER audit_log_no_update`.execute(d.db);
  });
  const cut = await harbour('audit', 'verify');
  assert.equal(cut.code, 1);
  assert.match(cut.stderr, new RegExp(`Checkpoint on line 2 \\(entry ${last.id}\\): the chain stops short of it`));
});

test(`[${engineName}] a chain recomputed after an edit disagrees with the checkpoint; a forged checkpoint is refused`, async () => {
  rmSync(file, { force: true });
  const cp = await entriesThenCheckpoint(5);
  assert.equal((await harbour('audit', 'verify')).code, 0);
  // A superuser edits an early entry and recomputes every hash after it, so the chain itself verifies.
  await withDb(async (d) => {
    await sql`ALTER TABLE audit_log DISABLE TRIGGER audit_log_no_update`.execute(d.db);
    const first = await d.db.selectFrom('audit_log').select('id').orderBy('id').executeTakeFirstOrThrow();
    await sql`UPDATE audit_log SET actor_label = 'nobody' WHERE id = ${first.id}`.execute(d.db);
    let prev = GENESIS_HASH;
    for await (const e of buildAuditRepository(d.db).all()) {
      const hash = hashEntry({ ...e, prevHash: prev });
      await sql`UPDATE audit_log SET prev_hash = ${prev}, hash = ${hash} WHERE id = ${e.id}`.execute(d.db);
      prev = hash;
    }
    await sql`ALTER TABLE audit_log ENABLE TRIGGER audit_log_no_update`.execute(d.db);
  });
  const chainOnly = await harbour('audit', 'verify', '--checkpoints', join(dir, 'none.jsonl'));
  assert.equal(chainOnly.code, 1, 'an unreadable checkpoint file is an error');
  const rewritten = await harbour('audit', 'verify');
  assert.equal(rewritten.code, 1);
  assert.match(rewritten.stderr, new RegExp(`entry ${cp.id}\\): the chain disagrees with it`));

  // Whoever rewrote the chain cannot write a matching checkpoint without the key.
  const head = await withDb((d) => buildAuditRepository(d.db).head());
  writeFileSync(file, '');
  appendFileSync(
    file,
    `${JSON.stringify({ id: head!.id, hash: head!.hash, at: new Date().toISOString(), mac: 'ab'.repeat(32) })}\n`,
  );
  const forged = await harbour('audit', 'verify');
  assert.equal(forged.code, 1);
  assert.match(forged.stderr, /signature does not match AUDIT_CHECKPOINT_KEY/);
  assert.ok(readFileSync(file, 'utf8').length > 0);
});

test(`[${engineName}] the server writes a checkpoint when it starts and when it stops`, async () => {
  assert.equal((await harbour('migrate')).code, 0);
  await withDb((d) =>
    buildAuditRepository(d.db).append({
      actorId: null,
      actorLabel: 'system',
      action: 'test.event',
      entityType: 'thing',
      entityId: 0,
      ip: null,
    }),
  );
  writeFileSync(file, '');
  const config = loadConfig({
    ...env,
    PORT: '0',
    HOST: '127.0.0.1',
    JOBS: 'false',
    SEED_DEMO: 'false',
    LOG_LEVEL: 'silent',
  } as Record<string, string>);
  const server = await startHarbour(config);
  const atStart = readFileSync(file, 'utf8').trim().split('\n').filter(Boolean);
  assert.equal(atStart.length, 1);
  await server.services.audit.record(null, { action: 'test.event', entityType: 'thing', entityId: 1 });
  const head = await server.services.audit.head();
  await server.stop();
  const lines = readFileSync(file, 'utf8').trim().split('\n');
  assert.equal(lines.length, 2);
  assert.equal((JSON.parse(lines[1]!) as { id: string }).id, head!.id);
});
