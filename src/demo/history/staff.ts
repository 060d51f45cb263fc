import { sql, type Transaction } from 'kysely';
import type { DB } from '../../db/schema.ts';
import type { Random } from './random.ts';
import { type HistoryContext, type Person, at, addDays, insertMany, insertPlain } from './shared.ts';

/** The history's people: five more teams, their training and their declarations of interest. */
const GIVEN = [
  'Amara',
  'Beth',
  'Callum',
  'Dana',
  'Elliot',
  'Farah',
  'George',
  'Hannah',
  'Imran',
  'Jess',
  'Kieran',
  'Laura',
  'Marcus',
  'Niamh',
  'Oscar',
  'Paula',
  'Rhys',
  'Sana',
  'Theo',
  'Una',
  'Victor',
  'Wendy',
  'Zara',
  'Adam',
  'Bella',
  'Connor',
  'Deepa',
  'Ethan',
  'Fatima',
  'Gemma',
  'Harry',
  'Isla',
  'Joel',
  'Kirsty',
  'Leon',
  'Maya',
];
const FAMILY = [
  'Abbott',
  'Bennett',
  'Clarke',
  'Dixon',
  'Edwards',
  'Fletcher',
  'Gray',
  'Hall',
  'Iqbal',
  'Jackson',
  'Kelly',
  'Lewis',
  'Mitchell',
  'Nolan',
  'Owens',
  'Parker',
  'Quinn',
  'Roberts',
  'Singh',
  'Taylor',
  'Usman',
  'Vaughan',
  'Walker',
  'Young',
  'Ahmed',
  'Bell',
  'Cooper',
  'Doyle',
  'Ellis',
  'Foster',
  'Grant',
  'Hughes',
  'Ibrahim',
];

const NEW_TEAMS = [
  { name: 'Canterbury Children in Care', service: 'cic', manager: 'smcic', building: 'civic' },
  { name: 'Dover Children in Care', service: 'cic', manager: 'smcic', building: 'civic' },
  { name: 'Ashford Leaving Care', service: 'cic', manager: 'smcic', building: 'civic' },
  { name: 'Sittingbourne Early Help', service: 'eh', manager: 'smeh', building: 'gateway' },
  { name: 'Sheppey Early Help', service: 'eh', manager: 'smeh', building: 'gateway' },
] as const;

/** Five more teams of a manager and twelve staff each, every one with a buddy in their team and an account. */
export async function moreStaff(trx: Transaction<DB>, ctx: HistoryContext, rnd: Random): Promise<number> {
  const used = new Set((await trx.selectFrom('staff').select('email').execute()).map((s) => s.email));
  let employee = 2001;
  const name = () => {
    for (;;) {
      const p = { given: rnd.pick(GIVEN), family: rnd.pick(FAMILY) };
      if (!used.has(ctx.email(p))) {
        used.add(ctx.email(p));
        return p;
      }
    }
  };
  let added = 0;
  for (const t of NEW_TEAMS) {
    const serviceId = ctx.services[t.service];
    const teamId = (
      await trx
        .insertInto('teams')
        .values({ name: t.name, service_id: serviceId })
        .returning('id')
        .executeTakeFirstOrThrow()
    ).id;
    ctx.teamIds.set(t.name, teamId);
    const early = t.service === 'eh';
    const roles = [
      'team_manager',
      'senior_practitioner',
      ...Array.from({ length: 10 }, (_, i) =>
        early ? (i % 2 ? 'youth_worker' : 'family_support_worker') : i < 7 ? 'social_worker' : 'family_support_worker',
      ),
      'business_support',
    ];
    const rows = roles.map((jobRole) => {
      const p = name();
      const n = employee++;
      return {
        employee_number: `E${n}`,
        given_name: p.given,
        family_name: p.family,
        email: ctx.email(p),
        job_role: jobRole,
        team_id: teamId,
        work_mobile: `07700 90${String(n).slice(-4)}`,
        personal_mobile: null,
        out_of_hours_phone: null,
        base_building_id: ctx.buildings[t.building],
        line_manager_id: jobRole === 'team_manager' ? ctx.ids.get(t.manager)! : null,
      };
    });
    const ids = await insertMany(trx, 'staff', rows);
    const managerId = ids[0]!;
    await trx
      .updateTable('staff')
      .set({ line_manager_id: managerId })
      .where('team_id', '=', teamId)
      .where('id', '<>', managerId)
      .execute();
    await trx.updateTable('teams').set({ manager_id: managerId }).where('id', '=', teamId).execute();
    // Buddies in pairs: 0–1, 2–3, …; the odd one out buddies the one before.
    const pairs = ids.map((id, i) => [id, ids[i % 2 ? i - 1 : i + 1 < ids.length ? i + 1 : i - 1]!] as const);
    await sql`UPDATE staff SET buddy_id = v.buddy FROM (VALUES ${sql.join(pairs.map(([a, b]) => sql`(${a}::int, ${b}::int)`))}) AS v(id, buddy) WHERE staff.id = v.id`.execute(
      trx,
    );
    await insertPlain(
      trx,
      'accounts',
      rows.map((r, i) => ({
        staff_id: ids[i]!,
        email: r.email,
        display_name: `${r.given_name} ${r.family_name}`,
        password_hash: ctx.passwordHash,
        roles:
          r.job_role === 'team_manager'
            ? ['team_manager', 'worker']
            : r.job_role === 'business_support'
              ? ['business_support']
              : ['worker'],
      })),
    );
    added += ids.length;
  }
  return added;
}

/** Most of the new staff trained in lone working and personal safety; most people have declared their interests this year. */
export async function trainingAndDeclarations(trx: Transaction<DB>, people: Person[], rnd: Random, today: string) {
  const courses = await trx
    .selectFrom('training_courses')
    .select(['id', 'category'])
    .where('category', 'in', ['lone_working', 'personal_safety'])
    .execute();
  const trained = new Set(
    (await trx.selectFrom('training_records').select('staff_id').execute()).map((r) => r.staff_id),
  );
  const records = people
    .filter((p) => !trained.has(p.id))
    .flatMap((p) =>
      courses
        .filter(() => rnd.chance(0.9))
        .map((c) => ({
          staff_id: p.id,
          course_id: c.id,
          completed_on: addDays(today, -rnd.int(20, 900)),
          expires_on: null,
          evidence: null,
          source: 'demo',
        })),
    );
  await insertPlain(trx, 'training_records', records);
  const year = Number(today.slice(0, 4));
  const jan1 = `${year}-01-01`;
  const declarations = people
    .filter(() => rnd.chance(0.8))
    .map((p) => {
      const on = addDays(today, -rnd.int(0, 300));
      return {
        staff_id: p.id,
        year,
        no_conflict: rnd.chance(0.85),
        declared_at: at(on < jan1 ? jan1 : on, 10),
        declared_by: p.id,
      };
    });
  await insertPlain(trx, 'interest_declarations', declarations);
}
