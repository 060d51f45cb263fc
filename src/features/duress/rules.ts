import type { AnswerValue, Answers } from './tables.ts';
import type { Step } from '../alerts/policy.ts';

/** Seed 001 Appendix B: the questions, in order. The first names the calendar address. */
export const QUESTIONS = [
  { key: 'at_address', text: (address: string | null) => `Are you at ${address ?? 'the address in your calendar'}?` },
  { key: 'in_danger', text: () => 'Are you in danger?' },
  { key: 'need_police', text: () => 'Do you need the police?' },
  { key: 'weapon', text: () => 'Is there a weapon?' },
  { key: 'need_staff', text: () => 'Do you need a member of staff?' },
  { key: 'call_back', text: () => 'Do you want me to call you back in 5 minutes?' },
] as const;
export type QuestionKey = (typeof QUESTIONS)[number]['key'];
export const QUESTION_KEYS = QUESTIONS.map((q) => q.key) as [QuestionKey, ...QuestionKey[]];

export const ANSWERS: Record<AnswerValue, string> = { yes: 'Yes', no: 'No', no_answer: 'No answer' };
export const ANSWER_KEYS = Object.keys(ANSWERS) as [AnswerValue, ...AnswerValue[]];

export const CALL_OUTCOMES = {
  safe: 'The worker is safe',
  police_attended: 'The police attended',
  staff_attended: 'A member of staff went to them',
  false_alarm: 'False alarm (the phrase was said by mistake)',
  other: 'Something else (say what in the notes)',
} as const;
export type CallOutcome = keyof typeof CALL_OUTCOMES;

/** Seed 001 Appendix C. */
export const MAJOR_INCIDENT_CATEGORIES = {
  significant_injury: 'Significant injury',
  road_accident: 'Road accident',
  lost_person: 'Lost person',
  excessive_vandalism: 'Excessive vandalism',
  drug_or_alcohol_abuse: 'Drug or alcohol abuse',
  police_arrest: 'Police arrest',
  hospitalisation: 'Hospitalisation',
  negative_media: 'An incident that may lead to negative media coverage',
} as const;
export type MajorIncidentCategory = keyof typeof MAJOR_INCIDENT_CATEGORIES;

/** How long "call you back in 5 minutes" waits. */
export const DEFAULT_CALLBACK_SECONDS = 5 * 60;

/**
 * "Dial 999 now": the worker did not answer a question, or said they need the police. The police
 * information pack is shown then.
 */
export function needs999(answers: Answers): boolean {
  return Object.values(answers).some((a) => a.answer === 'no_answer') || answers.need_police?.answer === 'yes';
}

/** The next question still to ask, or null when all are answered. */
export function nextQuestion(answers: Answers): QuestionKey | null {
  return QUESTION_KEYS.find((k) => !answers[k]) ?? null;
}

/** "yes", "no", "not asked" or "no answer" for the weapon line of the police pack. */
export function weaponMentioned(answers: Answers): string {
  const a = answers.weapon?.answer;
  return a === 'yes'
    ? 'Yes: a weapon was mentioned'
    : a === 'no'
      ? 'No'
      : a === 'no_answer'
        ? 'No answer when asked'
        : 'Not asked yet';
}

/** Four to eight digits. */
export function pinProblem(pin: string): string | null {
  if (!/^\d{4,8}$/.test(pin)) return 'A PIN must be 4 to 8 digits';
  return null;
}

/**
 * The duress policy as copied into a new alarm: nobody is asked "are you safe?" (the worker's
 * phone must stay silent), and what the alarm carries (case reference, device location) is put in
 * front of each step's instruction, which the engine puts in every message.
 */
export function duressSteps(steps: Step[], carried: string | null): Step[] {
  const kept = steps
    .map((s) => ({ ...s, targets: s.targets.filter((t) => t !== 'worker') }))
    .filter((s) => s.targets.length > 0);
  const out = kept.length
    ? kept
    : [
        {
          key: 'responders',
          label: 'Responders',
          targets: ['buddy', 'line_manager', 'business_support'],
          delaySeconds: 0,
        } as Step,
      ];
  out[0] = { ...out[0]!, delaySeconds: 0 };
  if (!carried) return out;
  return out.map((s) => ({ ...s, instruction: `${carried} ${s.instruction ?? ''}`.trim().slice(0, 1000) }));
}

/** The lines the responders' messages carry: case reference and device location. */
export function carriedText(
  caseReference: string | null,
  location: { lat: number; lng: number } | null,
): string | null {
  const parts: string[] = [];
  if (caseReference) parts.push(`Case: ${caseReference}.`);
  if (location) parts.push(`Device location: ${location.lat.toFixed(5)}, ${location.lng.toFixed(5)}.`);
  return parts.length ? parts.join(' ') : null;
}

/** The answers as lines of text, for the managers' message and the incident report. */
export function answersText(answers: Answers, address: string | null, time: (iso: string) => string): string[] {
  return QUESTIONS.filter((q) => answers[q.key]).map(
    (q) => `${q.text(address)} ${ANSWERS[answers[q.key]!.answer]} (${time(answers[q.key]!.at)})`,
  );
}

/**
 * Opening someone's emergency details during a call needs a real reason, in the responder's own
 * words: not empty, not a few letters, not the placeholder the screen used to suggest.
 */
export function packReasonProblem(reason: string | null | undefined): string | null {
  const r = (reason ?? '').trim();
  if (!r) return 'Enter why you need their emergency details, for example what the police asked for';
  if (r.length < 10 || /^purple file call:? police information pack$/i.test(r))
    return 'Say in your own words why you need their emergency details (at least 10 characters)';
  return null;
}
