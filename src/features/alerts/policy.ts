import { z } from 'zod';

/** Who an escalation step tells. Resolved to people by harbour_recipients() in the database. */
export const TARGETS = [
  'worker',
  'buddy',
  'line_manager',
  'service_manager',
  'assistant_director',
  'business_support',
] as const;
export type Target = (typeof TARGETS)[number];
export const TARGET_LABELS: Record<Target, string> = {
  worker: 'The worker',
  buddy: 'Their buddy',
  line_manager: 'Their line manager',
  service_manager: 'Their service manager',
  assistant_director: 'The assistant director',
  business_support: 'Team business support',
};

export type AlertKind = 'overdue' | 'duress' | 'end_of_day';

export interface Step {
  key: string;
  label: string;
  targets: Target[];
  /** Seconds after the previous step (after the deadline, for the first step). */
  delaySeconds: number;
  /** Shown to the people alerted at this step, e.g. "Call 999 now". */
  instruction?: string;
}

const POLICE_INFO =
  'Call 999 now. The police will ask for: the worker’s name and description, the address and postcode, when they were due back, their car, their mobile number, and any known risks at the address.';

/** Seed 001 Appendix D: prompt the worker, then buddy, line manager, service manager, assistant director. */
export const DEFAULT_POLICIES: Record<AlertKind, Step[]> = {
  overdue: [
    { key: 'prompt_worker', label: 'Prompt the worker', targets: ['worker'], delaySeconds: 0 },
    { key: 'buddy', label: 'Buddy', targets: ['buddy'], delaySeconds: 5 * 60 },
    { key: 'line_manager', label: 'Line manager', targets: ['line_manager'], delaySeconds: 10 * 60 },
    { key: 'service_manager', label: 'Service manager', targets: ['service_manager'], delaySeconds: 15 * 60 },
    {
      key: 'assistant_director',
      label: 'Assistant director',
      targets: ['assistant_director'],
      delaySeconds: 15 * 60,
      instruction: POLICE_INFO,
    },
  ],
  // A duress alarm skips prompting the worker: the responders are told at once (seed 001 Appendix B).
  duress: [
    {
      key: 'responders',
      label: 'Responders',
      targets: ['buddy', 'line_manager', 'business_support'],
      delaySeconds: 0,
      instruction: POLICE_INFO,
    },
    {
      key: 'service_manager',
      label: 'Service manager',
      targets: ['service_manager'],
      delaySeconds: 5 * 60,
      instruction: POLICE_INFO,
    },
    {
      key: 'assistant_director',
      label: 'Assistant director',
      targets: ['assistant_director'],
      delaySeconds: 5 * 60,
      instruction: POLICE_INFO,
    },
  ],
  // Seed 001 §5: the buddy waits for the end-of-day call; if none comes, the line manager is told.
  end_of_day: [
    { key: 'buddy', label: 'Buddy: no end-of-day call', targets: ['buddy'], delaySeconds: 0 },
    { key: 'line_manager', label: 'Line manager: no call received', targets: ['line_manager'], delaySeconds: 30 * 60 },
    {
      key: 'service_manager',
      label: 'Service manager',
      targets: ['service_manager'],
      delaySeconds: 30 * 60,
      instruction: POLICE_INFO,
    },
  ],
};

export const stepSchema = z.object({
  key: z
    .string()
    .trim()
    .min(1)
    .max(40)
    .regex(/^[a-z_]+$/),
  label: z.string().trim().min(1, 'Enter a name for each step').max(80, 'Step names must be 80 characters or fewer'),
  targets: z.array(z.enum(TARGETS)).min(1, 'Choose who each step tells'),
  delaySeconds: z
    .number()
    .int()
    .min(0, 'Delays cannot be negative')
    .max(24 * 3600, 'Delays must be 24 hours or less'),
  instruction: z.string().trim().max(500).optional(),
});
export const policySchema = z
  .array(stepSchema)
  .min(1, 'A policy needs at least one step')
  .max(8, 'A policy can have at most 8 steps');

/** When each step fires, as offsets from the deadline (cumulative delays). */
export function stepOffsets(steps: Step[]): number[] {
  let total = 0;
  return steps.map((s) => (total += s.delaySeconds));
}

/** How long an "I'm handling it" acknowledgement pauses escalation. */
export const DEFAULT_PAUSE_MINUTES = 15;
