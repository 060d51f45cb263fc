/**
 * Historic imports write their rows in short batches, each kept with the count of rows kept, so a
 * large import on PGlite (one connection) no longer holds up the alarm engine for its whole length,
 * and an import stopped part way carries on from the first row not yet kept: no row lost, none twice.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { engineName } from '../helpers/database.ts';
import { demo } from '../helpers/app.ts';
import { actorFor } from '../helpers/lone-working.ts';
import { openSeeded, type Seeded } from '../helpers/services.ts';
import { buildImportsService } from '../../src/features/imports/service.ts';
import type { Actor } from '../../src/features/auth/actor.ts';

let s: Seeded;
let fiona: Actor;
let gareth: Actor;
let employee: string;

before(async () => {
  s = await openSeeded();
  [fiona, gareth] = await Promise.all([
    actorFor(s.database.db, demo.healthAndSafety),
    actorFor(s.database.db, demo.complaints),
  ]);
  employee = (
    await s.database.db
      .selectFrom('staff')
      .select('employee_number')
      .where('email', '=', demo.worker)
      .executeTakeFirstOrThrow()
  ).employee_number;
});
after(() => s.database.drop());

const incidentCsv = (prefix: string, rows: number) =>
  [
    'reference,occurred_date,employee_number,location,categories,narrative',
    ...Array.from(
      { length: rows },
      (_, i) => `${prefix}-${i + 1},2024-03-01,${employee},Office,physical_assault,Pushed ${i + 1}`,
    ),
  ].join('\n');
const complaintCsv = (prefix: string, rows: number) =>
  [
    'received_on,complainant_type,staff_employee_numbers,allegations,summary,stage_reached,outcome',
    ...Array.from({ length: rows }, (_, i) => `2012-05-01,child,${employee},pl_n,${prefix} ${i + 1},1,upheld`),
  ].join('\n');
const references = async (prefix: string) =>
  (
    await s.database.db
      .selectFrom('incidents')
      .select('import_reference')
      .where('import_reference', 'like', `${prefix}-%`)
      .execute()
  ).map((r) => r.import_reference!);
const job = (id: number) =>
  s.database.db
    .selectFrom('import_jobs')
    .select(['status', 'done', 'total', 'imported', 'content'])
    .where('id', '=', id)
    .executeTakeFirstOrThrow();
const audits = async (action: string, file: string) =>
  (await s.database.db.selectFrom('audit_log').select('detail').where('action', '=', action).execute()).filter((a) =>
    JSON.stringify(a.detail).includes(file),
  ).length;
/** Queued, not run: the test runs the job itself. */
async function queue(actor: Actor, kind: 'incidents' | 'complaints', fileName: string, csv: string) {
  s.services.imports.useQueue(async () => {});
  const started = await s.services.imports.start(actor, kind, fileName, csv);
  assert.ok(started.ok, JSON.stringify(started));
  return started.id;
}
/** An import service whose job "stops" (as a killed process would) once `batches` batches are kept. */
const stoppingAfter = (batches: number) => {
  let kept = 0;
  return buildImportsService({
    db: s.database.db,
    importers: { incidents: s.services.incidents, complaints: s.services.complaints },
    afterBatch: () => {
      if (++kept === batches) throw new Error('the process stopped');
    },
  });
};

test(`[${engineName}] while a 3,000-row import runs, the alarm engine's pass and other queries take turns with it, never waiting for the whole import`, async () => {
  const total = 3000;
  const id = await queue(fiona, 'incidents', 'large.csv', incidentCsv('BIG', total));
  let finished = false;
  const running = s.services.imports.perform({ id }).finally(() => {
    finished = true;
  });
  // As the engine's loop does: a pass falls due every 100 ms; each is timed from when it fell due to when it ended.
  const waits: number[] = [];
  while (!finished) {
    const due = performance.now() + 100;
    await new Promise((resolve) => setTimeout(resolve, 100));
    await s.services.engine.pass();
    await s.database.db.selectFrom('alerts').select('id').limit(1).execute();
    waits.push(Math.round(performance.now() - due));
  }
  await running;
  // One pass may wait for the job's check of the whole file again (computing, not the database); every other one waits at most a batch.
  // No wall-clock limit (a loaded machine stretches every wait alike): the engine gets its turn
  // again and again during the import, and no wait but that check is more than a small part of it.
  // Before batches, it passed once, after waiting for the whole import.
  const [checking, ...others] = [...waits].sort((x, y) => y - x);
  const importMs = waits.reduce((sum, w) => sum + w + 100, 0);
  assert.ok(
    others.length >= 10 && Math.max(...others) < importMs / 4,
    `the engine passed ${waits.length} times during the ${importMs} ms import, waiting ${waits.join(', ')} ms`,
  );
  assert.ok(
    checking! < waits.reduce((sum, w) => sum + w, 0) / 2,
    `the longest wait (${checking} ms) is a small part of the import`,
  );
  assert.deepEqual(await job(id), { status: 'done', done: total, total, imported: total, content: null });
  assert.equal(new Set(await references('BIG')).size, total);
});

