import { sql, type Kysely } from 'kysely';
import type { DB } from '../../db/schema.ts';
import type { Executor } from '../audit/repository.ts';
import { fetchPage } from '../../web/paging.ts';
import { buildDisclosureLogRepository } from './disclosure-log-repository.ts';
import { buildFoiUpkeepRepository, dateText } from './upkeep-repository.ts';

export interface RequestInput {
  refYear: number;
  refSeq: number;
  reference: string;
  regime: string;
  title: string;
  requesterName: string;
  requesterContact: string;
  receivedAt: Date;
  receivedOn: string;
  channel: string;
  assigneeId: number | null;
  createdBy: number;
  questions: string[];
}

export interface QuestionUpdate {
  outcome: string;
  answer: string | null;
  advice: string | null;
  exemption: string | null;
  exemptionReasons: string | null;
  statistic: string | null;
  statisticParams: Record<string, unknown> | null;
}

/** The register's search and filters. */
export interface FoiListFilter {
  q: string;
  status: string | null;
  assigneeId: number | null;
  today: string;
  page: number;
}

/** All SQL for FOI requests, their questions, clock events, reminders and the disclosure log. */
export function buildFoiRepository(db: Kysely<DB>) {
  const requests = (ex: Executor = db) =>
    ex
      .selectFrom('foi_requests as r')
      .leftJoin('staff as a', 'a.id', 'r.assignee_id')
      .select([
        'r.id',
        'r.reference',
        'r.regime',
        'r.title',
        'r.requester_name',
        'r.requester_contact',
        'r.requester_erased_at',
        'r.received_at',
        dateText('r.received_on').as('received_on'),
        'r.channel',
        'r.assignee_id',
        'r.status',
        dateText('r.due_on').as('due_on'),
        dateText('r.response_due_on').as('response_due_on'),
        dateText('r.responded_on').as('responded_on'),
        'r.closed_at',
        'r.cost_estimate',
        'r.created_at',
        sql<string | null>`a.given_name || ' ' || a.family_name`.as('assignee_name'),
        sql<boolean>`EXISTS (SELECT 1 FROM foi_disclosures d WHERE d.request_id = r.id)`.as('published'),
      ]);

  return {
    /** The next number in the year's sequence; serialised so two officers never get the same reference. */
    async nextSeq(trx: Executor, year: number): Promise<number> {
      await sql`SELECT pg_advisory_xact_lock(hashtext('harbour.foi.reference'))`.execute(trx);
      const row = await trx
        .selectFrom('foi_requests')
        .select(sql<number>`coalesce(max(ref_seq), 0)::int`.as('n'))
        .where('ref_year', '=', year)
        .executeTakeFirstOrThrow();
      return Number(row.n) + 1;
    },
    async create(trx: Executor, r: RequestInput): Promise<number> {
      const row = await trx
        .insertInto('foi_requests')
        .values({
          reference: r.reference,
          ref_year: r.refYear,
          ref_seq: r.refSeq,
          regime: r.regime,
          title: r.title,
          requester_name: r.requesterName,
          requester_contact: r.requesterContact,
          received_at: r.receivedAt,
          received_on: r.receivedOn,
          channel: r.channel,
          assignee_id: r.assigneeId,
          created_by: r.createdBy,
          requester_erased_at: null,
          closed_at: null,
          cost_estimate: null,
        })
        .returning('id')
        .executeTakeFirstOrThrow();
      await trx
        .insertInto('foi_questions')
        .values(
          r.questions.map((text, i) => ({
            request_id: row.id,
            position: i + 1,
            text,
            outcome: null,
            answer: null,
            advice: null,
            exemption: null,
            exemption_reasons: null,
            statistic: null,
            statistic_params: null,
            snapshot: null,
            snapshot_at: null,
          })),
        )
        .execute();
      return row.id;
    },
    request(id: number, ex: Executor = db) {
      return requests(ex).where('r.id', '=', id).executeTakeFirst();
    },
    /**
     * One page of the register, open requests first by the response due, then the rest newest first;
     * searched by reference or title, filtered by status (`overdue` and `on_hold` are open requests
     * past their due date or with the clock stopped) and by who it is assigned to.
     */
    listPage(f: FoiListFilter) {
      let q = requests();
      if (f.q) {
        const like = `%${f.q.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
        q = q.where((eb) => eb.or([eb(sql`lower(r.reference)`, 'like', like), eb(sql`lower(r.title)`, 'like', like)]));
      }
      if (f.status === 'overdue') q = q.where('r.status', '=', 'open').where('r.response_due_on', '<', f.today);
      else if (f.status === 'on_hold') q = q.where('r.status', '=', 'open').where('r.response_due_on', 'is', null);
      else if (f.status) q = q.where('r.status', '=', f.status);
      if (f.assigneeId !== null) q = q.where('r.assignee_id', '=', f.assigneeId);
      return fetchPage(
        q
          .orderBy(sql`r.status = 'open'`, 'desc')
          .orderBy('r.response_due_on', 'asc')
          .orderBy('r.id', 'desc'),
        f.page,
      );
    },
    /** The counts over the head of the register: open requests due by `weekEnd`, overdue, and with the clock stopped. */
    async openCounts(today: string, weekEnd: string) {
      const row = await db
        .selectFrom('foi_requests')
        .where('status', '=', 'open')
        .select([
          sql<number>`count(*) FILTER (WHERE response_due_on >= ${today}::date AND response_due_on <= ${weekEnd}::date)::int`.as(
            'dueThisWeek',
          ),
          sql<number>`count(*) FILTER (WHERE response_due_on < ${today}::date)::int`.as('overdue'),
          sql<number>`count(*) FILTER (WHERE response_due_on IS NULL)::int`.as('clockStopped'),
        ])
        .executeTakeFirstOrThrow();
      return {
        dueThisWeek: Number(row.dueThisWeek),
        overdue: Number(row.overdue),
        clockStopped: Number(row.clockStopped),
      };
    },
    questions(requestId: number, ex: Executor = db) {
      return ex
        .selectFrom('foi_questions')
        .selectAll()
        .where('request_id', '=', requestId)
        .orderBy('position')
        .execute();
    },
    question(requestId: number, questionId: number, ex: Executor = db) {
      return ex
        .selectFrom('foi_questions')
        .selectAll()
        .where('request_id', '=', requestId)
        .where('id', '=', questionId)
        .executeTakeFirst();
    },
    /** The answer with its statistic frozen as saved (`snapshot`: the published table; null for none). */
    async updateQuestion(trx: Executor, id: number, q: QuestionUpdate, snapshot: unknown) {
      await trx
        .updateTable('foi_questions')
        .set({
          outcome: q.outcome,
          answer: q.answer,
          advice: q.advice,
          exemption: q.exemption,
          exemption_reasons: q.exemptionReasons,
          statistic: q.statistic,
          statistic_params: q.statisticParams ? JSON.stringify(q.statisticParams) : null,
          snapshot: snapshot ? JSON.stringify(snapshot) : null,
          snapshot_at: snapshot ? sql<Date>`now()` : null,
        })
        .where('id', '=', id)
        .execute();
    },
    async snapshot(trx: Executor, id: number, snapshot: unknown) {
      await trx
        .updateTable('foi_questions')
        .set({ snapshot: JSON.stringify(snapshot), snapshot_at: sql<Date>`now()` })
        .where('id', '=', id)
        .execute();
    },
    events(requestId: number, ex: Executor = db) {
      return ex
        .selectFrom('foi_events')
        .select([
          'id',
          'kind',
          dateText('on_date').as('on_date'),
          dateText('target_date').as('target_date'),
          'notes',
          'recorded_at',
        ])
        .where('request_id', '=', requestId)
        .orderBy('on_date')
        .orderBy('id')
        .execute();
    },
    async addEvent(
      trx: Executor,
      e: { requestId: number; kind: string; on: string; targetDate: string | null; notes: string | null; by: number },
    ) {
      const row = await trx
        .insertInto('foi_events')
        .values({
          request_id: e.requestId,
          kind: e.kind,
          on_date: e.on,
          target_date: e.targetDate,
          notes: e.notes,
          recorded_by: e.by,
        })
        .returning('id')
        .executeTakeFirstOrThrow();
      return row.id;
    },
    async setClock(
      trx: Executor,
      id: number,
      c: {
        dueOn: string | null;
        responseDueOn: string | null;
        respondedOn: string | null;
        status?: string;
        closed?: boolean;
      },
    ) {
      await trx
        .updateTable('foi_requests')
        .set({
          due_on: c.dueOn,
          response_due_on: c.responseDueOn,
          responded_on: c.respondedOn,
          updated_at: sql<Date>`now()`,
          ...(c.status ? { status: c.status } : {}),
          ...(c.closed ? { closed_at: sql<Date>`now()` } : {}),
        })
        .where('id', '=', id)
        .execute();
    },
    async setCost(trx: Executor, id: number, estimate: Record<string, number>) {
      await trx
        .updateTable('foi_requests')
        .set({ cost_estimate: JSON.stringify(estimate), updated_at: sql<Date>`now()` })
        .where('id', '=', id)
        .execute();
    },
    async setAssignee(trx: Executor, id: number, assigneeId: number | null) {
      await trx
        .updateTable('foi_requests')
        .set({ assignee_id: assigneeId, updated_at: sql<Date>`now()` })
        .where('id', '=', id)
        .execute();
    },
    /** Responded requests (for the percentage answered on time). */
    timeliness() {
      return db
        .selectFrom('foi_requests')
        .select([dateText('response_due_on').as('responseDue'), dateText('responded_on').as('responded')])
        .where('responded_on', 'is not', null)
        .execute();
    },
    activeStaff() {
      return db
        .selectFrom('staff')
        .select(['id', 'given_name', 'family_name', 'job_role'])
        .where('active', '=', true)
        .orderBy('family_name')
        .orderBy('given_name')
        .execute();
    },
    teams() {
      return db.selectFrom('teams').select(['id', 'name']).orderBy('name').execute();
    },
    /** The service a team belongs to (the disclosure audit knows a team's table counts part of it). */
    async serviceOfTeam(teamId: number): Promise<number | null> {
      const row = await db.selectFrom('teams').select('service_id').where('id', '=', teamId).executeTakeFirst();
      return row?.service_id ?? null;
    },
    services() {
      return db.selectFrom('services').select(['id', 'name']).orderBy('name').execute();
    },

    ...buildFoiUpkeepRepository(db),
    ...buildDisclosureLogRepository(db),
  };
}

export type FoiRepository = ReturnType<typeof buildFoiRepository>;
