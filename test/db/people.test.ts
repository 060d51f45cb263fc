import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { openTestDatabase, engineName } from '../helpers/database.ts';
import { buildRepositories, buildServices } from '../../src/composition.ts';
import { buildStaff, buildTeam } from '../helpers/factories.ts';
import type { Actor } from '../../src/features/auth/actor.ts';
import { ForbiddenError, ValidationError } from '../../src/errors.ts';

let database: Awaited<ReturnType<typeof openTestDatabase>>;
let repos: ReturnType<typeof buildRepositories>;
let services: ReturnType<typeof buildServices>;

before(async () => {
  database = await openTestDatabase();
  repos = buildRepositories(database.db);
  services = buildServices(repos);
});
after(() => database.drop());

const actorFor = (staffId: number | null, roles: Actor['roles'] = ['worker']): Actor => ({
  accountId: 1,
  staffId,
  email: 'a@example.org',
  displayName: 'A',
  roles,
  ip: '127.0.0.1',
  via: 'session',
});

/** AD → service manager → team manager → two workers, in one team; a stranger in another team. */
async function orgChart() {
  const db = database.db;
  const team = await buildTeam(db);
  const other = await buildTeam(db);
  const ad = await buildStaff(db, { job_role: 'assistant_director' });
  const sm = await buildStaff(db, { job_role: 'service_manager', line_manager_id: ad.id });
  const tm = await buildStaff(db, { job_role: 'team_manager', team_id: team.id, line_manager_id: sm.id });
  const w1 = await buildStaff(db, { team_id: team.id, line_manager_id: tm.id });
  const w2 = await buildStaff(db, { team_id: team.id, line_manager_id: tm.id });
  const stranger = await buildStaff(db, { team_id: other.id });
  return { team, other, ad, sm, tm, w1, w2, stranger };
}

test(`[${engineName}] reports and management chains follow line managers up and down`, async () => {
  const o = await orgChart();
  const reports = await repos.staff.reports(o.sm.id);
  assert.deepEqual(
    reports.map((r) => [r.id, r.depth]),
    [
      [o.tm.id, 1],
      [o.w1.id, 2],
      [o.w2.id, 2],
    ],
  );
  const chain = await repos.staff.chain(o.w1.id);
  assert.deepEqual(
    chain.map((c) => c.id),
    [o.tm.id, o.sm.id, o.ad.id],
  );
});

test(`[${engineName}] a manager allocates a same-team buddy; the allocation is audited`, async () => {
  const o = await orgChart();
  await services.people.allocateBuddy(actorFor(o.tm.id, ['team_manager']), o.w1.id, o.w2.id);
  assert.equal((await repos.staff.get(o.w1.id))?.buddy_id, o.w2.id);
  const [entry] = await repos.audit.list({ entityType: 'staff', entityId: String(o.w1.id), limit: 1, offset: 0 });
  assert.equal(entry?.action, 'staff.allocate_buddy');
  // The service manager above can too (indirect report).
  await services.people.allocateBuddy(actorFor(o.sm.id, ['service_manager']), o.w2.id, o.w1.id);
  assert.deepEqual(
    (await repos.staff.buddyTo(o.w1.id)).map((b) => b.id),
    [o.w2.id],
  );
});

test(`[${engineName}] buddy rules: other team refused, workers cannot allocate, strangers cannot see the team`, async () => {
  const o = await orgChart();
  await assert.rejects(
    services.people.allocateBuddy(actorFor(o.tm.id, ['team_manager']), o.w1.id, o.stranger.id),
    (e) => e instanceof ValidationError && /same team/.test(e.message),
  );
  await assert.rejects(services.people.allocateBuddy(actorFor(o.w2.id), o.w1.id, o.w2.id), ForbiddenError);
  await assert.rejects(services.people.team(actorFor(o.stranger.id), o.team.id), ForbiddenError);
  const view = await services.people.team(actorFor(o.w1.id), o.team.id);
  assert.equal(view.canAllocate, false);
  assert.deepEqual(view.withoutBuddy.map((m) => m.id).sort(), [o.tm.id, o.w1.id, o.w2.id].sort());
});

test(`[${engineName}] personal mobile shows to the person and their managers only`, async () => {
  const o = await orgChart();
  await database.db.updateTable('staff').set({ personal_mobile: '07700 900 999' }).where('id', '=', o.w1.id).execute();
  assert.equal((await services.people.person(actorFor(o.w1.id), o.w1.id)).person.personal_mobile, '07700 900 999');
  assert.equal(
    (await services.people.person(actorFor(o.tm.id, ['team_manager']), o.w1.id)).person.personal_mobile,
    '07700 900 999',
  );
  assert.equal((await services.people.person(actorFor(o.w2.id), o.w1.id)).person.personal_mobile, null);
});

test(`[${engineName}] moving team clears the buddy pairing both ways; line manager loops refused`, async () => {
  const o = await orgChart();
  const admin = actorFor(null, ['admin']);
  await services.people.allocateBuddy(admin, o.w1.id, o.w2.id);
  await services.people.allocateBuddy(admin, o.w2.id, o.w1.id);
  const current = (await repos.staff.get(o.w1.id))!;
  const input = {
    employeeNumber: current.employee_number,
    givenName: current.given_name,
    familyName: current.family_name,
    email: current.email,
    jobRole: current.job_role,
    teamId: o.other.id,
    lineManagerId: o.tm.id,
    workMobile: null,
    personalMobile: null,
    outOfHoursPhone: null,
    baseBuildingId: null,
    active: true,
  };
  await services.people.updateStaff(admin, o.w1.id, input);
  assert.equal((await repos.staff.get(o.w1.id))?.buddy_id, null);
  assert.equal((await repos.staff.get(o.w2.id))?.buddy_id, null);
  await assert.rejects(
    services.people.updateStaff(admin, o.tm.id, {
      ...input,
      employeeNumber: (await repos.staff.get(o.tm.id))!.employee_number,
      email: (await repos.staff.get(o.tm.id))!.email,
      lineManagerId: o.w2.id,
    }),
    (e) => e instanceof ValidationError && /reports to this person/.test(e.message),
  );
  await assert.rejects(
    services.people.updateStaff(admin, o.w2.id, { ...input }),
    (e) => e instanceof ValidationError && e.errors.some((x) => x.field === 'employeeNumber'),
  );
});
