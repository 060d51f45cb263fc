import { packProblem } from '../emergency/rules.ts';
import type { TrainingRepository } from './repository.ts';
import {
  LONE_WORKING_CATEGORIES,
  lackingIn,
  personTraining,
  trainingWarning,
  type CourseFacts,
  type DueItemFacts,
  type Policy,
} from './rules.ts';

type Person = Awaited<ReturnType<TrainingRepository['people']>>[number];
type RecordRow = Awaited<ReturnType<TrainingRepository['records']>>[number];

const fullName = (p: { given_name: string; family_name: string }) => `${p.given_name} ${p.family_name}`;

/** One person's readiness to work alone (issue 19): the facts, their training, and ready or why not. */
export function readinessOf(
  p: Person,
  courses: readonly CourseFacts[],
  records: readonly RecordRow[],
  due: readonly DueItemFacts[],
  now: Date,
  today: string,
) {
  const training = personTraining(
    { jobRole: p.job_role, teamId: p.team_id, serviceId: p.service_id, keyHolder: p.key_holder },
    courses,
    records,
    due,
    today,
  );
  const pack = packProblem(p.pack_updated_at ? new Date(p.pack_updated_at) : null, now);
  const reasons: string[] = [];
  if (p.buddy_id === null) reasons.push('No buddy');
  if (pack) reasons.push(pack === 'missing' ? 'No emergency details' : 'Emergency details over 12 months old');
  if (!p.duress_pin) reasons.push('No duress PIN');
  for (const c of training.lacking) reasons.push(`${c}: missing or expired`);
  return {
    id: p.id,
    name: fullName(p),
    employeeNumber: p.employee_number,
    jobRole: p.job_role,
    teamId: p.team_id,
    teamName: p.team_name,
    policy: p.policy as Policy,
    buddy: p.buddy_id !== null,
    packCurrent: pack === null,
    packProblem: pack,
    duressPin: p.duress_pin,
    trainingCurrent: training.current,
    nextExpiry: training.nextExpiry,
    lacking: training.lacking,
    outstanding: training.outstanding,
    assessmentsDue: Number(p.assessments_due),
    ready: reasons.length === 0,
    reasons,
    training,
    loneWorkingWarning: trainingWarning(lackingIn(training, LONE_WORKING_CATEGORIES)),
  };
}
export type Readiness = ReturnType<typeof readinessOf>;
