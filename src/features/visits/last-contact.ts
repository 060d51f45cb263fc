import { sql, type RawBuilder } from 'kysely';

/**
 * A check-in is a timeline row and nothing else: an insert, never an update of the session, so a
 * worker checking in every few minutes leaves no dead row versions behind on the visit (issue 3's
 * throughput target). The visit's own columns hold the contact made by arriving, extending and
 * ending; these read the later of that and the newest check-in. `visit` is the visits alias.
 */
export function lastCheckInAt(visit: string): RawBuilder<Date | null> {
  return sql<Date | null>`greatest(${sql.ref(`${visit}.last_check_in_at`)},
    (SELECT max(t.at) FROM timeline_events t WHERE t.visit_id = ${sql.ref(`${visit}.id`)} AND t.type = 'check_in'))`;
}

/** The newest location shared: from a check-in, else from arriving. */
export function lastLocation(visit: string): RawBuilder<unknown> {
  return sql<unknown>`coalesce((SELECT t.detail -> 'location' FROM timeline_events t
      WHERE t.visit_id = ${sql.ref(`${visit}.id`)} AND t.type = 'check_in' AND t.detail -> 'location' IS NOT NULL ORDER BY t.at DESC, t.id DESC LIMIT 1),
    ${sql.ref(`${visit}.last_location`)})`;
}
