import type { Kysely, Transaction } from 'kysely';
import type { DB } from '../../db/schema.ts';
import type { OrganisationRepository } from './repository.ts';
import type { AuditRepository } from '../audit/repository.ts';
import { actorFields } from '../audit/service.ts';
import { can } from '../auth/access.ts';
import type { Actor } from '../auth/actor.ts';
import { ForbiddenError, NotFoundError, ValidationError } from '../../errors.ts';

export function buildOrganisationService(deps: {
  db: Kysely<DB>;
  organisation: OrganisationRepository;
  audit: AuditRepository;
}) {
  const { db, organisation: repo, audit } = deps;

  function mustManage(actor: Actor) {
    if (!can(actor, 'organisation.manage')) throw new ForbiddenError();
  }

  /** Runs a change and its audit entry in one transaction. */
  function write<T>(
    actor: Actor,
    action: string,
    entityType: string,
    fn: (trx: Transaction<DB>) => Promise<T>,
    entityId?: number,
  ) {
    return db.transaction().execute(async (trx) => {
      const result = await fn(trx);
      const id = entityId ?? (typeof result === 'number' ? result : null);
      await audit.appendIn(trx, { ...actorFields(actor), action, entityType, entityId: id });
      return result;
    });
  }

  async function uniqueName<T extends { id: number; name: string }>(
    list: T[],
    name: string,
    id: number | null,
    what: string,
  ) {
    if (list.some((x) => x.name.toLowerCase() === name.toLowerCase() && x.id !== id)) {
      throw new ValidationError([{ field: 'name', message: `There is already a ${what} called ${name}` }]);
    }
  }

  return {
    directorates: repo.directorates,
    services: repo.services,
    allTeams: () => repo.teams('all'),
    async directorate(id: number) {
      const d = await repo.directorate(id);
      if (!d) throw new NotFoundError('Directorate');
      return d;
    },
    async service(id: number) {
      const s = await repo.service(id);
      if (!s) throw new NotFoundError('Service');
      return s;
    },
    async team(id: number) {
      const t = await repo.team(id);
      if (!t) throw new NotFoundError('Team');
      return t;
    },
    async saveDirectorate(actor: Actor, id: number | null, input: { name: string }) {
      mustManage(actor);
      await uniqueName(await repo.directorates(), input.name, id, 'directorate');
      if (id === null)
        return write(actor, 'directorate.create', 'directorate', (trx) => repo.createDirectorate(trx, input.name));
      await this.directorate(id);
      return write(actor, 'directorate.update', 'directorate', async (trx) => {
        await repo.renameDirectorate(trx, id, input.name);
        return id;
      });
    },
    async saveService(
      actor: Actor,
      id: number | null,
      input: { name: string; directorateId: number; safeguardingLeadId?: number | null },
    ) {
      mustManage(actor);
      if (!(await repo.directorate(input.directorateId)))
        throw new ValidationError([{ field: 'directorateId', message: 'Select a directorate' }]);
      await uniqueName(
        (await repo.services()).filter((s) => s.directorate_id === input.directorateId),
        input.name,
        id,
        'service in that directorate',
      );
      if (id === null) return write(actor, 'service.create', 'service', (trx) => repo.createService(trx, input));
      await this.service(id);
      return write(actor, 'service.update', 'service', async (trx) => {
        await repo.updateService(trx, id, input);
        return id;
      });
    },
    async saveTeam(
      actor: Actor,
      id: number | null,
      input: { name: string; serviceId: number; managerId: number | null },
    ) {
      mustManage(actor);
      if (!(await repo.service(input.serviceId)))
        throw new ValidationError([{ field: 'serviceId', message: 'Select a service' }]);
      await uniqueName(await repo.teams('all'), input.name, id, 'team');
      if (id === null) return write(actor, 'team.create', 'team', (trx) => repo.createTeam(trx, input));
      await this.team(id);
      return write(actor, 'team.update', 'team', async (trx) => {
        await repo.updateTeam(trx, id, input);
        return id;
      });
    },
  };
}

export type OrganisationService = ReturnType<typeof buildOrganisationService>;
