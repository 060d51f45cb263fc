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
import { buildRegistersService } from '../../src/features/registers/index.ts';
import { buildDeclarationRemindersJob } from '../../src/features/registers/reminders-job.ts';
import { ForbiddenError, ValidationError } from '../../src/errors.ts';

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

const registersAt = () =>
  buildRegistersService({
    db: database.db,
    registers: repos.registers,
    staff: repos.staff,
    organisation: repos.organisation,
    audit: repos.audit,
    settings: { reminderIntervalDays: 7, escalateAfterDays: 14, publicationThresholdPence: 5000 },
    now: () => clock,
  });
const staffId = async (email: string) =>
  await database.db
    .selectFrom('staff')
    .select(['id', 'line_manager_id'])
    .where('email', '=', email)
    .executeTakeFirstOrThrow();
const inbox = async (recipient: number) =>
  database.db
    .selectFrom('notifications')
    .select(['subject', 'channel', 'link'])
    .where('recipient_id', '=', recipient)
    .where('subject', 'like', '%declaration of interests%')
    .orderBy('id')
    .execute();

describe(`[${engineName}] declaration reminders`, () => {
  test('reminds everyone undeclared once, repeats after the interval, escalates once to the manager', async () => {
    const registers = registersAt();
    const job = buildDeclarationRemindersJob({ registers });
    const ola = await staffId('ola.adeyemi@harbour.example');
    const active = Number(
      (
        await database.db
          .selectFrom('staff')
          .select(database.db.fn.countAll().as('n'))
          .where('active', '=', true)
          .executeTakeFirstOrThrow()
      ).n,
    );

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
    const withManagers = Number(
      (
        await database.db
          .selectFrom('staff')
          .select(database.db.fn.countAll().as('n'))
          .where('active', '=', true)
          .where('line_manager_id', 'is not', null)
          .executeTakeFirstOrThrow()
      ).n,
    );
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
    const id = await registers.declare(dev, {
      interest: {
        kind: 'bankruptcy',
        description: 'Director of a company wound up in 2025',
        consentNeeded: false,
        consentReference: null,
      },
    });
    const [interest] = await repos.registers.interests(id);
    await assert.rejects(registers.signOff(mark, id, interest!.id, 'No'), ForbiddenError);
    await assert.rejects(registers.signOff(dev, id, interest!.id, 'Self'), ForbiddenError);
    await registers.signOff(aisha, id, interest!.id, 'Dev does not handle finance decisions');
    const audit = await database.db
      .selectFrom('audit_log')
      .select(['action', 'entity_id'])
      .where('entity_type', '=', 'interest_declaration')
      .where('entity_id', '=', String(id))
      .orderBy('id')
      .execute();
    assert.deepEqual(
      audit.map((a) => a.action),
      ['declaration.make', 'declaration.sign_off'],
    );
    await assert.rejects(registers.declaration(mark, id), ForbiddenError);
    const visible = await registers.report(aisha, {
      directorateId: null,
      teamId: null,
      from: null,
      to: null,
      seniorOnly: false,
    });
    assert.ok(visible.interests.some((i) => i.description === 'Director of a company wound up in 2025'));
  });
});

