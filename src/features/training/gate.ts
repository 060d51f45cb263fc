import type { Executor } from '../audit/repository.ts';
import { londonToday } from '../../time/london.ts';
import type { TrainingRepository } from './repository.ts';
import {
  LONE_WORKING_CATEGORIES,
  isCurrent,
  lackingIn,
  personTraining,
  trainingStartProblems,
  type Policy,
} from './rules.ts';

/**
 * What training stops a session starting (issue 19), asked by the risk gate at "I've arrived"
 * (its `extraStartProblems`) through the caller's transaction only. The light is the one the gate
 * gives (`rating`), else the one the visit was planned under. Rules in `rules.ts` `trainingStartProblems`.
 */
export function buildTrainingGate(repo: TrainingRepository, now: () => Date = () => new Date()) {
  return async function trainingGateProblems(
    ex: Executor,
    session: { id: number; rating?: string | null },
  ): Promise<string[]> {
    const today = londonToday(now());
    const facts = await repo.gateFacts(ex, session.id, today);
    if (!facts || !facts.person) return [];
    const { visit, person, courses, records } = facts;
    const t = personTraining(
      { jobRole: person.job_role, teamId: person.team_id, serviceId: person.service_id, keyHolder: person.key_holder },
      courses,
      records,
      [],
      today,
    );
    // A call-out makes the person a key holder for it, whether or not they are listed for a building.
    const keyHolderLacking = courses
      .filter((c) => c.category === 'key_holder')
      .filter(
        (c) =>
          !isCurrent(
            personTraining(
              { jobRole: '', teamId: null, serviceId: null, keyHolder: false },
              [{ ...c, everyone: true }],
              records,
              [],
              today,
            ).required[0]!.status.state,
          ),
      )
      .map((c) => c.name);
    return trainingStartProblems({
      kind: visit.kind,
      rating: session.rating !== undefined ? session.rating : visit.risk_rating,
      policy: person.policy as Policy,
      loneWorkingLacking: lackingIn(t, LONE_WORKING_CATEGORIES),
      keyHolderLacking,
      hasJointPartner: visit.joint_partner_id !== null,
      managerApproved: visit.control === 'manager_approval',
      assessmentCurrent: facts.assessmentCurrent,
    });
  };
}
