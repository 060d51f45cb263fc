import type { Transaction } from 'kysely';
import type { DB } from '../../db/schema.ts';
import type { Actor } from '../auth/actor.ts';
import type { Rating, ReferralType } from '../risk/rating.ts';

/** What a session looked like before an edit, for the gate to see what changed. */
export interface BeforeEdit {
  joint_partner_id: number | null;
  home_address: string | null;
  home_postcode: string | null;
}

/**
 * What the visits service asks of the risk feature. The risk feature (src/features/risk) provides
 * the implementation; tests may pass a simple one.
 */
export interface RiskGate {
  /** Traffic light for a session about to be saved: any kind that carries an address or a case (null = not rated). */
  rate(input: {
    kind?: string;
    caseSystem: string | null;
    caseId: string | null;
    postcode: string | null;
    address?: string | null;
    referralType: ReferralType | null;
  }): Promise<Rating | null>;
  /** Why this person cannot be the worker's joint visit partner (null = they can). */
  partnerProblem(partnerId: number, workerId: number): Promise<string | null>;
  /** The light now (flags raised, withdrawn or expired since planning count). */
  liveRating(visitId: number): Promise<Rating | null>;
  /** After a plan is saved (before = null) or edited: asks a new partner to confirm; after an edit, re-runs the gate. */
  afterSave(trx: Transaction<DB>, visitId: number, before: BeforeEdit | null, actor: Actor): Promise<void>;
  /** Reasons a session cannot start yet (RED without a countersigned assessment and a control, AMBER precautions). Empty = may start. */
  startProblems(trx: Transaction<DB>, visitId: number): Promise<string[]>;
}
