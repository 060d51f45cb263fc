import type { Kysely } from 'kysely';
import type { DB } from '../../db/schema.ts';
import type { BuildingsRepository } from './repository.ts';
import type { AuditRepository } from '../audit/repository.ts';
import { actorFields } from '../audit/service.ts';
import { can } from '../auth/access.ts';
import type { Actor } from '../auth/actor.ts';
import { ForbiddenError, NotFoundError, ValidationError } from '../../errors.ts';
import type { BuildingForm } from './schema.ts';

export function buildBuildingsService(deps: {
  db: Kysely<DB>;
  buildings: BuildingsRepository;
  audit: AuditRepository;
}) {
  const { db, buildings: repo, audit } = deps;
  return {
    list: repo.list,
    async get(id: number) {
      const b = await repo.get(id);
      if (!b) throw new NotFoundError('Building');
      return { building: b, keyHolders: await repo.keyHolders(id) };
    },
    async save(actor: Actor, id: number | null, input: BuildingForm) {
      if (!can(actor, 'organisation.manage')) throw new ForbiddenError();
      const clash = (await repo.list()).find((b) => b.name.toLowerCase() === input.name.toLowerCase() && b.id !== id);
      if (clash)
        throw new ValidationError([{ field: 'name', message: `There is already a building called ${input.name}` }]);
      if (id !== null && !(await repo.get(id))) throw new NotFoundError('Building');
      const { keyHolderIds, ...building } = input;
      return db.transaction().execute(async (trx) => {
        const buildingId = id ?? (await repo.create(trx, building));
        if (id !== null) await repo.update(trx, id, building);
        await repo.setKeyHolders(trx, buildingId, [...new Set(keyHolderIds)]);
        await audit.appendIn(trx, {
          ...actorFields(actor),
          action: id === null ? 'building.create' : 'building.update',
          entityType: 'building',
          entityId: buildingId,
        });
        return buildingId;
      });
    },
  };
}

export type BuildingsService = ReturnType<typeof buildBuildingsService>;
