import { sql, type Kysely } from 'kysely';
import type { DB } from '../../src/db/schema.ts';
import type { Actor } from '../../src/features/auth/actor.ts';
import type { Services } from '../../src/composition.ts';
import { londonDate, londonTime } from '../../src/time/london.ts';
import type { VisitForm } from '../../src/features/visits/schema.ts';

/** The actor for a demo person, looked up by email. */
export async function actorFor(db: Kysely<DB>, email: string): Promise<Actor> {
  const a = await db.selectFrom('accounts').selectAll().where('email', '=', email).executeTakeFirstOrThrow();
  return {
    accountId: a.id,
    staffId: a.staff_id,
    email: a.email,
    displayName: a.display_name,
    roles: a.roles as Actor['roles'],
    ip: '127.0.0.1',
    via: 'session',
  };
}

/** A valid plan-a-visit form starting now, for overrides. */
export function buildVisitForm(overrides: Partial<VisitForm> = {}): VisitForm {
  const start = new Date(Date.now() - 60_000);
  const end = new Date(Date.now() + 60 * 60_000);
  const [y, m, d] = londonDate(start).split('-');
  // Near midnight the end falls after it, which the form takes as the next day.
  const endTime = londonTime(end);
  return {
    workerId: null,
    kind: 'visit',
    'date-day': d!,
    'date-month': m!,
    'date-year': y!,
    startTime: londonTime(start),
    endTime,
    address: '12 Example Road, Ashford',
    postcode: 'TN23 1AA',
    latitude: null,
    longitude: null,
    caseSystem: 'liberi',
    caseId: 'C123',
    description: "Visit to Mum's address",
    jointPartnerId: null,
    notes: null,
    buildingId: null,
    referralType: 'previously_known',
    ...overrides,
  };
}

/** Makes time pass for a session: its deadline (and the timer) move into the past. */
export async function expireDeadline(db: Kysely<DB>, visitId: number, secondsAgo = 1) {
  await sql`UPDATE visits SET due_at = now() - make_interval(secs => ${secondsAgo}) WHERE id = ${visitId}`.execute(db);
  await sql`UPDATE timers SET fire_at = now() - make_interval(secs => ${secondsAgo}) WHERE kind = 'visit_due' AND subject_id = ${visitId} AND status = 'pending'`.execute(
    db,
  );
}

/** Makes the next escalation step of an alert due now. */
export async function expireNextStep(db: Kysely<DB>, alertId: string) {
  await sql`UPDATE timers SET fire_at = now() - interval '1 second' WHERE kind = 'alert_step' AND subject_id = ${alertId}::bigint AND status = 'pending'`.execute(
    db,
  );
}

export async function drain(services: Services) {
  for (;;) {
    const r = await services.engine.tick();
    if (!r.more) return;
  }
}
