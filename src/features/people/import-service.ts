import type { Kysely } from 'kysely';
import type { DB } from '../../db/schema.ts';
import type { AuditRepository } from '../audit/repository.ts';
import { actorFields } from '../audit/service.ts';
import { can } from '../auth/access.ts';
import type { Actor } from '../auth/actor.ts';
import { ForbiddenError } from '../../errors.ts';
import { validateStaffImport, type ImportContext, type RowError } from './import-staff.ts';

export type ImportResult =
  | { ok: true; created: number; updated: number; teamsCreated: number; accountsDisabled: number }
  | { ok: false; errors: RowError[] };

/**
 * CSV import of staff and teams: every row is checked first; if any is bad nothing is written,
 * otherwise the whole file applies in one transaction with one audit entry.
 */
export function buildStaffImportService(deps: { db: Kysely<DB>; audit: AuditRepository }) {
  const { db, audit } = deps;

  async function context(): Promise<ImportContext> {
    const [teams, services, buildings, staff] = await Promise.all([
      db.selectFrom('teams').select(['id', 'name', 'service_id']).execute(),
      db.selectFrom('services').select(['id', 'name']).execute(),
      db.selectFrom('buildings').select(['id', 'name']).execute(),
      db.selectFrom('staff as s').leftJoin('teams as t', 't.id', 's.team_id').select(['s.id', 's.employee_number', 's.email', 't.name as team_name']).execute(),
    ]);
    return {
      teams: new Map(teams.map((t) => [t.name.toLowerCase(), { id: t.id, serviceId: t.service_id }])),
      services: new Map(services.map((s) => [s.name.toLowerCase(), s.id])),
      buildings: new Map(buildings.map((b) => [b.name.toLowerCase(), b.id])),
      staff: new Map(staff.map((s) => [s.employee_number.toUpperCase(), { id: s.id, email: s.email, teamName: s.team_name }])),
      emails: new Map(staff.map((s) => [s.email.toLowerCase(), s.employee_number])),
    };
  }

  return {
    async importStaff(actor: Actor | null, csvText: string, fileName = 'upload.csv'): Promise<ImportResult> {
      if (actor && !can(actor, 'organisation.manage')) throw new ForbiddenError();
      const ctx = await context();
      const { rows, errors } = validateStaffImport(csvText, ctx);
      if (errors.length) return { ok: false, errors };

      return db.transaction().execute(async (trx) => {
        let teamsCreated = 0;
        const teamIds = new Map([...ctx.teams].map(([k, v]) => [k, v.id]));
        for (const row of rows) {
          if (row.team && !teamIds.has(row.team.toLowerCase())) {
            const t = await trx.insertInto('teams').values({ name: row.team, service_id: ctx.services.get(row.service!.toLowerCase())! }).returning('id').executeTakeFirstOrThrow();
            teamIds.set(row.team.toLowerCase(), t.id);
            teamsCreated++;
          }
        }
        const ids = new Map([...ctx.staff].map(([k, v]) => [k, v.id]));
        let created = 0;
        let updated = 0;
        for (const row of rows) {
          const values = {
            employee_number: row.employeeNumber, given_name: row.givenName, family_name: row.familyName, email: row.email,
            job_role: row.jobRole, team_id: row.team ? teamIds.get(row.team.toLowerCase())! : null,
            work_mobile: row.workMobile, personal_mobile: row.personalMobile, out_of_hours_phone: row.outOfHoursPhone,
            base_building_id: row.baseBuilding ? ctx.buildings.get(row.baseBuilding.toLowerCase())! : null, active: row.active,
            ...(row.retirementOn ? { normal_retirement_on: row.retirementOn } : {}),
          };
          const existing = ids.get(row.employeeNumber.toUpperCase());
          if (existing) {
            await trx.updateTable('staff').set({ ...values, updated_at: new Date() }).where('id', '=', existing).execute();
            updated++;
          } else {
            const s = await trx.insertInto('staff').values(values).returning('id').executeTakeFirstOrThrow();
            ids.set(row.employeeNumber.toUpperCase(), s.id);
            created++;
          }
        }
        // Links last, once everyone in the file exists.
        for (const row of rows) {
          const id = ids.get(row.employeeNumber.toUpperCase())!;
          await trx.updateTable('staff').set({
            line_manager_id: row.lineManager ? ids.get(row.lineManager.toUpperCase())! : null,
            buddy_id: row.buddy ? ids.get(row.buddy.toUpperCase())! : null,
          }).where('id', '=', id).execute();
        }
        // A leaver (active: no) loses access with the same file: their sign-in account is turned off
        // and every session of it ends. API tokens stop working with the account.
        let accountsDisabled = 0;
        const leavers = rows.filter((r) => !r.active).map((r) => ids.get(r.employeeNumber.toUpperCase())!);
        if (leavers.length) {
          const accounts = await trx.updateTable('accounts').set({ disabled_at: new Date() })
            .where('staff_id', 'in', leavers).where('disabled_at', 'is', null).returning(['id', 'email']).execute();
          for (const a of accounts) {
            const ended = await trx.deleteFrom('sessions').where('account_id', '=', a.id).executeTakeFirst();
            await audit.appendIn(trx, { ...actorFields(actor), action: 'account.disable', entityType: 'account', entityId: a.id, detail: { via: 'staff_import', fileName, sessionsEnded: Number(ended.numDeletedRows) } });
          }
          accountsDisabled = accounts.length;
        }
        await audit.appendIn(trx, { ...actorFields(actor), action: 'staff.import', entityType: 'staff', entityId: null, detail: { fileName, rows: rows.length, created, updated, teamsCreated, accountsDisabled } });
        return { ok: true as const, created, updated, teamsCreated, accountsDisabled };
      });
    },
  };
}

export type StaffImportService = ReturnType<typeof buildStaffImportService>;
