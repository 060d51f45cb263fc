import type { Kysely } from 'kysely';
import type { DB } from '../../db/schema.ts';
import type { AuditRepository } from '../audit/repository.ts';
import { actorFields } from '../audit/service.ts';
import { can } from '../auth/access.ts';
import type { Actor } from '../auth/actor.ts';
import { ForbiddenError } from '../../errors.ts';
import { validateStaffImport, type ImportContext, type RowError } from './import-staff.ts';
import { buildStaffImportRepository } from './import-repository.ts';

export type ImportResult =
  | { ok: true; created: number; updated: number; teamsCreated: number; accountsDisabled: number }
  | { ok: false; errors: RowError[] };

/**
 * CSV import of staff and teams: every row is checked first; if any is bad nothing is written,
 * otherwise the whole file applies in one transaction with one audit entry.
 */
export function buildStaffImportService(deps: { db: Kysely<DB>; audit: AuditRepository }) {
  const { audit } = deps;
  const repo = buildStaffImportRepository(deps.db);

  async function context(): Promise<ImportContext> {
    const [teams, services, buildings, staff] = await repo.context();
    return {
      teams: new Map(teams.map((t) => [t.name.toLowerCase(), { id: t.id, serviceId: t.service_id }])),
      services: new Map(services.map((s) => [s.name.toLowerCase(), s.id])),
      buildings: new Map(buildings.map((b) => [b.name.toLowerCase(), b.id])),
      staff: new Map(
        staff.map((s) => [s.employee_number.toUpperCase(), { id: s.id, email: s.email, teamName: s.team_name }]),
      ),
      emails: new Map(staff.map((s) => [s.email.toLowerCase(), s.employee_number])),
    };
  }

  return {
    async importStaff(actor: Actor | null, csvText: string, fileName = 'upload.csv'): Promise<ImportResult> {
      if (actor && !can(actor, 'organisation.manage')) throw new ForbiddenError();
      const ctx = await context();
      const { rows, errors } = validateStaffImport(csvText, ctx);
      if (errors.length) return { ok: false, errors };

      return repo.transaction(async (trx) => {
        let teamsCreated = 0;
        const teamIds = new Map([...ctx.teams].map(([k, v]) => [k, v.id]));
        for (const row of rows) {
          if (row.team && !teamIds.has(row.team.toLowerCase())) {
            teamIds.set(
              row.team.toLowerCase(),
              await repo.createTeam(trx, row.team, ctx.services.get(row.service!.toLowerCase())!),
            );
            teamsCreated++;
          }
        }
        const ids = new Map([...ctx.staff].map(([k, v]) => [k, v.id]));
        let created = 0;
        let updated = 0;
        for (const row of rows) {
          const values = {
            employee_number: row.employeeNumber,
            given_name: row.givenName,
            family_name: row.familyName,
            email: row.email,
            job_role: row.jobRole,
            team_id: row.team ? teamIds.get(row.team.toLowerCase())! : null,
            work_mobile: row.workMobile,
            personal_mobile: row.personalMobile,
            out_of_hours_phone: row.outOfHoursPhone,
            base_building_id: row.baseBuilding ? ctx.buildings.get(row.baseBuilding.toLowerCase())! : null,
            active: row.active,
            ...(row.retirementOn ? { normal_retirement_on: row.retirementOn } : {}),
          };
          const existing = ids.get(row.employeeNumber.toUpperCase());
          if (existing) {
            await repo.updateStaff(trx, existing, { ...values, updated_at: new Date() });
            updated++;
          } else {
            ids.set(row.employeeNumber.toUpperCase(), await repo.createStaff(trx, values));
            created++;
          }
        }
        // Links last, once everyone in the file exists.
        for (const row of rows) {
          const id = ids.get(row.employeeNumber.toUpperCase())!;
          await repo.updateStaff(trx, id, {
            line_manager_id: row.lineManager ? ids.get(row.lineManager.toUpperCase())! : null,
            buddy_id: row.buddy ? ids.get(row.buddy.toUpperCase())! : null,
          });
        }
        // A leaver (active: no) loses access with the same file: their sign-in account is turned off
        // and every session of it ends. API tokens stop working with the account.
        let accountsDisabled = 0;
        const leavers = rows.filter((r) => !r.active).map((r) => ids.get(r.employeeNumber.toUpperCase())!);
        if (leavers.length) {
          const accounts = await repo.disableAccounts(trx, leavers);
          for (const a of accounts) {
            const sessionsEnded = await repo.endSessions(trx, a.id);
            await audit.appendIn(trx, {
              ...actorFields(actor),
              action: 'account.disable',
              entityType: 'account',
              entityId: a.id,
              detail: { via: 'staff_import', fileName, sessionsEnded },
            });
          }
          accountsDisabled = accounts.length;
        }
        await audit.appendIn(trx, {
          ...actorFields(actor),
          action: 'staff.import',
          entityType: 'staff',
          entityId: null,
          detail: { fileName, rows: rows.length, created, updated, teamsCreated, accountsDisabled },
        });
        return { ok: true as const, created, updated, teamsCreated, accountsDisabled };
      });
    },
  };
}

export type StaffImportService = ReturnType<typeof buildStaffImportService>;