test(`[${engineName}] an incidents import stopped after two batches carries on when run again: every row once, one audit entry`, async () => {
  const total = 900;
  const id = await queue(fiona, 'incidents', 'resume.csv', incidentCsv('RES', total));
  await assert.rejects(stoppingAfter(2).perform({ id }), /the process stopped/);
  const stopped = await job(id);
  assert.equal(stopped.status, 'running');
  assert.ok(stopped.done > 0 && stopped.done < total, `part kept (${stopped.done})`);
  assert.equal((await references('RES')).length, stopped.done, 'the rows kept are exactly those counted');
  // The page shows the rows kept while the job is stopped.
  assert.equal((await s.services.imports.view(fiona, id)).done, stopped.done);
  // Meanwhile another import of incidents is refused rather than checked against a half-written file.
  const cli = await s.services.incidents.importHistoric(fiona, incidentCsv('CLI', 2), 'cli.csv');
  assert.deepEqual(!cli.ok && cli.errors, [
    {
      line: 0,
      message: 'Another import of incidents (resume.csv) is still being written. Try again when it has finished.',
    },
  ]);

  assert.deepEqual(await s.services.imports.perform({ id }), { id, imported: total });
  const refs = await references('RES');
  assert.equal(refs.length, total);
  assert.deepEqual(new Set(refs), new Set(Array.from({ length: total }, (_, i) => `RES-${i + 1}`)));
  assert.deepEqual(await job(id), { status: 'done', done: total, total, imported: total, content: null });
  assert.equal(await audits('incident.import', 'resume.csv'), 1);
  assert.deepEqual(await s.services.imports.perform({ id }), { id, skipped: true }, 'a finished job is not run again');
});

test(`[${engineName}] a complaints import (no references) stopped part way is finished before the next one of its kind starts`, async () => {
  const total = 700;
  const count = async () =>
    Number(
      (
        await s.database.db
          .selectFrom('complaints')
          .select(({ fn }) => fn.countAll<string>().as('n'))
          .executeTakeFirstOrThrow()
      ).n,
    );
  const summaries = async (prefix: string) =>
    (
      await s.database.db.selectFrom('complaints').select('summary').where('summary', 'like', `${prefix} %`).execute()
    ).map((r) => r.summary);
  const before = await count();
  const first = await queue(gareth, 'complaints', 'first.csv', complaintCsv('FIRST', total));
  const second = await queue(gareth, 'complaints', 'second.csv', complaintCsv('SECOND', 3));
  await assert.rejects(stoppingAfter(1).perform({ id: first }), /the process stopped/);
  assert.ok((await job(first)).done < total);
  // The second job finds the first still being written (its process stopped): it finishes that one, then itself.
  assert.deepEqual(await s.services.imports.perform({ id: second }), { id: second, imported: 3 });
  assert.equal((await job(first)).status, 'done');
  assert.equal(await count(), before + total + 3);
  assert.deepEqual(
    new Set(await summaries('FIRST')),
    new Set(Array.from({ length: total }, (_, i) => `FIRST ${i + 1}`)),
  );
  assert.equal((await summaries('FIRST')).length, total);
  const stages = await s.database.db
    .selectFrom('complaint_stages')
    .innerJoin('complaints', 'complaints.id', 'complaint_stages.complaint_id')
    .select('complaint_stages.id')
    .where('complaints.summary', 'like', 'FIRST %')
    .execute();
  assert.equal(stages.length, total, 'each complaint has its one stage');
});
