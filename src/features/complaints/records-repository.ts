import { sql, type Kysely } from 'kysely';
import type { DB } from '../../db/schema.ts';
import type { Executor } from '../audit/repository.ts';

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

/** The writes of a complaint's record: the complaint, its staff, allegations, stages, actions, referrals and files. */
export function buildComplaintRecordsRepository(db: Kysely<DB>) {
  return {
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
  };
}
