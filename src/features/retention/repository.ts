import { sql, type Kysely } from 'kysely';
import type { DB } from '../../db/schema.ts';
import type { Executor } from '../audit/repository.ts';
import type { HoldableKind } from './rules.ts';

const notDone = (kind: string, idSql: ReturnType<typeof sql>) =>
  sql<boolean>`NOT EXISTS (SELECT 1 FROM retention_done d WHERE d.kind = ${kind} AND d.record_id = (${idSql})::text)`;
const held = (kind: string, idSql: ReturnType<typeof sql>) =>
  sql<boolean>`EXISTS (SELECT 1 FROM legal_holds h WHERE h.kind = ${kind} AND h.record_id = (${idSql})::text AND h.released_at IS NULL)`;

/** Allegation categories and referrals that make a complaint an allegation about staff who work with children. */
export const CHILD_ALLEGATION_PREFIX = 'ca_';
export const REGULATOR_REFERRALS = ['swe', 'gscc', 'hcpc'];

const ERASED = 'Removed under the retention schedule';

/** All SQL for the retention schedule: candidates, legal holds, and the erasing and anonymising itself. */
export function buildRetentionRepository(db: Kysely<DB>) {
  return {
    // ---- Legal holds ----
    openHolds() {
      return db
        .selectFrom('legal_holds')
        .selectAll()
        .where('released_at', 'is', null)
        .orderBy('placed_at', 'desc')
        .execute();
    },
    hold(id: number) {
      return db.selectFrom('legal_holds').selectAll().where('id', '=', id).executeTakeFirst();
    },
    async placeHold(
      trx: Executor,
      h: { kind: HoldableKind; recordId: string; reason: string; by: number | null; byName: string },
    ) {
      const row = await trx
        .insertInto('legal_holds')
        .values({ kind: h.kind, record_id: h.recordId, reason: h.reason, placed_by: h.by, placed_by_name: h.byName })
        .onConflict((oc) => oc.columns(['kind', 'record_id']).where('released_at', 'is', null).doNothing())
        .returning('id')
        .executeTakeFirst();
      return row?.id ?? null;
    },
    async releaseHold(trx: Executor, id: number, by: number | null, reason: string) {
      const r = await trx
        .updateTable('legal_holds')
        .set({ released_at: sql<Date>`now()`, released_by: by, release_reason: reason })
        .where('id', '=', id)
        .where('released_at', 'is', null)
        .executeTakeFirst();
      return Number(r.numUpdatedRows) === 1;
    },
    /** Whether the record a hold names exists (a hold on nothing is a typing mistake). */
    async recordExists(kind: HoldableKind, recordId: string): Promise<boolean> {
      const n = Number(recordId);
      if (kind === 'register_entry') {
        const [prefix, id] = recordId.split(':');
        if (!id || !/^\d+$/.test(id)) return false;
        if (prefix === 'gift')
          return !!(await db.selectFrom('gift_entries').select('id').where('id', '=', Number(id)).executeTakeFirst());
        if (prefix === 'declaration')
          return !!(await db
            .selectFrom('interest_declarations')
            .select('id')
            .where('id', '=', Number(id))
            .executeTakeFirst());
        return false;
      }
      if (!/^\d+$/.test(recordId) || n > 2_147_483_647) return false;
      const table = (
        {
          session: 'visits',
          incident: 'incidents',
          complaint: 'complaints',
          warning_flag: 'warning_flags',
          foi_request: 'foi_requests',
        } as const
      )[kind as 'session'];
      if (kind === 'emergency_pack')
        return !!(await db
          .selectFrom('emergency_packs')
          .select('staff_id')
          .where('staff_id', '=', n)
          .executeTakeFirst());
      return !!(await db.selectFrom(table).select('id').where('id', '=', n).executeTakeFirst());
    },

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

    // ---- Warning flags ----
    async flagCandidates(endedBefore: Date, after: number, limit: number) {
      const { rows } = await sql<{
        id: number;
        withdrawn_at: Date | null;
        expires_at: Date | null;
        held: boolean;
        open_incident: boolean;
      }>`
        SELECT f.id, f.withdrawn_at, f.expires_at, ${held('warning_flag', sql`f.id`)} AS held,
          EXISTS (SELECT 1 FROM incident_flags x JOIN incidents i ON i.id = x.incident_id WHERE x.flag_id = f.id AND i.status <> 'closed') AS open_incident
        FROM warning_flags f
        WHERE f.id > ${after} AND (f.withdrawn_at < ${endedBefore} OR (f.withdrawn_at IS NULL AND f.expires_at < ${endedBefore}))
        ORDER BY f.id LIMIT ${limit}`.execute(db);
      return rows;
    },
    async eraseFlag(trx: Executor, id: number) {
      await trx.deleteFrom('incident_flags').where('flag_id', '=', id).execute();
      await trx.deleteFrom('warning_flags').where('id', '=', id).execute();
      await done(trx, 'warning_flag', id, 'erase');
    },

    // ---- Registers ----
    async registerCandidates(yearBefore: number, after: string, limit: number) {
      const { rows } = await sql<{ record_id: string; year: number; held: boolean }>`
        SELECT * FROM (
          SELECT 'gift:' || g.id AS record_id, extract(year FROM g.offered_on)::int AS year, ${held('register_entry', sql`'gift:' || g.id`)} AS held FROM gift_entries g
          WHERE g.offered_on < make_date(${yearBefore}::int, 1, 1)
          UNION ALL
          SELECT 'declaration:' || d.id, d.year, ${held('register_entry', sql`'declaration:' || d.id`)} FROM interest_declarations d WHERE d.year < ${yearBefore}::int
        ) x WHERE record_id > ${after} ORDER BY record_id LIMIT ${limit}`.execute(db);
      return rows;
    },
    async eraseRegisterEntry(trx: Executor, recordId: string) {
      const [prefix, raw] = recordId.split(':');
      const id = Number(raw);
      if (prefix === 'gift') await trx.deleteFrom('gift_entries').where('id', '=', id).execute();
      else {
        await trx.deleteFrom('declared_interests').where('declaration_id', '=', id).execute();
        await trx.deleteFrom('interest_declarations').where('id', '=', id).execute();
      }
      await done(trx, 'register_entry', recordId, 'erase');
    },

    // ---- Emergency packs ----
    async packCandidates(after: number, limit: number) {
      const { rows } = await sql<{ staff_id: number; held: boolean }>`
        SELECT p.staff_id, ${held('emergency_pack', sql`p.staff_id`)} AS held FROM emergency_packs p JOIN staff s ON s.id = p.staff_id
        WHERE NOT s.active AND p.staff_id > ${after} ORDER BY p.staff_id LIMIT ${limit}`.execute(db);
      return rows;
    },
    async erasePack(trx: Executor, staffId: number) {
      await trx.deleteFrom('emergency_pack_reminders').where('staff_id', '=', staffId).execute();
      await trx.deleteFrom('emergency_packs').where('staff_id', '=', staffId).execute();
      await sql`INSERT INTO retention_done (kind, record_id, action) VALUES ('emergency_pack', ${String(staffId)}, 'erase')
        ON CONFLICT (kind, record_id) DO UPDATE SET done_at = now()`.execute(trx);
    },

    // ---- FOI requester details ----
    async foiCandidates(closedBefore: Date, after: number, limit: number) {
      const { rows } = await sql<{ id: number; reference: string; held: boolean }>`
        SELECT r.id, r.reference, ${held('foi_request', sql`r.id`)} AS held FROM foi_requests r
        WHERE r.closed_at < ${closedBefore} AND r.id > ${after} AND r.requester_erased_at IS NULL AND (r.requester_name IS NOT NULL OR r.requester_contact IS NOT NULL)
        ORDER BY r.id LIMIT ${limit}`.execute(db);
      return rows;
    },
    async eraseFoiRequester(trx: Executor, id: number) {
      await trx
        .updateTable('foi_requests')
        .set({ requester_name: null, requester_contact: null, requester_erased_at: sql<Date>`now()` })
        .where('id', '=', id)
        .execute();
      await done(trx, 'foi_request', id, 'erase');
    },

    // ---- Kept by the existing jobs: counted only ----
    async existingDue() {
      const { rows } = await sql<{ keys: number; sessions: number }>`
        SELECT (SELECT count(*)::int FROM idempotency_keys WHERE created_at < now() - interval '7 days') AS keys,
               (SELECT count(*)::int FROM sessions WHERE expires_at < now()) AS sessions`.execute(db);
      return rows[0]!;
    },

    // ---- Runs ----
    async startRun(trigger: 'job' | 'cli' | 'page') {
      return (await db.insertInto('retention_runs').values({ trigger }).returning('id').executeTakeFirstOrThrow()).id;
    },
    async finishRun(id: number, summary: unknown) {
      await db
        .updateTable('retention_runs')
        .set({ finished_at: sql<Date>`now()`, summary: JSON.stringify(summary) })
        .where('id', '=', id)
        .execute();
    },
    lastRun() {
      return db
        .selectFrom('retention_runs')
        .selectAll()
        .where('finished_at', 'is not', null)
        .orderBy('id', 'desc')
        .limit(1)
        .executeTakeFirst();
    },
  };
}

async function done(trx: Executor, kind: string, id: number | string, action: 'erase' | 'anonymise') {
  await trx
    .insertInto('retention_done')
    .values({ kind, record_id: String(id), action })
    .onConflict((oc) => oc.columns(['kind', 'record_id']).doNothing())
    .execute();
}

export type RetentionRepository = ReturnType<typeof buildRetentionRepository>;
