import type { RiskGate } from '../visits/risk-gate.ts';
import { rateSession } from './rating.ts';
import { isHighRisk, jointPartnerProblem } from './rules.ts';
import type { RiskContext, RiskDeps } from './context.ts';

/** The RiskGate the visits service asks at planning, after a save and at check-in. */
export function buildRiskGate(ctx: RiskContext, extraStartProblems: RiskDeps['extraStartProblems']): RiskGate {
  const { db, repo, staff, now, placeOf, hasPlaceOf, evaluate, askPartner, rerate } = ctx;
  return {
    async rate(input) {
      const place = placeOf({ case_system: input.caseSystem, case_id: input.caseId, postcode: input.postcode });
      const flags = await repo.flagsAt(place, now());
      return rateSession(input.kind ?? 'visit', {
        referralType: input.referralType,
        highRiskFlags: flags.filter((f) => isHighRisk(f.category)).length,
        hasPlace: hasPlaceOf({ address: input.address ?? null, postcode: input.postcode, case_id: input.caseId }),
      });
    },

    async partnerProblem(partnerId, workerId) {
      const [p, w] = await Promise.all([repo.partner(partnerId), staff.get(workerId)]);
      return jointPartnerProblem(p, { id: workerId, teamId: w?.team_id ?? null });
    },

    async liveRating(visitId) {
      const visit = await repo.visit(visitId);
      if (!visit) return null;
      return (await evaluate(db, visit)).rating;
    },

    async afterSave(trx, visitId, before, actor) {
      const v = await repo.visit(visitId, trx);
      if (!v) return;
      if (before && before.joint_partner_id !== v.joint_partner_id) {
        // A new (or no) partner: the old confirmation and the manager's agreement were for someone else.
        await repo.clearJointConfirmation(trx, visitId);
        const c = await repo.control(visitId, trx);
        if (c?.control === 'joint_visit') await repo.deleteControl(trx, visitId);
      }
      if (before && (before.home_address !== null || before.home_postcode !== null) && v.building_id !== null) {
        // Still meeting in the council building: the edited address is the home address; the session stays at the building.
        const b = await repo.building(v.building_id, trx);
        await repo.setHomePlace(trx, visitId, { address: v.address, postcode: v.postcode });
        if (b) await repo.setPlace(trx, visitId, b);
      }
      if (!before || before.joint_partner_id !== v.joint_partner_id) await askPartner(trx, visitId);
      if (before) await rerate(trx, visitId, actor, 'the visit’s plan was edited');
    },

    /** Re-rates at check-in (flags may have been raised since planning) and uses only `trx`. */
    async startProblems(trx, visitId) {
      const visit = await repo.visit(visitId, trx);
      if (!visit) return [];
      const e = await evaluate(trx, visit);
      // Issue 19: the training gate (src/features/training) is asked with the light the visit starts under.
      if (extraStartProblems)
        e.problems.push(
          ...(await extraStartProblems(trx, {
            id: visit.id,
            worker_id: visit.worker_id,
            kind: visit.kind,
            team_id: visit.team_id,
            rating: e.rating,
          })),
        );
      if (e.problems.length === 0 && e.rating !== visit.risk_rating) {
        // The visit starts: keep the light it started under. (Refused starts roll back with the caller.)
        await repo.setRating(trx, visitId, e.rating);
      }
      return e.problems;
    },
  };
}
