import type { Actor } from '../auth/actor.ts';
import { NotFoundError, ValidationError } from '../../errors.ts';
import { overallOutcome } from './rules.ts';
import type { ActionForm } from './schema.ts';
import type { ComplaintsContext } from './context.ts';

/** What a complaint found and what followed: findings on each allegation, actions, referrals and the learning. */
export function buildFindings(ctx: ComplaintsContext) {
  const { repo, mustManage, load, change } = ctx;

  return {
    async allegationIds(id: number) {
      return (await repo.allegations(id)).map((a) => a.id);
    },

    /** A finding on each allegation; the overall outcome follows from them. */
    async recordFindings(actor: Actor, id: number, form: { on: string; findings: { id: number; finding: string }[] }) {
      mustManage(actor);
      await load(id);
      const allegations = await repo.allegations(id);
      const findings = allegations.map((a) => form.findings.find((f) => f.id === a.id)?.finding ?? a.finding);
      const outcome = overallOutcome(findings);
      await change(actor, id, 'complaint.findings', { findings: form.findings, outcome }, async (trx) => {
        for (const f of form.findings) await repo.setFinding(trx, f.id, f.finding, form.on);
        await repo.update(trx, id, { outcome });
      });
      return outcome;
    },

    async addAction(actor: Actor, id: number, form: ActionForm) {
      mustManage(actor);
      await load(id);
      if (form.staffId !== null && !(await repo.staffOn(id)).some((s) => s.id === form.staffId))
        throw new ValidationError([{ field: 'actionStaffId', message: 'Select one of the staff complained about' }]);
      if (form.kind === 'disciplinary_investigation' && form.staffId === null)
        throw new ValidationError([
          { field: 'actionStaffId', message: 'Select who the disciplinary investigation is about' },
        ]);
      await change(actor, id, 'complaint.action', { kind: form.kind, staffId: form.staffId }, async (trx) => {
        await repo.addAction(trx, { complaintId: id, ...form });
      });
    },

    async disciplinaryOutcome(actor: Actor, id: number, actionId: number, form: { outcome: string; on: string }) {
      mustManage(actor);
      const action = (await repo.actions(id)).find((a) => a.id === actionId);
      if (!action) throw new NotFoundError('Action');
      if (action.kind !== 'disciplinary_investigation')
        throw new ValidationError([
          { field: `outcome-${actionId}`, message: 'Only a disciplinary investigation has an outcome' },
        ]);
      if (action.disciplinary_outcome)
        throw new ValidationError([{ field: `outcome-${actionId}`, message: 'The outcome is already recorded' }]);
      await change(
        actor,
        id,
        'complaint.disciplinary_outcome',
        { actionId, outcome: form.outcome, on: form.on },
        async (trx) => {
          await repo.setDisciplinaryOutcome(trx, actionId, form.outcome, form.on);
        },
      );
    },

    async addReferral(
      actor: Actor,
      id: number,
      form: { body: string; referredOn: string; decision: string | null; decidedOn: string | null },
    ) {
      mustManage(actor);
      await load(id);
      if (form.decidedOn && form.decidedOn < form.referredOn)
        throw new ValidationError([
          { field: 'decidedOn-day', message: 'The decision must be on or after the referral' },
        ]);
      await change(actor, id, 'complaint.referral', { body: form.body, referredOn: form.referredOn }, async (trx) => {
        await repo.addReferral(trx, { complaintId: id, ...form });
      });
    },

    /** A decision that came later (for the Ombudsman, its decision on the complaint). */
    async decideReferral(actor: Actor, id: number, referralId: number, form: { decision: string; on: string }) {
      mustManage(actor);
      const r = (await repo.referrals(id)).find((x) => x.id === referralId);
      if (!r) throw new NotFoundError('Referral');
      if (r.decision)
        throw new ValidationError([{ field: `decision-${referralId}`, message: 'The decision is already recorded' }]);
      if (form.on < r.referred_on)
        throw new ValidationError([
          { field: `decidedOn-${referralId}-day`, message: 'The decision must be on or after the referral' },
        ]);
      await change(actor, id, 'complaint.referral_decision', { referralId, on: form.on }, async (trx) => {
        await repo.decideReferral(trx, referralId, form.decision, form.on);
      });
    },

    async learning(actor: Actor, id: number, form: { learning: string; closedOn: string | null }) {
      mustManage(actor);
      const c = await load(id);
      if (form.closedOn && form.closedOn < c.received_on)
        throw new ValidationError([
          { field: 'closedOn-day', message: 'The complaint cannot close before it was received' },
        ]);
      await change(actor, id, 'complaint.learning', { closedOn: form.closedOn }, async (trx) => {
        await repo.update(trx, id, { learning: form.learning, ...(form.closedOn ? { closed_on: form.closedOn } : {}) });
      });
    },
  };
}
