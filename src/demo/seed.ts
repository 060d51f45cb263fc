import type { Kysely } from 'kysely';
import type { DB } from '../db/schema.ts';
import type { AuditRepository } from '../features/audit/repository.ts';
import { hashPassword } from '../features/auth/passwords.ts';
import { seedDemoComplaints } from '../features/complaints/demo.ts';
import { seedDemoFoi } from '../features/foi/demo.ts';
import { seedDemoTraining } from '../features/training/demo.ts';
import { seedDemoHistory } from './history.ts';
import { demoEmail, people } from './people.ts';

export { DEMO_SIGN_INS, demoEmail } from './people.ts';

export const DEMO_PASSWORD = 'harbour-demo-2026';

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
