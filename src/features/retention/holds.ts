import { inTransaction } from '../../db/transaction.ts';
import { NotFoundError, ValidationError } from '../../errors.ts';
import type { Actor } from '../auth/actor.ts';
import { HOLDABLE_KINDS, type HoldableKind } from './rules.ts';
import type { RetentionContext } from './context.ts';

/** Legal holds: a record placed under hold is kept by every run until the hold is released. */
export function buildHolds({ db, repo, audit, mustManage }: RetentionContext) {
  return {
    async placeHold(actor: Actor, input: { kind: string; recordId: string; reason: string }) {
      mustManage(actor);
      const errors: { field: string; message: string }[] = [];
      const kind = (HOLDABLE_KINDS as readonly string[]).includes(input.kind) ? (input.kind as HoldableKind) : null;
      const recordId = input.recordId.trim();
      const reason = input.reason.trim();
      if (!kind) errors.push({ field: 'kind', message: 'Select the kind of record' });
      if (!recordId) errors.push({ field: 'recordId', message: 'Enter the record’s reference number' });
      else if (recordId.length > 60)
        errors.push({ field: 'recordId', message: 'Record reference must be 60 characters or fewer' });
      if (!reason) errors.push({ field: 'reason', message: 'Enter why the record is under legal hold' });
      else if (reason.length > 1000)
        errors.push({ field: 'reason', message: 'Reason must be 1000 characters or fewer' });
      if (kind && recordId && recordId.length <= 60 && !(await repo.recordExists(kind, recordId))) {
        errors.push({
          field: 'recordId',
          message:
            kind === 'register_entry'
              ? 'No register entry has that reference: enter it as gift:123 or declaration:123'
              : 'No record of that kind has that number',
        });
      }
      if (errors.length) throw new ValidationError(errors);
      return inTransaction(db, async (trx) => {
        const id = await repo.placeHold(trx, {
          kind: kind!,
          recordId,
          reason,
          by: actor.accountId,
          byName: actor.displayName,
        });
        if (id === null)
          throw new ValidationError([{ field: 'recordId', message: 'That record is already under legal hold' }]);
        await audit.appendIn(trx, {
          actorId: actor.accountId,
          actorLabel: actor.displayName,
          ip: actor.ip,
          action: 'retention.hold.place',
          entityType: kind!,
          entityId: recordId,
          detail: { holdId: id, reason },
        });
        return id;
      });
    },

    async releaseHold(actor: Actor, id: number, input: { reason: string }) {
      mustManage(actor);
      const hold = await repo.hold(id);
      if (!hold || hold.released_at) throw new NotFoundError('Legal hold');
      const reason = input.reason.trim();
      if (!reason)
        throw new ValidationError([{ field: `reason-${id}`, message: 'Enter why the legal hold is released' }]);
      if (reason.length > 1000)
        throw new ValidationError([{ field: `reason-${id}`, message: 'Reason must be 1000 characters or fewer' }]);
      await inTransaction(db, async (trx) => {
        if (!(await repo.releaseHold(trx, id, actor.accountId, reason))) throw new NotFoundError('Legal hold');
        await audit.appendIn(trx, {
          actorId: actor.accountId,
          actorLabel: actor.displayName,
          ip: actor.ip,
          action: 'retention.hold.release',
          entityType: hold.kind,
          entityId: hold.record_id,
          detail: { holdId: id, reason },
        });
      });
    },
  };
}
