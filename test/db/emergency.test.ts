/**
 * The emergency information pack, lockdown and idempotency keys on a real database: the
 * development key is made once; key rotation re-encrypts every pack; break-glass needs an open
 * alert and is recorded with the view in one transaction; managers are reminded about missing and
 * out-of-date packs once a month; concurrent replays of one idempotency key run the action once;
 * two people locking down one building at once start one lockdown.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { sql } from 'kysely';
import { engineName } from '../helpers/database.ts';
import { openSeeded, type Seeded } from '../helpers/services.ts';
import { actorFor, buildVisitForm, expireDeadline } from '../helpers/lone-working.ts';
import { demo } from '../helpers/app.ts';
import { buildEmergencyService } from '../../src/features/emergency/index.ts';
import { buildEmergencyPackRemindersJob } from '../../src/features/emergency/reminders-job.ts';
import { newKey } from '../../src/features/emergency/crypto.ts';
import type { EmergencyPack } from '../../src/features/emergency/schema.ts';
import { ForbiddenError, ValidationError } from '../../src/errors.ts';

const pack = (name: string): EmergencyPack => ({
  name,
  dateOfBirth: '1990-07-04',
  address: null,
  homePhone: null,
  mobilePhone: '07700 900 111',
  homeEmail: null,
  workEmail: null,
  car: { makeModel: 'Ford Fiesta', colour: 'Blue', registration: 'AB12 CDE' },
  contacts: [{ name: 'Sam', relationship: 'Partner', homePhone: null, mobilePhone: '07700 900 222', workPhone: null }],
  preferredContact: 1,
  medical: { conditions: null, medication: 'Inhaler', adviceIfUnwell: null },
});

describe(`[${engineName}] emergency information pack`, () => {
  let s: Seeded;
  const service = (settings?: { key: string | null; previousKeys: string[] }, now?: () => Date) =>
    buildEmergencyService({
      db: s.database.db,
      emergency: s.repos.emergency,
      staff: s.repos.staff,
      audit: s.repos.audit,
      settings,
      now,
    });

  before(async () => {
    s = await openSeeded();
  });
  after(() => s.database.drop());

  test('without a configured key a development key is made once and kept', async () => {
    const a = await service().ensureKey();
    const b = await service().ensureKey();
    assert.equal(a.development, true);
    assert.equal(a.keyId, b.keyId);
    const stored = await s.database.db
      .selectFrom('app_settings')
      .select('key')
      .where('key', '=', 'emergency_pack_dev_key')
      .execute();
    assert.equal(stored.length, 1);
  });

  test('rotation: the new key re-encrypts every pack; the old key is then no longer needed', async () => {
    const chloe = await actorFor(s.database.db, demo.worker);
    const dev = await actorFor(s.database.db, 'dev.patel@harbour.example');
    await service().save(chloe, pack('Chloe Davies'));
    const keyA = newKey().toString('base64');
    const keyB = newKey().toString('base64');
    // Production sets key A: the development key still opens Chloe's pack until rotation.
    const withA = service({ key: keyA, previousKeys: [] });
    assert.equal((await withA.mine(chloe)).pack?.name, 'Chloe Davies');
    await withA.save(dev, pack('Dev Patel'));
    const first = await withA.rotateKey();
    assert.equal(first.reencrypted, 1);
    assert.deepEqual(first.unreadable, []);
    // Then key B, keeping A to open what it sealed.
    const withB = service({ key: keyB, previousKeys: [keyA] });
    const second = await withB.rotateKey();
    assert.equal(second.reencrypted, 2);
    const keyIds = await s.database.db.selectFrom('emergency_packs').select('key_id').distinct().execute();
    assert.deepEqual(
      keyIds.map((k) => k.key_id),
      [second.keyId],
    );
    const onlyB = service({ key: keyB, previousKeys: [] });
    assert.equal((await onlyB.mine(dev)).pack?.name, 'Dev Patel');
    // A key that sealed nothing here opens nothing: reported, not guessed.
    await s.database.db
      .updateTable('emergency_packs')
      .set({ key_id: 'k0000000000000000' })
      .where('staff_id', '=', dev.staffId!)
      .execute();
    assert.deepEqual((await onlyB.rotateKey()).unreadable, [dev.staffId]);
    await onlyB.save(dev, pack('Dev Patel'));
    const trail = await s.database.db
      .selectFrom('audit_log')
      .select('action')
      .where('action', '=', 'emergency_pack.rotate_key')
      .execute();
    assert.equal(trail.length, 3);
  });

  test('breakGlass needs an open alert and a reason; the view, timeline line and audit entry are written together', async () => {
    const emergency = s.services.emergency;
    const chloe = await actorFor(s.database.db, demo.worker);
    const aisha = await actorFor(s.database.db, demo.teamManager);
    await emergency.save(chloe, pack('Chloe Davies'));
    await assert.rejects(
      emergency.breakGlass(aisha, chloe.staffId!, { reason: 'Check', alertId: '1' }),
      ForbiddenError,
    );
    const visitId = await s.services.visits.plan(chloe, buildVisitForm());
    await s.services.visits.arrive(chloe, visitId);
    await expireDeadline(s.database.db, visitId);
    await s.services.engine.tick();
    const alert = await s.database.db
      .selectFrom('alerts')
      .select('id')
      .where('visit_id', '=', visitId)
      .executeTakeFirstOrThrow();
    await assert.rejects(
      emergency.breakGlass(aisha, chloe.staffId!, { reason: ' ', alertId: alert.id }),
      ValidationError,
    );
    await assert.rejects(emergency.breakGlass(aisha, chloe.staffId!, { reason: 'x' }), ValidationError);
    const viewsBefore = await s.database.db.selectFrom('emergency_pack_views').select('id').execute();
    const opened = await emergency.breakGlass(aisha, chloe.staffId!, {
      reason: 'Police need her car',
      alertId: alert.id,
    });
    assert.equal(opened.pack?.car.registration, 'AB12 CDE');
    assert.equal(opened.worker.name, 'Chloe Davies');
    const views = await s.database.db.selectFrom('emergency_pack_views').selectAll().execute();
    assert.equal(views.length, viewsBefore.length + 1);
    assert.equal(String(views.at(-1)!.alert_id), String(alert.id));
    const chain = await s.services.audit.verify();
    assert.equal(chain.ok, true);
  });

  test('managers are reminded about missing and out-of-date packs, at most monthly', async () => {
    let clock = new Date();
    const emergency = service(undefined, () => clock);
    const job = buildEmergencyPackRemindersJob({ emergency });
    const chloe = await actorFor(s.database.db, demo.worker);
    const aisha = await actorFor(s.database.db, demo.teamManager);
    // Chloe's pack is 13 months old.
    await sql`UPDATE emergency_packs SET updated_at = now() - interval '13 months' WHERE staff_id = ${chloe.staffId}`.execute(
      s.database.db,
    );
    const first = await job.perform();
    assert.ok(first.missing > 5, `most demo staff have no pack (${first.missing})`);
    assert.ok(first.stale >= 1);
    const toAisha = await s.database.db
      .selectFrom('notifications')
      .select(['subject', 'link'])
      .where('recipient_id', '=', aisha.staffId!)
      .where('subject', 'like', '%emergency contact and medical details%')
      .execute();
    assert.ok(
      toAisha.some((n) => n.subject === 'Chloe Davies’s emergency contact and medical details are over 12 months old'),
    );
    assert.ok(toAisha.some((n) => n.subject === 'Ola Adeyemi has no emergency contact and medical details'));
    assert.deepEqual(await job.perform(), { missing: 0, stale: 0 });
    clock = new Date(Date.now() + 31 * 86_400_000);
    assert.deepEqual(await job.perform(), first);
  });
});

describe(`[${engineName}] idempotency and lockdown races`, () => {
  let s: Seeded;
  before(async () => {
    s = await openSeeded();
  });
  after(() => s.database.drop());

  test('the same key sent twice at once runs the action once and both get the first result', async () => {
    const chloe = await actorFor(s.database.db, demo.worker);
    let runs = 0;
    const body = { idempotency_key: 'offline-key-0001' };
    const run = async () => {
      runs++;
      await new Promise((r) => setTimeout(r, 50));
    };
    const results = await Promise.all(
      [1, 2, 3].map(() => s.services.idempotency.once(chloe, body, 'test', '/visits/1?done=arrived', run)),
    );
    assert.equal(runs, 1);
    assert.deepEqual(
      results,
      [1, 2, 3].map(() => ({ location: '/visits/1?done=arrived', receipt: 'offline-key-0001' })),
    );
    // A failed action frees its key so the corrected request runs.
    await assert.rejects(
      s.services.idempotency.once(chloe, { idempotency_key: 'offline-key-0002' }, 'test', '/x', async () => {
        throw new ValidationError([{ field: 'f', message: 'no' }]);
      }),
    );
    await s.services.idempotency.once(chloe, { idempotency_key: 'offline-key-0002' }, 'test', '/x', run);
    assert.equal(runs, 2);
    // Keys are per account: another person's same key is theirs.
    await s.services.idempotency.once(await actorFor(s.database.db, demo.teamManager), body, 'test', '/y', run);
    assert.equal(runs, 3);
  });

  test('two people locking down one building at once start one lockdown', async () => {
    const helen = await actorFor(s.database.db, demo.serviceManager);
    const priya = await actorFor(s.database.db, demo.assistantDirector);
    const building = (
      await s.database.db
        .selectFrom('buildings')
        .select('id')
        .where('name', '=', 'Sittingbourne Gateway')
        .executeTakeFirstOrThrow()
    ).id;
    const results = await Promise.allSettled(
      [helen, priya].map((a) =>
        s.services.lockdown.start(a, { buildingId: building, location: 'inside', details: null }),
      ),
    );
    assert.equal(results.filter((r) => r.status === 'fulfilled').length, 1);
    const rejected = results.find((r) => r.status === 'rejected') as PromiseRejectedResult;
    assert.ok(rejected.reason instanceof ValidationError, String(rejected.reason));
    const running = await s.database.db
      .selectFrom('lockdowns')
      .select('id')
      .where('building_id', '=', building)
      .where('ended_at', 'is', null)
      .execute();
    assert.equal(running.length, 1);
    const alerted = await s.database.db
      .selectFrom('lockdown_recipients')
      .select('staff_id')
      .where('lockdown_id', '=', running[0]!.id)
      .execute();
    const based = await s.database.db
      .selectFrom('staff')
      .select('id')
      .where('base_building_id', '=', building)
      .execute();
    assert.equal(alerted.length, based.length);
  });
});
