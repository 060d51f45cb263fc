import { sql, type Kysely } from 'kysely';
import type { DB } from '../../db/schema.ts';
import { fetchPage } from '../../web/paging.ts';
import { londonDayBounds } from '../../time/london.ts';
import type { HistoryFilter } from './schema.ts';

/**
 * Whose visits a history shows: everyone's, or those of the people one member of staff may see
 * (the rule of `maySee` in access.ts, written as SQL): their own, those they go on as the joint
 * partner, those of the people they buddy, of everyone below them in the line, and, for team
 * business support, of their team.
 */
export type HistoryScope = 'all' | { staffId: number; supportsTeamId: number | null };

/** Visit history: one page of visits within a scope, and whether someone's history shows others' visits. */
export function buildHistoryRepository(db: Kysely<DB>) {
  return {
    /** One page of visits, newest first, within a scope, narrowed by period, state and a search of the worker's name, postcode or building. */
    history(scope: HistoryScope, filter: HistoryFilter, page: number) {
      let q = db
        .selectFrom('visits as v')
        .innerJoin('staff as w', 'w.id', 'v.worker_id')
        .leftJoin('buildings as b', 'b.id', 'v.building_id')
        .select([
          'v.id',
          'v.worker_id',
          'v.kind',
          'v.starts_at',
          'v.ends_at',
          'v.postcode',
          'v.description',
          'v.state',
          'v.risk_rating',
          'b.name as building_name',
          sql<string>`w.given_name || ' ' || w.family_name`.as('worker_name'),
        ]);
      if (scope !== 'all') {
        const me = scope.staffId;
        q = q.where((eb) =>
          eb.or([
            eb('v.worker_id', '=', me),
            eb('v.joint_partner_id', '=', me),
            eb('w.buddy_id', '=', me),
            eb(
              'v.worker_id',
              'in',
              sql<number>`(
            WITH RECURSIVE r(id, depth, path) AS (
              SELECT id, 1, ARRAY[id] FROM staff WHERE line_manager_id = ${me}
              UNION ALL
              SELECT s.id, r.depth + 1, r.path || s.id FROM staff s JOIN r ON s.line_manager_id = r.id WHERE NOT s.id = ANY(r.path) AND r.depth < 20
            ) SELECT id FROM r)`,
            ),
            ...(scope.supportsTeamId === null ? [] : [eb('w.team_id', '=', scope.supportsTeamId)]),
          ]),
        );
      }
      if (filter.from) q = q.where('v.starts_at', '>=', londonDayBounds(filter.from).start);
      if (filter.to) q = q.where('v.starts_at', '<', londonDayBounds(filter.to).end);
      if (filter.state) q = q.where('v.state', '=', filter.state);
      if (filter.q) {
        const like = `%${filter.q.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
        q = q.where((eb) =>
          eb.or([
            eb(sql`lower(w.given_name || ' ' || w.family_name)`, 'like', like),
            eb(sql`lower(replace(coalesce(v.postcode, ''), ' ', ''))`, 'like', like.replace(/\s+/g, '')),
            eb(sql`lower(coalesce(b.name, ''))`, 'like', like),
          ]),
        );
      }
      return fetchPage(q.orderBy('v.starts_at', 'desc').orderBy('v.id', 'desc'), page);
    },
    /** Whether anyone has this person as their line manager or buddy (so their history shows others' visits). */
    async looksAfterAnyone(staffId: number) {
      return (
        (await db
          .selectFrom('staff')
          .select('id')
          .where((eb) => eb.or([eb('line_manager_id', '=', staffId), eb('buddy_id', '=', staffId)]))
          .limit(1)
          .executeTakeFirst()) !== undefined
      );
    },
  };
}
