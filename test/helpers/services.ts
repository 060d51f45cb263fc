import {
  buildRepositories,
  buildServices,
  type Repositories,
  type ServiceSettings,
  type Services,
} from '../../src/composition.ts';
import { seedDemo } from '../../src/demo/seed.ts';
import { openTestDatabase } from './database.ts';
import type { Database } from '../../src/db/database.ts';
import { migrate } from '../../src/db/migrate.ts';

export interface Seeded {
  database: Awaited<ReturnType<typeof openTestDatabase>>;
  repos: Repositories;
  services: Services;
}

/** A fresh test database (PGlite, or PostgreSQL with TEST_DATABASE_URL) with the demo council and the services over it. */
export async function openSeeded(settings?: ServiceSettings, options: { seed?: boolean } = {}): Promise<Seeded> {
  const database = await openTestDatabase();
  const repos = buildRepositories(database.db);
  if (options.seed ?? true) await seedDemo(database.db, repos.audit);
  return { database, repos, services: buildServices(repos, settings) };
}

/** Migrates a database opened for a child-process test, loads the demo council, and builds the services over it. */
export async function seedDatabase(database: Database): Promise<{ repos: Repositories; services: Services }> {
  await migrate(database);
  const repos = buildRepositories(database.db);
  await seedDemo(database.db, repos.audit);
  return { repos, services: buildServices(repos) };
}
