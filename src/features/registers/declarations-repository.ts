import { sql, type Kysely } from 'kysely';
import type { DB } from '../../db/schema.ts';
import type { Executor } from '../audit/repository.ts';
import { insertInboxMessages } from '../notifications/inbox-insert.ts';
import { people, scoped, type RegisterFilter } from './register-sql.ts';

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

/** Declarations of interest: each year's declaration, its interests and sign-off, the registers, the reminders. */
export function buildDeclarationsRepository(db: Kysely<DB>) {
  return {
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
      let q = scoped(people(db).innerJoin('interest_declarations as dc', 'dc.staff_id', 's.id'), f);
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
        people(db)
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
  };
}
