import { sql, type Kysely } from 'kysely';
import type { DB } from '../../db/schema.ts';
import type { Executor } from '../audit/repository.ts';
import { insertInboxMessages } from '../notifications/inbox-insert.ts';

export interface RegisterFilter {
  staffIds: number[] | 'all';
  directorateId?: number | null;
  teamId?: number | null;
  /** yyyy-mm-dd, inclusive. */
  from?: string | null;
  to?: string | null;
  /** One gift entry only. */
  giftId?: number;
  /** H.6 interests (bankruptcy, wound-up directorships): left out unless asked for. */
  includeConfidential?: boolean;
}

export interface InterestInput {
  kind: string;
  description: string;
  consentNeeded: boolean;
  consentReference: string | null;
  supplierId?: number | null;
  contract?: string | null;
  lectureFee?: number | null;
  lectureInCouncilTime?: boolean | null;
}
export interface GiftInput {
  kind: string;
  offeredOn: string;
  description: string;
  offeredBy: string;
  supplierId: number | null;
  valuePence: number;
  response: string;
  refusalLetter: string | null;
  authorisedInAdvance: boolean;
  reason: string;
  giverType: 'client' | 'contractor_supplier' | 'organisation' | 'private_individual';
  eventOn: string | null;
  authorisedBy: { id: number; name: string } | null;
  late: boolean;
  needsOverride: boolean;
}

