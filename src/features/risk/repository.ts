import { sql, type Kysely } from 'kysely';
import type { DB } from '../../db/schema.ts';
import type { Executor } from '../audit/repository.ts';
import { insertInboxMessages } from '../notifications/inbox-insert.ts';
import { caseKey, type Control, type PrecautionStatus } from './rules.ts';
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

export interface AssessmentRow {
  caseSystem: string | null;
  caseId: string | null;
  visitId: number | null;
  teamId: number | null;
  hazards: string;
  whoHarmed: string;
  controls: string;
  findings: string;
  reviewDate: string;
  documentRef: string | null;
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

export function buildRiskRepository(db: Kysely<DB>) {
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

  return {
    /** The facts about a visit the risk gate needs. */
    visit: (id: number, ex: Executor = db) =>
      ex
        .selectFrom('visits as v')
        .innerJoin('staff as w', 'w.id', 'v.worker_id')
        .leftJoin('staff as j', 'j.id', 'v.joint_partner_id')
        .select([
          'v.id',
          'v.worker_id',
          'v.kind',
          'v.state',
          'v.starts_at',
          'v.ends_at',
          'v.address',
          'v.postcode',
          'v.case_system',
          'v.case_id',
          'v.description',
          'v.referral_type',
          'v.risk_rating',
          'v.joint_partner_id',
          'w.team_id',
          'w.buddy_id',
          'v.building_id',
          'v.home_address',
          'v.home_postcode',
          'v.joint_confirmed_at',
          'v.case_key',
          sql<string>`w.given_name || ' ' || w.family_name`.as('worker_name'),
          sql<string | null>`j.given_name || ' ' || j.family_name`.as('joint_partner_name'),
        ])
        .where('v.id', '=', id)
        .executeTakeFirst(),

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

    async setRating(ex: Executor, visitId: number, rating: string | null) {
      await ex.updateTable('visits').set({ risk_rating: rating }).where('id', '=', visitId).execute();
    },

    /** A line on the visit's timeline. */
    async addTimelineEvent(ex: Executor, visitId: number, type: string, actorId: number | null, text: string) {
      await ex.insertInto('timeline_events').values({ visit_id: visitId, type, actor_id: actorId, text }).execute();
    },

    /** A new (or no) joint partner: the old partner's confirmation no longer counts. */
    async clearJointConfirmation(ex: Executor, visitId: number) {
      await ex.updateTable('visits').set({ joint_confirmed_at: null }).where('id', '=', visitId).execute();
    },

    /** The edited address of a session still at a council building is its home address. */
    async setHomePlace(ex: Executor, visitId: number, place: { address: string | null; postcode: string | null }) {
      await ex
        .updateTable('visits')
        .set({ home_address: place.address, home_postcode: place.postcode })
        .where('id', '=', visitId)
        .execute();
    },
    async setPlace(ex: Executor, visitId: number, place: { address: string; postcode: string }) {
      await ex
        .updateTable('visits')
        .set({ address: place.address, postcode: place.postcode })
        .where('id', '=', visitId)
        .execute();
    },

    /** Field-worker facts of a would-be joint partner: current, team, account roles. */
    async partner(staffId: number, ex: Executor = db) {
      const row = await ex
        .selectFrom('staff as s')
        .leftJoin('accounts as a', 'a.staff_id', 's.id')
        .select([
          's.id',
          's.active',
          's.team_id',
          'a.roles',
          'a.disabled_at',
          sql<string>`s.given_name || ' ' || s.family_name`.as('name'),
        ])
        .where('s.id', '=', staffId)
        .execute();
      if (!row.length) return null;
      const roles = row.filter((r) => r.disabled_at === null).flatMap((r) => (r.roles ?? []) as string[]);
      return { id: row[0]!.id, active: row[0]!.active, teamId: row[0]!.team_id, roles, name: row[0]!.name };
    },

    async confirmJoint(ex: Executor, visitId: number, partnerId: number) {
      const row = await ex
        .updateTable('visits')
        .set({ joint_confirmed_at: new Date() })
        .where('id', '=', visitId)
        .where('joint_partner_id', '=', partnerId)
        .where('state', '=', 'planned')
        .returning('id')
        .executeTakeFirst();
      return row !== undefined;
    },

    /** Moves a session to a council building (keeping its home address once), or back home. */
    async moveToBuilding(ex: Executor, visitId: number, building: { id: number; address: string; postcode: string }) {
      await sql`UPDATE visits SET home_address = CASE WHEN home_address IS NULL AND home_postcode IS NULL THEN address ELSE home_address END,
        home_postcode = CASE WHEN home_address IS NULL AND home_postcode IS NULL THEN postcode ELSE home_postcode END,
        address = ${building.address}, postcode = ${building.postcode}, building_id = ${building.id}, latitude = NULL, longitude = NULL, updated_at = now()
        WHERE id = ${visitId}`.execute(ex);
    },
    async moveHome(ex: Executor, visitId: number) {
      await sql`UPDATE visits SET address = home_address, postcode = home_postcode, building_id = NULL, home_address = NULL, home_postcode = NULL, updated_at = now()
        WHERE id = ${visitId} AND (home_address IS NOT NULL OR home_postcode IS NOT NULL)`.execute(ex);
    },
    building: (id: number, ex: Executor = db) =>
      ex.selectFrom('buildings').select(['id', 'name', 'address', 'postcode']).where('id', '=', id).executeTakeFirst(),

    async deleteControl(ex: Executor, visitId: number) {
      await ex.deleteFrom('visit_risk_controls').where('visit_id', '=', visitId).execute();
    },

    async countersign(ex: Executor, assessmentId: number, staffId: number) {
      await ex
        .updateTable('risk_assessments')
        .set({ countersigned_by: staffId, countersigned_at: new Date() })
        .where('id', '=', assessmentId)
        .execute();
    },

    /** An inbox message (the dispatcher sends it on). */
    async notify(ex: Executor, n: { recipientId: number; subject: string; body: string; link: string | null }) {
      await insertInboxMessages(ex, [{ recipientId: n.recipientId, subject: n.subject, body: n.body, link: n.link }]);
    },

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

    /** The best current assessment for a visit: its own or its case's, latest review date first. */
    currentAssessment(place: { visitId: number; caseSystem: string | null; caseId: string | null }, ex: Executor = db) {
      return ex
        .selectFrom('risk_assessments as r')
        .leftJoin('staff as s', 's.id', 'r.completed_by')
        .select([
          'r.id',
          'r.case_system',
          'r.case_id',
          'r.visit_id',
          'r.hazards',
          'r.who_harmed',
          'r.controls',
          'r.findings',
          sql<string>`r.review_date::text`.as('review_date'),
          'r.document_ref',
          'r.completed_at',
          'r.completed_by',
          'r.countersigned_by',
          'r.countersigned_at',
          sql<string | null>`s.given_name || ' ' || s.family_name`.as('completed_by_name'),
          sql<
            string | null
          >`(SELECT cs.given_name || ' ' || cs.family_name FROM staff cs WHERE cs.id = r.countersigned_by)`.as(
            'countersigned_by_name',
          ),
        ])
        .where('r.superseded_at', 'is', null)
        .where((eb) =>
          eb.or([
            eb('r.visit_id', '=', place.visitId),
            ...(place.caseSystem && keyOf(place.caseId)
              ? [eb.and([eb('r.case_system', '=', place.caseSystem), eb('r.case_key', '=', keyOf(place.caseId))])]
              : []),
          ]),
        )
        .orderBy('r.review_date', 'desc')
        .orderBy('r.id', 'desc')
        .limit(1)
        .executeTakeFirst();
    },

    /** Records an assessment; it replaces the current one for the same case (or, for a visit-only one, the same visit). */
    async createAssessment(
      ex: Executor,
      a: AssessmentRow,
      by: { staffId: number | null; accountId: number },
      countersignedBy: number | null = null,
    ) {
      const now = new Date();
      let supersede = ex.updateTable('risk_assessments').set({ superseded_at: now }).where('superseded_at', 'is', null);
      supersede =
        a.caseId && a.caseSystem && keyOf(a.caseId)
          ? supersede.where('case_system', '=', a.caseSystem).where('case_key', '=', keyOf(a.caseId))
          : supersede.where('visit_id', '=', a.visitId).where('case_id', 'is', null);
      await supersede.execute();
      return (
        await ex
          .insertInto('risk_assessments')
          .values({
            case_system: a.caseSystem,
            case_id: a.caseId,
            visit_id: a.visitId,
            team_id: a.teamId,
            hazards: a.hazards,
            who_harmed: a.whoHarmed,
            controls: a.controls,
            findings: a.findings,
            review_date: a.reviewDate,
            document_ref: a.documentRef,
            completed_by: by.staffId,
            completed_by_account: by.accountId,
            completed_at: now,
            countersigned_by: countersignedBy,
            countersigned_at: countersignedBy === null ? null : now,
          })
          .returning('id')
          .executeTakeFirstOrThrow()
      ).id;
    },

    control: (visitId: number, ex: Executor = db) =>
      ex
        .selectFrom('visit_risk_controls as c')
        .leftJoin('staff as s', 's.id', 'c.approved_by')
        .leftJoin('buildings as b', 'b.id', 'c.building_id')
        .select([
          'c.visit_id',
          'c.control',
          'c.building_id',
          'c.approved_at',
          'c.note',
          'b.name as building_name',
          sql<string | null>`s.given_name || ' ' || s.family_name`.as('approved_by_name'),
        ])
        .where('c.visit_id', '=', visitId)
        .executeTakeFirst(),

    async setControl(
      ex: Executor,
      visitId: number,
      c: { control: Control; buildingId: number | null; note: string | null },
      by: { staffId: number | null; accountId: number },
    ) {
      const row = {
        control: c.control,
        building_id: c.buildingId,
        note: c.note,
        approved_by: by.staffId,
        approved_by_account: by.accountId,
        approved_at: new Date(),
      };
      await ex
        .insertInto('visit_risk_controls')
        .values({ visit_id: visitId, ...row })
        .onConflict((oc) => oc.column('visit_id').doUpdateSet(row))
        .execute();
    },

    precautions: (visitId: number, ex: Executor = db) =>
      ex
        .selectFrom('visit_precautions as p')
        .leftJoin('staff as s', 's.id', 'p.recorded_by')
        .select([
          'p.precaution',
          'p.status',
          'p.reason',
          'p.recorded_at',
          sql<string | null>`s.given_name || ' ' || s.family_name`.as('recorded_by_name'),
        ])
        .where('p.visit_id', '=', visitId)
        .execute(),

    async setPrecautions(
      ex: Executor,
      visitId: number,
      entries: { key: string; status: PrecautionStatus; reason: string | null }[],
      by: { staffId: number | null; accountId: number },
    ) {
      const at = new Date();
      for (const e of entries) {
        const row = {
          status: e.status,
          reason: e.reason,
          recorded_by: by.staffId,
          recorded_by_account: by.accountId,
          recorded_at: at,
        };
        await ex
          .insertInto('visit_precautions')
          .values({ visit_id: visitId, precaution: e.key, ...row })
          .onConflict((oc) => oc.columns(['visit_id', 'precaution']).doUpdateSet(row))
          .execute();
      }
    },

    /** One page of current assessments whose review date is on or before `until` (only overdue ones: before `overdueBefore`), for a set of teams. */
    reviewsDue(teamIds: number[] | 'all', until: string, filter: { overdueBefore: string | null; page: number }) {
      let q = db
        .selectFrom('risk_assessments as r')
        .leftJoin('teams as t', 't.id', 'r.team_id')
        .leftJoin('staff as s', 's.id', 'r.completed_by')
        .leftJoin('visits as v', 'v.id', 'r.visit_id')
        .select([
          'r.id',
          'r.case_system',
          'r.case_id',
          'r.visit_id',
          sql<string>`r.review_date::text`.as('review_date'),
          'r.completed_at',
          'r.hazards',
          't.name as team_name',
          'v.address',
          'v.postcode',
          sql<string | null>`s.given_name || ' ' || s.family_name`.as('completed_by_name'),
          // Where to review a case's assessment: the risk page of its latest visit.
          sql<number | null>`(SELECT v2.id FROM visits v2 WHERE r.case_id IS NOT NULL AND v2.case_system = r.case_system
            AND v2.case_key = r.case_key ORDER BY v2.starts_at DESC, v2.id DESC LIMIT 1)`.as('latest_visit_id'),
        ])
        .where('r.superseded_at', 'is', null)
        .where('r.review_date', '<=', until)
        // A visit-only assessment stops mattering once its visit is over.
        .where((eb) =>
          eb.or([eb('r.case_id', 'is not', null), eb('v.state', 'in', ['planned', 'in_progress', 'overdue'])]),
        );
      if (teamIds !== 'all') {
        if (teamIds.length === 0) return Promise.resolve({ rows: [], total: 0, page: 1 });
        q = q.where('r.team_id', 'in', teamIds);
      }
      if (filter.overdueBefore) q = q.where('r.review_date', '<', filter.overdueBefore);
      return fetchPage(q.orderBy('r.review_date').orderBy('r.id'), filter.page);
    },

    buildings: () => db.selectFrom('buildings').select(['id', 'name']).orderBy('name').execute(),
  };
}

export type RiskRepository = ReturnType<typeof buildRiskRepository>;
