/** Seed 001 Appendix E: traffic-light rating of a visit. */
export const REFERRAL_TYPES = {
  self_referral: 'Self-referral',
  agency_no_assessment: 'Referral from another agency, no risk assessment',
  agency_with_assessment: 'Referral from another agency, with a risk assessment',
  new_referral: 'New referral or first visit',
  previously_known: 'Previously known, no history of violence',
} as const;
export type ReferralType = keyof typeof REFERRAL_TYPES;
export type Rating = 'RED' | 'AMBER' | 'GREEN';

export interface RatingFacts {
  referralType: ReferralType | null;
  /** Warning flags on the case or the address: known violence or other high-risk factors. */
  highRiskFlags: number;
}

export function rateVisit(f: RatingFacts): Rating {
  if (f.highRiskFlags > 0 || f.referralType === 'self_referral') return 'RED';
  if (f.referralType === 'agency_no_assessment' || f.referralType === 'new_referral' || f.referralType === null)
    return 'AMBER';
  return 'GREEN';
}

/**
 * Any kind of session (issue 21, item 4): a home or community visit by Appendix E; another kind
 * (office, home working, building lone working, key-holder call-out) that carries an address or a
 * case is RED on a high-risk flag, by its referral type if one is given, and GREEN otherwise. A
 * session with neither address nor case has no rating (null).
 */
export function rateSession(kind: string, f: RatingFacts & { hasPlace: boolean }): Rating | null {
  if (kind === 'visit') return rateVisit(f);
  if (!f.hasPlace) return null;
  if (f.highRiskFlags > 0) return 'RED';
  return f.referralType ? rateVisit(f) : 'GREEN';
}
