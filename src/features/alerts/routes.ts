import type { FastifyPluginAsync } from 'fastify';
import { z } from 'zod';
import type { Services } from '../../composition.ts';
import { requireActor } from '../../web/security.ts';
import type { Actor } from '../auth/actor.ts';
import { handleForm } from '../../web/error-handling.ts';
import { optionalText, parseWith } from '../../web/validation.ts';
import { OUTCOMES, type Outcome } from './response.ts';
import { NotFoundError } from '../../errors.ts';
import { can } from '../auth/access.ts';
import { choiceParam, listHref, pageFrom, paging, textParam } from '../../web/paging.ts';

const ALERT_KINDS = { overdue: 'Missed check-in', duress: 'Duress alarm', end_of_day: 'No end-of-day call' } as const;
/**
 * The kinds offered in the filter. Someone who only works alone is not offered "Duress alarm": a
 * worker's screens never mention it, in case the person they are with is reading over their
 * shoulder (the duress PIN's page is the ordinary one). They may still be sent such an alert as a
 * buddy, and it is listed with its kind.
 */
const offeredKinds = (actor: Actor) =>
  actor.roles.some((r) => r !== 'worker')
    ? ALERT_KINDS
    : { overdue: ALERT_KINDS.overdue, end_of_day: ALERT_KINDS.end_of_day };
const ALERT_STATUSES = { closed: 'Closed' } as const;

const resolveForm = z.object({
  outcome: z.enum(Object.keys(OUTCOMES) as [Outcome, ...Outcome[]], { error: 'Select what happened' }),
  notes: optionalText(1000),
});

function alertId(value: string): string {
  if (!/^\d{1,18}$/.test(value)) throw new NotFoundError('Alert');
  return value;
}

export const alertsRoutes: FastifyPluginAsync<{ services: Services }> = async (app, { services }) => {
  const { alerts } = services;
  const page = async (actor: Parameters<typeof alerts.view>[0], id: string) => {
    const detail = await alerts.view(actor, id);
    const duress = detail.alert.kind === 'duress' ? await services.duress.alarmFor(id) : null;
    const unreached = (await services.notifications.unreachedFor([id]))[id] ?? [];
    return {
      title: `Alert: ${detail.alert.worker_name}`,
      ...detail,
      duress,
      unreached,
      purpleFile: can(actor, 'purple_file.use') && actor.staffId !== null,
      outcomes: Object.entries(OUTCOMES).map(([value, text]) => ({ value, text })),
    };
  };

  app.get('/alerts', async (request, reply) => {
    const actor = requireActor(request);
    const q = textParam(request.query, 'q');
    const kind = choiceParam(request.query, 'kind', ALERT_KINDS);
    const status = choiceParam(request.query, 'status', ALERT_STATUSES);
    const found = await alerts.listFor(actor, {
      q,
      kind,
      closed: status === 'closed',
      page: pageFrom((request.query as { page?: unknown }).page),
    });
    const filters = { q, kind, status };
    return reply.view('alerts/list.njk', {
      title: 'Alerts',
      alerts: found.rows,
      filters,
      kinds: offeredKinds(actor),
      statuses: ALERT_STATUSES,
      outcomes: OUTCOMES,
      paging: paging(found.page, found.total, status === 'closed' ? 'closed alerts' : 'open alerts', (p) =>
        listHref('/alerts', filters, p),
      ),
    });
  });

  app.get<{ Params: { id: string } }>('/alerts/:id', async (request, reply) => {
    const actor = requireActor(request);
    const done = (request.query as { done?: string }).done;
    return reply.view('alerts/alert.njk', {
      ...(await page(actor, alertId(request.params.id))),
      values: {},
      done: done === 'acknowledged' || done === 'escalated' ? done : null,
    });
  });

  const action = (
    path: string,
    run: (actor: ReturnType<typeof requireActor>, id: string, body: unknown) => Promise<unknown>,
    done = '',
  ) =>
    app.post<{ Params: { id: string } }>(`/alerts/:id/${path}`, async (request, reply) => {
      const actor = requireActor(request);
      const id = alertId(request.params.id);
      return handleForm(
        reply,
        () => run(actor, id, request.body),
        { template: 'alerts/alert.njk', values: request.body, context: () => page(actor, id) },
        () => `/alerts/${id}${done && `?done=${done}`}`,
      );
    });
  action('acknowledge', (actor, id) => alerts.acknowledge(actor, id), 'acknowledged');
  action('escalate', (actor, id) => alerts.escalateNow(actor, id), 'escalated');
  action('safe', (actor, id) => alerts.resolve(actor, id, 'safe', 'Reached them: they are safe'));
  action('resolve', (actor, id, body) => {
    const form = parseWith(resolveForm, body);
    return alerts.resolve(actor, id, form.outcome, form.notes);
  });
};
