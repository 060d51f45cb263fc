/** Pure rules for the Kent Code registers (seed 002: D.3, G, H, L and Appendix 1). */

export const INTEREST_KINDS = {
  financial: 'Financial interest',
  non_financial: 'Non-financial interest',
  membership: 'Membership of an organisation that is not open to the public or requires secrecy (H.2)',
  bankruptcy: 'Bankruptcy, or director of a company wound up or in liquidation (H.6)',
  outside_employment: 'Outside employment, paid or unpaid (G)',
  contractor_relationship: 'Relationship of a business or private nature with a contractor or consultant (E.4)',
  applicant_relationship: 'Related to, or a close friend of, an applicant for a post (F.4)',
  colleague_relationship:
    'Relative, partner or close friend of a colleague whose discipline, promotion or pay you may decide (F.5)',
  publishing_lecturing: 'Publishing, lecturing or broadcasting, and lecture fees (G.5, G.6)',
  intellectual_property: 'Intellectual property made or created in the course of your duties (H.7)',
} as const;
/** H.6: "treated in the strictest confidence". Seen by the person, their signing manager and the registers team; never exported. */
export const CONFIDENTIAL_KINDS: readonly string[] = ['bankruptcy'];
export const isConfidential = (kind: string) => CONFIDENTIAL_KINDS.includes(kind);

/** G.6: lecturing in one's own time keeps the whole fee; in the council's time, half. */
export function lectureFeeKept(feePence: number, inCouncilTime: boolean): number {
  return inCouncilTime ? Math.floor(feePence / 2) : feePence;
}

/** Who offered a gift or hospitality (L.1 names clients, contractors and suppliers). */
export const GIVER_TYPES = {
  client: 'A client or service user, or their family',
  contractor_supplier: 'A contractor or supplier, or a potential one',
  organisation: 'Another organisation',
  private_individual: 'Another private individual',
} as const;
export type GiverType = keyof typeof GIVER_TYPES;

/**
 * L.1: a significant personal gift from a client, contractor or supplier cannot simply be accepted.
 * A gift from a client (any value), or from a contractor or supplier worth more than the threshold,
 * that is recorded as accepted needs a manager's override with a reason.
 */
export function needsOverride(
  g: { kind: string; response: string; giverType: GiverType; supplierId: number | null; valuePence: number },
  thresholdPence: number,
): boolean {
  if (g.kind !== 'gift' || g.response !== 'accepted') return false;
  if (g.giverType === 'client') return true;
  return (g.giverType === 'contractor_supplier' || g.supplierId !== null) && g.valuePence > thresholdPence;
}

/** L.4: hospitality recorded after the event is late. */
export const isLate = (kind: string, eventOn: string | null, today: string) =>
  kind === 'hospitality' && eventOn !== null && today > eventOn;

/** The published register shows a value band, never the amount. */
export function valueBand(pence: number): string {
  if (pence < 10_000) return 'Under £100';
  if (pence < 25_000) return '£100 to £249';
  if (pence < 50_000) return '£250 to £499';
  return '£500 or more';
}

/** What the published register says was decided: never "Accepted" for an entry a manager declined or the officer refused. */
export function publishedDecision(e: { response: string; status: string }): string {
  if (e.response === 'refused') return 'Refused';
  if (e.response === 'returned') return 'Returned';
  if (e.status === 'declined') return 'Declined by manager';
  return 'Accepted';
}
export type InterestKind = keyof typeof INTEREST_KINDS;

export const GIFT_KINDS = {
  gift: 'Gift',
  hospitality: 'Hospitality',
  legacy: 'Legacy',
  sponsorship: 'Sponsorship',
} as const;
export type GiftKind = keyof typeof GIFT_KINDS;

export const GIFT_RESPONSES = {
  accepted: 'Accepted',
  refused: 'Refused',
  returned: 'Returned with a refusal letter',
} as const;
export type GiftResponse = keyof typeof GIFT_RESPONSES;

/** Senior officers whose gifts and hospitality are published: service manager, assistant director and up. */
export const SENIOR_JOB_ROLES = ['service_manager', 'assistant_director'] as const;
export const isSeniorOfficer = (jobRole: string) => (SENIOR_JOB_ROLES as readonly string[]).includes(jobRole);