describe(`[${engineName}] the Kent Code's rules in the database (issue 21)`, () => {
  test('one declaration per person per year, held by a unique index as well as the service', async () => {
    const ruth = await actorFor(database.db, 'ruth.morgan@harbour.example');
    const registers = registersAt();
    await registers.declare(ruth, { interest: null });
    const { year } = await database.db
      .selectFrom('interest_declarations')
      .select('year')
      .where('staff_id', '=', ruth.staffId!)
      .executeTakeFirstOrThrow();
    await assert.rejects(
      registers.declare(ruth, { interest: null }),
      (e: Error) =>
        e instanceof ValidationError && e.errors[0]!.message.includes(`already made your declaration for ${year}`),
    );
    await assert.rejects(
      database.db
        .insertInto('interest_declarations')
        .values({ staff_id: ruth.staffId!, year, no_conflict: true, declared_by: null })
        .execute(),
      /interest_declarations_one_a_year|duplicate key/,
    );
    await database.db
      .insertInto('interest_declarations')
      .values({ staff_id: ruth.staffId!, year: year - 1, no_conflict: true, declared_by: null })
      .execute();
  });

  test('the new kinds are allowed, others refused; a nil declaration is signed once by the line manager and audited', async () => {
    const owen = await actorFor(database.db, 'owen.jones@harbour.example');
    const mark = await actorFor(database.db, 'mark.evans@harbour.example');
    const aisha = await actorFor(database.db, 'aisha.khan@harbour.example');
    const registers = registersAt();
    const id = await registers.declare(owen, { interest: null });
    for (const kind of [
      'contractor_relationship',
      'applicant_relationship',
      'colleague_relationship',
      'publishing_lecturing',
      'intellectual_property',
    ]) {
      await repos.registers.addInterest(database.db, id, {
        kind,
        description: kind,
        consentNeeded: false,
        consentReference: null,
      });
    }
    await assert.rejects(
      repos.registers.addInterest(database.db, id, {
        kind: 'hobby',
        description: 'x',
        consentNeeded: false,
        consentReference: null,
      }),
      /declared_interests_kind_check|check constraint/,
    );
    const nil = await registers.declare(await actorFor(database.db, 'nadia.hussain@harbour.example'), {
      interest: null,
    });
    await assert.rejects(registers.signDeclaration(aisha, nil), ForbiddenError, 'not in Nadia’s chain');
    await registers.signDeclaration(mark, nil);
    await assert.rejects(registers.signDeclaration(mark, nil), ValidationError, 'signed once');
    const row = await database.db
      .selectFrom('interest_declarations')
      .select(['signed_off_name', 'signed_off_by'])
      .where('id', '=', nil)
      .executeTakeFirstOrThrow();
    assert.deepEqual(row, { signed_off_name: 'Mark Evans', signed_off_by: mark.staffId });
    const audit = await database.db
      .selectFrom('audit_log')
      .select('action')
      .where('entity_type', '=', 'interest_declaration')
      .where('entity_id', '=', String(nil))
      .orderBy('id')
      .execute();
    assert.deepEqual(
      audit.map((a) => a.action),
      ['declaration.make', 'declaration.sign'],
    );
    // Owen's has interests without management action: not signed until each has one.
    await assert.rejects(registers.signDeclaration(mark, id), ValidationError);
  });

  test('H.6 interests: in the signing manager’s report, not a higher manager’s; never in the exports', async () => {
    const registers = registersAt();
    const ben = await actorFor(database.db, 'ben.carter@harbour.example');
    const aisha = await actorFor(database.db, 'aisha.khan@harbour.example');
    const helen = await actorFor(database.db, 'helen.ward@harbour.example');
    await registers.declare(ben, {
      interest: {
        kind: 'bankruptcy',
        description: 'Declared bankrupt in 2024',
        consentNeeded: false,
        consentReference: null,
      },
    });
    const all = { directorateId: null, teamId: null, from: null, to: null, seniorOnly: false };
    assert.ok(
      (await registers.report(aisha, all)).interests.some((i) => i.description === 'Declared bankrupt in 2024'),
    );
    assert.ok(
      !(await registers.report(helen, all)).interests.some((i) => i.description === 'Declared bankrupt in 2024'),
    );
    assert.ok(
      !(await repos.registers.interestRows({ staffIds: 'all' })).some((i) => i.kind === 'bankruptcy'),
      'left out unless asked for',
    );
    assert.ok(!JSON.stringify(await registers.interestsTable(aisha, all)).includes('Declared bankrupt'));
  });

  test('gifts: the giver, event date, lateness and the L.1 override are stored; the manager is told in the same transaction', async () => {
    const registers = registersAt();
    const dev = await actorFor(database.db, 'dev.patel@harbour.example');
    const id = await registers.recordGift(dev, {
      kind: 'gift',
      offeredOn: '2027-01-02',
      description: 'Voucher',
      offeredBy: 'Acme',
      supplierId: null,
      valuePence: 3000,
      response: 'accepted',
      refusalLetter: null,
      authorisedInAdvance: false,
      reason: 'x',
      giverType: 'contractor_supplier',
    });
    const row = await database.db
      .selectFrom('gift_entries')
      .select(['giver_type', 'needs_override', 'late'])
      .where('id', '=', id)
      .executeTakeFirstOrThrow();
    assert.deepEqual(row, { giver_type: 'contractor_supplier', needs_override: true, late: false });
    const aishaId = (await staffId('aisha.khan@harbour.example')).id;
    const told = await database.db
      .selectFrom('notifications')
      .select('link')
      .where('recipient_id', '=', aishaId)
      .where('link', '=', `/registers/gifts/${id}`)
      .execute();
    assert.equal(told.length, 1);
    await assert.rejects(
      database.db
        .updateTable('gift_entries')
        .set({ giver_type: 'stranger' as never })
        .where('id', '=', id)
        .execute(),
      /gift_entries_giver_type_check|check constraint/,
    );
  });
});
