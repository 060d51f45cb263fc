import { sql, type Kysely } from 'kysely';
import type { DB } from '../../db/schema.ts';

type Row = Record<string, unknown>;
const rows = async <T extends Row>(q: ReturnType<typeof sql<T>>, db: Kysely<DB>) => (await q.execute(db)).rows;

/** All SQL for subject access exports: everything Harbour holds about one person. */
export function buildSubjectAccessRepository(db: Kysely<DB>) {
  return {
    person(staffId: number) {
      return db
        .selectFrom('staff as s')
        .leftJoin('teams as t', 't.id', 's.team_id')
        .select([
          's.id',
          's.employee_number',
          's.given_name',
          's.family_name',
          's.email',
          's.job_role',
          't.name as team',
          's.work_mobile',
          's.personal_mobile',
          's.out_of_hours_phone',
          's.active',
          's.created_at',
          's.updated_at',
        ])
        .where('s.id', '=', staffId)
        .executeTakeFirst();
    },
    /** Staff to choose from on the export page. */
    staffList() {
      return db
        .selectFrom('staff')
        .select(['id', 'given_name', 'family_name', 'employee_number', 'active'])
        .orderBy('family_name')
        .orderBy('given_name')
        .execute();
    },
    sessions: (staffId: number) =>
      rows(
        sql<Row>`
      SELECT v.id, v.kind, v.state, v.starts_at, v.ends_at, v.arrived_at, v.due_at, v.ended_at, v.address, v.postcode, v.latitude, v.longitude,
        v.last_location, v.case_system, v.case_id, v.description, v.notes, v.risk_rating, v.source, v.created_at
      FROM visits v WHERE v.worker_id = ${staffId} ORDER BY v.starts_at, v.id`,
        db,
      ),
    timeline: (staffId: number) =>
      rows(
        sql<Row>`
      SELECT t.id, t.visit_id, t.alert_id, t.at, t.type, t.text, t.detail, s.given_name || ' ' || s.family_name AS by
      FROM timeline_events t LEFT JOIN staff s ON s.id = t.actor_id
      WHERE t.visit_id IN (SELECT id FROM visits WHERE worker_id = ${staffId}) OR t.alert_id IN (SELECT id FROM alerts WHERE worker_id = ${staffId})
      ORDER BY t.at, t.id`,
        db,
      ),
    alerts: (staffId: number) =>
      rows(
        sql<Row>`
      SELECT a.id, a.visit_id, a.kind, a.status, a.opened_at, a.deadline_at, a.acknowledged_at, a.outcome, a.outcome_notes, a.resolved_at,
        d.via AS duress_via, d.case_reference AS duress_case_reference, d.location AS duress_location
      FROM alerts a LEFT JOIN duress_alarms d ON d.alert_id = a.id WHERE a.worker_id = ${staffId} ORDER BY a.opened_at, a.id`,
        db,
      ),
    incidents: (staffId: number) =>
      rows(
        sql<Row>`
      SELECT i.id, CASE WHEN i.employee_id = ${staffId} AND i.reported_by = ${staffId} THEN 'involved and reported'
          WHEN i.employee_id = ${staffId} THEN 'involved' ELSE 'reported' END AS their_part,
        i.status, i.occurred_at, i.location, i.categories, i.lone_working, i.injured, i.injury_nature, i.injury_body_part, i.days_off, i.narrative,
        i.perpetrator_type, i.perpetrator_case_system, i.perpetrator_case_id, i.others_present, i.witnesses, i.police_reported, i.crime_reference,
        i.police_outcome, i.court_outcome, i.riddor_kind, i.hse_reference, i.submitted_at, i.closed_at, i.response_notes
      FROM incidents i WHERE (i.employee_id = ${staffId} OR i.reported_by = ${staffId}) AND i.status <> 'draft' ORDER BY i.occurred_at, i.id`,
        db,
      ),
    complaints: (staffId: number) =>
      rows(
        sql<Row>`
      SELECT c.id, c.reference, c.received_on::text AS received_on, c.procedure, c.channel, c.complainant_type, c.complainant_name, c.complainant_contact,
        c.household, c.summary, c.outcome, c.closed_on::text AS closed_on, c.learning,
        (SELECT string_agg(a.category || coalesce(': ' || a.finding, ''), '; ' ORDER BY a.id) FROM complaint_allegations a WHERE a.complaint_id = c.id) AS allegations,
        (SELECT string_agg(a.detail, '; ' ORDER BY a.id) FROM complaint_allegations a WHERE a.complaint_id = c.id) AS allegation_details,
        (SELECT string_agg(x.kind || coalesce(': ' || x.disciplinary_outcome, ''), '; ' ORDER BY x.id) FROM complaint_actions x WHERE x.complaint_id = c.id AND (x.staff_id = ${staffId} OR x.staff_id IS NULL)) AS actions
      FROM complaints c WHERE EXISTS (SELECT 1 FROM complaint_staff s WHERE s.complaint_id = c.id AND s.staff_id = ${staffId}) ORDER BY c.received_on, c.id`,
        db,
      ),
    declarations: (staffId: number) =>
      rows(
        sql<Row>`
      SELECT d.id, d.year, d.no_conflict, d.declared_at, i.kind, i.description, i.consent_needed, i.consent_reference, i.management_action, i.signed_off_name, i.signed_off_at
      FROM interest_declarations d LEFT JOIN declared_interests i ON i.declaration_id = d.id WHERE d.staff_id = ${staffId} ORDER BY d.year, d.id, i.id`,
        db,
      ),
    gifts: (staffId: number) =>
      rows(
        sql<Row>`
      SELECT g.id, g.kind, g.offered_on::text AS offered_on, g.description, g.offered_by, g.value_pence, g.response, g.reason, g.status, g.decided_by_name, g.decided_at, g.decision_note
      FROM gift_entries g WHERE g.staff_id = ${staffId} ORDER BY g.offered_on, g.id`,
        db,
      ),
    packViews: (staffId: number) =>
      rows(
        sql<Row>`
      SELECT v.viewed_at, v.viewer_name, v.reason, v.alert_id FROM emergency_pack_views v WHERE v.staff_id = ${staffId} ORDER BY v.viewed_at, v.id`,
        db,
      ),

    // ---- Members of the public, by name and reference ----
    complainant: (name: string, reference: string) =>
      rows(
        sql<Row>`
      SELECT c.id, c.reference, c.received_on::text AS received_on, c.procedure, c.channel, c.complainant_type, c.complainant_name, c.complainant_contact,
        c.household, c.summary, c.outcome, c.closed_on::text AS closed_on,
        (SELECT string_agg(a.category || coalesce(': ' || a.detail, ''), '; ' ORDER BY a.id) FROM complaint_allegations a WHERE a.complaint_id = c.id) AS allegations,
        (SELECT string_agg(s.given_name || ' ' || s.family_name, '; ' ORDER BY s.id) FROM complaint_staff x JOIN staff s ON s.id = x.staff_id WHERE x.complaint_id = c.id) AS staff_named
      FROM complaints c WHERE lower(c.reference) = lower(${reference}) AND lower(trim(c.complainant_name)) = lower(trim(${name}))`,
        db,
      ),
    foiRequester: (name: string, reference: string) =>
      rows(
        sql<Row>`
      SELECT r.id, r.reference, r.regime, r.title, r.requester_name, r.requester_contact, r.received_on::text AS received_on, r.status, r.responded_on::text AS responded_on, r.closed_at,
        (SELECT string_agg(q.position || '. ' || q.text, E'\n' ORDER BY q.position) FROM foi_questions q WHERE q.request_id = r.id) AS questions
      FROM foi_requests r WHERE lower(r.reference) = lower(${reference}) AND lower(trim(r.requester_name)) = lower(trim(${name}))`,
        db,
      ),
    /** Warning flags carry a case reference, not a name: matched by the case reference; the name is checked by the officer against the description. */
    flags: (reference: string) =>
      rows(
        sql<Row>`
      SELECT f.id, f.case_system, f.case_id, f.postcode, f.category, f.description, f.raised_at, f.expires_at, f.withdrawn_at
      FROM warning_flags f WHERE upper(f.case_id) = upper(${reference}) ORDER BY f.raised_at, f.id`,
        db,
      ),
    incidentsAboutCase: (reference: string) =>
      rows(
        sql<Row>`
      SELECT i.id, i.occurred_at, i.categories, i.perpetrator_type, i.perpetrator_case_id, i.narrative, i.police_reported, i.police_outcome, i.court_outcome
      FROM incidents i WHERE upper(i.perpetrator_case_id) = upper(${reference}) AND i.status IN ('open', 'closed') ORDER BY i.occurred_at, i.id`,
        db,
      ),
  };
}

export type SubjectAccessRepository = ReturnType<typeof buildSubjectAccessRepository>;
