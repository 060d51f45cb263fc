import { hasRole, type Actor } from '../auth/actor.ts';
import { actorFields } from '../audit/service.ts';
import { ForbiddenError } from '../../errors.ts';
import { inTransaction } from '../../db/transaction.ts';
import { seal } from './crypto.ts';
import type { EmergencyPack } from './schema.ts';
import { packProblem } from './rules.ts';
import { aad, type EmergencyContext } from './context.ts';

/** A worker's own pack: read with who has opened it, saved; and the subject access export's reading. */
export function buildOwnPack({ db, repo, audit, now, keyring, decrypt, mustBeStaff }: EmergencyContext) {
  return {
    /** The worker's own pack, to read and edit, and who else has opened it. Every view is audited. */
    async mine(actor: Actor) {
      const staffId = mustBeStaff(actor);
      const [{ pack, updatedAt, unreadable }, views] = await Promise.all([decrypt(staffId), repo.views(staffId)]);
      await audit.append({
        ...actorFields(actor),
        action: 'emergency_pack.view_own',
        entityType: 'staff',
        entityId: staffId,
        detail: { exists: pack !== null },
      });
      return {
        pack,
        updatedAt,
        unreadable,
        views,
        problem: unreadable ? ('missing' as const) : packProblem(updatedAt, now()),
      };
    },

    /** A subject access export (issue 20): the information governance officer reads the pack for the person it is about; audited before it is returned. */
    async forSubjectAccess(actor: Actor, staffId: number) {
      if (!hasRole(actor, 'information_governance_officer'))
        throw new ForbiddenError(
          'Only the information governance officer exports emergency details for a subject access request',
        );
      const result = await decrypt(staffId);
      await audit.append({
        ...actorFields(actor),
        action: 'emergency_pack.subject_access',
        entityType: 'staff',
        entityId: staffId,
        detail: { exists: result.pack !== null, unreadable: result.unreadable },
      });
      return result;
    },

    async save(actor: Actor, pack: EmergencyPack) {
      const staffId = mustBeStaff(actor);
      const { keyring: k } = await keyring();
      const sealed = seal(k, JSON.stringify(pack), aad(staffId));
      await inTransaction(db, async (trx) => {
        await repo.savePack(trx, staffId, sealed);
        // The trail records that the details changed, never what they are.
        await audit.appendIn(trx, {
          ...actorFields(actor),
          action: 'emergency_pack.save',
          entityType: 'staff',
          entityId: staffId,
          detail: { keyId: sealed.keyId },
        });
      });
    },
  };
}
