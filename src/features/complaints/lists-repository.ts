import { sql, type Kysely } from 'kysely';
import type { DB } from '../../db/schema.ts';
import { complaintWithTeam, day, dayNN } from './repository-sql.ts';

export interface ListFilter {
  from?: string | null;
  to?: string | null;
  teamId?: number | null;
  staffId?: number | null;
  status?: 'open' | 'closed' | null;
  /** The current (latest) stage. */
  stage?: number | null;
  /** Reference or a member of staff's name; the complainant's name too when `searchComplainant`. */
  q?: string | null;
  searchComplainant?: boolean;
}

/** Complaints in bulk: who may see which, the list, every stage and the dismissals, for lists, deadlines and statistics. */
export function buildComplaintListsRepository(db: Kysely<DB>) {
  return {
    /**
     * The complaints a manager may see (context.ts `lineOf`): naming someone in their
     * management line, or recorded against a team of it; never one that names the manager.
     */
    async visibleTo(
      selfId: number,
      staffIds: number[],
      teamIds: number[],
      onlyIds: number[] | null = null,
    ): Promise<Set<number>> {
      const { rows } = await sql<{ id: number }>`SELECT c.id FROM complaints c
        WHERE (c.team_id = ANY(${teamIds}::int[]) OR EXISTS (SELECT 1 FROM complaint_staff cs WHERE cs.complaint_id = c.id AND cs.staff_id = ANY(${staffIds}::int[])))
          AND NOT EXISTS (SELECT 1 FROM complaint_staff cs WHERE cs.complaint_id = c.id AND cs.staff_id = ${selfId})
          ${onlyIds === null ? sql`` : sql`AND c.id = ANY(${onlyIds}::int[])`}`.execute(db);
      return new Set(rows.map((r) => r.id));
    },
    /** One row per complaint for lists, patterns and statistics (no complainant contact details). */
    async summaries(f: ListFilter = {}) {
      let q = complaintWithTeam(db).select([
        'c.id',
        'c.reference',
        dayNN('c.received_on', 'received_on'),
        'c.procedure',
        'c.complainant_type',
        'c.complainant_name',
        'c.household',
        'c.team_id',
        day('c.withdrawn_on', 'withdrawn_on'),
        day('c.not_investigated_on', 'not_investigated_on'),
        'c.outcome',
        day('c.closed_on', 'closed_on'),
        't.name as team_name',
        'c.source',
        sql<
          number[]
        >`coalesce((SELECT array_agg(cs.staff_id ORDER BY cs.staff_id) FROM complaint_staff cs WHERE cs.complaint_id = c.id), '{}')`.as(
          'staff_ids',
        ),
        sql<
          string | null
        >`(SELECT string_agg(s.given_name || ' ' || s.family_name, ', ' ORDER BY s.family_name) FROM complaint_staff cs JOIN staff s ON s.id = cs.staff_id WHERE cs.complaint_id = c.id)`.as(
          'staff_names',
        ),
        sql<
          string[]
        >`coalesce((SELECT array_agg(a.category ORDER BY a.id) FROM complaint_allegations a WHERE a.complaint_id = c.id), '{}')`.as(
          'categories',
        ),
        sql<number | null>`(SELECT max(st.stage) FROM complaint_stages st WHERE st.complaint_id = c.id)`.as('stage'),
      ]);
      if (f.from) q = q.where('c.received_on', '>=', f.from);
      if (f.to) q = q.where('c.received_on', '<=', f.to);
      if (f.teamId) q = q.where('c.team_id', '=', f.teamId);
      if (f.staffId)
        q = q.where(({ exists, selectFrom }) =>
          exists(
            selectFrom('complaint_staff as cs')
              .select('cs.staff_id')
              .whereRef('cs.complaint_id', '=', 'c.id')
              .where('cs.staff_id', '=', f.staffId!),
          ),
        );
      if (f.status === 'open')
        q = q
          .where('c.closed_on', 'is', null)
          .where('c.withdrawn_on', 'is', null)
          .where('c.not_investigated_on', 'is', null);
      if (f.status === 'closed')
        q = q.where((eb) =>
          eb.or([
            eb('c.closed_on', 'is not', null),
            eb('c.withdrawn_on', 'is not', null),
            eb('c.not_investigated_on', 'is not', null),
          ]),
        );
      if (f.stage)
        q = q.where(
          sql<number | null>`(SELECT max(st.stage) FROM complaint_stages st WHERE st.complaint_id = c.id)`,
          '=',
          f.stage,
        );
      const text = f.q?.trim();
      if (text) {
        const like = `%${text.replace(/[\\%_]/g, (ch) => `\\${ch}`)}%`;
        q = q.where((eb) =>
          eb.or([
            eb(sql<string>`coalesce(c.reference, '')`, 'ilike', like),
            eb.exists(
              eb
                .selectFrom('complaint_staff as cs')
                .innerJoin('staff as s', 's.id', 'cs.staff_id')
                .select('cs.staff_id')
                .whereRef('cs.complaint_id', '=', 'c.id')
                .where(sql<string>`s.given_name || ' ' || s.family_name`, 'ilike', like),
            ),
            ...(f.searchComplainant ? [eb(sql<string>`coalesce(c.complainant_name, '')`, 'ilike', like)] : []),
          ]),
        );
      }
      return q.orderBy('c.received_on', 'desc').orderBy('c.id', 'desc').execute();
    },
    /** Every stage with its complaint's state: for breaches, time to respond and reminders. */
    allStages(f: { from?: string | null; to?: string | null } = {}) {
      let q = db
        .selectFrom('complaint_stages as s')
        .innerJoin('complaints as c', 'c.id', 's.complaint_id')
        .select([
          's.id',
          's.complaint_id',
          's.stage',
          dayNN('s.started_on', 'started_on'),
          day('s.extended_to', 'extended_to'),
          day('s.panel_held_on', 'panel_held_on'),
          day('s.report_on', 'report_on'),
          day('s.responded_on', 'responded_on'),
          'c.reference',
          'c.team_id',
          sql<boolean>`(c.withdrawn_on IS NOT NULL OR c.not_investigated_on IS NOT NULL OR c.closed_on IS NOT NULL)`.as(
            'finished',
          ),
        ]);
      if (f.from) q = q.where('c.received_on', '>=', f.from);
      if (f.to) q = q.where('c.received_on', '<=', f.to);
      return q.orderBy('s.complaint_id').orderBy('s.stage').execute();
    },
    /** Actions with a disciplinary outcome of dismissal dated within the period, with the person's post. */
    dismissals(from: string, to: string) {
      return db
        .selectFrom('complaint_actions as a')
        .innerJoin('complaints as c', 'c.id', 'a.complaint_id')
        .leftJoin('staff as s', 's.id', 'a.staff_id')
        .select([
          'a.id',
          'a.complaint_id',
          'c.reference',
          day('a.outcome_on', 'outcome_on'),
          'a.staff_id',
          's.given_name',
          's.family_name',
          's.job_role',
        ])
        .where('a.disciplinary_outcome', '=', 'dismissal')
        .where('a.outcome_on', '>=', from)
        .where('a.outcome_on', '<=', to)
        .orderBy('a.outcome_on')
        .execute();
    },
  };
}
