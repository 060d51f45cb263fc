import type { Kysely } from 'kysely';
import type { DB } from '../../db/schema.ts';
import type { StaffRepository, StaffInput } from './repository.ts';
import type { OrganisationRepository } from '../organisation/repository.ts';
import type { AuditRepository } from '../audit/repository.ts';
import { actorFields } from '../audit/service.ts';
import { can } from '../auth/access.ts';
import type { Actor } from '../auth/actor.ts';
import { ForbiddenError, NotFoundError, ValidationError } from '../../errors.ts';
import { buddyProblem, lineManagerProblem, visibleTeamIds } from './rules.ts';

export interface PeopleDeps {
  db: Kysely<DB>;
  staff: StaffRepository;
  organisation: OrganisationRepository;
  audit: AuditRepository;
}

export function buildPeopleService(deps: PeopleDeps) {
  const { db, staff, organisation, audit } = deps;

  async function relationships(actor: Actor) {
    if (actor.staffId === null) return { me: null, reports: [], managedTeamIds: [] as number[] };
    const [me, reports, managedTeamIds] = await Promise.all([
      staff.facts(actor.staffId),
      staff.reports(actor.staffId),
      staff.managedTeamIds(actor.staffId),
    ]);
    return { me, reports, managedTeamIds };
  }

  async function teamIdsFor(actor: Actor): Promise<number[] | 'all'> {
    if (can(actor, 'people.view_all') || can(actor, 'organisation.manage')) return 'all';
    const r = await relationships(actor);
    const ids = visibleTeamIds({
      all: false,
      ownStaffId: actor.staffId,
      ownTeamId: r.me?.teamId ?? null,
      managedTeamIds: r.managedTeamIds,
      reportTeamIds: r.reports.map((x) => x.team_id),
    });
    return ids === 'all' ? 'all' : [...ids];
  }

  /** Manager of the person (directly or further up), manager of their team, or an administrator. */
  async function managesPerson(actor: Actor, personId: number, teamId: number | null): Promise<boolean> {
    if (can(actor, 'organisation.manage')) return true;
    return inManagementOf(actor, personId, teamId);
  }

  /** The person's real managers: their line-management chain and the managers of their team (not administrators). */
  async function inManagementOf(actor: Actor, personId: number, teamId: number | null): Promise<boolean> {
    if (actor.staffId === null) return false;
    const r = await relationships(actor);
    return r.reports.some((x) => x.id === personId) || (teamId !== null && r.managedTeamIds.includes(teamId));
  }

  async function mustSeeTeam(actor: Actor, teamId: number) {
    const ids = await teamIdsFor(actor);
    if (ids !== 'all' && !ids.includes(teamId))
      throw new ForbiddenError('You can only see your own team and the teams you manage');
  }

  return {
    teamIdsFor,
    async teamsFor(actor: Actor) {
      return organisation.teams(await teamIdsFor(actor));
    },
    async team(actor: Actor, teamId: number) {
      const [team] = await organisation.teams([teamId]);
      if (!team) throw new NotFoundError('Team');
      await mustSeeTeam(actor, teamId);
      const members = await staff.list({ teamIds: [teamId], activeOnly: true });
      const canAllocate =
        (await managesPerson(actor, -1, teamId)) ||
        (actor.staffId !== null && members.some((m) => m.line_manager_id === actor.staffId));
      return { team, members, withoutBuddy: members.filter((m) => m.buddy_id === null), canAllocate };
    },
    async person(actor: Actor, id: number) {
      const p = await staff.get(id);
      if (!p) throw new NotFoundError('Person');
      const self = actor.staffId === id;
      if (!self) {
        const ids = await teamIdsFor(actor);
        if (ids !== 'all' && (p.team_id === null || !ids.includes(p.team_id))) throw new ForbiddenError();
      }
      const manages = self ? false : await managesPerson(actor, id, p.team_id);
      // The documented rule for personal mobiles is "only the person and their managers": an
      // administrator who is not their manager sees it only on the edit form (personForEdit), audited.
      const seesMobile = self || (manages && (await inManagementOf(actor, id, p.team_id)));
      const [chain, buddyTo, teamMates] = await Promise.all([
        staff.chain(id),
        staff.buddyTo(id),
        p.team_id === null ? Promise.resolve([]) : staff.list({ teamIds: [p.team_id], activeOnly: true }),
      ]);
      return {
        person: { ...p, personal_mobile: seesMobile ? p.personal_mobile : null },
        seesMobile,
        chain,
        buddyTo,
        buddyChoices: teamMates.filter((m) => m.id !== id),
        canAllocateBuddy: manages,
        canEdit: can(actor, 'organisation.manage'),
        isSelf: self,
      };
    },
    /**
     * A member of staff's record for an administrator to edit. It holds the personal mobile, so
     * each opening with one recorded is audited: administrators see it only where they edit it.
     */
    async personForEdit(actor: Actor, id: number) {
      if (!can(actor, 'organisation.manage')) throw new ForbiddenError();
      const p = await staff.get(id);
      if (!p) throw new NotFoundError('Person');
      if (p.personal_mobile) {
        await audit.append({
          ...actorFields(actor),
          action: 'staff.view_personal_mobile',
          entityType: 'staff',
          entityId: id,
          detail: { where: 'edit form' },
        });
      }
      return p;
    },
    /** Seed 001 §4: managers allocate each member of staff a buddy from their own team. */
    async allocateBuddy(actor: Actor, personId: number, buddyId: number | null) {
      const person = await staff.facts(personId);
      if (!person) throw new NotFoundError('Person');
      // Choosing one's own buddy would let a manager pick who is alerted about her: her own manager does it.
      if (actor.staffId === personId) throw new ForbiddenError('Your buddy is allocated by your own manager');
      if (!(await managesPerson(actor, personId, person.teamId)))
        throw new ForbiddenError('Only the person’s manager can allocate their buddy');
      const buddy = buddyId === null ? null : await staff.facts(buddyId);
      if (buddyId !== null && !buddy)
        throw new ValidationError([{ field: 'buddyId', message: 'Select a buddy from the list' }]);
      const problem = buddyProblem(person, buddy ?? null);
      if (problem) throw new ValidationError([{ field: 'buddyId', message: problem }]);
      await db.transaction().execute(async (trx) => {
        await staff.setBuddy(trx, personId, buddyId);
        await audit.appendIn(trx, {
          ...actorFields(actor),
          action: 'staff.allocate_buddy',
          entityType: 'staff',
          entityId: personId,
          detail: { buddyId },
        });
      });
    },
    async myRelationships(actor: Actor) {
      if (actor.staffId === null) return { me: null, buddy: null, buddyTo: [], chain: [], directReports: [] };
      const [me, buddyTo, chain, reports] = await Promise.all([
        staff.get(actor.staffId),
        staff.buddyTo(actor.staffId),
        staff.chain(actor.staffId),
        staff.reports(actor.staffId),
      ]);
      const direct = reports.filter((r) => r.depth === 1).map((r) => r.id);
      const directReports = direct.length
        ? (await staff.list({ activeOnly: true })).filter((s) => direct.includes(s.id))
        : [];
      return { me, buddy: me?.buddy_id ? await staff.get(me.buddy_id) : null, buddyTo, chain, directReports };
    },
    async list(actor: Actor, search?: string) {
      return staff.list({ teamIds: await teamIdsFor(actor), search, activeOnly: false });
    },
    /** One page of the people the actor may see, narrowed by a search, a team and whether they still work here. */
    async listPage(
      actor: Actor,
      filter: { search: string; teamId: number | null; status: 'current' | 'left' | null; page: number },
    ) {
      const teamIds = await teamIdsFor(actor);
      const found = await staff.page(
        {
          teamIds,
          search: filter.search || undefined,
          teamId: filter.teamId,
          active: filter.status === null ? undefined : filter.status === 'current',
        },
        filter.page,
      );
      return { ...found, teams: await organisation.teams(teamIds) };
    },
    majorIncidentContacts: () => staff.assistantDirectors(),

    async createStaff(actor: Actor, input: StaffInput) {
      if (!can(actor, 'organisation.manage')) throw new ForbiddenError();
      await uniqueness(input, null);
      return db.transaction().execute(async (trx) => {
        const id = await staff.create(trx, input);
        await audit.appendIn(trx, {
          ...actorFields(actor),
          action: 'staff.create',
          entityType: 'staff',
          entityId: id,
          detail: { employeeNumber: input.employeeNumber },
        });
        return id;
      });
    },
    async updateStaff(actor: Actor, id: number, input: StaffInput) {
      if (!can(actor, 'organisation.manage')) throw new ForbiddenError();
      const existing = await staff.get(id);
      if (!existing) throw new NotFoundError('Person');
      await uniqueness(input, id);
      const reportIds = new Set((await staff.reports(id)).map((r) => r.id));
      const lm = lineManagerProblem(id, input.lineManagerId, reportIds);
      if (lm) throw new ValidationError([{ field: 'lineManagerId', message: lm }]);
      // Read before the transaction: on PGlite the one connection is held by the transaction.
      const buddiedBy = existing.team_id !== input.teamId ? await staff.buddyTo(id) : [];
      await db.transaction().execute(async (trx) => {
        await staff.update(trx, id, input);
        // Moving team breaks the same-team buddy rule, so the buddy pairing is cleared both ways.
        if (existing.team_id !== input.teamId) {
          await staff.setBuddy(trx, id, null);
          for (const b of buddiedBy) await staff.setBuddy(trx, b.id, null);
        }
        await audit.appendIn(trx, {
          ...actorFields(actor),
          action: 'staff.update',
          entityType: 'staff',
          entityId: id,
          detail: { changed: changedFields(existing, input) },
        });
      });
    },
  };

  async function uniqueness(input: StaffInput, id: number | null) {
    const errors = [];
    const [byNumber] = await staff.byEmployeeNumbers([input.employeeNumber]);
    if (byNumber && byNumber.id !== id)
      errors.push({ field: 'employeeNumber', message: 'Another person already has that employee number' });
    const [byEmail] = await staff.byEmails([input.email]);
    if (byEmail && byEmail.id !== id)
      errors.push({ field: 'email', message: 'Another person already has that email address' });
    if (errors.length) throw new ValidationError(errors);
  }
}

function changedFields(before: Record<string, unknown>, after: StaffInput): string[] {
  const map: Record<keyof StaffInput, string> = {
    employeeNumber: 'employee_number',
    givenName: 'given_name',
    familyName: 'family_name',
    email: 'email',
    jobRole: 'job_role',
    teamId: 'team_id',
    lineManagerId: 'line_manager_id',
    workMobile: 'work_mobile',
    personalMobile: 'personal_mobile',
    outOfHoursPhone: 'out_of_hours_phone',
    baseBuildingId: 'base_building_id',
    active: 'active',
  };
  return (Object.keys(map) as (keyof StaffInput)[]).filter((k) => before[map[k]] !== after[k]);
}

export type PeopleService = ReturnType<typeof buildPeopleService>;
