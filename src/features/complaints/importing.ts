import type { Transaction } from 'kysely';
import type { DB } from '../../db/schema.ts';
import type { Executor } from '../audit/repository.ts';
import type { Actor } from '../auth/actor.ts';
import { actorFields } from '../audit/service.ts';
import { validateComplaintImport, type ComplaintImportRow } from './import.ts';
import { importBusy, lockImports, writeInHundreds, type ImportProgress } from '../imports/file.ts';
import type { ComplaintsContext } from './context.ts';

/** Historic complaints from CSV: the check, the rows written a batch at a time (the import job), and the whole file at once (the command line). */
export function buildImporting(ctx: ComplaintsContext) {
  const { repo, audit, mustManage } = ctx;

  /** The one audit entry of a finished import. */
  const auditImport = (trx: Transaction<DB>, actor: Actor, fileName: string, rows: number) =>
    audit.appendIn(trx, {
      ...actorFields(actor),
      action: 'complaint.import',
      entityType: 'complaint',
      entityId: null,
      detail: { fileName, rows },
    });
  async function writeImportRows(trx: Executor, actor: Actor, rows: ComplaintImportRow[]) {
    for (const r of rows) {
      const { id } = await repo.create(
        trx,
        { ...r, complainantContact: null, lateReason: r.lateReason, summary: r.summary ?? '', source: 'import' },
        actor.accountId,
      );
      await repo.addStaff(trx, id, r.staffIds);
      await repo.addAllegations(
        trx,
        id,
        r.categories.map((category) => ({ category, detail: null, finding: r.outcome })),
      );
      if (r.stageReached)
        for (let n = 1; n <= r.stageReached; n++)
          await repo.createStage(trx, {
            complaintId: id,
            stage: n,
            startedOn: r.receivedOn,
            respondedOn: r.closedOn ?? r.receivedOn,
          });
      for (const staffId of r.disciplinaryOutcome ? r.staffIds.slice(0, 1) : []) {
        await repo.addAction(trx, {
          complaintId: id,
          staffId,
          kind: 'disciplinary_investigation',
          detail: 'Imported',
          disciplinaryOutcome: r.disciplinaryOutcome,
          outcomeOn: r.disciplinaryOutcomeOn,
        });
      }
      for (const d of r.disciplinaryOutcomes) {
        await repo.addAction(trx, {
          complaintId: id,
          staffId: d.staffId,
          kind: 'disciplinary_investigation',
          detail: 'Imported',
          disciplinaryOutcome: d.outcome,
          outcomeOn: d.on,
        });
      }
      for (const kind of r.actions)
        await repo.addAction(trx, { complaintId: id, staffId: null, kind, detail: 'Imported' });
      for (const ref of r.referrals) await repo.addReferral(trx, { complaintId: id, ...ref });
    }
  }

  /** Checks a historic complaints CSV in full without writing anything: every problem, with its line. */
  async function checkImport(actor: Actor, text: string, ex?: Executor) {
    mustManage(actor);
    const staff = await repo.staffByEmployeeNumber(ex);
    const teams = await repo.teams(ex);
    const references = await repo.references(ex);
    return validateComplaintImport(text, {
      staff: new Map(staff.map((s) => [s.employee_number.toUpperCase(), s.id])),
      teams: new Map(teams.map((t) => [t.name.toLowerCase(), { id: t.id, serviceId: t.service_id }])),
      references,
    });
  }

  return {
    checkImport,

    /** Writes checked import rows (a batch of the file, in order) in the caller's transaction. */
    writeImportRows,
    auditImport,

    /**
     * Historic complaints from CSV: every row checked first (in the transaction, one import at a time); all imported or none.
     * `onProgress` is told after every 100 rows written (inside the transaction: nothing is kept until all are).
     */
    async importHistoric(actor: Actor, text: string, fileName: string, onProgress?: ImportProgress) {
      return repo.transaction(async (trx) => {
        // Checked again inside the transaction, after any other import of complaints has finished.
        const busy = await lockImports(trx, 'complaints');
        if (busy) return { ok: false as const, errors: [importBusy('complaints', busy)] };
        const { rows, errors } = await checkImport(actor, text, trx);
        if (errors.length) return { ok: false as const, errors };
        await writeInHundreds(rows, (batch) => writeImportRows(trx, actor, batch), onProgress);
        await auditImport(trx, actor, fileName, rows.length);
        return { ok: true as const, imported: rows.length };
      });
    },
  };
}
