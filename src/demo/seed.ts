import type { Kysely } from 'kysely';
import type { DB } from '../db/schema.ts';
import type { AuditRepository } from '../features/audit/repository.ts';
import { hashPassword } from '../features/auth/passwords.ts';
import type { Role } from '../features/auth/actor.ts';
import { seedDemoComplaints } from '../features/complaints/demo.ts';
import { seedDemoFoi } from '../features/foi/demo.ts';
import { seedDemoTraining } from '../features/training/demo.ts';
import { seedDemoHistory } from './history.ts';

export const DEMO_PASSWORD = 'harbour-demo-2026';

interface DemoPerson {
  key: string;
  given: string;
  family: string;
  jobRole: string;
  team?: string;
  manager?: string;
  buddy?: string;
  roles: Role[];
  building: 'civic' | 'gateway';
  ooh?: string;
}

// A small council: one directorate, two services, three teams, their managers and an assistant
// director, two buildings. Everyone has a buddy in their team except Ola Adeyemi, who is new, so
// the "no buddy" warning has something to show.
const people: DemoPerson[] = [
  {
    key: 'ad',
    given: 'Priya',
    family: 'Shah',
    jobRole: 'assistant_director',
    roles: ['assistant_director'],
    building: 'civic',
    ooh: '07700 900 001',
  },
  {
    key: 'ad2',
    given: 'Daniel',
    family: 'Okafor',
    jobRole: 'assistant_director',
    roles: ['assistant_director'],
    building: 'gateway',
    ooh: '07700 900 002',
  },
  {
    key: 'smcic',
    given: 'Helen',
    family: 'Ward',
    jobRole: 'service_manager',
    manager: 'ad',
    roles: ['service_manager'],
    building: 'civic',
  },
  {
    key: 'smeh',
    given: 'Tom',
    family: 'Baker',
    jobRole: 'service_manager',
    manager: 'ad2',
    roles: ['service_manager'],
    building: 'gateway',
  },
  {
    key: 'tm1',
    given: 'Aisha',
    family: 'Khan',
    jobRole: 'team_manager',
    team: 'Ashford Children in Care',
    manager: 'smcic',
    buddy: 'sp1',
    roles: ['team_manager', 'worker'],
    building: 'civic',
  },
  {
    key: 'sp1',
    given: 'Ben',
    family: 'Carter',
    jobRole: 'senior_practitioner',
    team: 'Ashford Children in Care',
    manager: 'tm1',
    buddy: 'tm1',
    roles: ['worker'],
    building: 'civic',
  },
  {
    key: 'sw1',
    given: 'Chloe',
    family: 'Davies',
    jobRole: 'social_worker',
    team: 'Ashford Children in Care',
    manager: 'tm1',
    buddy: 'sw2',
    roles: ['worker'],
    building: 'civic',
  },
  {
    key: 'sw2',
    given: 'Dev',
    family: 'Patel',
    jobRole: 'social_worker',
    team: 'Ashford Children in Care',
    manager: 'tm1',
    buddy: 'sw1',
    roles: ['worker'],
    building: 'civic',
  },
  {
    key: 'bs1',
    given: 'Emma',
    family: 'Green',
    jobRole: 'business_support',
    team: 'Ashford Children in Care',
    manager: 'tm1',
    buddy: 'sw3',
    roles: ['business_support'],
    building: 'civic',
  },
  {
    key: 'sw3',
    given: 'Ola',
    family: 'Adeyemi',
    jobRole: 'social_worker',
    team: 'Ashford Children in Care',
    manager: 'tm1',
    roles: ['worker'],
    building: 'civic',
  },
  {
    key: 'tm2',
    given: 'Mark',
    family: 'Evans',
    jobRole: 'team_manager',
    team: 'Maidstone Children in Care',
    manager: 'smcic',
    buddy: 'sw4',
    roles: ['team_manager', 'worker'],
    building: 'civic',
  },
  {
    key: 'sw4',
    given: 'Nadia',
    family: 'Hussain',
    jobRole: 'social_worker',
    team: 'Maidstone Children in Care',
    manager: 'tm2',
    buddy: 'tm2',
    roles: ['worker'],
    building: 'civic',
  },
  {
    key: 'sw5',
    given: 'Owen',
    family: 'Jones',
    jobRole: 'social_worker',
    team: 'Maidstone Children in Care',
    manager: 'tm2',
    buddy: 'fs1',
    roles: ['worker'],
    building: 'civic',
  },
  {
    key: 'fs1',
    given: 'Ruth',
    family: 'Morgan',
    jobRole: 'family_support_worker',
    team: 'Maidstone Children in Care',
    manager: 'tm2',
    buddy: 'sw5',
    roles: ['worker'],
    building: 'civic',
  },
  {
    key: 'tm3',
    given: 'Grace',
    family: 'Lee',
    jobRole: 'team_manager',
    team: 'Swale Early Help',
    manager: 'smeh',
    buddy: 'yw1',
    roles: ['team_manager', 'worker'],
    building: 'gateway',
  },
  {
    key: 'yw1',
    given: 'Jamal',
    family: 'Brown',
    jobRole: 'youth_worker',
    team: 'Swale Early Help',
    manager: 'tm3',
    buddy: 'tm3',
    roles: ['worker'],
    building: 'gateway',
  },
  {
    key: 'yw2',
    given: 'Katie',
    family: 'Wilson',
    jobRole: 'youth_worker',
    team: 'Swale Early Help',
    manager: 'tm3',
    buddy: 'fs2',
    roles: ['worker'],
    building: 'gateway',
  },
  {
    key: 'fs2',
    given: 'Liam',
    family: 'Murphy',
    jobRole: 'family_support_worker',
    team: 'Swale Early Help',
    manager: 'tm3',
    buddy: 'yw2',
    roles: ['worker'],
    building: 'gateway',
  },
  {
    key: 'bs2',
    given: 'Sophie',
    family: 'Turner',
    jobRole: 'business_support',
    team: 'Swale Early Help',
    manager: 'tm3',
    buddy: 'fs3',
    roles: ['business_support'],
    building: 'gateway',
  },
  {
    key: 'fs3',
    given: 'Yusuf',
    family: 'Ali',
    jobRole: 'family_support_worker',
    team: 'Swale Early Help',
    manager: 'tm3',
    buddy: 'bs2',
    roles: ['worker'],
    building: 'gateway',
  },
  {
    key: 'hs',
    given: 'Fiona',
    family: 'Reid',
    jobRole: 'health_and_safety_officer',
    roles: ['health_and_safety_officer'],
    building: 'civic',
  },
  {
    key: 'co',
    given: 'Gareth',
    family: 'Price',
    jobRole: 'complaints_officer',
    roles: ['complaints_officer'],
    building: 'civic',
  },
  {
    key: 'ig',
    given: 'Irene',
    family: 'Cole',
    jobRole: 'information_governance_officer',
    roles: ['foi_officer', 'information_governance_officer'],
    building: 'civic',
  },
  {
    key: 'admin',
    given: 'Alex',
    family: 'Morgan-Admin',
    jobRole: 'administrator',
    roles: ['admin'],
    building: 'civic',
  },
  // The registers officer (Kent Code registers): sees every declaration and entry, signs for the top of each chain.
  { key: 'ro', given: 'Nina', family: 'Walsh', jobRole: 'other', roles: ['registers_officer'], building: 'civic' },
];

