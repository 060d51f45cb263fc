import { sql, type Kysely, type Transaction } from 'kysely';
import type { DB } from '../../db/schema.ts';
import type { Executor } from '../audit/repository.ts';
import { insertInboxMessages } from '../notifications/inbox-insert.ts';
import { inTransaction } from '../../db/transaction.ts';

/** Calendar dates come back as text, never as JS Dates (which would shift with the process time zone). */
const day = <A extends string>(ref: string, alias: A) => sql<string | null>`${sql.ref(ref)}::text`.as(alias);
const dayNN = <A extends string>(ref: string, alias: A) => sql<string>`${sql.ref(ref)}::text`.as(alias);

export interface ComplaintInput {
  receivedOn: string;
  channel: string;
  procedure: string;
  matterOn: string | null;
  lateReason: string | null;
  complainantType: string;
  complainantName: string | null;
  complainantContact: string | null;
  household: string | null;
  teamId: number | null;
  serviceId: number | null;
  summary: string;
  source?: 'harbour' | 'import';
  reference?: string | null;
  withdrawnOn?: string | null;
  withdrawnReason?: string | null;
  notInvestigatedOn?: string | null;
  notInvestigatedReason?: string | null;
  outcome?: string | null;
  closedOn?: string | null;
}

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

export function buildComplaintsRepository(db: Kysely<DB>) {
  const complaintColumns = [
    'c.id',
    'c.reference',
    dayNN('c.received_on', 'received_on'),
    'c.channel',
    'c.procedure',
    day('c.matter_on', 'matter_on'),
    'c.late_reason',
    'c.complainant_type',
    'c.complainant_name',
    'c.complainant_contact',
    'c.household',
    'c.team_id',
    'c.service_id',
    'c.summary',
    day('c.withdrawn_on', 'withdrawn_on'),
    'c.withdrawn_reason',
    day('c.not_investigated_on', 'not_investigated_on'),
    'c.not_investigated_reason',
    'c.outcome',
    day('c.closed_on', 'closed_on'),
    'c.learning',
    'c.source',
    'c.created_at',
    't.name as team_name',
    'sv.name as service_name',
  ] as const;
  const base = (ex: Executor = db) =>
    ex
      .selectFrom('complaints as c')
      .leftJoin('teams as t', 't.id', 'c.team_id')
      .leftJoin('services as sv', 'sv.id', 'c.service_id');

  return {
    /** Runs fn in one transaction (retried after a deadlock or a serialisation failure): the service's writes across tables. */
    transaction<T>(fn: (trx: Transaction<DB>) => Promise<T>) {
      return inTransaction(db, fn);
    },

    async create(ex: Executor, c: ComplaintInput, createdBy: number | null) {
      const row = await ex
        .insertInto('complaints')
        .values({
          received_on: c.receivedOn,
          channel: c.channel,
          procedure: c.procedure,
          matter_on: c.matterOn,
          late_reason: c.lateReason,
          complainant_type: c.complainantType,
          complainant_name: c.complainantName,
          complainant_contact: c.complainantContact,
          household: c.household,
          team_id: c.teamId,
          service_id: c.serviceId,
          summary: c.summary,
          source: c.source ?? 'harbour',
          created_by: createdBy,
          withdrawn_on: c.withdrawnOn ?? null,
          withdrawn_reason: c.withdrawnReason ?? null,
          not_investigated_on: c.notInvestigatedOn ?? null,
          not_investigated_reason: c.notInvestigatedReason ?? null,
          outcome: c.outcome ?? null,
          closed_on: c.closedOn ?? null,
        })
        .returning('id')
        .executeTakeFirstOrThrow();
      const reference = c.reference ?? `C-${c.receivedOn.slice(0, 4)}-${String(row.id).padStart(4, '0')}`;
      await ex.updateTable('complaints').set({ reference }).where('id', '=', row.id).execute();
      return { id: row.id, reference };
    },
    /** Every reference in Harbour, upper case, so an import can refuse a clash with its other problems. */
    async references(ex: Executor = db) {
      return new Set(
        (await ex.selectFrom('complaints').select('reference').where('reference', 'is not', null).execute()).map((r) =>
          r.reference!.toUpperCase(),
        ),
      );
    },
    async addStaff(ex: Executor, complaintId: number, staffIds: number[]) {
      if (staffIds.length)
        await ex
          .insertInto('complaint_staff')
          .values(staffIds.map((s) => ({ complaint_id: complaintId, staff_id: s, notified_at: null })))
          .execute();
    },
    async markNotified(ex: Executor, complaintId: number, staffId: number) {
      await ex
        .updateTable('complaint_staff')
        .set({ notified_at: sql<Date>`now()` })
        .where('complaint_id', '=', complaintId)
        .where('staff_id', '=', staffId)
        .execute();
    },
    async addAllegations(
      ex: Executor,
      complaintId: number,
      rows: { category: string; detail: string | null; finding?: string | null }[],
    ) {
      if (rows.length)
        await ex
          .insertInto('complaint_allegations')
          .values(
            rows.map((r) => ({
              complaint_id: complaintId,
              category: r.category,
              detail: r.detail,
              finding: r.finding ?? null,
            })),
          )
          .execute();
    },
    async setFinding(ex: Executor, allegationId: number, finding: string, on: string) {
      await ex
        .updateTable('complaint_allegations')
        .set({ finding, found_on: on })
        .where('id', '=', allegationId)
        .execute();
    },
    async update(
      ex: Executor,
      id: number,
      patch: Partial<{
        outcome: string | null;
        learning: string | null;
        withdrawn_on: string;
        withdrawn_reason: string;
        not_investigated_on: string;
        not_investigated_reason: string;
        closed_on: string | null;
      }>,
    ) {
      await ex.updateTable('complaints').set(patch).where('id', '=', id).execute();
    },
    async createStage(
      ex: Executor,
      s: {
        complaintId: number;
        stage: number;
        startedOn: string;
        investigatingOfficer?: string | null;
        independentPerson?: string | null;
        respondedOn?: string | null;
      },
    ) {
      const row = await ex
        .insertInto('complaint_stages')
        .values({
          complaint_id: s.complaintId,
          stage: s.stage,
          started_on: s.startedOn,
          investigating_officer: s.investigatingOfficer ?? null,
          independent_person: s.independentPerson ?? null,
          responded_on: s.respondedOn ?? null,
        })
        .returning('id')
        .executeTakeFirstOrThrow();
      return row.id;
    },
    async updateStage(
      ex: Executor,
      id: number,
      patch: Partial<{
        extended_to: string;
        extension_reason: string;
        panel_held_on: string;
        report_on: string;
        responded_on: string;
      }>,
    ) {
      await ex.updateTable('complaint_stages').set(patch).where('id', '=', id).execute();
    },
    async addAction(
      ex: Executor,
      a: {
        complaintId: number;
        staffId: number | null;
        kind: string;
        detail: string | null;
        disciplinaryOutcome?: string | null;
        outcomeOn?: string | null;
      },
    ) {
      return (
        await ex
          .insertInto('complaint_actions')
          .values({
            complaint_id: a.complaintId,
            staff_id: a.staffId,
            kind: a.kind,
            detail: a.detail,
            disciplinary_outcome: a.disciplinaryOutcome ?? null,
            outcome_on: a.outcomeOn ?? null,
          })
          .returning('id')
          .executeTakeFirstOrThrow()
      ).id;
    },
    async setDisciplinaryOutcome(ex: Executor, actionId: number, outcome: string, on: string) {
      await ex
        .updateTable('complaint_actions')
        .set({ disciplinary_outcome: outcome, outcome_on: on })
        .where('id', '=', actionId)
        .execute();
    },
    async addReferral(
      ex: Executor,
      r: { complaintId: number; body: string; referredOn: string; decision: string | null; decidedOn: string | null },
    ) {
      return (
        await ex
          .insertInto('complaint_referrals')
          .values({
            complaint_id: r.complaintId,
            body: r.body,
            referred_on: r.referredOn,
            decision: r.decision,
            decided_on: r.decidedOn,
          })
          .returning('id')
          .executeTakeFirstOrThrow()
      ).id;
    },
    async decideReferral(ex: Executor, id: number, decision: string, on: string) {
      await ex.updateTable('complaint_referrals').set({ decision, decided_on: on }).where('id', '=', id).execute();
    },
    async addAttachment(
      ex: Executor,
      a: { complaintId: number; fileName: string; contentType: string; content: Buffer; uploadedBy: number },
    ) {
      return (
        await ex
          .insertInto('complaint_attachments')
          .values({
            complaint_id: a.complaintId,
            file_name: a.fileName,
            content_type: a.contentType,
            size_bytes: a.content.length,
            content: a.content,
            uploaded_by: a.uploadedBy,
          })
          .returning('id')
          .executeTakeFirstOrThrow()
      ).id;
    },

    // ---- Reads ----
    complaint(id: number) {
      return base()
        .select([...complaintColumns])
        .where('c.id', '=', id)
        .executeTakeFirst();
    },
    staffOn(complaintId: number) {
      return db
        .selectFrom('complaint_staff as cs')
        .innerJoin('staff as s', 's.id', 'cs.staff_id')
        .leftJoin('teams as t', 't.id', 's.team_id')
        .select(['s.id', 's.given_name', 's.family_name', 's.job_role', 't.name as team_name', 'cs.notified_at'])
        .where('cs.complaint_id', '=', complaintId)
        .orderBy('s.family_name')
        .execute();
    },
    allegations(complaintId: number) {
      return db
        .selectFrom('complaint_allegations as a')
        .select(['a.id', 'a.category', 'a.detail', 'a.finding', day('a.found_on', 'found_on')])
        .where('a.complaint_id', '=', complaintId)
        .orderBy('a.id')
        .execute();
    },
    stages(complaintId: number) {
      return db
        .selectFrom('complaint_stages as s')
        .select([
          's.id',
          's.stage',
          dayNN('s.started_on', 'started_on'),
          day('s.extended_to', 'extended_to'),
          's.extension_reason',
          's.investigating_officer',
          's.independent_person',
          day('s.panel_held_on', 'panel_held_on'),
          day('s.report_on', 'report_on'),
          day('s.responded_on', 'responded_on'),
        ])
        .where('s.complaint_id', '=', complaintId)
        .orderBy('s.stage')
        .execute();
    },
    actions(complaintId: number) {
      return db
        .selectFrom('complaint_actions as a')
        .leftJoin('staff as s', 's.id', 'a.staff_id')
        .select([
          'a.id',
          'a.staff_id',
          'a.kind',
          'a.detail',
          'a.disciplinary_outcome',
          day('a.outcome_on', 'outcome_on'),
          's.given_name',
          's.family_name',
        ])
        .where('a.complaint_id', '=', complaintId)
        .orderBy('a.id')
        .execute();
    },
    referrals(complaintId: number) {
      return db
        .selectFrom('complaint_referrals as r')
        .select([
          'r.id',
          'r.body',
          dayNN('r.referred_on', 'referred_on'),
          'r.decision',
          day('r.decided_on', 'decided_on'),
        ])
        .where('r.complaint_id', '=', complaintId)
        .orderBy('r.id')
        .execute();
    },
    attachments(complaintId: number) {
      return db
        .selectFrom('complaint_attachments')
        .select(['id', 'file_name', 'content_type', 'size_bytes', 'uploaded_at'])
        .where('complaint_id', '=', complaintId)
        .orderBy('id')
        .execute();
    },
    attachment(complaintId: number, id: number) {
      return db
        .selectFrom('complaint_attachments')
        .select(['id', 'file_name', 'content_type', 'content'])
        .where('complaint_id', '=', complaintId)
        .where('id', '=', id)
        .executeTakeFirst();
    },

    /** One row per complaint for lists, patterns and statistics (no complainant contact details). */
    /**
     * The complaints a manager may see (service/complaints.ts `scopeFor`): naming someone in their
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
    async summaries(f: ListFilter = {}) {
      let q = base().select([
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
    staffByIds(ids: number[]) {
      if (!ids.length) return Promise.resolve([]);
      return db
        .selectFrom('staff as s')
        .leftJoin('teams as t', 't.id', 's.team_id')
        .select([
          's.id',
          's.given_name',
          's.family_name',
          's.job_role',
          's.employee_number',
          's.team_id',
          't.name as team_name',
        ])
        .where('s.id', 'in', ids)
        .execute();
    },
    activeStaff() {
      return db
        .selectFrom('staff')
        .select(['id', 'given_name', 'family_name', 'employee_number', 'team_id'])
        .where('active', '=', true)
        .orderBy('family_name')
        .orderBy('given_name')
        .execute();
    },
    teams(ex: Executor = db) {
      return ex
        .selectFrom('teams as t')
        .innerJoin('services as sv', 'sv.id', 't.service_id')
        .select(['t.id', 't.name', 't.service_id', 'sv.name as service_name'])
        .orderBy('t.name')
        .execute();
    },
    staffByEmployeeNumber(ex: Executor = db) {
      return ex.selectFrom('staff').select(['id', 'employee_number', 'team_id']).execute();
    },
    /** Staff ids of the complaints team (accounts with the role and a staff record), who get the reminders. */
    async complaintsTeam() {
      const rows = await db
        .selectFrom('accounts')
        .select('staff_id')
        .where('staff_id', 'is not', null)
        .where('disabled_at', 'is', null)
        .where(sql<boolean>`'complaints_officer' = ANY(roles)`)
        .execute();
      return rows.map((r) => r.staff_id!);
    },
    async recordReminder(ex: Executor, r: { stageId: number; milestone: string; dueOn: string; kind: string }) {
      const row = await ex
        .insertInto('complaint_reminders')
        .values({ stage_id: r.stageId, milestone: r.milestone, due_on: r.dueOn, kind: r.kind })
        .onConflict((oc) => oc.doNothing())
        .returning('id')
        .executeTakeFirst();
      return row !== undefined;
    },
    async notify(
      ex: Executor,
      n: { recipientId: number; subject: string; body: string; link: string | null; at: Date },
    ) {
      await insertInboxMessages(ex, [
        { recipientId: n.recipientId, subject: n.subject, body: n.body, link: n.link, at: n.at },
      ]);
    },
  };
}

export type ComplaintsRepository = ReturnType<typeof buildComplaintsRepository>;
