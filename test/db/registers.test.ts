/**
 * The registers on a real database: the reminder job (reminders to those who have not declared,
 * escalation to their manager after the set days, each sent once), declarations and sign-off
 * writing their audit entries in the same transaction, and relationship access in the service.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { openTestDatabase, engineName } from '../helpers/database.ts';
import { buildRepositories, buildServices } from '../../src/composition.ts';
import { seedDemo } from '../../src/demo/seed.ts';
import { actorFor } from '../helpers/lone-working.ts';
import { buildRegistersService } from '../../src/features/registers/service.ts';
import { buildDeclarationRemindersJob } from '../../src/features/registers/reminders-job.ts';
import { ForbiddenError } from '../../src/errors.ts';

let database: Awaited<ReturnType<typeof openTestDatabase>>;
let repos: ReturnType<typeof buildRepositories>;
let services: ReturnType<typeof buildServices>;
let clock = new Date('2027-01-04T09:00:00Z');

before(async () => {
  database = await openTestDatabase();
  repos = buildRepositories(database.db);
  await seedDemo(database.db, repos.audit);
  services = buildServices(repos, { sessionTtlHours: 12, instanceId: 'registers-test' });
});
after(() => database.drop());

const registersAt = () => buildRegistersService({
  db: database.db, registers: repos.registers, staff: repos.staff, organisation: repos.organisation, audit: repos.audit,
  settings: { reminderIntervalDays: 7, escalateAfterDays: 14, publicationThresholdPence: 5000 }, now: () => clock,
});
const staffId = async (email: string) => (await database.db.selectFrom('staff').select(['id', 'line_manager_id']).where('email', '=', email).executeTakeFirstOrThrow());
const inbox = async (recipient: number) => database.db.selectFrom('notifications').select(['subject', 'channel', 'link']).where('recipient_id', '=', recipient).where('subject', 'like', '%declaration of interests%').orderBy('id').execute();

describe(`[${engineName}] declaration reminders`, () => {
  test('reminds everyone undeclared once, repeats after the interval, escalates once to the manager', async () => {
    const registers = registersAt();
    const job = buildDeclarationRemindersJob({ registers });
    const ola = await staffId('ola.adeyemi@harbour.example');
    const active = Number((await database.db.selectFrom('staff').select(database.db.fn.countAll().as('n')).where('active', '=', true).executeTakeFirstOrThrow()).n);

    const first = await job.perform({});
    assert.deepEqual(first, { reminders: active, escalations: 0 });
    const olaInbox = await inbox(ola.id);
    assert.equal(olaInbox.length, 1);
    assert.equal(olaInbox[0]!.channel, 'inbox');
    assert.equal(olaInbox[0]!.link, '/registers/declarations/new');
    assert.deepEqual(await job.perform({}), { reminders: 0, escalations: 0 }, 'nothing twice on the same day');

    // Chloe declares: no more reminders for her.
    const chloe = await actorFor(database.db, 'chloe.davies@harbour.example');
    await registers.declare(chloe, { interest: null });

    clock = new Date('2027-01-11T09:00:00Z');
    const second = await job.perform({});
    assert.equal(second.reminders, active - 1);
    assert.equal(second.escalations, 0);

    clock = new Date('2027-01-18T09:00:00Z');
    const third = await job.perform({});
    assert.equal(third.reminders, active - 1);
    const withManagers = Number((await database.db.selectFrom('staff').select(database.db.fn.countAll().as('n')).where('active', '=', true).where('line_manager_id', 'is not', null).executeTakeFirstOrThrow()).n);
    assert.equal(third.escalations, withManagers - 1, 'everyone undeclared with a manager, except Chloe');
    const manager = await inbox(ola.line_manager_id!);
    assert.ok(manager.some((m) => m.subject === 'Ola Adeyemi has not made their 2027 declaration of interests'));

    clock = new Date('2027-01-25T09:00:00Z');
    assert.equal((await job.perform({})).escalations, 0, 'escalated once only');
    // A new year starts again.
    clock = new Date('2028-01-03T09:00:00Z');
    assert.equal((await job.perform({})).reminders, active);
  });
});

describe(`[${engineName}] declarations and access`, () => {
  test('declaring and signing off write their audit entries; only the chain or the registers team signs off', async () => {
    const registers = services.registers;
    const dev = await actorFor(database.db, 'dev.patel@harbour.example');
    const aisha = await actorFor(database.db, 'aisha.khan@harbour.example');
    const mark = await actorFor(database.db, 'mark.evans@harbour.example');
    const id = await registers.declare(dev, { interest: { kind: 'bankruptcy', description: 'Director of a company wound up in 2025', consentNeeded: false, consentReference: null } });
    const [interest] = await repos.registers.interests(id);
    await assert.rejects(registers.signOff(mark, id, interest!.id, 'No'), ForbiddenError);
    await assert.rejects(registers.signOff(dev, id, interest!.id, 'Self'), ForbiddenError);
    await registers.signOff(aisha, id, interest!.id, 'Dev does not handle finance decisions');
    const audit = await database.db.selectFrom('audit_log').select(['action', 'entity_id']).where('entity_type', '=', 'interest_declaration').where('entity_id', '=', String(id)).orderBy('id').execute();
    assert.deepEqual(audit.map((a) => a.action), ['declaration.make', 'declaration.sign_off']);
    await assert.rejects(registers.declaration(mark, id), ForbiddenError);
    const visible = await registers.report(aisha, { directorateId: null, teamId: null, from: null, to: null, seniorOnly: false });
    assert.ok(visible.interests.some((i) => i.description === 'Director of a company wound up in 2025'));
  });
});
