import type { Actor } from '../auth/actor.ts';
import { actorFields } from '../audit/service.ts';
import { ForbiddenError, NotFoundError, ValidationError } from '../../errors.ts';
import { londonDate, londonDayBounds } from '../../time/london.ts';
import type { AnswerValue, Answers } from './tables.ts';
import {
  ANSWERS,
  CALL_OUTCOMES,
  QUESTIONS,
  answersText,
  packReasonProblem,
  type CallOutcome,
  type QuestionKey,
} from './rules.ts';
import { NOT_COVERED, type CallAccess } from './call-access.ts';
import type { Callbacks } from './callbacks.ts';
import type { AlarmInput } from './alarm.ts';
import { addressOf, fullName, notify, when, type DuressContext, type Trx } from './shared.ts';

/** A call's outcome as the outcome of the alerts it closes. */
const ALERT_OUTCOME_OF_CALL: Record<CallOutcome, 'safe' | 'false_alarm' | 'incident'> = {
  safe: 'safe',
  staff_attended: 'safe',
  false_alarm: 'false_alarm',
  police_attended: 'incident',
  other: 'incident',
};

/**
 * Taking a Purple File call: starting it (raising the silent alarm if none is open), the
 * questions, the call-back timer, telling the managers, break-glass for the pack, and closing it.
 */
