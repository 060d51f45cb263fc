import { buildRepositories, buildServices, type Repositories, type ServiceSettings, type Services } from '../../src/composition.ts';
import { seedDemo } from '../../src/demo/seed.ts';
import { openTestDatabase } from './database.ts';

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
