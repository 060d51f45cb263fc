import { sql, type Kysely } from 'kysely';
import type { DB } from '../../db/schema.ts';
import type { Executor } from '../audit/repository.ts';
import { caseKey } from './rules.ts';
import { fetchPage } from '../../web/paging.ts';

export interface FlagListFilter {
  q: string;
  category: string | null;
  status: 'live' | 'ended' | null;
  page: number;
}

export interface FlagRow {
  caseSystem: string | null;
  caseId: string | null;
  postcode: string | null;
  category: string;
  description: string;
  expiresAt: Date | null;
  source?: string;
}

/** Where a visit is, for matching flags: the case (system and upper-cased id) and the normalised postcode. */
/** Where a session is, for the gate: its case (matched by the canonical key) and postcode. */
export interface Place {
  caseSystem: string | null;
  caseId: string | null;
  postcode: string | null;
}
const keyOf = (caseId: string | null) => caseKey(caseId);

/** Compact upper-case postcode in SQL, so "tn231pl" on a visit matches "TN23 1PL" on a flag. */
const compactPostcode = (column: string) =>
  sql<string>`upper(regexp_replace(coalesce(${sql.ref(column)}, ''), '\\s+', '', 'g'))`;

const flagColumns = [
  'f.id',
  'f.case_system',
  'f.case_id',
  'f.case_key',
  'f.postcode',
  'f.category',
  'f.description',
  'f.source',
  'f.raised_at',
  'f.expires_at',
  'f.withdrawn_at',
] as const;
const live = (now: Date) => sql<boolean>`f.withdrawn_at IS NULL AND (f.expires_at IS NULL OR f.expires_at > ${now})`;

