import type { Kysely } from 'kysely';
import type { DB } from './db/schema.ts';
import { buildAuditRepository } from './features/audit/repository.ts';
import { buildAuditService } from './features/audit/service.ts';
import { buildAccountsRepository } from './features/auth/repository.ts';
import { buildAuthService } from './features/auth/index.ts';
import { buildStaffRepository } from './features/people/repository.ts';
import { buildPeopleService } from './features/people/service.ts';
import { buildStaffImportService } from './features/people/import-service.ts';
import { buildOrganisationRepository } from './features/organisation/repository.ts';
import { buildOrganisationService } from './features/organisation/service.ts';
import { buildBuildingsRepository } from './features/buildings/repository.ts';
import { buildBuildingsService } from './features/buildings/service.ts';
import { buildVisitsRepository } from './features/visits/repository.ts';
import { buildVisitsService } from './features/visits/index.ts';
import { buildCalendarService } from './features/calendar/index.ts';
import { buildRiskRepository } from './features/risk/repository.ts';
import { buildRiskService } from './features/risk/index.ts';
import { buildEscalationEngine } from './features/alerts/engine.ts';
import { buildAlertsService } from './features/alerts/index.ts';
import { buildDuressService } from './features/duress/index.ts';
import { buildBoardService } from './features/board/service.ts';
import { buildAlarmsRepository } from './features/alarms/repository.ts';
import { buildAlarmsService } from './features/alarms/service.ts';
import { channelPlan, type ChannelName } from './features/notifications/routing.ts';
import { buildNotificationsRepository } from './features/notifications/repository.ts';
import { buildNotificationsService } from './features/notifications/service.ts';
import { buildIncidentsRepository } from './features/incidents/repository.ts';
import { buildIncidentsService } from './features/incidents/index.ts';
import { buildRegistersRepository } from './features/registers/repository.ts';
import { buildRegistersService, type RegistersSettings } from './features/registers/index.ts';
import { buildHolidaysService } from './features/holidays/service.ts';
import { buildHolidaysRepository } from './features/holidays/repository.ts';
import { buildEmergencyRepository } from './features/emergency/repository.ts';
import { buildEmergencyService, type EmergencySettings } from './features/emergency/index.ts';
import { buildLockdownRepository } from './features/lockdown/repository.ts';
import { buildLockdownService } from './features/lockdown/index.ts';
import { buildIdempotencyRepository } from './features/offline/repository.ts';
import { buildIdempotencyService } from './features/offline/idempotency.ts';
import { buildComplaintsRepository } from './features/complaints/repository.ts';
import { buildComplaintsService } from './features/complaints/index.ts';
import { buildImportsService } from './features/imports/service.ts';
import { buildWorklistRepository } from './features/worklist/repository.ts';
import { buildWorklistService } from './features/worklist/service.ts';
import { buildFoiRepository } from './features/foi/repository.ts';
import { buildFoiService, type FoiSettings } from './features/foi/index.ts';
import { buildHealthRepository } from './features/health/repository.ts';
import { buildRetentionRepository } from './features/retention/repository.ts';
import { buildRetentionService } from './features/retention/index.ts';
import type { RetentionSettings } from './features/retention/rules.ts';
import { buildSubjectAccessService } from './features/subject-access/service.ts';
import { buildEngineHealth } from './features/health/service.ts';
import { buildTrainingRepository } from './features/training/repository.ts';
import { buildTrainingGate, buildTrainingService } from './features/training/index.ts';

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
    holidays: buildHolidaysRepository(db),
    emergency: buildEmergencyRepository(db),
    lockdown: buildLockdownRepository(db),
    idempotency: buildIdempotencyRepository(db),
    complaints: buildComplaintsRepository(db),
    foi: buildFoiRepository(db),
    alarms: buildAlarmsRepository(db),
    training: buildTrainingRepository(db),
    retention: buildRetentionRepository(db),
    worklist: buildWorklistRepository(db),
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
  /** Statements the escalation engine runs side by side when releasing a burst (2 on PostgreSQL). */
  engineConcurrency?: number;
  /** Called after a session changes, to wake the escalation loop. */
  onSessionChange?: () => void;
  /** Called when a duress alarm is raised, to wake the escalation loop at once. */
  onAlarm?: () => void;
  /** How long the Purple File call-back waits (seconds; 300 unless a test shortens it). */
  purpleFileCallbackSeconds?: number;
  /** Called after messages are queued outside the escalation engine, to wake the dispatcher. */
  onNotify?: () => void;
  /** Web Push is configured (VAPID_SUBJECT): the account page offers it. */
  pushEnabled?: boolean;
  /** Emergency information pack encryption keys (EMERGENCY_PACK_KEY, EMERGENCY_PACK_PREVIOUS_KEYS). */
  emergency?: EmergencySettings;
  /** Declarations of interest and gifts register: reminder schedule and publication threshold. */
  registers?: RegistersSettings;
  /** FOI: receipt reading, reference pattern, retention, suppression threshold (FOI_* settings). */
  foi?: Partial<FoiSettings>;
  /** Retention schedule periods (RETENTION_* settings and FOI_RETENTION_YEARS). */
  retention?: Partial<RetentionSettings>;
}

