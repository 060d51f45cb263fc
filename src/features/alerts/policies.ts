import type { StaffRepository } from '../people/repository.ts';
import type { AuditRepository } from '../audit/repository.ts';
import type { Actor } from '../auth/actor.ts';
import { actorFields } from '../audit/service.ts';
import { ForbiddenError, ValidationError } from '../../errors.ts';
import { can } from '../auth/access.ts';
import { londonTime } from '../../time/london.ts';
import type { AlertsRepository } from './repository.ts';
import { DEFAULT_POLICIES, policySchema, stepOffsets, type AlertKind, type Step } from './policy.ts';

/** Escalation policies per team (the defaults when a team has none), and what they mean for a session's deadline. */
export function buildAlertPolicies(deps: { repo: AlertsRepository; staff: StaffRepository; audit: AuditRepository }) {
  const { repo, staff, audit } = deps;

  async function policy(teamId: number | null, kind: AlertKind): Promise<{ steps: Step[]; custom: boolean }> {
    if (teamId === null) return { steps: DEFAULT_POLICIES[kind], custom: false };
    const row = await repo.policy(teamId, kind);
    return row ? { steps: row.steps as Step[], custom: true } : { steps: DEFAULT_POLICIES[kind], custom: false };
  }

  return {
    /**
     * What happens if a session's deadline passes, from the worker's team's overdue policy: shown on
     * the session page (and when it turns overdue there), e.g. "…then alerts Buddy at 15:00, Line manager at 15:10".
     */
    async afterDeadline(workerId: number, dueAt: Date): Promise<string> {
      const worker = await staff.get(workerId);
      const { steps } = await policy(worker?.team_id ?? null, 'overdue');
      const offsets = stepOffsets(steps);
      const remindsFirst = steps[0]?.targets.length === 1 && steps[0].targets[0] === 'worker';
      const told = steps
        .map((s, i) => ({ s, at: new Date(dueAt.getTime() + offsets[i]! * 1000) }))
        .filter(({ s }) => !(s.targets.length === 1 && s.targets[0] === 'worker'))
        .slice(0, 2);
      const list = told.map(({ s, at }) => `${s.label} at ${londonTime(at)}`).join(', then ');
      return `${remindsFirst ? 'Harbour reminds you at the deadline, then alerts' : 'Harbour alerts'} ${list || 'your buddy'} unless you say you are safe or extend.`;
    },

    policy,
    async savePolicy(actor: Actor, teamId: number, kind: AlertKind, steps: Step[] | null) {
      if (!can(actor, 'organisation.manage'))
        throw new ForbiddenError('Only administrators can change escalation policies');
      if (steps) {
        const parsed = policySchema.safeParse(steps);
        if (!parsed.success)
          throw new ValidationError(
            parsed.error.issues.map((i) => ({
              field: i.path.length
                ? `steps-${String(i.path[0])}-${i.path[1] === 'delaySeconds' ? 'delayMinutes' : String(i.path[1] ?? 'label')}`
                : 'steps-0-label',
              message: i.message,
            })),
          );
      }
      await repo.transaction(async (trx) => {
        await repo.deletePolicy(trx, teamId, kind);
        if (steps) await repo.insertPolicy(trx, teamId, kind, JSON.stringify(steps), actor.accountId);
        await audit.appendIn(trx, {
          ...actorFields(actor),
          action: steps ? 'policy.save' : 'policy.reset',
          entityType: 'team',
          entityId: teamId,
          detail: { kind },
        });
      });
    },
  };
}
