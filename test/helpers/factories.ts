import type { Kysely } from 'kysely';
import type { DB } from '../../src/db/schema.ts';

let counter = 0;
// Strictly increasing blocks of 1,000, so two calls in one process can never give the same number.
const next = () => ++counter * 1000 + Math.floor(Math.random() * 1000);

/** Factories: each makes one valid record, with overrides for what a test cares about. */
export async function buildDirectorate(db: Kysely<DB>, overrides: Partial<{ name: string }> = {}) {
  return db
    .insertInto('directorates')
    .values({ name: `Directorate ${next()}`, ...overrides })
    .returning(['id', 'name'])
    .executeTakeFirstOrThrow();
}

export async function buildService(db: Kysely<DB>, overrides: Partial<{ name: string; directorate_id: number }> = {}) {
  const directorate_id = overrides.directorate_id ?? (await buildDirectorate(db)).id;
  return db
    .insertInto('services')
    .values({ name: `Service ${next()}`, ...overrides, directorate_id })
    .returning(['id', 'name'])
    .executeTakeFirstOrThrow();
}

export async function buildTeam(
  db: Kysely<DB>,
  overrides: Partial<{ name: string; service_id: number; manager_id: number | null }> = {},
) {
  const service_id = overrides.service_id ?? (await buildService(db)).id;
  return db
    .insertInto('teams')
    .values({ name: `Team ${next()}`, ...overrides, service_id })
    .returning(['id', 'name'])
    .executeTakeFirstOrThrow();
}

export async function buildStaff(db: Kysely<DB>, overrides: Record<string, unknown> = {}) {
  const n = next();
  return db
    .insertInto('staff')
    .values({
      employee_number: `T${n}`,
      given_name: 'Test',
      family_name: `Person${n}`,
      email: `test${n}@example.org`,
      job_role: 'social_worker',
      ...overrides,
    } as never)
    .returning(['id', 'employee_number', 'email', 'team_id'])
    .executeTakeFirstOrThrow();
}
