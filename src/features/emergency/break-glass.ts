import type { Actor } from '../auth/actor.ts';
import { actorFields } from '../audit/service.ts';
import { ForbiddenError, NotFoundError, ValidationError } from '../../errors.ts';
import { inTransaction } from '../../db/transaction.ts';
import { relationTo } from '../visits/access.ts';
import type { EmergencyPack } from './schema.ts';
import { openPurpleFileCallOf } from './purple-file-call-repository.ts';
import { fullName as name, type EmergencyContext } from './context.ts';

export interface BreakGlassRequest {
  reason: string;
  /** The open alert (overdue, duress, end of day) about the worker the responder is dealing with. */
  alertId?: string | number | null;
  /** Or an open Purple File call about them (migration 0008), when it has no alert. */
  purpleFileCallId?: number | null;
}

/** Break-glass: a responder opens a worker's pack while responding to an alarm or a Purple File call about them. */
export function buildBreakGlass({ db, repo, staff, audit, decrypt }: EmergencyContext) {
  /** What a responder may break glass for: the worker's open alerts they respond to, and open Purple File calls. */
  async function openReasons(actor: Actor, workerId: number) {
    if (actor.staffId === null || actor.staffId === workerId) return [];
    const relation = await relationTo(staff, actor, workerId);
    const responder = relation.buddy || relation.manager || relation.teamBusinessSupport;
    const alerts = await repo.openAlerts(workerId);
    const allowed = [];
    for (const a of alerts) if (responder || (await repo.wasAlerted(a.id, actor.staffId))) allowed.push(a);
    return allowed;
  }

  async function openPurpleFileCall(actor: Actor, workerId: number, callId: number): Promise<boolean> {
    if (actor.staffId === null) return false;
    try {
      const call = await openPurpleFileCallOf(db, callId, workerId);
      if (!call) return false;
      if (call.responder_id === actor.staffId) return true;
      const r = await relationTo(staff, actor, workerId);
      return r.buddy || r.manager || r.teamBusinessSupport;
    } catch {
      return false;
    }
  }

  return {
    /** The break-glass form: who the worker is and the open alerts the actor may open their details for. */
    async breakGlassContext(actor: Actor, workerId: number) {
      const worker = await repo.person(workerId);
      if (!worker) throw new NotFoundError('Person');
      const alerts = await openReasons(actor, workerId);
      if (!alerts.length)
        throw new ForbiddenError(
          'You can open someone’s emergency details only while you are responding to an open alarm or escalation about them',
        );
      return { worker: { id: worker.id, name: name(worker) }, alerts };
    },

    /**
     * Break-glass: a responder opens a worker's emergency information pack while an alarm or
     * escalation about that worker is open, giving a reason. Recorded in the worker's list of
     * views, the alert's timeline and the audit trail, in one transaction, before anything is
     * returned. Returns the decrypted pack (null if the worker has not filled it in).
     */
    async breakGlass(
      actor: Actor,
      workerId: number,
      request: BreakGlassRequest,
    ): Promise<{
      worker: { id: number; name: string };
      pack: EmergencyPack | null;
      updatedAt: Date | null;
      unreadable: boolean;
      alertId: string | null;
    }> {
      const worker = await repo.person(workerId);
      if (!worker) throw new NotFoundError('Person');
      if (actor.staffId === workerId)
        throw new ForbiddenError('These are your own details: open them from “Emergency details”');
      const reason = request.reason.trim();
      if (!reason)
        throw new ValidationError([{ field: 'reason', message: 'Enter why you need to open their emergency details' }]);
      let alertId: string | null = null;
      if (request.alertId !== undefined && request.alertId !== null && String(request.alertId) !== '') {
        alertId = String(request.alertId);
        const allowed = await openReasons(actor, workerId);
        if (!allowed.some((a) => String(a.id) === alertId)) {
          if (!allowed.length)
            throw new ForbiddenError(
              'You can open someone’s emergency details only while you are responding to an open alarm or escalation about them',
            );
          throw new ValidationError([{ field: 'alertId', message: 'Select an open alarm or escalation about them' }]);
        }
      } else if (request.purpleFileCallId) {
        if (!(await openPurpleFileCall(actor, workerId, request.purpleFileCallId)))
          throw new ForbiddenError(
            'You can open someone’s emergency details only while you are responding to an open alarm or escalation about them',
          );
      } else {
        throw new ValidationError([
          { field: 'alertId', message: 'Select the alarm or escalation you are responding to' },
        ]);
      }
      const { pack, updatedAt, unreadable } = await decrypt(workerId);
      await inTransaction(db, async (trx) => {
        await repo.recordView(trx, {
          staffId: workerId,
          viewerAccountId: actor.accountId,
          viewerStaffId: actor.staffId,
          viewerName: actor.displayName,
          alertId,
          reason,
        });
        if (alertId)
          await repo.note(
            trx,
            alertId,
            actor.staffId,
            `${actor.displayName} opened ${name(worker)}’s emergency details: ${reason}`,
          );
        await audit.appendIn(trx, {
          ...actorFields(actor),
          action: 'emergency_pack.break_glass',
          entityType: 'staff',
          entityId: workerId,
          detail: { alertId, purpleFileCallId: request.purpleFileCallId ?? null, reason, exists: pack !== null },
        });
      });
      return { worker: { id: worker.id, name: name(worker) }, pack, updatedAt, unreadable, alertId };
    },
  };
}
