import { londonTime } from '../../time/london.ts';
import { DEFAULT_CALLBACK_SECONDS } from './rules.ts';
import { notify, type DuressContext, type Trx } from './shared.ts';

/** The Purple File's "call you back in 5 minutes" timer: arming it, and the poller that fires it. */
export function buildCallbacks(ctx: DuressContext) {
  const { deps, repo } = ctx;
  const callbackSeconds = deps.callbackSeconds ?? DEFAULT_CALLBACK_SECONDS;

  return {
    /** Replaces any pending timer with one due in callbackSeconds; the call's timeline says so. */
    async arm(trx: Trx, callId: number, responderId: number) {
      await repo.cancelPendingCallbacks(trx, callId);
      const due = new Date(Date.now() + callbackSeconds * 1000);
      await repo.insertCallback(trx, callId, responderId, due);
      await repo.addEvent(trx, callId, responderId, `Call-back timer started: call back by ${londonTime(due)}`);
      return due;
    },

    /**
     * The call-back poller: claims due timers (FOR UPDATE SKIP LOCKED, so several processes share
     * the work), queues "call them back now" to the responder and marks the timer fired, in one
     * transaction: a crash before commit loses nothing, and a timer never fires twice.
     */
    async tick(limit = 200): Promise<{ fired: number; more: boolean }> {
      const fired = await repo.transactionOnce(async (trx) => {
        const rows = await repo.claimDueCallbacks(trx, limit);
        for (const r of rows) {
          await notify(
            ctx,
            trx,
            [r.responder_id],
            `Harbour: call ${r.worker_name} back now`,
            `The 5-minute Purple File call-back for ${r.worker_name} is due now.${r.mobile ? ` Their mobile: ${r.mobile}.` : ''} If they do not answer, dial 999.`,
            `/purple-file/${r.call_id}`,
          );
          await repo.addEvent(trx, r.call_id, null, 'Call-back due now: the responder was alerted');
        }
        return rows.length;
      });
      if (fired) deps.onNotify?.();
      return { fired, more: fired === limit };
    },
  };
}

export type Callbacks = ReturnType<typeof buildCallbacks>;
