import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import pino from 'pino';
import { engineName } from '../helpers/database.ts';
import { openSeeded, type Seeded } from '../helpers/services.ts';
import { buildHousekeepingJob } from '../../src/jobs/housekeeping.ts';
import { startJobs } from '../../src/jobs/boss.ts';

let database: Seeded['database'];
let repos: Seeded['repos'];
let services: Seeded['services'];

before(async () => {
  ({ database, repos, services } = await openSeeded());
});
after(() => database.drop());

async function sessionCount() {
  return Number(
    (await database.db.selectFrom('sessions').select(database.db.fn.countAll().as('n')).executeTakeFirstOrThrow()).n,
  );
}

async function makeSessions() {
  const account = await repos.accounts.findByEmail('aisha.khan@harbour.example');
  await repos.accounts.createSession({
    idHash: `expired-${Math.random()}`,
    accountId: account!.id,
    csrfToken: 'x',
    expiresAt: new Date(Date.now() - 1000),
    ip: null,
  });
  await repos.accounts.createSession({
    idHash: `live-${Math.random()}`,
    accountId: account!.id,
    csrfToken: 'x',
    expiresAt: new Date(Date.now() + 3600_000),
    ip: null,
  });
}

test(`[${engineName}] perform removes expired sessions only`, async () => {
  await makeSessions();
  const result = await buildHousekeepingJob(services).perform({});
  assert.equal(result.deleted, 1);
  assert.equal(await sessionCount(), 1);
});

test(`[${engineName}] the real pg-boss worker runs the job and stops gracefully`, async () => {
  const live = await sessionCount();
  await makeSessions();
  const runner = await startJobs(database, services, pino({ level: 'silent' }), { pollingIntervalSeconds: 0.5 });
  try {
    const job = buildHousekeepingJob(services);
    const id = await runner.boss.send(job.name, {});
    assert.ok(id);
    const deadline = Date.now() + 20_000;
    let state: string | undefined;
    while (Date.now() < deadline) {
      state = (await runner.boss.getJobById(job.name, id!))?.state;
      if (state === 'completed' || state === 'failed') break;
      await new Promise((r) => setTimeout(r, 200));
    }
    assert.equal(state, 'completed');
    assert.equal(await sessionCount(), live + 1);
  } finally {
    await runner.stop();
  }
});