export function buildRegistersRepository(db: Kysely<DB>) {
  const people = (ex: Executor = db) =>
    ex
      .selectFrom('staff as s')
      .leftJoin('teams as t', 't.id', 's.team_id')
      .leftJoin('services as sv', 'sv.id', 't.service_id')
      .leftJoin('directorates as d', 'd.id', 'sv.directorate_id');

  const scoped = <Q extends { where: (...a: never[]) => Q }>(q: Q, f: RegisterFilter): Q => {
    let out = q as unknown as import('kysely').SelectQueryBuilder<
      DB & { s: DB['staff']; t: DB['teams']; sv: DB['services']; d: DB['directorates'] },
      's' | 't' | 'sv' | 'd',
      object
    >;
    if (f.staffIds !== 'all') out = out.where('s.id', 'in', f.staffIds.length ? f.staffIds : [-1]);
    if (f.directorateId) out = out.where('d.id', '=', f.directorateId);
    if (f.teamId) out = out.where('t.id', '=', f.teamId);
    return out as unknown as Q;
  };

  return {
    person(id: number) {
      return people()
        .where('s.id', '=', id)
        .select([
          's.id',
          's.given_name',
          's.family_name',
          's.job_role',
          's.team_id',
          's.line_manager_id',
          's.politically_restricted',
          't.name as team_name',
          'd.name as directorate_name',
        ])
        .executeTakeFirst();
    },
    staffByEmail(email: string) {
      return db
        .selectFrom('staff')
        .select(['id', 'given_name', 'family_name'])
        .where(sql<string>`lower(email)`, '=', email.toLowerCase())
        .where('active', '=', true)
        .executeTakeFirst();
    },
    /** Active staff with nobody above them: the delegate signs their declarations. */
    async topOfChain() {
      return (
        await db
          .selectFrom('staff')
          .select('id')
          .where('active', '=', true)
          .where('line_manager_id', 'is', null)
          .execute()
      ).map((r) => r.id);
    },
    declarationFor(staffId: number, year: number) {
      return db
        .selectFrom('interest_declarations')
        .select('id')
        .where('staff_id', '=', staffId)
        .where('year', '=', year)
        .executeTakeFirst();
    },
    async signDeclaration(ex: Executor, id: number, by: { staffId: number | null; name: string }) {
      const r = await ex
        .updateTable('interest_declarations')
        .set({ signed_off_by: by.staffId, signed_off_name: by.name, signed_off_at: sql<Date>`now()` })
        .where('id', '=', id)
        .where('signed_off_at', 'is', null)
        .executeTakeFirst();
      return Number(r.numUpdatedRows) > 0;
    },
    async notify(ex: Executor, n: { recipientId: number; subject: string; body: string; link: string }) {
      await insertInboxMessages(ex, [{ recipientId: n.recipientId, subject: n.subject, body: n.body, link: n.link }]);
    },
    activeStaff() {
      return db
        .selectFrom('staff')
        .select(['id', 'given_name', 'family_name', 'politically_restricted'])
        .where('active', '=', true)
        .orderBy('family_name')
        .orderBy('given_name')
        .execute();
    },
    async setPoliticallyRestricted(ex: Executor, staffId: number, restricted: boolean) {
      await ex.updateTable('staff').set({ politically_restricted: restricted }).where('id', '=', staffId).execute();
    },

    // ---- Declarations ----
    async createDeclaration(
      ex: Executor,
      d: { staffId: number; year: number; noConflict: boolean; accountId: number },
    ) {
      const row = await ex
        .insertInto('interest_declarations')
        .values({ staff_id: d.staffId, year: d.year, no_conflict: d.noConflict, declared_by: d.accountId })
        .returning('id')
        .executeTakeFirstOrThrow();
      return row.id;
    },
    async addInterest(ex: Executor, declarationId: number, i: InterestInput) {
      const row = await ex
        .insertInto('declared_interests')
        .values({
          declaration_id: declarationId,
          kind: i.kind,
          description: i.description,
          consent_needed: i.consentNeeded,
          consent_reference: i.consentReference,
          supplier_id: i.supplierId ?? null,
          contract: i.contract ?? null,
          lecture_fee_pence: i.lectureFee ?? null,
          lecture_in_council_time: i.lectureInCouncilTime ?? null,
        })
        .returning('id')
        .executeTakeFirstOrThrow();
      return row.id;
    },
    async signOff(ex: Executor, interestId: number, action: string, by: { staffId: number | null; name: string }) {
      await ex
        .updateTable('declared_interests')
        .set({
          management_action: action,
          signed_off_by: by.staffId,
          signed_off_name: by.name,
          signed_off_at: sql<Date>`now()`,
        })
        .where('id', '=', interestId)
        .execute();
    },
    declaration(id: number) {
      return db.selectFrom('interest_declarations').selectAll().where('id', '=', id).executeTakeFirst();
    },
    interests(declarationId: number) {
      return db
        .selectFrom('declared_interests as i')
        .leftJoin('suppliers as sp', 'sp.id', 'i.supplier_id')
        .selectAll('i')
        .select(['sp.name as supplier_name', sql<boolean>`coalesce(sp.live_tender, false)`.as('live_tender')])
        .where('i.declaration_id', '=', declarationId)
        .orderBy('i.id')
        .execute();
    },
    /** Declarations with their person and counts, newest first. */
    declarations(f: RegisterFilter) {
      let q = scoped(people().innerJoin('interest_declarations as dc', 'dc.staff_id', 's.id'), f);
      if (f.from) q = q.where('dc.declared_at', '>=', sql<Date>`${f.from}::date`);
      if (f.to) q = q.where('dc.declared_at', '<', sql<Date>`${f.to}::date + 1`);
      return q
        .select([
          'dc.id',
          'dc.year',
          'dc.no_conflict',
          'dc.declared_at',
          'dc.signed_off_at',
          'dc.signed_off_name',
          's.line_manager_id',
          's.id as staff_id',
          's.given_name',
          's.family_name',
          's.job_role',
          't.name as team_name',
          'd.name as directorate_name',
          sql<number>`(SELECT count(*)::int FROM declared_interests i WHERE i.declaration_id = dc.id)`.as(
            'interest_count',
          ),
          sql<number>`(SELECT count(*)::int FROM declared_interests i WHERE i.declaration_id = dc.id AND i.signed_off_at IS NULL)`.as(
            'awaiting_action',
          ),
        ])
        .orderBy('dc.declared_at', 'desc')
        .orderBy('dc.id', 'desc')
        .execute();
    },
    /** Every interest with its declaration and person, for the report and its export. */
    interestRows(f: RegisterFilter) {
      let q = scoped(
        people()
          .innerJoin('interest_declarations as dc', 'dc.staff_id', 's.id')
          .innerJoin('declared_interests as i', 'i.declaration_id', 'dc.id')
          .leftJoin('suppliers as sp', 'sp.id', 'i.supplier_id'),
        f,
      );
      if (!f.includeConfidential) q = q.where('i.kind', 'not in', ['bankruptcy']);
      if (f.from) q = q.where('dc.declared_at', '>=', sql<Date>`${f.from}::date`);
      if (f.to) q = q.where('dc.declared_at', '<', sql<Date>`${f.to}::date + 1`);
      return q
        .select([
          'dc.id as declaration_id',
          'dc.year',
          'dc.declared_at',
          's.given_name',
          's.family_name',
          's.job_role',
          't.name as team_name',
          'd.name as directorate_name',
          'i.kind',
          'i.description',
          'i.consent_needed',
          'i.consent_reference',
          'i.management_action',
          'i.signed_off_name',
          'i.signed_off_at',
          'i.contract',
          'i.lecture_fee_pence',
          'i.lecture_in_council_time',
          'sp.name as supplier_name',
          sql<boolean>`coalesce(sp.live_tender, false)`.as('live_tender'),
          'dc.signed_off_name as declaration_signed_by',
          'dc.signed_off_at as declaration_signed_at',
          's.id as staff_id',
          's.line_manager_id',
          'i.signed_off_by',
        ])
        .orderBy('dc.declared_at', 'desc')
        .orderBy('i.id')
        .execute();
    },
    /** Active staff with no declaration in the year, their line manager and what has been sent to them. */
    async undeclared(year: number) {
      const rows = await db
        .selectFrom('staff as s')
        .select(['s.id', 's.given_name', 's.family_name', 's.line_manager_id'])
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
        .orderBy('s.id')
        .execute();
      const sent = rows.length
        ? await db
            .selectFrom('declaration_reminders')
            .select(['staff_id', 'kind', 'sent_at'])
            .where('year', '=', year)
            .where(
              'staff_id',
              'in',
              rows.map((r) => r.id),
            )
            .execute()
        : [];
      return rows.map((r) => ({
        ...r,
        sent: sent.filter((s) => s.staff_id === r.id).map((s) => ({ kind: s.kind, sentAt: s.sent_at })),
      }));
    },
    async recordReminder(
      ex: Executor,
      r: {
        staffId: number;
        year: number;
        kind: 'reminder' | 'escalation';
        recipientId: number;
        subject: string;
        body: string;
        link: string;
        at: Date;
      },
    ) {
      await ex
        .insertInto('declaration_reminders')
        .values({ staff_id: r.staffId, year: r.year, kind: r.kind, recipient_id: r.recipientId, sent_at: r.at })
        .execute();
      await insertInboxMessages(ex, [
        { recipientId: r.recipientId, subject: r.subject, body: r.body, link: r.link, at: r.at },
      ]);
    },

    // ---- Suppliers ----
    suppliers() {
      return db.selectFrom('suppliers').selectAll().orderBy('name').execute();
    },
    /** H.5: everyone with a declared interest linked to a contractor or supplier (not the confidential kinds). */
    supplierInterests() {
      return db
        .selectFrom('declared_interests as i')
        .innerJoin('interest_declarations as dc', 'dc.id', 'i.declaration_id')
        .innerJoin('staff as s', 's.id', 'dc.staff_id')
        .select(['i.supplier_id', 'i.kind', 'i.contract', 's.id as staff_id', 's.given_name', 's.family_name'])
        .where('i.supplier_id', 'is not', null)
        .where('i.kind', 'not in', ['bankruptcy'])
        .where('s.active', '=', true)
        .orderBy('s.family_name')
        .orderBy('s.given_name')
        .execute();
    },
    supplierByName(name: string) {
      return db
        .selectFrom('suppliers')
        .select('id')
        .where(sql<string>`lower(name)`, '=', name.toLowerCase())
        .executeTakeFirst();
    },
    async createSupplier(ex: Executor, s: { name: string; liveTender: boolean }) {
      return (
        await ex
          .insertInto('suppliers')
          .values({ name: s.name, live_tender: s.liveTender })
          .returning('id')
          .executeTakeFirstOrThrow()
      ).id;
    },

    // ---- Gifts, hospitality, legacies, sponsorship ----
    async createGift(ex: Executor, staffId: number, g: GiftInput) {
      const row = await ex
        .insertInto('gift_entries')
        .values({
          staff_id: staffId,
          kind: g.kind,
          offered_on: g.offeredOn,
          description: g.description,
          offered_by: g.offeredBy,
          supplier_id: g.supplierId,
          value_pence: g.valuePence,
          response: g.response,
          refusal_letter: g.refusalLetter,
          authorised_in_advance: g.authorisedInAdvance,
          reason: g.reason,
          giver_type: g.giverType,
          event_on: g.eventOn,
          authorised_by: g.authorisedBy?.id ?? null,
          authorised_by_name: g.authorisedBy?.name ?? null,
          late: g.late,
          needs_override: g.needsOverride,
        })
        .returning('id')
        .executeTakeFirstOrThrow();
      return row.id;
    },
    async decide(
      ex: Executor,
      id: number,
      d: {
        status: 'approved' | 'declined';
        note: string | null;
        staffId: number | null;
        name: string;
        overrideReason: string | null;
      },
    ) {
      await ex
        .updateTable('gift_entries')
        .set({
          status: d.status,
          decision_note: d.note,
          decided_by: d.staffId,
          decided_by_name: d.name,
          decided_at: sql<Date>`now()`,
          override_reason: d.overrideReason,
        })
        .where('id', '=', id)
        .execute();
    },
    gifts(f: RegisterFilter) {
      let q = scoped(
        people()
          .innerJoin('gift_entries as g', 'g.staff_id', 's.id')
          .leftJoin('suppliers as sp', 'sp.id', 'g.supplier_id'),
        f,
      );
      if (f.from) q = q.where('g.offered_on', '>=', f.from);
      if (f.to) q = q.where('g.offered_on', '<=', f.to);
      if (f.giftId !== undefined) q = q.where('g.id', '=', f.giftId);
      return q
        .select([
          'g.id',
          'g.staff_id',
          'g.kind',
          sql<string>`g.offered_on::text`.as('offered_on'),
          'g.description',
          'g.offered_by',
          'g.supplier_id',
          'g.value_pence',
          'g.response',
          'g.refusal_letter',
          'g.authorised_in_advance',
          'g.reason',
          'g.status',
          'g.decided_by_name',
          'g.decided_at',
          'g.decision_note',
          'g.created_at',
          'g.giver_type',
          sql<string | null>`g.event_on::text`.as('event_on'),
          'g.authorised_by',
          'g.authorised_by_name',
          'g.late',
          'g.needs_override',
          'g.override_reason',
          'sp.name as supplier_name',
          sql<boolean>`coalesce(sp.live_tender, false)`.as('live_tender'),
          's.given_name',
          's.family_name',
          's.job_role',
          't.name as team_name',
          'd.name as directorate_name',
        ])
        .orderBy('g.offered_on', 'desc')
        .orderBy('g.id', 'desc')
        .execute();
    },
  };
}

export type RegistersRepository = ReturnType<typeof buildRegistersRepository>;
