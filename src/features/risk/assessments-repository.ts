import { sql, type Kysely } from 'kysely';
import type { DB } from '../../db/schema.ts';
import type { Executor } from '../audit/repository.ts';
import { caseKey, type Control, type PrecautionStatus } from './rules.ts';
import { fetchPage } from '../../web/paging.ts';

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

const keyOf = (caseId: string | null) => caseKey(caseId);

/** Risk assessments and their reviews, a visit's control measure and its precautions. */
export function buildRiskAssessmentsRepository(db: Kysely<DB>) {
  return {
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

    async countersign(ex: Executor, assessmentId: number, staffId: number) {
      await ex
        .updateTable('risk_assessments')
        .set({ countersigned_by: staffId, countersigned_at: new Date() })
        .where('id', '=', assessmentId)
        .execute();
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

    async deleteControl(ex: Executor, visitId: number) {
      await ex.deleteFrom('visit_risk_controls').where('visit_id', '=', visitId).execute();
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
  };
}
