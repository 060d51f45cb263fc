import { sql, type Kysely } from 'kysely';
import type { DB } from '../../db/schema.ts';
import type { Executor } from '../audit/repository.ts';
import { insertInboxMessages } from '../notifications/inbox-insert.ts';

/** The escalation job reads its work in batches of this many, and takes every batch (no silent cap). */
export const JOB_BATCH = 500;

/** Every row of a query read in batches by id: the next batch starts after the last id of the one before. */
export async function* allBatches<T extends { id: number }>(
  batch: (afterId: number) => Promise<T[]>,
): AsyncGenerator<T> {
  for (let afterId = 0; ;) {
    const rows = await batch(afterId);
    yield* rows;
    if (rows.length < JOB_BATCH) return;
    afterId = rows[rows.length - 1]!.id;
  }
}

/** The jobs' reads and claims: missed and coming meetings and their escalation, RIDDOR alerts, the messages they send. */
export function buildIncidentEscalationRepository(db: Kysely<DB>) {
  return {
    /** Open incidents whose meeting deadline has passed with no meeting and no escalation yet: a batch after `afterId` (the job takes every batch). */
    missedMeetings: (now: Date, afterId = 0, ex: Executor = db) =>
      ex
        .selectFrom('incidents')
        .select([
          'id',
          'employee_id',
          'status',
          'occurred_at',
          'meeting_due_at',
          'meeting_held_at',
          'meeting_escalated_at',
        ])
        .where('status', '=', 'open')
        .where('meeting_held_at', 'is', null)
        .where('meeting_escalated_at', 'is', null)
        .where('meeting_due_at', '<', now)
        .where('id', '>', afterId)
        .orderBy('id')
        .limit(JOB_BATCH)
        .execute(),

    /** Open incidents whose meeting is due within 12 hours and not yet held, not yet reminded: a batch after `afterId`. */
    meetingsDueSoon: (now: Date, afterId = 0, ex: Executor = db) =>
      ex
        .selectFrom('incidents as i')
        .select([
          'i.id',
          'i.employee_id',
          'i.status',
          'i.categories',
          'i.meeting_due_at',
          'i.meeting_held_at',
          'i.meeting_escalated_at',
        ])
        .where('i.status', '=', 'open')
        .where('i.meeting_held_at', 'is', null)
        .where('i.meeting_escalated_at', 'is', null)
        .where('i.meeting_due_at', '>', now)
        .where('i.meeting_due_at', '<=', new Date(now.getTime() + 12 * 3_600_000))
        .where(({ not, exists, selectFrom }) =>
          not(
            exists(
              selectFrom('incident_alerts as a')
                .select('a.kind')
                .whereRef('a.incident_id', '=', 'i.id')
                .where('a.kind', '=', 'meeting.reminder'),
            ),
          ),
        )
        .where('i.id', '>', afterId)
        .orderBy('i.id')
        .limit(JOB_BATCH)
        .execute(),

    /** Claims the escalation of one incident: true for exactly one caller, however many run at once. */
    async claimEscalation(ex: Executor, id: number, to: number | null, at: Date) {
      const row = await ex
        .updateTable('incidents')
        .set({ meeting_escalated_at: at, meeting_escalated_to: to })
        .where('id', '=', id)
        .where('meeting_escalated_at', 'is', null)
        .where('meeting_held_at', 'is', null)
        .returning('id')
        .executeTakeFirst();
      return row !== undefined;
    },

    /** An in-Harbour message (the dispatcher delivers inbox rows). */
    async notify(ex: Executor, n: { recipientId: number; subject: string; body: string; link: string; at: Date }) {
      await insertInboxMessages(ex, [
        { recipientId: n.recipientId, subject: n.subject, body: n.body, link: n.link, at: n.at },
      ]);
    },

    /** Staff whose sign-in account has the health and safety officer role. */
    healthAndSafetyStaff: (ex: Executor = db) =>
      ex
        .selectFrom('accounts')
        .select('staff_id')
        .where(sql<boolean>`'health_and_safety_officer' = ANY(roles)`)
        .where('disabled_at', 'is', null)
        .where('staff_id', 'is not', null)
        .execute()
        .then((rows) => rows.map((r) => r.staff_id!)),

    /** Reportable incidents not yet reported to the HSE, with the alerts already sent. */
    riddorOutstanding: (ex: Executor = db) =>
      ex
        .selectFrom('incidents as i')
        .select([
          'i.id',
          'i.riddor_kind',
          sql<string>`i.riddor_report_by::text`.as('report_by'),
          sql<
            string[]
          >`coalesce((SELECT array_agg(a.kind) FROM incident_alerts a WHERE a.incident_id = i.id), '{}')`.as('sent'),
        ])
        .where('i.status', '<>', 'draft')
        .where('i.riddor_report_by', 'is not', null)
        .where('i.hse_reported_on', 'is', null)
        .orderBy('i.riddor_report_by')
        .execute(),

    /** Records alerts as sent; false if another run recorded one of them first. */
    async recordAlerts(ex: Executor, incidentId: number, kinds: string[], at: Date) {
      if (!kinds.length) return true;
      const rows = await ex
        .insertInto('incident_alerts')
        .values(kinds.map((kind) => ({ incident_id: incidentId, kind, sent_at: at })))
        .onConflict((oc) => oc.columns(['incident_id', 'kind']).doNothing())
        .returning('kind')
        .execute();
      return rows.length === kinds.length;
    },
  };
}