export function buildServices(repos: Repositories, settings: ServiceSettings = { sessionTtlHours: 12 }) {
  const core = buildCoreServices(repos, settings);
  // FOI answers the complaints questions with its own SQL, which test/db/foi.test.ts holds equal to
  // the complaints feature's statistics: that service reads every complaint in the period into
  // memory (2.5 s at 200,000 complaints in the FOI benchmark), the SQL counts in the database.
  const foi = buildFoiService({
    db: repos.db,
    foi: repos.foi,
    audit: repos.audit,
    holidays: core.holidays,
    complaints: null,
    settings: settings.foi,
  });
  const retention = buildRetentionService({
    db: repos.db,
    retention: repos.retention,
    audit: repos.audit,
    settings: {
      ...(settings.foi?.retentionYears ? { foiYears: settings.foi.retentionYears } : {}),
      ...settings.retention,
    },
  });
  const subjectAccess = buildSubjectAccessService({ db: repos.db, audit: repos.audit, emergency: core.emergency });
  /** Each role's work on the home page (issue 15). */
  const worklist = buildWorklistService({ repo: repos.worklist, staff: repos.staff, complaints: core.complaints, foi });
  // Issue 15: historic imports run as a background job with a page the uploader follows.
  const imports = buildImportsService({
    db: repos.db,
    importers: { incidents: core.incidents, complaints: core.complaints },
  });
  return { ...core, foi, retention, subjectAccess, worklist, imports };
}

