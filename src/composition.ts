import type { Kysely } from 'kysely';
import type { DB } from './db/schema.ts';
import { buildAuditRepository } from './features/audit/repository.ts';
import { buildAuditService } from './features/audit/service.ts';
import { buildAccountsRepository } from './features/auth/repository.ts';
import { buildAuthService } from './features/auth/service.ts';
import { buildStaffRepository } from './features/people/repository.ts';
import { buildPeopleService } from './features/people/service.ts';
import { buildStaffImportService } from './features/people/import-service.ts';
import { buildOrganisationRepository } from './features/organisation/repository.ts';
import { buildOrganisationService } from './features/organisation/service.ts';
import { buildBuildingsRepository } from './features/buildings/repository.ts';
import { buildBuildingsService } from './features/buildings/service.ts';

/** The one place the object graph is wired: repositories → services → app. No DI framework. */
export function buildRepositories(db: Kysely<DB>) {
  return {
    db,
    audit: buildAuditRepository(db),
    accounts: buildAccountsRepository(db),
    staff: buildStaffRepository(db),
    organisation: buildOrganisationRepository(db),
    buildings: buildBuildingsRepository(db),
  };
}
export type Repositories = ReturnType<typeof buildRepositories>;

export interface ServiceSettings { sessionTtlHours: number }

export function buildServices(repos: Repositories, settings: ServiceSettings = { sessionTtlHours: 12 }) {
  const { db } = repos;
  return {
    audit: buildAuditService(repos.audit),
    auth: buildAuthService({ db, accounts: repos.accounts, audit: repos.audit, sessionTtlHours: settings.sessionTtlHours }),
    people: buildPeopleService({ db, staff: repos.staff, organisation: repos.organisation, audit: repos.audit }),
    staffImport: buildStaffImportService({ db, audit: repos.audit }),
    organisation: buildOrganisationService({ db, organisation: repos.organisation, audit: repos.audit }),
    buildings: buildBuildingsService({ db, buildings: repos.buildings, audit: repos.audit }),
  };
}
export type Services = ReturnType<typeof buildServices>;
