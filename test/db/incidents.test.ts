/**
 * Incidents on a real database (PGlite, or PostgreSQL with TEST_DATABASE_URL): a report, its
 * deadline and audit entry commit together; drafts keep raw input; the response is stored.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { openTestDatabase, engineName } from '../helpers/database.ts';
import { buildRepositories, buildServices } from '../../src/composition.ts';
import { seedDemo } from '../../src/demo/seed.ts';
import { actorFor } from '../helpers/lone-working.ts';
import { ForbiddenError, NotFoundError, ValidationError } from '../../src/errors.ts';
import type { Actor } from '../../src/features/auth/actor.ts';

let database: Awaited<ReturnType<typeof openTestDatabase>>;
let services: ReturnType<typeof buildServices>;
let chloe: Actor, aisha: Actor, gareth: Actor;

before(async () => {
  database = await openTestDatabase();
  const repos = buildRepositories(database.db);
  await seedDemo(database.db, repos.audit);
  services = buildServices(repos, { sessionTtlHours: 12, instanceId: 'incidents-test' });
  chloe = await actorFor(database.db, 'chloe.davies@harbour.example');
  aisha = await actorFor(database.db, 'aisha.khan@harbour.example');
  gareth = await actorFor(database.db, 'gareth.price@harbour.example');
});
after(() => database.drop());

const fields = (o: Record<string, string | string[]> = {}) => ({
  'occurred-day': '10',
  'occurred-month': '6',
  'occurred-year': '2026',
  'occurred-time': '14:00',
  location: 'Park Road',
  loneWorking: 'no',
  categories: ['physical_assault', 'weapon'],
  perpetratorType: 'family',
  injured: 'yes',
  injuryNature: 'Cut',
  narrative: 'Attacked with a bottle',
  ...o,
});

describe(`incidents (${engineName})`, () => {
  test('a submitted report stores its categories, a 24-hour deadline and an audit entry', async () => {
    const id = await services.incidents.save(chloe, null, fields(), 'submit');
    const row = await database.db.selectFrom('incidents').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
    assert.deepEqual(row.categories, ['physical_assault', 'weapon']);
    assert.equal(row.status, 'open');
    assert.equal(row.occurred_at!.toISOString(), '2026-06-10T13:00:00.000Z');
    assert.equal(row.meeting_due_at!.toISOString(), '2026-06-11T13:00:00.000Z');
    const audit = await database.db
      .selectFrom('audit_log')
      .select('action')
      .where('entity_type', '=', 'incident')
      .where('entity_id', '=', String(id))
      .execute();
    assert.deepEqual(
      audit.map((a) => a.action),
      ['incident.submit'],
    );
  });

  test('a draft keeps what was typed; a bad submit writes nothing', async () => {
    const id = await services.incidents.save(
      chloe,
      null,
      { location: 'Somewhere', categories: ['threats', 'nonsense'], narrative: '' },
      'draft',
    );
    const row = await database.db
      .selectFrom('incidents')
      .select(['status', 'draft'])
      .where('id', '=', id)
      .executeTakeFirstOrThrow();
    assert.equal(row.status, 'draft');
    assert.deepEqual(row.draft, { location: 'Somewhere', categories: ['threats', 'nonsense'], narrative: '' });
    await assert.rejects(services.incidents.save(chloe, id, { location: 'Somewhere' }, 'submit'), ValidationError);
    assert.equal(
      (await database.db.selectFrom('incidents').select('status').where('id', '=', id).executeTakeFirstOrThrow())
        .status,
      'draft',
    );
  });

  test('the response is stored; complaints staff cannot see or respond', async () => {
    const id = await services.incidents.save(chloe, null, fields(), 'submit');
    await assert.rejects(services.incidents.view(gareth, id), NotFoundError);
    await assert.rejects(
      services.incidents.respond(chloe, id, {
        meetingHeldAt: null,
        debriefAt: null,
        policeRightToldAt: null,
        support: {},
        notes: null,
      }),
      ForbiddenError,
    );
    await assert.rejects(
      services.incidents.respond(aisha, id, {
        meetingHeldAt: null,
        debriefAt: new Date('2026-06-30T09:00:00Z'),
        policeRightToldAt: null,
        support: {},
        notes: null,
      }),
      (e: unknown) => e instanceof ValidationError && /no later than 2 weeks/.test(e.errors[0]!.message),
    );
    await services.incidents.respond(aisha, id, {
      meetingHeldAt: new Date('2026-06-10T16:00:00Z'),
      debriefAt: new Date('2026-06-15T09:00:00Z'),
      policeRightToldAt: new Date('2026-06-10T16:00:00Z'),
      support: { support_line: 'accepted' },
      notes: 'Met',
    });
    const row = await database.db.selectFrom('incidents').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
    assert.deepEqual(row.support, { support_line: 'accepted' });
    assert.equal(row.responded_by, aisha.staffId);
  });
});