function buildCoreServices(repos: Repositories, settings: ServiceSettings) {
  const { db } = repos;
  const people = buildPeopleService({ db, staff: repos.staff, organisation: repos.organisation, audit: repos.audit });
  const holidays = buildHolidaysService({ db, holidays: repos.holidays, audit: repos.audit });
  const notifications = buildNotificationsService({
    db,
    notifications: repos.notifications,
    audit: repos.audit,
    pushEnabled: settings.pushEnabled ?? false,
  });
  const emergency = buildEmergencyService({
    db,
    emergency: repos.emergency,
    staff: repos.staff,
    audit: repos.audit,
    settings: settings.emergency,
  });
  // Issue 19: a team's 'require' training policy and key-holder call-outs, asked by the risk gate at check-in.
  const risk = buildRiskService({
    db,
    risk: repos.risk,
    staff: repos.staff,
    audit: repos.audit,
    baseUrl: settings.baseUrl,
    extraStartProblems: buildTrainingGate(repos.training),
  });
  return {
    audit: buildAuditService(repos.audit),
    auth: buildAuthService({
      db,
      accounts: repos.accounts,
      audit: repos.audit,
      secrets: emergency.secretBox,
      sessionTtlHours: settings.sessionTtlHours,
      apiTokenCacheMs: settings.apiTokenCacheMs,
    }),
    people,
    staffImport: buildStaffImportService({ db, audit: repos.audit }),
    organisation: buildOrganisationService({ db, organisation: repos.organisation, audit: repos.audit }),
    buildings: buildBuildingsService({ db, buildings: repos.buildings, audit: repos.audit }),
    notifications,
    /** Whether the engine and dispatcher keep up, for /health and /metrics (issue 13). */
    engineHealth: (lagLimitSeconds: number) => buildEngineHealth({ repo: buildHealthRepository(db), lagLimitSeconds }),
    alarms: buildAlarmsService({
      alarms: repos.alarms,
      staff: repos.staff,
      unreadCount: notifications.unreadCount,
      unreachedFor: notifications.unreachedFor,
    }),
    registers: buildRegistersService({
      db,
      registers: repos.registers,
      staff: repos.staff,
      organisation: repos.organisation,
      audit: repos.audit,
      settings: settings.registers,
    }),
    incidents: buildIncidentsService({
      db,
      incidents: repos.incidents,
      staff: repos.staff,
      audit: repos.audit,
      risk: rerateOnFlag(repos.risk, risk),
      baseUrl: settings.baseUrl,
    }),
    holidays,
    emergency,
    lockdown: buildLockdownService({
      db,
      lockdown: repos.lockdown,
      buildings: repos.buildings,
      staff: repos.staff,
      audit: repos.audit,
      plan: settings.channelPlan,
      baseUrl: settings.baseUrl,
      onNotify: settings.onNotify,
    }),
    idempotency: buildIdempotencyService({ db, idempotency: repos.idempotency }),
    complaints: buildComplaintsService({
      complaints: repos.complaints,
      audit: repos.audit,
      holidays,
      staff: repos.staff,
    }),
    /** Training records and readiness to work alone (issue 19). */
    training: buildTrainingService({ db, training: repos.training, staff: repos.staff, audit: repos.audit }),
    ...loneWorking(repos, settings, people, emergency, risk),
  };
}

/** Flags raised or renewed from an incident re-rate the planned visits they concern, and tell the worker and buddy. */
function rerateOnFlag(repo: Repositories['risk'], risk: ReturnType<typeof buildRiskService>): Repositories['risk'] {
  return {
    ...repo,
    async createFlag(ex, f, raisedBy) {
      const id = await repo.createFlag(ex, f, raisedBy);
      await risk.flagChanged(ex, id, null, 'a warning flag was raised after an incident');
      return id;
    },
    async renewFlag(ex, id, expiresAt) {
      const renewed = await repo.renewFlag(ex, id, expiresAt);
      if (renewed) await risk.flagChanged(ex, id, null, 'a warning flag was renewed after review');
      return renewed;
    },
  };
}

function loneWorking(
  repos: Repositories,
  settings: ServiceSettings,
  people: ReturnType<typeof buildPeopleService>,
  emergency: ReturnType<typeof buildEmergencyService>,
  risk: ReturnType<typeof buildRiskService>,
) {
  const { db } = repos;
  const engine = buildEscalationEngine({
    db,
    instanceId: settings.instanceId ?? `harbour-${process.pid}`,
    plan: settings.channelPlan ?? channelPlan({ sms: false, email: false, push: false }),
    baseUrl: settings.baseUrl ?? '',
    releaseConcurrency: settings.engineConcurrency,
  });
  const visits = buildVisitsService({
    db,
    visits: repos.visits,
    staff: repos.staff,
    audit: repos.audit,
    risk,
    onChange: settings.onSessionChange,
  });
  const alerts = buildAlertsService({ db, staff: repos.staff, audit: repos.audit, engine });
  return {
    engine,
    risk,
    visits,
    alerts,
    duress: buildDuressService({
      db,
      staff: repos.staff,
      audit: repos.audit,
      risk: repos.risk,
      alerts,
      plan: settings.channelPlan ?? channelPlan({ sms: false, email: false, push: false }),
      baseUrl: settings.baseUrl ?? '',
      callbackSeconds: settings.purpleFileCallbackSeconds,
      onAlarm: settings.onAlarm ?? settings.onSessionChange,
      onNotify: settings.onNotify,
      emergency, // break-glass for the police information pack
    }),
    board: buildBoardService({ db, people, staff: repos.staff, visits: repos.visits }),
    calendar: buildCalendarService({ db, visits, audit: repos.audit }),
  };
}
export type Services = ReturnType<typeof buildServices>;
