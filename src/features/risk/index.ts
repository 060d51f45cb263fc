import { buildRiskContext, type RiskDeps } from './context.ts';
import { buildRiskFlags } from './flags.ts';
import { buildRiskGate } from './gate.ts';
import { buildVisitRisk } from './visit-risk.ts';

export type { RiskDeps } from './context.ts';

/**
 * The risk gate (seed 001 Appendix E): rates visits from referral type and warning flags, says what
 * a RED or AMBER visit still needs before it starts, and records assessments, controls and
 * precautions. Implements the RiskGate the visits service asks at planning and at check-in.
 */
export function buildRiskService(deps: RiskDeps) {
  const ctx = buildRiskContext(deps);
  const gate = buildRiskGate(ctx, deps.extraStartProblems);
  return {
    ...gate,
    ...buildVisitRisk(ctx, gate),
    ...buildRiskFlags(ctx),
  };
}

export type RiskService = ReturnType<typeof buildRiskService>;
