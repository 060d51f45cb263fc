import type { Kysely } from 'kysely';
import type { DB } from '../../db/schema.ts';
import type { StaffRepository } from '../people/repository.ts';
import type { AuditRepository } from '../audit/repository.ts';
import type { EscalationEngine } from './engine.ts';
import { buildAlertsRepository } from './repository.ts';
import { buildVisitsRepository } from '../visits/repository.ts';
import { buildResponders } from './responders.ts';
import { buildAlertReading } from './reading.ts';
import { buildAlertResponse } from './response.ts';
import { buildAlertPolicies } from './policies.ts';

export { OUTCOMES, type Outcome } from './response.ts';

/** The alerts service: reading alerts, responding to them, and escalation policies. */
export function buildAlertsService(deps: {
  db: Kysely<DB>;
  staff: StaffRepository;
  audit: AuditRepository;
  engine: EscalationEngine;
}) {
  const { db, staff, audit, engine } = deps;
  const repo = buildAlertsRepository(db);
  const responders = buildResponders({ repo, staff });
  return {
    ...buildAlertReading({ repo, staff, responders }),
    ...buildAlertResponse({ repo, visits: buildVisitsRepository(db), audit, engine, responders }),
    ...buildAlertPolicies({ repo, staff, audit }),
  };
}

export type AlertsService = ReturnType<typeof buildAlertsService>;