/** Warning flags: the ones at a place, the list, raising, withdrawing and renewing; the planned visits a flag concerns. */
export function buildRiskFlagsRepository(db: Kysely<DB>) {
  return {
    /** Live flags on the case or at the postcode. */
    async flagsAt(place: Place, now: Date, ex: Executor = db) {
      const key = keyOf(place.caseId);
      if (!place.postcode && !(place.caseSystem && key)) return [];
      return ex
        .selectFrom('warning_flags as f')
        .select(flagColumns)
        .where(live(now))
        .where((eb) =>
          eb.or([
            ...(place.caseSystem && key
              ? [eb.and([eb('f.case_system', '=', place.caseSystem), eb('f.case_key', '=', key)])]
              : []),
            ...(place.postcode ? [eb('f.postcode', '=', place.postcode)] : []),
          ]),
        )
        .orderBy('f.raised_at', 'desc')
        .orderBy('f.id', 'desc')
        .execute();
    },

    /** Live flags with the same case key under another case system: perhaps the same family, recorded elsewhere. */
    async flagsUnderOtherSystems(place: Place, now: Date, ex: Executor = db) {
      const key = keyOf(place.caseId);
      if (!key || !place.caseSystem) return [];
      return ex
        .selectFrom('warning_flags as f')
        .select(flagColumns)
        .where(live(now))
        .where('f.case_key', '=', key)
        .where('f.case_system', '<>', place.caseSystem)
        .orderBy('f.raised_at', 'desc')
        .limit(20)
        .execute();
    },

    /** Planned sessions a flag may concern (same case key and system, or same postcode, where the visit is or was planned). */
    plannedMatching(
      ex: Executor,
      flag: { case_system: string | null; case_key: string | null; postcode: string | null },
    ) {
      return ex
        .selectFrom('visits as v')
        .select(['v.id'])
        .where('v.state', '=', 'planned')
        .where((eb) =>
          eb.or([
            ...(flag.case_system && flag.case_key
              ? [eb.and([eb('v.case_system', '=', flag.case_system), eb('v.case_key', '=', flag.case_key)])]
              : []),
            ...(flag.postcode
              ? [
                  sql<boolean>`${compactPostcode('v.postcode')} = ${flag.postcode.replace(/\s+/g, '')}`,
                  sql<boolean>`${compactPostcode('v.home_postcode')} = ${flag.postcode.replace(/\s+/g, '')}`,
                ]
              : []),
            sql<boolean>`false`,
          ]),
        )
        .orderBy('v.id')
        .execute();
    },

    flagForRerate: (ex: Executor, id: number) =>
      ex
        .selectFrom('warning_flags')
        .select(['id', 'case_system', 'case_key', 'postcode', 'category', 'description'])
        .where('id', '=', id)
        .executeTakeFirst(),

    /**
     * One page of flags (live first): every flag, or only the live ones matching a worker's planned and
     * running visits; narrowed by a search of postcode, case ID or description, a kind and live or ended.
     */
    listFlags(scope: 'all' | { workerId: number }, now: Date, filter: FlagListFilter) {
      let q = db
        .selectFrom('warning_flags as f')
        .leftJoin('accounts as a', 'a.id', 'f.raised_by')
        .select([...flagColumns, 'a.display_name as raised_by_name', live(now).as('live')]);
      if (scope !== 'all') {
        q = q.where(live(now)).where(({ exists, selectFrom }) =>
          exists(
            selectFrom('visits as v')
              .select(sql`1`.as('one'))
              .where('v.worker_id', '=', scope.workerId)
              .where('v.state', 'in', ['planned', 'in_progress', 'overdue'])
              .where(sql<boolean>`((v.case_system = f.case_system AND v.case_key = f.case_key)
              OR (f.postcode IS NOT NULL AND ${compactPostcode('v.postcode')} = replace(f.postcode, ' ', '')))`),
          ),
        );
      }
      if (filter.category) q = q.where('f.category', '=', filter.category);
      if (filter.status) q = q.where(filter.status === 'live' ? live(now) : sql<boolean>`NOT (${live(now)})`);
      if (filter.q) {
        const like = `%${filter.q.toLowerCase()}%`;
        const compact = `%${filter.q.toLowerCase().replace(/\s+/g, '')}%`;
        q = q.where((eb) =>
          eb.or([
            eb(sql`lower(replace(coalesce(f.postcode, ''), ' ', ''))`, 'like', compact),
            eb(sql`lower(coalesce(f.case_id, ''))`, 'like', like),
            eb(sql`lower(f.description)`, 'like', like),
          ]),
        );
      }
      return fetchPage(
        q
          .orderBy(sql`(${live(now)})`, 'desc')
          .orderBy('f.raised_at', 'desc')
          .orderBy('f.id', 'desc'),
        filter.page,
      );
    },

    async createFlag(ex: Executor, f: FlagRow, raisedBy: number | null) {
      return (
        await ex
          .insertInto('warning_flags')
          .values({
            case_system: f.caseSystem,
            case_id: f.caseId,
            postcode: f.postcode,
            category: f.category,
            description: f.description,
            expires_at: f.expiresAt,
            source: f.source ?? 'manual',
            raised_by: raisedBy,
          })
          .returning('id')
          .executeTakeFirstOrThrow()
      ).id;
    },

    flag(id: number, now: Date) {
      return db
        .selectFrom('warning_flags as f')
        .leftJoin('accounts as a', 'a.id', 'f.raised_by')
        .select([...flagColumns, 'a.display_name as raised_by_name', live(now).as('live')])
        .where('f.id', '=', id)
        .executeTakeFirst();
    },

    /** Withdraws a flag that has not been withdrawn already; false otherwise. */
    async withdrawFlag(ex: Executor, id: number, by: number | null) {
      const row = await ex
        .updateTable('warning_flags')
        .set({ withdrawn_at: new Date(), withdrawn_by: by })
        .where('id', '=', id)
        .where('withdrawn_at', 'is', null)
        .returning('id')
        .executeTakeFirst();
      return row !== undefined;
    },

    /** Renews a live flag after review: it applies until the new expiry (used by incidents). False if withdrawn or unknown. */
    async renewFlag(ex: Executor, id: number, expiresAt: Date) {
      const row = await ex
        .updateTable('warning_flags')
        .set({ expires_at: expiresAt })
        .where('id', '=', id)
        .where('withdrawn_at', 'is', null)
        .returning('id')
        .executeTakeFirst();
      return row !== undefined;
    },
  };
}
