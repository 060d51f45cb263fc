import { sql, type Kysely } from 'kysely';
import type { DB } from '../../db/schema.ts';
import type { Executor } from '../audit/repository.ts';
import { done, held } from './retention-sql.ts';

/** The records erased (warning flags, register entries, emergency packs, FOI requesters' details): which are due, and the erasing. */
export function buildRetentionEraseRepository(db: Kysely<DB>) {
  return {
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
  };
}
