import type { Transaction } from 'kysely';
import type { DB } from '../../db/schema.ts';
import { addDays, londonToday } from '../../time/london.ts';
import { courseKey } from './rules.ts';
import { insertDemoCourse, insertDemoRecords } from './repository.ts';

/**
 * The seed's courses under the seed's own names (seed 001 §11 and "Key Holders"), and some
 * completions so readiness has something to show. Validity periods are the demo's assumptions
 * (the seed gives none); the Team Teach courses are for short-breaks units, which the demo council
 * has none of, so nobody is required to do them until an administrator names those teams.
 */
export async function seedDemoTraining(trx: Transaction<DB>, ids: Map<string, number>) {
  const course = async (
    name: string,
    category: string,
    validityMonths: number | null,
    who: { everyone?: boolean; keyHolders?: boolean },
  ) =>
    insertDemoCourse(trx, {
      name,
      name_key: courseKey(name),
      category,
      validity_months: validityMonths,
      everyone: who.everyone ?? false,
      key_holders: who.keyHolders ?? false,
      job_roles: [],
      team_ids: [],
      service_ids: [],
    });
  // Induction for all ICS staff (§11): lone working and the prevention and management of violence.
  const lone = await course('E Learning Lone Working', 'lone_working', 36, { everyone: true });
  const safety = await course('KSCMP Personal Safety – Lone Worker', 'personal_safety', 36, { everyone: true });
  await course('Team Teach Level 2', 'physical_intervention', 36, {});
  await course('Team Teach basic (1 day)', 'physical_intervention', 36, {});
  const keys = await course('Key holder training', 'key_holder', 36, { keyHolders: true });

  const today = londonToday();
  const daysAgo = (n: number) => addDays(today, -n);
  const done = (key: string, courseId: number, completedOn: string) => ({
    staff_id: ids.get(key)!,
    course_id: courseId,
    completed_on: completedOn,
    expires_on: null,
    evidence: null,
    source: 'demo',
  });
  const everyoneDone = [
    'ad',
    'ad2',
    'smcic',
    'smeh',
    'tm1',
    'sp1',
    'sw2',
    'bs1',
    'tm2',
    'sw4',
    'sw5',
    'fs1',
    'tm3',
    'yw1',
    'yw2',
    'fs2',
    'bs2',
    'fs3',
    'hs',
    'co',
    'ig',
    'admin',
  ];
  await insertDemoRecords(trx, [
    ...everyoneDone.map((k) => done(k, lone, daysAgo(200))),
    ...everyoneDone.filter((k) => k !== 'sw2').map((k) => done(k, safety, daysAgo(300))),
    // Dev Patel's personal safety course expired last month.
    done('sw2', safety, addDays(daysAgo(3 * 365), -30)),
    // Chloe Davies: both done, the lone-working course runs out in three weeks.
    done('sw1', lone, addDays(daysAgo(3 * 365), 21)),
    done('sw1', safety, daysAgo(100)),
    // Ola Adeyemi is new: nothing yet. Key holders: Aisha and Emma trained; Grace and Sophie not.
    done('tm1', keys, daysAgo(400)),
    done('bs1', keys, daysAgo(90)),
  ]);
}
