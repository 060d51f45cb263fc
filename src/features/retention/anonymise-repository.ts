import { sql, type Kysely } from 'kysely';
import type { DB } from '../../db/schema.ts';
import type { Executor } from '../audit/repository.ts';
import { done, ERASED, held, notDone } from './retention-sql.ts';

/** Allegation categories and referrals that make a complaint an allegation about staff who work with children. */
export const CHILD_ALLEGATION_PREFIX = 'ca_';
export const REGULATOR_REFERRALS = ['swe', 'gscc', 'hcpc'];

/**
 * The records anonymised rather than erased (sessions' coordinates, incidents, complaints): which are
 * due, and the anonymising itself.
 */
export function buildRetentionAnonymiseRepository(db: Kysely<DB>) {
  return {
    // ---- Sessions: coordinates ----
    /** Ended sessions before the cutoff whose coordinates are still kept, split into due and kept (held, or linked to an open incident or investigation). */
    async sessionCandidates(endedBefore: Date, after: number, limit: number) {
      const { rows } = await sql<{ id: number; held: boolean; open_incident: boolean }>`
        SELECT v.id, ${held('session', sql`v.id`)} AS held,
          EXISTS (SELECT 1 FROM incidents i WHERE i.visit_id = v.id AND i.status <> 'closed') AS open_incident
        FROM visits v
        WHERE v.ended_at < ${endedBefore} AND v.id > ${after} AND ${notDone('session', sql`v.id`)}
        ORDER BY v.id LIMIT ${limit}`.execute(db);
      return rows;
    },
    async anonymiseSession(trx: Executor, id: number) {
      await trx
        .updateTable('visits')
        .set({ last_location: null, latitude: null, longitude: null })
        .where('id', '=', id)
        .execute();
      await sql`UPDATE timeline_events SET detail = detail - 'location' WHERE visit_id = ${id} AND detail ? 'location'`.execute(
        trx,
      );
      await sql`UPDATE duress_alarms SET location = NULL WHERE location IS NOT NULL AND alert_id IN (SELECT a.id FROM alerts a WHERE a.visit_id = ${id})`.execute(
        trx,
      );
      // The device location a duress alarm put in front of each message and timeline line.
      await sql`UPDATE timeline_events SET text = regexp_replace(text, 'Device location: -?[0-9.]+, -?[0-9.]+\\.?', 'Device location removed under the retention schedule.', 'g')
        WHERE alert_id IN (SELECT a.id FROM alerts a WHERE a.visit_id = ${id}) AND text LIKE '%Device location: %'`.execute(
        trx,
      );
      await sql`UPDATE notifications SET body = regexp_replace(body, 'Device location: -?[0-9.]+, -?[0-9.]+\\.?', 'Device location removed under the retention schedule.', 'g')
        WHERE alert_id IN (SELECT a.id FROM alerts a WHERE a.visit_id = ${id}) AND body LIKE '%Device location: %'`.execute(
        trx,
      );
      // The alert keeps the policy it opened with, and a duress alarm's steps carry the same text.
      await sql`UPDATE alerts SET policy = regexp_replace(policy::text, 'Device location: -?[0-9.]+, -?[0-9.]+\\.?', 'Device location removed under the retention schedule.', 'g')::jsonb
        WHERE visit_id = ${id} AND policy::text LIKE '%Device location: %'`.execute(trx);
      await sql`UPDATE timeline_events SET detail = detail - 'location' WHERE alert_id IN (SELECT a.id FROM alerts a WHERE a.visit_id = ${id}) AND detail ? 'location'`.execute(
        trx,
      );
      await done(trx, 'session', id, 'anonymise');
    },

    // ---- Incidents ----
    async incidentCandidates(closedBefore: Date, after: number, limit: number) {
      const { rows } = await sql<{
        id: number;
        closed_at: Date;
        riddor: boolean;
        hse_reported_on: string | null;
        riddor_report_by: string | null;
        held: boolean;
        open_investigation: boolean;
        open_claim: boolean;
      }>`
        SELECT i.id, i.closed_at, i.riddor_kind IS NOT NULL AS riddor, i.hse_reported_on::text AS hse_reported_on, i.riddor_report_by::text AS riddor_report_by,
          ${held('incident', sql`i.id`)} AS held,
          EXISTS (SELECT 1 FROM incident_investigations n WHERE n.incident_id = i.id AND n.closed_at IS NULL) AS open_investigation,
          EXISTS (SELECT 1 FROM incident_legal_actions l WHERE l.incident_id = i.id AND (l.ends_on IS NULL OR l.ends_on >= current_date)) AS open_claim
        FROM incidents i
        WHERE i.status = 'closed' AND i.closed_at < ${closedBefore} AND i.id > ${after} AND ${notDone('incident', sql`i.id`)}
        ORDER BY i.id LIMIT ${limit}`.execute(db);
      return rows;
    },
    /** Removes what identifies people and places; keeps every column the statistics and monthly counts read. */
    async anonymiseIncident(trx: Executor, id: number) {
      await trx
        .updateTable('incidents')
        .set({
          draft: '{}',
          location: null,
          others_present: null,
          witnesses: null,
          perpetrator_case_system: null,
          perpetrator_case_id: null,
          injury_nature: null,
          injury_body_part: null,
          narrative: null,
          support: '{}',
          response_notes: null,
          crime_reference: null,
          court_notes: null,
        })
        .where('id', '=', id)
        .execute();
      await trx
        .updateTable('incident_investigations')
        .set({
          statements: null,
          chronology: null,
          triggers: null,
          findings: null,
          risk_review: null,
          team_communicated: null,
          providers_to_warn: null,
        })
        .where('incident_id', '=', id)
        .execute();
      await trx.updateTable('incident_actions').set({ description: ERASED }).where('incident_id', '=', id).execute();
      await trx.updateTable('incident_legal_actions').set({ notes: null }).where('incident_id', '=', id).execute();
      await done(trx, 'incident', id, 'anonymise');
    },

    // ---- Complaints ----
    /** Closed complaints before the cutoff, not yet anonymised, with what decides their period. */
    async complaintCandidates(closedBefore: string, after: number, limit: number) {
      const { rows } = await sql<{ id: number; closed_on: string; grp: string }>`
        SELECT c.id, c.closed_on::text AS closed_on, coalesce(c.complainant_group, 'complaint:' || c.id) AS grp
        FROM complaints c WHERE c.closed_on < ${closedBefore}::date AND c.id > ${after} AND ${notDone('complaint', sql`c.id`)}
        ORDER BY c.id LIMIT ${limit}`.execute(db);
      return rows;
    },
    /** Every complaint in the given complainant groups (open ones too), with the facts its period depends on. */
    async complaintGroups(groups: string[]) {
      if (!groups.length) return [];
      const { rows } = await sql<{
        id: number;
        closed_on: string | null;
        grp: string;
        held: boolean;
        allegation: boolean;
        staff_count: number;
        retirement_dates: (string | null)[];
        done: boolean;
      }>`
        SELECT c.id, c.closed_on::text AS closed_on, coalesce(c.complainant_group, 'complaint:' || c.id) AS grp,
          ${held('complaint', sql`c.id`)} AS held,
          (EXISTS (SELECT 1 FROM complaint_allegations a WHERE a.complaint_id = c.id AND a.category LIKE ${CHILD_ALLEGATION_PREFIX + '%'})
            OR EXISTS (SELECT 1 FROM complaint_referrals r WHERE r.complaint_id = c.id AND r.body = ANY(${REGULATOR_REFERRALS}::text[]))) AS allegation,
          (SELECT count(*)::int FROM complaint_staff s WHERE s.complaint_id = c.id) AS staff_count,
          (SELECT coalesce(array_agg(st.normal_retirement_on::text ORDER BY st.id), '{}') FROM complaint_staff s JOIN staff st ON st.id = s.staff_id WHERE s.complaint_id = c.id) AS retirement_dates,
          NOT ${notDone('complaint', sql`c.id`)} AS done
        FROM complaints c WHERE coalesce(c.complainant_group, 'complaint:' || c.id) = ANY(${groups}::text[])
        ORDER BY c.id`.execute(db);
      return rows;
    },
    /**
     * The complainant and everything said about them goes; the household becomes a pseudonym made
     * from the complainant group, so complaints from one household still count as one complainant
     * in the repeat-complaints statistic. Counted columns are untouched.
     */
    async anonymiseComplaint(trx: Executor, id: number) {
      await sql`UPDATE complaints SET complainant_name = NULL, complainant_contact = NULL,
          household = CASE WHEN complainant_group IS NULL THEN NULL ELSE 'anonymised ' || substr(md5(complainant_group), 1, 16) END,
          summary = ${ERASED}, late_reason = NULL, withdrawn_reason = CASE WHEN withdrawn_reason IS NULL THEN NULL ELSE ${ERASED} END,
          not_investigated_reason = CASE WHEN not_investigated_reason IS NULL THEN NULL ELSE ${ERASED} END, learning = NULL
        WHERE id = ${id}`.execute(trx);
      await trx.updateTable('complaint_allegations').set({ detail: null }).where('complaint_id', '=', id).execute();
      await trx.updateTable('complaint_actions').set({ detail: null }).where('complaint_id', '=', id).execute();
      await trx
        .updateTable('complaint_stages')
        .set({ investigating_officer: null, independent_person: null, extension_reason: null })
        .where('complaint_id', '=', id)
        .execute();
      await trx.deleteFrom('complaint_attachments').where('complaint_id', '=', id).execute();
      await done(trx, 'complaint', id, 'anonymise');
    },
  };
}
