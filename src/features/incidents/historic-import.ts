import type { Transaction } from 'kysely';
import type { DB } from '../../db/schema.ts';
import type { Executor } from '../audit/repository.ts';
import type { Actor } from '../auth/actor.ts';
import { actorFields } from '../audit/service.ts';
import { londonToday } from '../../time/london.ts';
import { importBusy, lockImports, writeInHundreds, type ImportProgress } from '../imports/file.ts';
import type { RowError } from '../people/import-staff.ts';
import { validateIncidentImport, type ImportedIncident } from './import.ts';
import { derivedFacts } from './facts.ts';
import type { IncidentsContext } from './context.ts';

export type IncidentImportResult = { ok: true; created: number } | { ok: false; errors: RowError[] };

/**
 * Historic incidents from CSV: the check, the batched writes the imports job uses, and the one-transaction
 * import of the command line.
 */
export function buildHistoricImport(ctx: IncidentsContext) {
  const { db, incidents, audit, now, requireMonitor } = ctx;

  /** Checks a historic incidents CSV in full without writing anything: every problem, with its line. */
  async function checkImport(actor: Actor, csvText: string, ex: Executor = db) {
    requireMonitor(actor);
    return validateIncidentImport(csvText, await incidents.importContext(ex), londonToday(now()));
  }
  /** The one audit entry of a finished import. */
  const auditImport = (trx: Transaction<DB>, actor: Actor, fileName: string, created: number) =>
    audit.appendIn(trx, {
      ...actorFields(actor),
      action: 'incident.import',
      entityType: 'incident',
      entityId: null,
      detail: { file: fileName, created },
    });
  async function writeImportRows(trx: Executor, actor: Actor, rows: ImportedIncident[], at: Date) {
    for (const row of rows) {
      const base = {
        status: row.status,
        occurred_at: row.occurredAt,
        location: row.location,
        building_id: row.buildingId,
        lone_working: row.loneWorking,
        categories: row.categories,
        verbal_channel: row.verbalChannel,
        perpetrator_type: row.perpetratorType,
        injured: row.injured,
        injury_nature: row.injuryNature,
        days_off: row.daysOff,
        specified_injury: row.specifiedInjury,
        narrative: row.narrative,
        police_reported: row.policeReported,
        police_reported_on: row.policeReportedOn,
        crime_reference: row.crimeReference,
        police_outcome: row.policeOutcome,
        court_outcome: row.courtOutcome,
        hse_reference: row.hseReference,
        hse_reported_on: row.hseReportedOn,
        submitted_at: at,
        confirmed_at: at,
        closed_at: row.status === 'closed' ? at : null,
        source: 'import',
        import_reference: row.reference,
      };
      const facts = derivedFacts({
        occurred_at: row.occurredAt,
        categories: row.categories,
        injured: row.injured,
        specified_injury: row.specifiedInjury,
        days_off: row.daysOff,
        major_incident: false,
        marked_serious: false,
      });
      const id = await incidents.create(
        trx,
        { employeeId: row.employeeId, reportedBy: null, reportedByAccount: actor.accountId },
        { ...base, ...facts },
      );
      for (const a of row.actionsTaken)
        await incidents.addLegalAction(trx, id, { ...a, notes: 'Imported' }, actor.staffId);
    }
  }

  return {
    checkImport,

    /** Writes checked import rows (a batch of the file, in order) in the caller's transaction. */
    writeImportRows,
    auditImport,

    /** Historic incidents from CSV: every row checked first; all applied in one transaction with one audit entry, or none. */
    async importHistoric(
      actor: Actor,
      csvText: string,
      fileName = 'upload.csv',
      onProgress?: ImportProgress,
    ): Promise<IncidentImportResult> {
      const at = now();
      return incidents.transaction(async (trx): Promise<IncidentImportResult> => {
        // Checked again inside the transaction, after any other import of incidents has finished.
        const busy = await lockImports(trx, 'incidents');
        if (busy) return { ok: false, errors: [importBusy('incidents', busy)] };
        const { rows, errors } = await checkImport(actor, csvText, trx);
        if (errors.length) return { ok: false, errors };
        await writeInHundreds(rows, (batch) => writeImportRows(trx, actor, batch, at), onProgress);
        await auditImport(trx, actor, fileName, rows.length);
        return { ok: true as const, created: rows.length };
      });
    },
  };
}
