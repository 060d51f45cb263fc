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
import type { RiskGate } from './features/visits/risk-gate.ts';
import { rateVisit } from './features/risk/rating.ts';
import { buildEscalationEngine } from './features/alerts/engine.ts';
import { buildAlertsService } from './features/alerts/service.ts';
import { channelPlan, type ChannelName } from './features/notifications/routing.ts';

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
  };
}
export type Repositories = ReturnType<typeof buildRepositories>;

export interface ServiceSettings {
  sessionTtlHours: number;
  /** Names this process in the record of fired escalation steps. */
  instanceId?: string;
  /** First channel and fallbacks for alert messages (from the configured providers). */
  channelPlan?: { channel: ChannelName; fallbacks: ChannelName[] };
  /** Absolute base for links in messages. */
  baseUrl?: string;
  /** Called after a session changes, to wake the escalation loop. */
  onSessionChange?: () => void;
}

/**
 * Until the risk feature records assessments and controls, a RED visit may not start alone at all:
 * the safe default. (The risk feature replaces this with the full Appendix E gate.)
 */
const interimRiskGate = (db: Kysely<DB>): RiskGate => ({
  async rate(input) { return rateVisit({ referralType: input.referralType, highRiskFlags: 0 }); },
  async startProblems(trx, visitId) {
    const v = await trx.selectFrom('visits').select(['risk_rating', 'joint_partner_id']).where('id', '=', visitId).executeTakeFirst();
    void db;
    return v?.risk_rating === 'RED' && v.joint_partner_id === null ? ['This is a RED visit: it cannot be done alone without a risk assessment and a manager’s approval'] : [];
  },
});

export function buildServices(repos: Repositories, settings: ServiceSettings = { sessionTtlHours: 12 }) {
  const { db } = repos;
  return {
    audit: buildAuditService(repos.audit),
    auth: buildAuthService({ db, accounts: repos.accounts, audit: repos.audit, sessionTtlHours: settings.sessionTtlHours }),
    people: buildPeopleService({ db, staff: repos.staff, organisation: repos.organisation, audit: repos.audit }),
    staffImport: buildStaffImportService({ db, audit: repos.audit }),
    organisation: buildOrganisationService({ db, organisation: repos.organisation, audit: repos.audit }),
    buildings: buildBuildingsService({ db, buildings: repos.buildings, audit: repos.audit }),
    ...loneWorking(repos, settings),
  };
}

function loneWorking(repos: Repositories, settings: ServiceSettings) {
  const { db } = repos;
  const engine = buildEscalationEngine({
    db,
    instanceId: settings.instanceId ?? `harbour-${process.pid}`,
    plan: settings.channelPlan ?? channelPlan({ sms: false, email: false, push: false }),
    baseUrl: settings.baseUrl ?? '',
  });
  const risk = interimRiskGate(db);
  return {
    engine,
    visits: buildVisitsService({ db, visits: repos.visits, staff: repos.staff, audit: repos.audit, risk, onChange: settings.onSessionChange }),
    alerts: buildAlertsService({ db, staff: repos.staff, audit: repos.audit, engine }),
  };
}
export type Services = ReturnType<typeof buildServices>;