/** The declaration year: the calendar year in London. */
export function declarationYear(now: Date): number {
  return Number(new Intl.DateTimeFormat('en-GB', { timeZone: 'Europe/London', year: 'numeric' }).format(now));
}

/** "12.50" or "£1,200" → pence; null when it is not an amount of money. */
export function parsePounds(text: string): number | null {
  const cleaned = text.trim().replace(/^£/, '').replace(/,/g, '');
  if (!/^\d{1,7}(\.\d{1,2})?$/.test(cleaned)) return null;
  const [whole, fraction = ''] = cleaned.split('.');
  return Number(whole) * 100 + Number(fraction.padEnd(2, '0'));
}

export const formatPounds = (pence: number) =>
  `£${(pence / 100).toLocaleString('en-GB', { minimumFractionDigits: pence % 100 === 0 ? 0 : 2, maximumFractionDigits: 2 })}`;

export interface ReminderSchedule {
  /** Days between reminders to someone who has not declared. */
  reminderIntervalDays: number;
  /** Days after the first reminder before their manager is told. */
  escalateAfterDays: number;
}

export interface ReminderHistory {
  /** Reminders and escalations already sent this year, any order. */
  sent: { kind: 'reminder' | 'escalation'; sentAt: Date }[];
  hasManager: boolean;
}

const DAY = 86_400_000;

/**
 * What to send today to someone who has not declared this year: a reminder when none has been
 * sent or the last is `reminderIntervalDays` old; one escalation to their manager once the first
 * reminder is `escalateAfterDays` old. Both may be due at once.
 */
export function remindersDue(
  now: Date,
  history: ReminderHistory,
  schedule: ReminderSchedule,
): ('reminder' | 'escalation')[] {
  const reminders = history.sent
    .filter((s) => s.kind === 'reminder')
    .map((s) => s.sentAt.getTime())
    .sort((a, b) => a - b);
  const escalated = history.sent.some((s) => s.kind === 'escalation');
  const due: ('reminder' | 'escalation')[] = [];
  const last = reminders.at(-1);
  if (last === undefined || now.getTime() - last >= schedule.reminderIntervalDays * DAY) due.push('reminder');
  const first = reminders[0];
  if (
    !escalated &&
    history.hasManager &&
    first !== undefined &&
    now.getTime() - first >= schedule.escalateAfterDays * DAY
  )
    due.push('escalation');
  return due;
}

/**
 * Whether an entry belongs in the published register: a senior officer's gift or hospitality at or
 * above the threshold, decided. Never an entry from a private individual or a client: the register
 * publishes nobody's family.
 */
export function publishable(
  entry: { job_role: string; kind: string; value_pence: number; status: string; giver_type: string },
  thresholdPence: number,
): boolean {
  return (
    isSeniorOfficer(entry.job_role) &&
    (entry.kind === 'gift' || entry.kind === 'hospitality') &&
    entry.value_pence >= thresholdPence &&
    entry.status !== 'pending' &&
    entry.giver_type !== 'private_individual' &&
    entry.giver_type !== 'client'
  );
}

/** Problems with a gift entry beyond the field shapes. */
export function giftProblems(form: {
  kind: GiftKind;
  response: GiftResponse;
  refusalLetter: string | null;
  eventOn?: string | null;
  authorisedById?: number | null;
}): { field: string; message: string }[] {
  const errors = [];
  if (form.response === 'returned' && !form.refusalLetter)
    errors.push({
      field: 'refusalLetter',
      message: 'Enter the refusal letter sent with the returned gift, or where it is kept',
    });
  if (form.response === 'returned' && form.kind !== 'gift')
    errors.push({ field: 'response', message: 'Only a gift can be returned; select accepted or refused' });
  if (form.kind === 'hospitality' && !form.eventOn)
    errors.push({ field: 'eventOn-day', message: 'Enter the date of the event' });
  if (form.kind === 'hospitality' && form.response === 'accepted' && !form.authorisedById) {
    errors.push({
      field: 'authorisedById',
      message: 'Select the manager who authorised the hospitality in advance (L.4), or record it as refused',
    });
  }
  if (form.kind === 'legacy' && form.response === 'accepted')
    errors.push({
      field: 'response',
      message: 'Legacies from clients may not be accepted (Code L.3); record it as refused',
    });
  return errors;
}
