import type { Actor } from '../auth/actor.ts';
import { actorFields } from '../audit/service.ts';
import { ForbiddenError, NotFoundError, ValidationError } from '../../errors.ts';
import { hashPassword, verifyPassword } from '../auth/passwords.ts';
import { timers } from '../alerts/timers-repository.ts';
import { DEFAULT_POLICIES, type Step } from '../alerts/policy.ts';
import { CASE_SYSTEMS } from '../visits/schema.ts';
import { carriedText, duressSteps, pinProblem } from './rules.ts';
import { addressOf, type DuressContext, type Location, type Trx } from './shared.ts';

export type AlarmInput = {
  workerId: number;
  visitId: number | null;
  via: 'pin' | 'control' | 'api' | 'purple_file';
  location: Location | null;
};

/** The silent alarm: raising it (duress PIN, disguised control, app, Purple File) and the worker's duress PINs. */
export function buildAlarm({ deps, repo }: DuressContext) {
  const { audit } = deps;

  /**
   * Raises a silent duress alarm for the worker: in one transaction, the alert (kind 'duress',
   * the team's duress policy or the default, nobody asked "are you safe?"), what it carried, and
   * step 0's timer armed for now, so the escalation engine tells the responders at once. A second
   * alarm on the same visit while one is open adds nothing (it returns the open one).
   */
  async function raise(
    actor: Actor,
    input: { workerId: number; visitId: number | null; via: 'pin' | 'control' | 'api'; location: Location | null },
  ) {
    if (actor.staffId !== input.workerId) throw new ForbiddenError('Only the worker can raise their own alarm');
    const alertId = await repo.transaction((trx) => raiseIn(trx, actor, input));
    deps.onAlarm?.();
    return alertId;
  }

  /** raise() inside a transaction: by the worker, or (via 'purple_file') by the responder taking a Purple File call. */
  async function raiseIn(trx: Trx, actor: Actor, input: AlarmInput): Promise<string> {
    const worker = await repo.alarmWorker(trx, input.workerId);
    if (!worker) throw new NotFoundError('Person');
    const visit = input.visitId === null ? null : await repo.alarmVisit(trx, input.visitId);
    if (input.visitId !== null && (!visit || visit.worker_id !== input.workerId)) throw new NotFoundError('Visit');
    const policy = worker.team_id === null ? null : await repo.duressPolicy(trx, worker.team_id);
    const location = input.location ?? (visit?.last_location as Location | null) ?? null;
    const caseReference = visit?.case_id
      ? `${CASE_SYSTEMS[visit.case_system as keyof typeof CASE_SYSTEMS] ?? visit.case_system ?? ''} ${visit.case_id}`.trim()
      : null;
    const steps = duressSteps(
      (policy?.steps as Step[] | undefined) ?? DEFAULT_POLICIES.duress,
      carriedText(caseReference, location),
    );
    const id = await repo.insertDuressAlert(trx, input.visitId, input.workerId, steps);
    if (!id) {
      // Already raised on this visit and still open: keep the newest location.
      const open = await repo.openDuressAlertOnVisit(trx, input.visitId);
      if (input.location) await repo.moveAlarm(trx, open.id, input.location);
      return String(open.id);
    }
    await repo.insertAlarm(trx, { alertId: id, via: input.via, caseReference, address: addressOf(visit), location });
    await repo.addTimelineEvent(trx, {
      alert_id: id,
      visit_id: input.visitId,
      type: 'duress',
      actor_id: actor.staffId,
      text:
        input.via === 'purple_file'
          ? `Silent alarm raised by ${actor.displayName}, who took a Purple File call from the worker`
          : `Silent alarm raised from the worker's phone (${input.via === 'pin' ? 'duress PIN' : input.via === 'control' ? 'disguised "Request purple file" control' : 'app'})`,
      detail: JSON.stringify({ via: input.via, location }),
    });
    await timers.arm(trx, 'alert_step', id, 0, new Date());
    await audit.appendIn(trx, {
      ...actorFields(actor),
      action: 'duress.raise',
      entityType: 'alert',
      entityId: id,
      detail: { via: input.via, visitId: input.visitId },
    });
    return id;
  }

  return {
    raise,
    raiseIn,

    /** What the end-of-visit form asks: a PIN field only for the worker, and only once they set PINs. */
    async endForm(actor: Actor, workerId: number) {
      if (actor.staffId !== workerId) return { show: false, required: false };
      const p = await repo.pins(workerId);
      return { show: Boolean(p), required: Boolean(p?.checkout_pin_hash) };
    },

    /**
     * The PIN typed on "Visit over": 'duress' for the duress PIN, 'normal' for the check-out PIN (or
     * nothing, when no check-out PIN is set). Anyone but the worker ends visits without a PIN.
     */
    async checkEndPin(actor: Actor, workerId: number, pin: unknown): Promise<'duress' | 'normal'> {
      if (actor.staffId !== workerId) return 'normal';
      const p = await repo.pins(workerId);
      if (!p) return 'normal';
      const typed = typeof pin === 'string' ? pin.trim() : '';
      if (!typed) {
        if (p.checkout_pin_hash) throw new ValidationError([{ field: 'pin', message: 'Enter your PIN' }]);
        return 'normal';
      }
      if (await verifyPassword(p.duress_pin_hash, typed)) return 'duress';
      if (p.checkout_pin_hash && (await verifyPassword(p.checkout_pin_hash, typed))) return 'normal';
      throw new ValidationError([{ field: 'pin', message: 'The PIN is not right. Try again' }]);
    },

    async pinSettings(actor: Actor) {
      if (actor.staffId === null) throw new ForbiddenError('Your sign-in account is not linked to a member of staff');
      const p = await repo.pins(actor.staffId);
      return { duress: Boolean(p), checkout: Boolean(p?.checkout_pin_hash), updatedAt: p?.updated_at ?? null };
    },

    async setPins(actor: Actor, form: { duressPin: string; checkoutPin: string }) {
      if (actor.staffId === null) throw new ForbiddenError('Your sign-in account is not linked to a member of staff');
      const errors = [];
      const dp = pinProblem(form.duressPin);
      if (dp) errors.push({ field: 'duressPin', message: dp.replace('A PIN', 'The duress PIN') });
      if (form.checkoutPin) {
        const cp = pinProblem(form.checkoutPin);
        if (cp) errors.push({ field: 'checkoutPin', message: cp.replace('A PIN', 'The check-out PIN') });
        else if (form.checkoutPin === form.duressPin)
          errors.push({ field: 'checkoutPin', message: 'The check-out PIN must be different from the duress PIN' });
      }
      if (errors.length) throw new ValidationError(errors);
      const duress = await hashPassword(form.duressPin);
      const checkout = form.checkoutPin ? await hashPassword(form.checkoutPin) : null;
      const staffId = actor.staffId;
      await repo.transaction(async (trx) => {
        await repo.savePins(trx, staffId, duress, checkout);
        await audit.appendIn(trx, {
          ...actorFields(actor),
          action: 'duress_pin.set',
          entityType: 'staff',
          entityId: staffId,
          detail: { checkoutPin: Boolean(checkout) },
        });
      });
    },

    async removePins(actor: Actor) {
      if (actor.staffId === null) throw new ForbiddenError('Your sign-in account is not linked to a member of staff');
      const staffId = actor.staffId;
      await repo.transaction(async (trx) => {
        await repo.deletePins(trx, staffId);
        await audit.appendIn(trx, {
          ...actorFields(actor),
          action: 'duress_pin.remove',
          entityType: 'staff',
          entityId: staffId,
        });
      });
    },

    /** For the alert page: what a duress alarm carried. */
    async alarmFor(alertId: string) {
      return repo.alarm(alertId);
    },
  };
}
