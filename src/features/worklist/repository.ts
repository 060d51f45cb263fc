import { sql, type Kysely } from 'kysely';
import type { DB } from '../../db/schema.ts';

const n = (v: unknown) => Number(v ?? 0);

/** Counts behind each role's "Your work" panel on the home page. */
export function buildWorklistRepository(db: Kysely<DB>) {
  return {
    /** Health and safety: RIDDOR reports not yet made (reportable incidents only: every submitted one has a riddor_kind), and overdue; serious incidents open; incidents open. */
    async healthAndSafety(today: string) {
      const r = await db
        .selectFrom('incidents')
        .select([
          sql<number>`count(*) FILTER (WHERE riddor_report_by IS NOT NULL AND hse_reported_on IS NULL AND closed_at IS NULL)`.as(
            'riddor_due',
          ),
          sql<number>`count(*) FILTER (WHERE riddor_report_by IS NOT NULL AND hse_reported_on IS NULL AND closed_at IS NULL AND riddor_report_by < ${today})`.as(
            'riddor_overdue',
          ),
          sql<number>`count(*) FILTER (WHERE (serious OR marked_serious) AND status = 'open')`.as('serious_open'),
          sql<number>`count(*) FILTER (WHERE status = 'open')`.as('open'),
        ])
        .where('status', '<>', 'draft')
        .executeTakeFirstOrThrow();
      return {
        riddorDue: n(r.riddor_due),
        riddorOverdue: n(r.riddor_overdue),
        seriousOpen: n(r.serious_open),
        open: n(r.open),
      };
    },

    /** A manager: reports from their people awaiting the manager's response, and post-incident meetings overdue. */
    async manager(reportIds: number[], at: Date) {
      if (!reportIds.length) return { awaitingResponse: 0, meetingsOverdue: 0 };
      const r = await db
        .selectFrom('incidents')
        .select([
          sql<number>`count(*) FILTER (WHERE status = 'open' AND responded_at IS NULL)`.as('awaiting'),
          sql<number>`count(*) FILTER (WHERE status = 'open' AND meeting_due_at < ${at} AND meeting_held_at IS NULL)`.as(
            'meetings',
          ),
        ])
        .where('employee_id', 'in', reportIds)
        .executeTakeFirstOrThrow();
      return { awaitingResponse: n(r.awaiting), meetingsOverdue: n(r.meetings) };
    },

    /** The registers officer: active staff with no declaration of interests for this year. */
    async declarationsMissing(year: number) {
      const r = await db
        .selectFrom('staff as s')
        .select(sql<number>`count(*)`.as('n'))
        .where('s.active', '=', true)
        .where(({ not, exists, selectFrom }) =>
          not(
            exists(
              selectFrom('interest_declarations as d')
                .select('d.id')
                .whereRef('d.staff_id', '=', 's.id')
                .where('d.year', '=', year),
            ),
          ),
        )
        .executeTakeFirstOrThrow();
      return n(r.n);
    },

    /** Administrators: active staff with no buddy, and with no line manager. */
    async organisationGaps() {
      const r = await db
        .selectFrom('staff')
        .select([
          sql<number>`count(*) FILTER (WHERE buddy_id IS NULL)`.as('no_buddy'),
          sql<number>`count(*) FILTER (WHERE line_manager_id IS NULL)`.as('no_manager'),
        ])
        .where('active', '=', true)
        .executeTakeFirstOrThrow();
      return { noBuddy: n(r.no_buddy), noManager: n(r.no_manager) };
    },
  };
}

export type WorklistRepository = ReturnType<typeof buildWorklistRepository>;
