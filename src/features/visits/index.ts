import type { Kysely } from 'kysely';
import type { DB } from '../../db/schema.ts';
import type { StaffRepository } from '../people/repository.ts';
import type { AuditRepository } from '../audit/repository.ts';
import { buildAlertsRepository } from '../alerts/repository.ts';
import type { VisitsRepository } from './repository.ts';
import { buildDayRepository } from './day-repository.ts';
import type { RiskGate } from './risk-gate.ts';
import { buildVisitGuards } from './guards.ts';
import { buildVisitPlanning } from './planning.ts';
import { buildVisitSession } from './session.ts';
import { buildDayConfirmations } from './day.ts';
import { buildVisitReading } from './reading.ts';

export interface VisitsDeps {
  db: Kysely<DB>;
  visits: VisitsRepository;
  staff: StaffRepository;
  audit: AuditRepository;
  risk: RiskGate;
  /** Wakes the escalation loop after a change, so a deadline already past fires at once. */
  onChange?: () => void;
}

/** The visits service: planning, running sessions, day confirmations and reading visits. */
export function buildVisitsService(deps: VisitsDeps) {
  const { db, visits, staff, audit, risk } = deps;
  const alerts = buildAlertsRepository(db);
  const guards = buildVisitGuards({ visits, staff });
  const day = buildDayConfirmations({ visits, alerts, days: buildDayRepository(db), audit, guards });
  return {
    viewable: guards.viewable,
    ...buildVisitPlanning({ visits, alerts, audit, risk, guards }),
    ...buildVisitSession({ visits, alerts, risk, guards, armEndOfDay: day.armEndOfDay, onChange: deps.onChange }),
    ...day.service,
    ...buildVisitReading({ visits, staff, risk, guards }),
  };
}

export type VisitsService = ReturnType<typeof buildVisitsService>;