export function buildCall(
  ctx: DuressContext,
  access: CallAccess,
  callbacks: Callbacks,
  raiseIn: (trx: Trx, actor: Actor, input: AlarmInput) => Promise<string>,
) {
  const { deps, repo } = ctx;
  const { staff, audit } = deps;
  const { mustRespond, covers, mustActOnCall, mayViewCall, loadCall } = access;

  async function lockOpenCall(trx: Trx, callId: number) {
    const row = await repo.lockCall(trx, callId);
    if (!row) throw new NotFoundError('Purple File call');
    if (row.status !== 'open') throw new ValidationError([{ field: 'call', message: 'This call has been closed' }]);
    return { ...row, answers: (row.answers ?? {}) as Answers };
  }

  async function notifyManagersIn(trx: Trx, actor: Actor, callId: number) {
    const c = await loadCall(callId, trx);
    const managers = await repo.managersIn(trx, c.worker_id);
    const lines = answersText(c.answers, c.address, when);
    const body = [
      `Purple File call about ${fullName(c)} taken by ${c.responder_name} at ${when(c.started_at)}.`,
      `Address: ${c.address ?? 'not known'}.`,
      ...(lines.length ? ['Answers:', ...lines] : ['No questions answered yet.']),
      ...(c.outcome
        ? [
            `Outcome: ${CALL_OUTCOMES[c.outcome as CallOutcome] ?? c.outcome}${c.outcome_notes ? ` – ${c.outcome_notes}` : ''}`,
          ]
        : []),
    ].join('\n');
    await notify(
      ctx,
      trx,
      managers.map((m) => m.id),
      `Harbour Purple File: ${fullName(c)}`,
      body,
      `/purple-file/${callId}`,
    );
    await repo.markManagersNotified(trx, callId);
    const missing = ['Building manager', 'Service manager', 'Designated safeguarding lead'].filter(
      (r) => !managers.some((m) => m.role === r),
    );
    await repo.addEvent(
      trx,
      callId,
      actor.staffId,
      `Told ${managers.map((m) => `${m.name} (${m.role.toLowerCase()})`).join(', ') || 'nobody'}${missing.length ? `; none recorded: ${missing.join(', ').toLowerCase()}` : ''}`,
    );
    return managers;
  }

  return {
    /** Someone rang and said the phrase: the call starts for the chosen worker. */
    async startCall(actor: Actor, workerId: number) {
      const responderId = mustRespond(actor);
      const worker = await staff.get(workerId);
      if (!worker || !worker.active)
        throw new ValidationError([{ field: 'workerId', message: 'Select the person who rang' }]);
      if (!(await covers(actor, workerId))) throw new ForbiddenError(NOT_COVERED);
      const { start, end } = londonDayBounds(londonDate(new Date()));
      const running = await repo.runningVisit(workerId);
      const visit = running ?? (await repo.plannedVisit(workerId, start, end));
      const alert = await repo.openDuressAlertOf(workerId);
      const id = await repo.transaction(async (trx) => {
        // No silent alarm open: the call raises one, so the worker's chain knows at once.
        const alertId =
          alert?.id ??
          (await raiseIn(trx, actor, { workerId, visitId: running?.id ?? null, via: 'purple_file', location: null }));
        const row = await repo.insertCall(trx, {
          workerId,
          visitId: visit?.id ?? null,
          alertId: String(alertId),
          responderId,
          address: addressOf(visit),
        });
        await repo.addEvent(
          trx,
          row.id,
          responderId,
          `${actor.displayName} took a Purple File call from ${fullName(worker)}${alert ? '' : '; a silent alarm was raised so their managers know at once'}`,
        );
        await audit.appendIn(trx, {
          ...actorFields(actor),
          action: 'purple_file.start',
          entityType: 'purple_file_call',
          entityId: row.id,
          detail: { workerId, alertId: String(alertId), raised: !alert },
        });
        return row.id;
      });
      if (!alert) deps.onAlarm?.();
      return id;
    },

    /**
     * Break-glass from the call: opens the worker's emergency information pack for the police pack
     * (car make, colour, registration). The emergency service checks the responder may, records
     * the view for the worker to see and audits it; the call's timeline says so too.
     */
    async openPack(actor: Actor, callId: number, reason: string | null): Promise<void> {
      const responderId = await mustActOnCall(actor, callId);
      if (!deps.emergency)
        throw new ValidationError([
          { field: 'reason', message: 'Emergency information packs are not available in this Harbour' },
        ]);
      const c = await loadCall(callId);
      if (c.status !== 'open') throw new ValidationError([{ field: 'reason', message: 'This call has been closed' }]);
      const problem = packReasonProblem(reason);
      if (problem) throw new ValidationError([{ field: 'reason', message: problem }]);
      // The call page shows it from now until the call closes; each showing is a break-glass view
      // (checked, recorded for the worker, audited) by the emergency service.
      await repo.recordPackReason(
        callId,
        reason!.trim(),
        responderId,
        `${actor.displayName} opened ${fullName(c)}'s emergency information pack: ${reason!.trim()} (recorded; it stays open on this call until the call closes)`,
      );
    },

    /** One answer, with the time it was given. "Yes" to the call-back question starts the timer. */
    async answer(actor: Actor, callId: number, key: QuestionKey, value: AnswerValue) {
      const responderId = await mustActOnCall(actor, callId);
      await repo.transaction(async (trx) => {
        const call = await lockOpenCall(trx, callId);
        const answers: Answers = { ...call.answers, [key]: { answer: value, at: new Date().toISOString() } };
        await repo.setAnswers(trx, callId, answers);
        const q = QUESTIONS.find((x) => x.key === key)!;
        const c = await repo.callAddress(trx, callId);
        await repo.addEvent(trx, callId, responderId, `${q.text(c.address)} ${ANSWERS[value]}`);
        if (key === 'call_back' && value === 'yes') await callbacks.arm(trx, callId, responderId);
        if (value === 'no_answer') await repo.addEvent(trx, callId, responderId, 'No answer: dial 999 now');
      });
    },

    async startCallback(actor: Actor, callId: number) {
      const responderId = await mustActOnCall(actor, callId);
      return repo.transaction(async (trx) => {
        await lockOpenCall(trx, callId);
        return callbacks.arm(trx, callId, responderId);
      });
    },

    async cancelCallback(actor: Actor, callId: number) {
      const responderId = await mustActOnCall(actor, callId);
      await repo.transaction(async (trx) => {
        await lockOpenCall(trx, callId);
        if (await repo.cancelPendingCallbacks(trx, callId))
          await repo.addEvent(trx, callId, responderId, 'Call-back timer stopped');
      });
    },

    /** Afterwards: the building manager, service manager and designated safeguarding lead, with the answers. */
    async notifyManagers(actor: Actor, callId: number) {
      await mustActOnCall(actor, callId);
      const managers = await repo.transaction(async (trx) => {
        await lockOpenCall(trx, callId);
        const m = await notifyManagersIn(trx, actor, callId);
        await audit.appendIn(trx, {
          ...actorFields(actor),
          action: 'purple_file.notify',
          entityType: 'purple_file_call',
          entityId: callId,
          detail: { told: m.map((x) => x.id) },
        });
        return m;
      });
      deps.onNotify?.();
      return managers;
    },

    /** Closing needs an outcome. The managers are told now if they were not already. */
    /** Closing needs an outcome; with `closeAlarms`, every alert still open about the worker closes with it. */
    async close(actor: Actor, callId: number, outcome: CallOutcome, notes: string | null, closeAlarms = false) {
      const responderId = await mustActOnCall(actor, callId);
      if (outcome === 'other' && !notes) throw new ValidationError([{ field: 'notes', message: 'Say what happened' }]);
      const workerId = await repo.transaction(async (trx) => {
        const call = await lockOpenCall(trx, callId);
        await repo.cancelPendingCallbacks(trx, callId);
        await repo.closeCall(trx, callId, outcome, notes, actor.accountId);
        await repo.addEvent(
          trx,
          callId,
          responderId,
          `Closed by ${actor.displayName}: ${CALL_OUTCOMES[outcome]}${notes ? ` – ${notes}` : ''}`,
        );
        const c = await repo.managersNotifiedAt(trx, callId);
        if (!c.managers_notified_at) await notifyManagersIn(trx, actor, callId);
        await audit.appendIn(trx, {
          ...actorFields(actor),
          action: 'purple_file.close',
          entityType: 'purple_file_call',
          entityId: callId,
          detail: { outcome, workerId: call.worker_id, closeAlarms },
        });
        return call.worker_id;
      });
      if (closeAlarms) {
        for (const a of await repo.openAlertsAbout(workerId)) {
          try {
            await deps.alerts.resolve(
              actor,
              String(a.id),
              ALERT_OUTCOME_OF_CALL[outcome],
              `Purple File call: ${CALL_OUTCOMES[outcome]}${notes ? ` – ${notes}` : ''}`,
            );
          } catch (e) {
            if (!(e instanceof ValidationError)) throw e; // closed meanwhile by someone else
          }
        }
      }
      deps.onNotify?.();
    },

    /** Pre-fill for "Start incident report": the linked alert or visit, and the call written out. */
    async incidentPrefill(actor: Actor, callId: number) {
      await mayViewCall(actor, callId);
      const c = await loadCall(callId);
      const lines = answersText(c.answers, c.address, when);
      return {
        alertId: c.alert_id ? Number(c.alert_id) : null,
        visitId: c.visit_id,
        narrative: [
          `Purple File call: ${fullName(c)} rang the office at ${when(c.started_at)} on ${londonDate(new Date(c.started_at))} and used the code phrase. ${c.responder_name} took the call.`,
          ...lines,
          ...(c.outcome
            ? [
                `Outcome: ${CALL_OUTCOMES[c.outcome as CallOutcome] ?? c.outcome}${c.outcome_notes ? ` – ${c.outcome_notes}` : ''}`,
              ]
            : []),
        ].join('\n'),
        location: c.address,
      };
    },
  };
}