export const demoEmail = (p: { given: string; family: string }) =>
  `${p.given}.${p.family}`.toLowerCase().replace(/[^a-z.]/g, '') + '@harbour.example';

export const DEMO_SIGN_INS = people.map((p) => ({
  email: demoEmail(p),
  name: `${p.given} ${p.family}`,
  roles: p.roles,
  team: p.team ?? null,
}));

/**
 * Loads the demo council into an empty database. Returns false if there was data already. With
 * `history` (what `npm start` and `harbour seed-demo` load), also a year of plausible history:
 * some 90 staff, incidents, complaints, FOI requests, visits and alerts (src/demo/history.ts).
 * Tests load the small council alone, so their counts stay their own.
 */
export async function seedDemo(
  db: Kysely<DB>,
  audit: AuditRepository,
  options: { history?: boolean } = {},
): Promise<boolean> {
  const existing = await db.selectFrom('directorates').select('id').limit(1).executeTakeFirst();
  if (existing) return false;
  // Every demo account has the same password, so one hash serves them all (it is a demo).
  const passwordHash = await hashPassword(DEMO_PASSWORD);

  await db.transaction().execute(async (trx) => {
    const directorate = await trx
      .insertInto('directorates')
      .values({ name: "Integrated Children's Services" })
      .returning('id')
      .executeTakeFirstOrThrow();
    const cic = await trx
      .insertInto('services')
      .values({ name: 'Children in Care', directorate_id: directorate.id })
      .returning('id')
      .executeTakeFirstOrThrow();
    const eh = await trx
      .insertInto('services')
      .values({ name: 'Early Help and Preventative Services', directorate_id: directorate.id })
      .returning('id')
      .executeTakeFirstOrThrow();
    const buildings = {
      civic: (
        await trx
          .insertInto('buildings')
          .values({
            name: 'Civic Centre',
            address: 'Tannery Lane, Ashford',
            postcode: 'TN23 1PL',
            site_phone: '01632 960 100',
            facilities_helpdesk_phone: '01632 960 200',
            community_safety_phone: '01632 960 300',
          })
          .returning('id')
          .executeTakeFirstOrThrow()
      ).id,
      gateway: (
        await trx
          .insertInto('buildings')
          .values({
            name: 'Sittingbourne Gateway',
            address: '1 Central Avenue, Sittingbourne',
            postcode: 'ME10 4AH',
            site_phone: '01632 960 400',
            facilities_helpdesk_phone: '01632 960 200',
            community_safety_phone: '01632 960 500',
          })
          .returning('id')
          .executeTakeFirstOrThrow()
      ).id,
    };
    const teamIds = new Map<string, number>();
    for (const [name, service] of [
      ['Ashford Children in Care', cic.id],
      ['Maidstone Children in Care', cic.id],
      ['Swale Early Help', eh.id],
    ] as const) {
      teamIds.set(
        name,
        (await trx.insertInto('teams').values({ name, service_id: service }).returning('id').executeTakeFirstOrThrow())
          .id,
      );
    }
    const ids = new Map<string, number>();
    let n = 1001;
    for (const p of people) {
      const row = await trx
        .insertInto('staff')
        .values({
          employee_number: `E${n++}`,
          given_name: p.given,
          family_name: p.family,
          email: demoEmail(p),
          job_role: p.jobRole,
          team_id: p.team ? teamIds.get(p.team)! : null,
          work_mobile: `07700 900 ${String(n).slice(-3)}`,
          personal_mobile: `07700 900 ${String(n + 400).slice(-3)}`,
          out_of_hours_phone: p.ooh ?? null,
          base_building_id: buildings[p.building],
        })
        .returning('id')
        .executeTakeFirstOrThrow();
      ids.set(p.key, row.id);
      await trx
        .insertInto('accounts')
        .values({
          staff_id: row.id,
          email: demoEmail(p),
          display_name: `${p.given} ${p.family}`,
          password_hash: passwordHash,
          roles: p.roles,
        })
        .execute();
    }
    for (const p of people) {
      await trx
        .updateTable('staff')
        .set({ line_manager_id: p.manager ? ids.get(p.manager)! : null, buddy_id: p.buddy ? ids.get(p.buddy)! : null })
        .where('id', '=', ids.get(p.key)!)
        .execute();
    }
    for (const [team, manager] of [
      ['Ashford Children in Care', 'tm1'],
      ['Maidstone Children in Care', 'tm2'],
      ['Swale Early Help', 'tm3'],
    ] as const) {
      await trx
        .updateTable('teams')
        .set({ manager_id: ids.get(manager)! })
        .where('id', '=', teamIds.get(team)!)
        .execute();
    }
    // Designated safeguarding leads (told after a Purple File call, seed 001 Appendix B): the senior practitioner, and Swale's manager.
    await trx
      .updateTable('services')
      .set({ safeguarding_lead_id: ids.get('sp1')! })
      .where('id', '=', cic.id)
      .execute();
    await trx
      .updateTable('services')
      .set({ safeguarding_lead_id: ids.get('tm3')! })
      .where('id', '=', eh.id)
      .execute();
    await trx
      .updateTable('buildings')
      .set({ building_manager_id: ids.get('bs1')! })
      .where('id', '=', buildings.civic)
      .execute();
    await trx
      .updateTable('buildings')
      .set({ building_manager_id: ids.get('bs2')! })
      .where('id', '=', buildings.gateway)
      .execute();
    await trx
      .insertInto('building_key_holders')
      .values([
        { building_id: buildings.civic, staff_id: ids.get('tm1')! },
        { building_id: buildings.civic, staff_id: ids.get('bs1')! },
        { building_id: buildings.gateway, staff_id: ids.get('tm3')! },
        { building_id: buildings.gateway, staff_id: ids.get('bs2')! },
      ])
      .execute();
    await seedDemoComplaints(trx, {
      ben: ids.get('sp1')!,
      owen: ids.get('sw5')!,
      ashford: teamIds.get('Ashford Children in Care')!,
      maidstone: teamIds.get('Maidstone Children in Care')!,
      service: cic.id,
    });
    await seedDemoFoi(trx, { irene: ids.get('ig')! });
    await seedDemoTraining(trx, ids);
    const history = options.history
      ? await seedDemoHistory(trx, {
          ids,
          teamIds,
          services: { cic: cic.id, eh: eh.id },
          buildings,
          passwordHash,
          email: demoEmail,
        })
      : null;
    await audit.appendIn(trx, {
      actorId: null,
      actorLabel: 'system',
      action: 'demo.seed',
      entityType: 'organisation',
      entityId: null,
      ip: null,
      detail: { people: people.length, ...(history ? { history } : {}) },
    });
  });
  return true;
}
