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
import { buildVisitsRepository } from './features/visits/repository.ts';
import { buildVisitsService } from './features/visits/service.ts';
import { buildCalendarService } from './features/calendar/service.ts';
import { buildRiskRepository } from './features/risk/repository.ts';
import { buildRiskService } from './features/risk/service.ts';
import { buildEscalationEngine } from './features/alerts/engine.ts';
import { buildAlertsService } from './features/alerts/service.ts';
import { buildBoardService } from './features/board/service.ts';
import { channelPlan, type ChannelName } from './features/notifications/routing.ts';
import { buildNotificationsRepository } from './features/notifications/repository.ts';
import { buildNotificationsService } from './features/notifications/service.ts';
import { buildIncidentsRepository } from './features/incidents/repository.ts';
import { buildIncidentsService } from './features/incidents/service.ts';
import { buildRegistersRepository } from './features/registers/repository.ts';
import { buildRegistersService, type RegistersSettings } from './features/registers/service.ts';

/** The one place the object graph is wired: repositories → services → app. No DI framework. */
export function buildRepositories(db: Kysely<DB>) {
  return {
    db,
    audit: buildAuditRepository(db),
    accounts: buildAccountsRepository(db),
    staff: buildStaffRepository(db),
    organisation: buildOrganisationRepository(db),
    buildings: buildBuildingsRepository(db),
    visits: buildVisitsRepository(db),
    risk: buildRiskRepository(db),
    notifications: buildNotificationsRepository(db),
    registers: buildRegistersRepository(db),
    incidents: buildIncidentsRepository(db),
  };
}
export type Repositories = ReturnType<typeof buildRepositories>;

export interface ServiceSettings {
  sessionTtlHours: number;
  /** Remember resolved API tokens this long in each process (0 in tests). */
  apiTokenCacheMs?: number;
  /** Names this process in the record of fired escalation steps. */
  instanceId?: string;
  /** First channel and fallbacks for alert messages (from the configured providers). */
  channelPlan?: { channel: ChannelName; fallbacks: ChannelName[] };
  /** Absolute base for links in messages. */
  baseUrl?: string;
  /** Called after a session changes, to wake the escalation loop. */
  onSessionChange?: () => void;
  /** Web Push is configured (VAPID_SUBJECT): the account page offers it. */
  pushEnabled?: boolean;
  /** Declarations of interest and gifts register: reminder schedule and publication threshold. */
  registers?: RegistersSettings;
}

export function buildServices(repos: Repositories, settings: ServiceSettings = { sessionTtlHours: 12 }) {
  const { db } = repos;
  const people = buildPeopleService({ db, staff: repos.staff, organisation: repos.organisation, audit: repos.audit });
  return {
    audit: buildAuditService(repos.audit),
    auth: buildAuthService({ db, accounts: repos.accounts, audit: repos.audit, sessionTtlHours: settings.sessionTtlHours, apiTokenCacheMs: settings.apiTokenCacheMs }),
    people,
    staffImport: buildStaffImportService({ db, audit: repos.audit }),
    organisation: buildOrganisationService({ db, organisation: repos.organisation, audit: repos.audit }),
    buildings: buildBuildingsService({ db, buildings: repos.buildings, audit: repos.audit }),
    notifications: buildNotificationsService({ db, notifications: repos.notifications, audit: repos.audit, pushEnabled: settings.pushEnabled ?? false }),
    registers: buildRegistersService({ db, registers: repos.registers, staff: repos.staff, organisation: repos.organisation, audit: repos.audit, settings: settings.registers }),
    incidents: buildIncidentsService({ db, incidents: repos.incidents, staff: repos.staff, audit: repos.audit }),
    ...loneWorking(repos, settings, people),
  };
}

function loneWorking(repos: Repositories, settings: ServiceSettings, people: ReturnType<typeof buildPeopleService>) {
  const { db } = repos;
  const engine = buildEscalationEngine({
    db,
    instanceId: settings.instanceId ?? `harbour-${process.pid}`,
    plan: settings.channelPlan ?? channelPlan({ sms: false, email: false, push: false }),
    baseUrl: settings.baseUrl ?? '',
  });
  const risk = buildRiskService({ db, risk: repos.risk, staff: repos.staff, audit: repos.audit });
  const visits = buildVisitsService({ db, visits: repos.visits, staff: repos.staff, audit: repos.audit, risk, onChange: settings.onSessionChange });
  return {
    engine,
    risk,
    visits,
    alerts: buildAlertsService({ db, staff: repos.staff, audit: repos.audit, engine }),
    board: buildBoardService({ db, people, staff: repos.staff, visits: repos.visits }),
    calendar: buildCalendarService({ db, visits, audit: repos.audit }),
  };
}
export type Services = ReturnType<typeof buildServices>;
