import { sql, type Kysely, type SelectQueryBuilder, type Transaction, type Updateable } from 'kysely';
import type { DB } from '../../db/schema.ts';
import type { Executor } from '../audit/repository.ts';
import { insertInboxMessages } from '../notifications/inbox-insert.ts';
import { inTransaction } from '../../db/transaction.ts';
import { name } from './staff-name.ts';
import { buildIncidentStatisticsRepository } from './statistics-repository.ts';

export type IncidentPatch = Updateable<DB['incidents']>;

export type IncidentScope = 'all' | { staffId: number; reportIds: number[] };
export interface IncidentListFilter {
  q?: string | null;
  status?: IncidentListStatus | null;
  limit?: number;
  offset?: number;
}
export type IncidentListStatus = 'draft' | 'open' | 'awaiting_confirmation' | 'closed';

/** The visibility rule and the filters, on any query that joins incidents i, staff e and staff r. */
function scoped(scope: IncidentScope, filter: IncidentListFilter) {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- shared by the row and the count query, whose selections differ
  return <Q extends SelectQueryBuilder<any, any, any>>(query: Q): Q => {
    let q = query as unknown as SelectQueryBuilder<
      DB & { i: DB['incidents']; e: DB['staff']; r: DB['staff'] },
      'i' | 'e' | 'r',
      object
    >;
    if (scope === 'all') {
      q = q.where('i.status', '<>', 'draft');
    } else {
      q = q.where((eb) =>
        eb.or([
          eb('i.reported_by', '=', scope.staffId),
          eb.and([eb('i.status', '<>', 'draft'), eb('i.employee_id', '=', scope.staffId)]),
          ...(scope.reportIds.length
            ? [eb.and([eb('i.status', '<>', 'draft'), eb('i.employee_id', 'in', scope.reportIds)])]
            : []),
        ]),
      );
    }
    if (filter.status) q = q.where('i.status', '=', filter.status);
    const text = filter.q?.trim();
    if (text) {
      const like = `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
      q = q.where((eb) =>
        eb.or([
          eb(sql<string>`${name('e')}`, 'ilike', like),
          eb(sql<string>`coalesce(${name('r')}, '')`, 'ilike', like),
          eb(sql<string>`coalesce(i.location, '')`, 'ilike', like),
          ...(/^\d{1,9}$/.test(text) ? [eb('i.id', '=', Number(text))] : []),
        ]),
      );
    }
    return q as unknown as Q;
  };
}

export function buildIncidentsRepository(db: Kysely<DB>) {
  const withPeople = (ex: Executor) =>
    ex
      .selectFrom('incidents as i')
      .innerJoin('staff as e', 'e.id', 'i.employee_id')
      .leftJoin('staff as r', 'r.id', 'i.reported_by')
      .leftJoin('staff as m', 'm.id', 'i.responded_by')
      .selectAll('i')
      .leftJoin('staff as x', 'x.id', 'i.meeting_escalated_to')
      .select([
        name('e').as('employee_name'),
        name('r').as('reporter_name'),
        name('m').as('responder_name'),
        'e.team_id as employee_team_id',
        name('x').as('escalated_to_name'),
        // Dates as yyyy-mm-dd text, the same on both engines.
        sql<string | null>`i.police_reported_on::text`.as('police_on'),
        sql<string | null>`i.riddor_report_by::text`.as('riddor_due_on'),
        sql<string | null>`i.hse_reported_on::text`.as('hse_on'),
      ]);

  return {
    ...buildIncidentStatisticsRepository(db),

    /** Runs the work in one transaction (retried on a deadlock or serialisation conflict). */
    transaction: <T>(fn: (trx: Transaction<DB>) => Promise<T>) => inTransaction(db, fn),

    get: (id: number, ex: Executor = db) => withPeople(ex).where('i.id', '=', id).executeTakeFirst(),

    async create(
      ex: Executor,
      row: { employeeId: number; reportedBy: number | null; reportedByAccount: number },
      patch: IncidentPatch,
    ) {
      return (
        await ex
          .insertInto('incidents')
          .values({
            employee_id: row.employeeId,
            reported_by: row.reportedBy,
            reported_by_account: row.reportedByAccount,
            ...(patch as object),
          })
          .returning('id')
          .executeTakeFirstOrThrow()
      ).id;
    },

    async update(ex: Executor, id: number, patch: IncidentPatch) {
      await ex
        .updateTable('incidents')
        .set({ ...patch, updated_at: new Date() })
        .where('id', '=', id)
        .execute();
    },

    /**
     * Incidents the person may see: their own (as the employee or the reporter; drafts only their own
     * as reporter) and, as a manager, those of the people below them; or all submitted ones. Filtered
     * by a search (the name of the person it happened to or of the reporter, the place or a number)
     * and a status; a page of them, newest first, and how many there are in all.
     */
    async list(scope: IncidentScope, filter: IncidentListFilter = {}, ex: Executor = db) {
      const where = scoped(scope, filter);
      const [rows, count] = await Promise.all([
        where(withPeople(ex))
          .orderBy(sql`i.occurred_at DESC NULLS FIRST`)
          .orderBy('i.id', 'desc')
          .limit(filter.limit ?? 50)
          .offset(filter.offset ?? 0)
          .execute(),
        where(
          ex
            .selectFrom('incidents as i')
            .innerJoin('staff as e', 'e.id', 'i.employee_id')
            .leftJoin('staff as r', 'r.id', 'i.reported_by'),
        )
          .select((eb) => eb.fn.countAll<string>().as('n'))
          .executeTakeFirstOrThrow(),
      ]);
      return { rows, total: Number(count.n) };
    },

    /** People by id with their names, for the "who did it happen to" choice. */
    staffNamed: (ids: number[], ex: Executor = db) =>
      ids.length
        ? ex
            .selectFrom('staff as s')
            .select(['s.id', name('s').as('name')])
            .where('s.id', 'in', ids)
            .where('s.active', '=', true)
            .orderBy('s.family_name')
            .orderBy('s.given_name')
            .execute()
        : Promise.resolve([]),

    /** The worker and visit of an alert, to pre-fill a report started from it. */
    alert: (id: number, ex: Executor = db) =>
      ex
        .selectFrom('alerts')
        .select(['id', 'worker_id', 'visit_id', 'opened_at'])
        .where('id', '=', String(id))
        .executeTakeFirst(),

    /** Where and when a visit was, to pre-fill a report started from it. */
    visit: (id: number, ex: Executor = db) =>
      ex
        .selectFrom('visits')
        .select([
          'id',
          'worker_id',
          'kind',
          'address',
          'postcode',
          'starts_at',
          'arrived_at',
          'case_system',
          'case_id',
          'building_id',
        ])
        .where('id', '=', id)
        .executeTakeFirst(),

    // ---- Escalation and alerts ----

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

    // ---- Investigation (HS160), actions, flags, legal actions ----

    investigation: (id: number, ex: Executor = db) =>
      ex
        .selectFrom('incident_investigations as v')
        .leftJoin('staff as s', 's.id', 'v.closed_by')
        .selectAll('v')
        .select(name('s').as('closed_by_name'))
        .where('v.incident_id', '=', id)
        .executeTakeFirst(),

    async saveInvestigation(
      ex: Executor,
      id: number,
      patch: Omit<Updateable<DB['incident_investigations']>, 'incident_id'>,
      by: number | null,
    ) {
      const at = new Date();
      await ex
        .insertInto('incident_investigations')
        .values({ incident_id: id, ...(patch as object), started_by: by, started_at: at, updated_at: at } as never)
        .onConflict((oc) => oc.column('incident_id').doUpdateSet({ ...(patch as object), updated_at: at } as never))
        .execute();
    },

    /** Closes the incident's investigation, with who closed it and when. */
    async closeInvestigation(ex: Executor, incidentId: number, by: number | null, at: Date) {
      await ex
        .updateTable('incident_investigations')
        .set({ closed_at: at, closed_by: by })
        .where('incident_id', '=', incidentId)
        .execute();
    },

    actions: (id: number, ex: Executor = db) =>
      ex
        .selectFrom('incident_actions as a')
        .innerJoin('staff as o', 'o.id', 'a.owner_id')
        .select([
          'a.id',
          'a.description',
          'a.owner_id',
          sql<string>`a.due_on::text`.as('due_on'),
          'a.done_at',
          name('o').as('owner_name'),
        ])
        .where('a.incident_id', '=', id)
        .orderBy('a.due_on')
        .orderBy('a.id')
        .execute(),

    async addAction(ex: Executor, id: number, a: { description: string; ownerId: number; dueOn: string }) {
      return (
        await ex
          .insertInto('incident_actions')
          .values({ incident_id: id, description: a.description, owner_id: a.ownerId, due_on: a.dueOn })
          .returning('id')
          .executeTakeFirstOrThrow()
      ).id;
    },

    /** Marks an action of this incident done; false if it is not one of its actions. Done stays done. */
    async actionDone(ex: Executor, incidentId: number, actionId: number, by: number | null, at: Date) {
      const row = await ex
        .selectFrom('incident_actions')
        .select(['id', 'done_at'])
        .where('id', '=', actionId)
        .where('incident_id', '=', incidentId)
        .executeTakeFirst();
      if (!row) return false;
      if (!row.done_at)
        await ex.updateTable('incident_actions').set({ done_at: at, done_by: by }).where('id', '=', actionId).execute();
      return true;
    },

    flags: (id: number, ex: Executor = db) =>
      ex
        .selectFrom('incident_flags as l')
        .innerJoin('warning_flags as f', 'f.id', 'l.flag_id')
        .select([
          'f.id',
          'l.subject',
          'l.reason',
          sql<string>`l.review_on::text`.as('review_on'),
          'f.case_system',
          'f.case_id',
          'f.postcode',
          'f.category',
          'f.expires_at',
          'f.withdrawn_at',
          'l.raised_at',
        ])
        .where('l.incident_id', '=', id)
        .orderBy('l.raised_at')
        .execute(),

    async linkFlag(
      ex: Executor,
      l: {
        incidentId: number;
        flagId: number;
        subject: string;
        reason: string;
        reviewOn: string;
        raisedBy: number | null;
      },
    ) {
      await ex
        .insertInto('incident_flags')
        .values({
          incident_id: l.incidentId,
          flag_id: l.flagId,
          subject: l.subject,
          reason: l.reason,
          review_on: l.reviewOn,
          raised_by: l.raisedBy,
        })
        .execute();
    },

    /** Active staff in the employee's team (the team is told about flags), excluding nobody. */
    teamOf: async (employeeId: number, ex: Executor = db) =>
      (
        await ex
          .selectFrom('staff as s')
          .innerJoin('staff as e', 'e.team_id', 's.team_id')
          .select('s.id')
          .where('e.id', '=', employeeId)
          .where('s.active', '=', true)
          .execute()
      ).map((r) => r.id),

    /** Live flags raised from incidents, with what review alerts have been sent. */
    flagsForReview: (now: Date, ex: Executor = db) =>
      ex
        .selectFrom('incident_flags as l')
        .innerJoin('warning_flags as f', 'f.id', 'l.flag_id')
        .innerJoin('incidents as i', 'i.id', 'l.incident_id')
        .select([
          'l.incident_id',
          'l.flag_id',
          'l.reason',
          sql<string>`l.review_on::text`.as('review_on'),
          'l.raised_by',
          'i.employee_id',
          'f.case_system',
          'f.case_id',
          'f.postcode',
          sql<
            string[]
          >`coalesce((SELECT array_agg(a.kind) FROM incident_alerts a WHERE a.incident_id = l.incident_id AND a.kind LIKE 'flag.%'), '{}')`.as(
            'sent',
          ),
        ])
        .where('f.withdrawn_at', 'is', null)
        // Live, or expired within the last 30 days (to say so once).
        .where((eb) =>
          eb.or([eb('f.expires_at', 'is', null), eb('f.expires_at', '>', new Date(now.getTime() - 30 * 86_400_000))]),
        )
        .orderBy('l.review_on')
        .execute(),

    async setFlagReview(ex: Executor, incidentId: number, flagId: number, reviewOn: string) {
      const row = await ex
        .updateTable('incident_flags')
        .set({ review_on: reviewOn })
        .where('incident_id', '=', incidentId)
        .where('flag_id', '=', flagId)
        .returning('flag_id')
        .executeTakeFirst();
      return row !== undefined;
    },

    legalActions: (id: number, ex: Executor = db) =>
      ex
        .selectFrom('incident_legal_actions as a')
        .leftJoin('staff as s', 's.id', 'a.recorded_by')
        .select([
          'a.id',
          'a.kind',
          sql<string>`a.action_on::text`.as('action_on'),
          sql<string | null>`a.ends_on::text`.as('ends_on'),
          'a.notes',
          'a.recorded_at',
          name('s').as('recorded_by_name'),
        ])
        .where('a.incident_id', '=', id)
        .orderBy('a.action_on')
        .orderBy('a.id')
        .execute(),

    async addLegalAction(
      ex: Executor,
      id: number,
      a: { kind: string; actionOn: string; endsOn: string | null; notes: string | null },
      by: number | null,
    ) {
      return (
        await ex
          .insertInto('incident_legal_actions')
          .values({
            incident_id: id,
            kind: a.kind,
            action_on: a.actionOn,
            ends_on: a.endsOn,
            notes: a.notes,
            recorded_by: by,
          })
          .returning('id')
          .executeTakeFirstOrThrow()
      ).id;
    },

    /** Open actions of an incident (for closing). */
    openActionCount: async (id: number, ex: Executor = db) =>
      Number(
        (
          await ex
            .selectFrom('incident_actions')
            .select(sql<string>`count(*)`.as('n'))
            .where('incident_id', '=', id)
            .where('done_at', 'is', null)
            .executeTakeFirstOrThrow()
        ).n,
      ),

    teams: (ex: Executor = db) => ex.selectFrom('teams').select(['id', 'name']).orderBy('name').execute(),
    buildings: (ex: Executor = db) => ex.selectFrom('buildings').select(['id', 'name']).orderBy('name').execute(),

    /** For the import: staff by employee number (upper case), and buildings by name (lower case). */
    async importContext(ex: Executor = db) {
      const [people, buildings, refs] = await Promise.all([
        ex.selectFrom('staff').select(['id', 'employee_number']).execute(),
        ex.selectFrom('buildings').select(['id', 'name']).execute(),
        ex.selectFrom('incidents').select('import_reference').where('import_reference', 'is not', null).execute(),
      ]);
      return {
        staff: new Map(people.map((p) => [p.employee_number.toUpperCase(), p.id])),
        buildings: new Map(buildings.map((b) => [b.name.toLowerCase(), b.id])),
        references: new Set(refs.map((r) => r.import_reference!.toUpperCase())),
      };
    },
  };
}

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

export type IncidentsRepository = ReturnType<typeof buildIncidentsRepository>;
export type IncidentRow = NonNullable<Awaited<ReturnType<IncidentsRepository['get']>>>;
