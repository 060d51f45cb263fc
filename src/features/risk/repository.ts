import { sql, type Kysely } from 'kysely';
import type { DB } from '../../db/schema.ts';
import type { Executor } from '../audit/repository.ts';
import type { Control, PrecautionStatus } from './rules.ts';

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
export interface Place { caseSystem: string | null; caseId: string | null; postcode: string | null }

/** Compact upper-case postcode in SQL, so "tn231pl" on a visit matches "TN23 1PL" on a flag. */
const compactPostcode = (column: string) => sql<string>`upper(regexp_replace(coalesce(${sql.ref(column)}, ''), '\\s+', '', 'g'))`;

export function buildRiskRepository(db: Kysely<DB>) {
  const flagColumns = ['f.id', 'f.case_system', 'f.case_id', 'f.postcode', 'f.category', 'f.description', 'f.source', 'f.raised_at', 'f.expires_at', 'f.withdrawn_at'] as const;
  const live = (now: Date) => sql<boolean>`f.withdrawn_at IS NULL AND (f.expires_at IS NULL OR f.expires_at > ${now})`;

  return {
    /** The facts about a visit the risk gate needs. */
    visit: (id: number, ex: Executor = db) => ex.selectFrom('visits as v')
      .innerJoin('staff as w', 'w.id', 'v.worker_id')
      .leftJoin('staff as j', 'j.id', 'v.joint_partner_id')
      .select([
        'v.id', 'v.worker_id', 'v.kind', 'v.state', 'v.starts_at', 'v.ends_at', 'v.address', 'v.postcode', 'v.case_system', 'v.case_id',
        'v.description', 'v.referral_type', 'v.risk_rating', 'v.joint_partner_id', 'w.team_id',
        sql<string>`w.given_name || ' ' || w.family_name`.as('worker_name'),
        sql<string | null>`j.given_name || ' ' || j.family_name`.as('joint_partner_name'),
      ])
      .where('v.id', '=', id).executeTakeFirst(),

    /** Live flags on the case or at the postcode. */
    async flagsAt(place: Place, now: Date, ex: Executor = db) {
      if (!place.postcode && !(place.caseSystem && place.caseId)) return [];
      return ex.selectFrom('warning_flags as f').select(flagColumns)
        .where(live(now))
        .where((eb) => eb.or([
          ...(place.caseSystem && place.caseId ? [eb.and([eb('f.case_system', '=', place.caseSystem), eb('f.case_id', '=', place.caseId)])] : []),
          ...(place.postcode ? [eb('f.postcode', '=', place.postcode)] : []),
        ]))
        .orderBy('f.raised_at', 'desc').orderBy('f.id', 'desc').execute();
    },

    /** Every flag (live first), or only the live ones matching a worker's planned and running visits. */
    listFlags(scope: 'all' | { workerId: number }, now: Date) {
      let q = db.selectFrom('warning_flags as f').leftJoin('accounts as a', 'a.id', 'f.raised_by')
        .select([...flagColumns, 'a.display_name as raised_by_name', live(now).as('live')]);
      if (scope !== 'all') {
        q = q.where(live(now)).where(({ exists, selectFrom }) => exists(
          selectFrom('visits as v').select(sql`1`.as('one'))
            .where('v.worker_id', '=', scope.workerId)
            .where('v.state', 'in', ['planned', 'in_progress', 'overdue'])
            .where(sql<boolean>`((v.case_system = f.case_system AND upper(trim(v.case_id)) = f.case_id)
              OR (f.postcode IS NOT NULL AND ${compactPostcode('v.postcode')} = replace(f.postcode, ' ', '')))`),
        ));
      }
      return q.orderBy(sql`(${live(now)})`, 'desc').orderBy('f.raised_at', 'desc').orderBy('f.id', 'desc').limit(500).execute();
    },

    async createFlag(ex: Executor, f: FlagRow, raisedBy: number | null) {
      return (await ex.insertInto('warning_flags').values({
        case_system: f.caseSystem, case_id: f.caseId, postcode: f.postcode, category: f.category, description: f.description,
        expires_at: f.expiresAt, source: f.source ?? 'manual', raised_by: raisedBy,
      }).returning('id').executeTakeFirstOrThrow()).id;
    },

    flag(id: number, now: Date) {
      return db.selectFrom('warning_flags as f').leftJoin('accounts as a', 'a.id', 'f.raised_by')
        .select([...flagColumns, 'a.display_name as raised_by_name', live(now).as('live')]).where('f.id', '=', id).executeTakeFirst();
    },

    /** Withdraws a flag that has not been withdrawn already; false otherwise. */
    async withdrawFlag(ex: Executor, id: number, by: number | null) {
      const row = await ex.updateTable('warning_flags').set({ withdrawn_at: new Date(), withdrawn_by: by }).where('id', '=', id).where('withdrawn_at', 'is', null).returning('id').executeTakeFirst();
      return row !== undefined;
    },

    /** Renews a live flag after review: it applies until the new expiry (used by incidents). False if withdrawn or unknown. */
    async renewFlag(ex: Executor, id: number, expiresAt: Date) {
      const row = await ex.updateTable('warning_flags').set({ expires_at: expiresAt }).where('id', '=', id).where('withdrawn_at', 'is', null).returning('id').executeTakeFirst();
      return row !== undefined;
    },

    /** The best current assessment for a visit: its own or its case's, latest review date first. */
    currentAssessment(place: { visitId: number; caseSystem: string | null; caseId: string | null }, ex: Executor = db) {
      return ex.selectFrom('risk_assessments as r').leftJoin('staff as s', 's.id', 'r.completed_by')
        .select([
          'r.id', 'r.case_system', 'r.case_id', 'r.visit_id', 'r.hazards', 'r.who_harmed', 'r.controls', 'r.findings',
          sql<string>`r.review_date::text`.as('review_date'), 'r.document_ref', 'r.completed_at',
          sql<string | null>`s.given_name || ' ' || s.family_name`.as('completed_by_name'),
        ])
        .where('r.superseded_at', 'is', null)
        .where((eb) => eb.or([
          eb('r.visit_id', '=', place.visitId),
          ...(place.caseSystem && place.caseId ? [eb.and([eb('r.case_system', '=', place.caseSystem), eb('r.case_id', '=', place.caseId)])] : []),
        ]))
        .orderBy('r.review_date', 'desc').orderBy('r.id', 'desc').limit(1).executeTakeFirst();
    },

    /** Records an assessment; it replaces the current one for the same case (or, for a visit-only one, the same visit). */
    async createAssessment(ex: Executor, a: AssessmentRow, by: { staffId: number | null; accountId: number }) {
      const now = new Date();
      let supersede = ex.updateTable('risk_assessments').set({ superseded_at: now }).where('superseded_at', 'is', null);
      supersede = a.caseId && a.caseSystem
        ? supersede.where('case_system', '=', a.caseSystem).where('case_id', '=', a.caseId)
        : supersede.where('visit_id', '=', a.visitId).where('case_id', 'is', null);
      await supersede.execute();
      return (await ex.insertInto('risk_assessments').values({
        case_system: a.caseSystem, case_id: a.caseId, visit_id: a.visitId, team_id: a.teamId, hazards: a.hazards, who_harmed: a.whoHarmed,
        controls: a.controls, findings: a.findings, review_date: a.reviewDate, document_ref: a.documentRef,
        completed_by: by.staffId, completed_by_account: by.accountId, completed_at: now,
      }).returning('id').executeTakeFirstOrThrow()).id;
    },

    control: (visitId: number, ex: Executor = db) => ex.selectFrom('visit_risk_controls as c')
      .leftJoin('staff as s', 's.id', 'c.approved_by').leftJoin('buildings as b', 'b.id', 'c.building_id')
      .select(['c.visit_id', 'c.control', 'c.building_id', 'c.approved_at', 'c.note', 'b.name as building_name',
        sql<string | null>`s.given_name || ' ' || s.family_name`.as('approved_by_name')])
      .where('c.visit_id', '=', visitId).executeTakeFirst(),

    async setControl(ex: Executor, visitId: number, c: { control: Control; buildingId: number | null; note: string | null }, by: { staffId: number | null; accountId: number }) {
      const row = { control: c.control, building_id: c.buildingId, note: c.note, approved_by: by.staffId, approved_by_account: by.accountId, approved_at: new Date() };
      await ex.insertInto('visit_risk_controls').values({ visit_id: visitId, ...row })
        .onConflict((oc) => oc.column('visit_id').doUpdateSet(row)).execute();
    },

    precautions: (visitId: number, ex: Executor = db) => ex.selectFrom('visit_precautions as p').leftJoin('staff as s', 's.id', 'p.recorded_by')
      .select(['p.precaution', 'p.status', 'p.reason', 'p.recorded_at', sql<string | null>`s.given_name || ' ' || s.family_name`.as('recorded_by_name')])
      .where('p.visit_id', '=', visitId).execute(),

    async setPrecautions(ex: Executor, visitId: number, entries: { key: string; status: PrecautionStatus; reason: string | null }[], by: { staffId: number | null; accountId: number }) {
      const at = new Date();
      for (const e of entries) {
        const row = { status: e.status, reason: e.reason, recorded_by: by.staffId, recorded_by_account: by.accountId, recorded_at: at };
        await ex.insertInto('visit_precautions').values({ visit_id: visitId, precaution: e.key, ...row })
          .onConflict((oc) => oc.columns(['visit_id', 'precaution']).doUpdateSet(row)).execute();
      }
    },

    /** Current assessments whose review date is on or before `until`, for a set of teams. */
    reviewsDue(teamIds: number[] | 'all', until: string) {
      let q = db.selectFrom('risk_assessments as r')
        .leftJoin('teams as t', 't.id', 'r.team_id')
        .leftJoin('staff as s', 's.id', 'r.completed_by')
        .leftJoin('visits as v', 'v.id', 'r.visit_id')
        .select([
          'r.id', 'r.case_system', 'r.case_id', 'r.visit_id', sql<string>`r.review_date::text`.as('review_date'), 'r.completed_at', 'r.hazards',
          't.name as team_name', 'v.address', 'v.postcode', sql<string | null>`s.given_name || ' ' || s.family_name`.as('completed_by_name'),
          // Where to review a case's assessment: the risk page of its latest visit.
          sql<number | null>`(SELECT v2.id FROM visits v2 WHERE r.case_id IS NOT NULL AND v2.case_system = r.case_system
            AND upper(trim(v2.case_id)) = r.case_id ORDER BY v2.starts_at DESC, v2.id DESC LIMIT 1)`.as('latest_visit_id'),
        ])
        .where('r.superseded_at', 'is', null)
        .where('r.review_date', '<=', until)
        // A visit-only assessment stops mattering once its visit is over.
        .where((eb) => eb.or([eb('r.case_id', 'is not', null), eb('v.state', 'in', ['planned', 'in_progress', 'overdue'])]));
      if (teamIds !== 'all') {
        if (teamIds.length === 0) return Promise.resolve([]);
        q = q.where('r.team_id', 'in', teamIds);
      }
      return q.orderBy('r.review_date').orderBy('r.id').limit(500).execute();
    },

    buildings: () => db.selectFrom('buildings').select(['id', 'name']).orderBy('name').execute(),
  };
}

export type RiskRepository = ReturnType<typeof buildRiskRepository>;
