import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import type { Services } from '../../composition.ts';
import { requireActor } from '../../web/security.ts';
import { can } from '../auth/access.ts';
import { ForbiddenError, NotFoundError, ValidationError, toErrorMap, toErrorSummary } from '../../errors.ts';
import { idParam } from '../people/routes.ts';
import { TARGETS, TARGET_LABELS, type AlertKind, type Step, type Target } from './policy.ts';

const KINDS: Record<AlertKind, string> = {
  overdue: 'Missed check-in',
  duress: 'Duress alarm',
  end_of_day: 'No end-of-day call',
};

function kindOf(value: unknown): AlertKind {
  return value === 'duress' || value === 'end_of_day' ? value : 'overdue';
}

/** Reads steps-N-label / steps-N-targets / steps-N-delayMinutes rows; blank rows are dropped. */
export function stepsFromForm(body: Record<string, unknown>): Step[] {
  const steps: Step[] = [];
  for (let i = 0; i < 8; i++) {
    const label = String(body[`steps-${i}-label`] ?? '').trim();
    const rawTargets = body[`steps-${i}-targets`];
    const targets = (Array.isArray(rawTargets) ? rawTargets : rawTargets ? [rawTargets] : []).map(String);
    const delay = String(body[`steps-${i}-delayMinutes`] ?? '').trim();
    const instruction = String(body[`steps-${i}-instruction`] ?? '').trim();
    if (!label && targets.length === 0 && !delay) continue;
    const minutes = Number(delay);
    steps.push({
      key:
        label
          .toLowerCase()
          .replace(/[^a-z]+/g, '_')
          .replace(/^_|_$/g, '') || `step_${i + 1}`,
      label,
      targets: targets.filter((t): t is Target => (TARGETS as readonly string[]).includes(t)),
      delaySeconds: delay === '' || !Number.isFinite(minutes) ? Number.NaN : Math.round(minutes * 60),
      ...(instruction ? { instruction } : {}),
    });
    if (targets.some((t) => !(TARGETS as readonly string[]).includes(t)))
      throw new ValidationError([{ field: `steps-${i}-targets`, message: 'Choose who each step tells from the list' }]);
    if (delay === '' || !Number.isFinite(minutes))
      throw new ValidationError([
        { field: `steps-${i}-delayMinutes`, message: 'Enter the delay in minutes, for example 5' },
      ]);
  }
  return steps;
}

export const policyRoutes: FastifyPluginAsync<{ services: Services }> = async (app, { services }) => {
  const mustAdmin = (request: FastifyRequest) => {
    const actor = requireActor(request);
    if (!can(actor, 'organisation.manage'))
      throw new ForbiddenError('Only administrators can change escalation policies');
    return actor;
  };
  const context = async (teamId: number, kind: AlertKind) => {
    const team = await services.organisation.team(teamId);
    const policy = await services.alerts.policy(teamId, kind);
    return {
      title: `Escalation route for ${team.name}`,
      team,
      kind,
      kinds: Object.entries(KINDS).map(([value, text]) => ({ value, text })),
      kindLabel: KINDS[kind],
      policy,
      targets: TARGETS.map((t) => ({ value: t, text: TARGET_LABELS[t] })),
      backLink: `/teams/${teamId}`,
    };
  };
  const rows = (steps: Step[]) =>
    Object.fromEntries(
      steps.flatMap((s, i) => [
        [`steps-${i}-label`, s.label],
        [`steps-${i}-targets`, s.targets],
        [`steps-${i}-delayMinutes`, String(Math.round((s.delaySeconds / 60) * 100) / 100)],
        [`steps-${i}-instruction`, s.instruction ?? ''],
      ]),
    );

  app.get<{ Params: { id: string }; Querystring: { kind?: string } }>(
    '/admin/teams/:id/escalation',
    async (request, reply) => {
      mustAdmin(request);
      const ctx = await context(idParam(request.params.id), kindOf(request.query.kind));
      return reply.view('alerts/policy.njk', { ...ctx, values: rows(ctx.policy.steps) });
    },
  );
  app.post<{ Params: { id: string }; Querystring: { kind?: string } }>(
    '/admin/teams/:id/escalation',
    async (request, reply) => {
      const actor = mustAdmin(request);
      const teamId = idParam(request.params.id);
      const body = (request.body ?? {}) as Record<string, unknown>;
      const kind = kindOf(body.kind);
      if (!(await services.organisation.team(teamId))) throw new NotFoundError('Team');
      try {
        await services.alerts.savePolicy(actor, teamId, kind, body.reset === 'true' ? null : stepsFromForm(body));
      } catch (e) {
        if (!(e instanceof ValidationError)) throw e;
        return reply.code(400).view('alerts/policy.njk', {
          ...(await context(teamId, kind)),
          values: body,
          errorList: toErrorSummary(e.errors),
          errors: toErrorMap(e.errors),
        });
      }
      return reply.redirect(`/admin/teams/${teamId}/escalation?kind=${kind}&saved=1`, 303);
    },
  );
};
