import type { Transaction } from 'kysely';
import type { DB } from '../../db/schema.ts';
import type { Rating, ReferralType } from '../risk/rating.ts';

/**
 * What the visits service asks of the risk feature. The risk feature (src/features/risk) provides
 * the implementation; tests may pass a simple one.
 */
export interface RiskGate {
  /** Traffic light for a visit about to be saved. */
  rate(input: { caseSystem: string | null; caseId: string | null; postcode: string | null; referralType: ReferralType | null }): Promise<Rating>;
  /** Reasons a lone visit cannot start yet (RED without assessment and control, AMBER precautions). Empty = may start. */
  startProblems(trx: Transaction<DB>, visitId: number): Promise<string[]>;
}
