import type { FastifyPluginAsync } from 'fastify';
import type { Services } from '../../composition.ts';
import type { Actor } from '../auth/actor.ts';
import { requireActor } from '../../web/security.ts';
import { handleForm } from '../../web/error-handling.ts';
import { parseWith } from '../../web/validation.ts';
import { idParam } from '../people/routes.ts';
import { holdForm, releaseForm } from './schema.ts';
import { HOLDABLE_KINDS } from './rules.ts';

const KIND_LABELS: Record<string, string> = {
  session: 'Lone-working session',
  incident: 'Incident',
  complaint: 'Complaint',
  warning_flag: 'Warning flag',
  register_entry: 'Register entry (gift:123 or declaration:123)',
  emergency_pack: 'Emergency pack (staff id)',
  foi_request: 'FOI request',
};

/** /admin/retention: the retention schedule, what is due now, legal holds and the last run (administrators and the information governance officer). */
export const retentionRoutes: FastifyPluginAsync<{ services: Services }> = async (app, { services }) => {
  const retention = services.retention;
  const context = async (actor: Actor) => ({
    title: 'Retention schedule',
    ...(await retention.overview(actor)),
    kinds: HOLDABLE_KINDS.map((k) => ({ value: k, text: KIND_LABELS[k] })),
    kindLabels: KIND_LABELS,
  });

  app.get('/admin/retention', async (request, reply) => {
    const actor = requireActor(request);
    const done = (request.query as { done?: string }).done;
    return reply.view('retention/schedule.njk', {
      ...(await context(actor)),
      values: {},
      flash: done === 'held' ? 'Legal hold placed' : done === 'released' ? 'Legal hold released' : undefined,
    });
  });

  app.post('/admin/retention/holds', async (request, reply) => {
    const actor = requireActor(request);
    return handleForm(
      reply,
      () => retention.placeHold(actor, parseWith(holdForm, request.body)),
      { template: 'retention/schedule.njk', values: request.body, context: () => context(actor) },
      () => '/admin/retention?done=held#holds',
    );
  });

  app.post<{ Params: { id: string } }>('/admin/retention/holds/:id/release', async (request, reply) => {
    const actor = requireActor(request);
    const id = idParam(request.params.id);
    return handleForm(
      reply,
      () => retention.releaseHold(actor, id, parseWith(releaseForm, request.body)),
      {
        template: 'retention/schedule.njk',
        values: { ...(request.body as object), releaseId: id },
        context: () => context(actor),
      },
      () => '/admin/retention?done=released#holds',
    );
  });
};
