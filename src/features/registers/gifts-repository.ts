import { sql, type Kysely } from 'kysely';
import type { DB } from '../../db/schema.ts';
import type { Executor } from '../audit/repository.ts';
import { people, scoped, type RegisterFilter } from './register-sql.ts';

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

/** Gifts, hospitality, legacies and sponsorship, their decisions, and the suppliers they and interests name. */
export function buildGiftsRepository(db: Kysely<DB>) {
  return {
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
        people(db)
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
