import type { FastifyPluginAsync } from 'fastify';
import { z } from 'zod';
import type { Services } from '../../composition.ts';
import type { Actor } from '../auth/actor.ts';
import { requireActor } from '../../web/security.ts';
import { handleForm } from '../../web/error-handling.ts';
import { optionalText, parseWith } from '../../web/validation.ts';
import { idParam } from '../people/routes.ts';
import { MAJOR_INCIDENT_CATEGORIES, type MajorIncidentCategory } from './rules.ts';

const majorForm = z.object({
  category: z.enum(Object.keys(MAJOR_INCIDENT_CATEGORIES) as [MajorIncidentCategory, ...MajorIncidentCategory[]], {
    error: 'Select what kind of major incident it is',
  }),
  summary: optionalText(2000),
  alertId: z
    .string()
    .regex(/^\d{1,18}$/)
    .optional()
    .or(z.literal(''))
    .transform((v) => v || null),
  callId: z.coerce
    .number()
    .int()
    .positive()
    .optional()
    .or(z.literal(''))
    .transform((v) => (v ? Number(v) : null)),
  lockdownId: z.coerce
    .number()
    .int()
    .positive()
    .optional()
    .or(z.literal(''))
    .transform((v) => (v ? Number(v) : null)),
});

const positive = (v: unknown) => (typeof v === 'string' && /^\d{1,9}$/.test(v) && Number(v) > 0 ? Number(v) : null);

/** Major incidents (Appendix C): the list, declaring one (from an alert, a call or a lock down), and its page. */
export const majorIncidentRoutes: FastifyPluginAsync<{ services: Services }> = async (app, { services }) => {
  const { duress } = services;

  const sourceOf = (q: Record<string, unknown>) => ({
    alertId: typeof q.alertId === 'string' && /^\d{1,18}$/.test(q.alertId) ? q.alertId : null,
    callId: positive(q.callId),
    lockdownId: positive(q.lockdownId),
  });
  const majorPage = async (actor: Actor, from: ReturnType<typeof sourceOf>) => ({
    title: 'Declare a major incident',
    source: await duress.majorIncidentSource(actor, from),
    categories: Object.entries(MAJOR_INCIDENT_CATEGORIES).map(([value, text]) => ({ value, text })),
  });

  app.get('/major-incidents', async (request, reply) => {
    const actor = requireActor(request);
    return reply.view('duress/major-incidents.njk', {
      title: 'Major incidents',
      incidents: await duress.majorIncidents(actor),
    });
  });

  app.get('/major-incidents/new', async (request, reply) => {
    const actor = requireActor(request);
    return reply.view('duress/major-incident-new.njk', {
      ...(await majorPage(actor, sourceOf(request.query as Record<string, unknown>))),
      values: {},
    });
  });

  app.post('/major-incidents', async (request, reply) => {
    const actor = requireActor(request);
    const body = (request.body ?? {}) as Record<string, unknown>;
    return handleForm(
      reply,
      () => duress.declareMajorIncident(actor, parseWith(majorForm, body)),
      { template: 'duress/major-incident-new.njk', values: body, context: () => majorPage(actor, sourceOf(body)) },
      (id) => `/major-incidents/${id as number}?done=declared`,
    );
  });

  app.get<{ Params: { id: string } }>('/major-incidents/:id', async (request, reply) => {
    const actor = requireActor(request);
    const id = idParam(request.params.id);
    const flash =
      (request.query as { done?: string }).done === 'declared'
        ? 'Major incident declared. The assistant director and line manager have been told.'
        : undefined;
    return reply.view('duress/major-incident.njk', {
      title: 'Major incident',
      ...(await duress.majorIncident(actor, id)),
      flash,
    });
  });
};
