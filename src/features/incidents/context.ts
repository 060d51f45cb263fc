import type { Kysely } from 'kysely';
import type { DB } from '../../db/schema.ts';
import type { AuditRepository, Executor } from '../audit/repository.ts';
import type { StaffRepository } from '../people/repository.ts';
import type { RiskRepository } from '../risk/repository.ts';
import type { Actor } from '../auth/actor.ts';
import { can } from '../auth/access.ts';
import { londonDate, londonTime, longDate } from '../../time/london.ts';
import { ForbiddenError, NotFoundError, ValidationError } from '../../errors.ts';
import type { IncidentRow, IncidentsRepository } from './repository.ts';

export interface IncidentsDeps {
  db: Kysely<DB>;
  incidents: IncidentsRepository;
  staff: StaffRepository;
  audit: AuditRepository;
  /** Warning flags raised from an incident go in the risk gate's store. */
  risk: RiskRepository;
  /** Absolute base for links in messages. */
  baseUrl?: string;
  /** The clock; tests move it. */
  now?: () => Date;
}

/** How the actor stands towards an incident: the facts the visibility rules are made of. */
export interface IncidentRelation {
  employee: boolean;
  reporter: boolean;
  manager: boolean;
  healthAndSafety: boolean;
}

export const label = (labels: Record<string, string>, key: string | null) => (key ? (labels[key] ?? key) : null);

export const options = (labels: Record<string, string>) =>
  Object.entries(labels).map(([value, text]) => ({ value, text }));
export const dateBoxes = (prefix: string, at: Date) => {
  const [y, m, d] = londonDate(at).split('-');
  return {
    [`${prefix}-day`]: String(Number(d)),
    [`${prefix}-month`]: String(Number(m)),
    [`${prefix}-year`]: y!,
    [`${prefix}-time`]: londonTime(at),
  };
};

/** Thrown inside a transaction to roll it back quietly. */
export class Rollback extends Error {}
/** A transaction that may roll back quietly: false when it did. */
export const unlessRolledBack = (work: Promise<boolean>) =>
  work.catch((e: unknown) => {
    if (e instanceof Rollback) return false;
    throw e;
  });

/**
 * What every capability of violence at work (HS157) shares: the dependencies, the clock, who may
 * see and manage an incident, and the message to the line manager. Visible only to the people
 * involved, their management chain and health and safety.
 */
export function buildIncidentsContext(deps: IncidentsDeps) {
  const { incidents, staff } = deps;
  const now = deps.now ?? (() => new Date());
  const baseUrl = deps.baseUrl ?? '';

  async function relation(actor: Actor, i: IncidentRow): Promise<IncidentRelation> {
    const me = actor.staffId;
    const chain = me === null ? [] : await staff.chain(i.employee_id);
    return {
      employee: me !== null && me === i.employee_id,
      reporter: me !== null && me === i.reported_by,
      manager: me !== null && chain.some((c) => c.id === me),
      healthAndSafety: can(actor, 'incidents.view_all'),
    };
  }
  /** Managers in the chain and health and safety record the follow-up: police, RIDDOR, investigation, flags, legal action. */
  const mayManage = (r: IncidentRelation) => r.manager || r.healthAndSafety;
  const maySeeIncident = (r: IncidentRelation, status: string) =>
    status === 'draft' ? r.reporter : r.employee || r.reporter || r.manager || r.healthAndSafety;

  async function load(actor: Actor, id: number) {
    const i = await incidents.get(id);
    if (!i) throw new NotFoundError('No such incident');
    const r = await relation(actor, i);
    // Someone who may not see it is not told it exists.
    if (!maySeeIncident(r, i.status)) throw new NotFoundError('No such incident');
    return { i, r };
  }

  function requireStaff(actor: Actor): number {
    if (actor.staffId === null) throw new ForbiddenError('Only people with a staff record can report an incident');
    return actor.staffId;
  }

  function requireSubmitted(i: IncidentRow) {
    if (i.status === 'draft' || i.status === 'awaiting_confirmation' || !i.occurred_at) {
      throw new ValidationError([
        {
          field: 'form',
          message:
            i.status === 'draft'
              ? 'The report has not been submitted yet'
              : 'The person it happened to has not confirmed the report yet',
        },
      ]);
    }
  }

  function requireMonitor(actor: Actor) {
    if (!can(actor, 'incidents.view_all'))
      throw new ForbiddenError('Only health and safety can see the incident statistics');
  }

  /** Tells the line manager a report is in and when they must meet the employee (seed 002). */
  async function tellManager(trx: Executor, managerId: number, incidentId: number, dueAt: Date, at: Date) {
    await incidents.notify(trx, {
      recipientId: managerId,
      at,
      link: `${baseUrl}/incidents/${incidentId}`,
      subject: `Incident reported: meet by ${londonTime(dueAt)} on ${longDate(londonDate(dueAt))}`,
      body: `An incident has been reported by someone you manage. Meet them by ${londonTime(dueAt)} on ${longDate(londonDate(dueAt))}, offer support and record your response in Harbour. If the meeting is not recorded by then, it is escalated to your manager.`,
    });
  }

  return { ...deps, now, baseUrl, load, mayManage, requireStaff, requireSubmitted, requireMonitor, tellManager };
}

export type IncidentsContext = ReturnType<typeof buildIncidentsContext>;
