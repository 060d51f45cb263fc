import type { FastifyPluginAsync } from 'fastify';
import type { Services } from '../../composition.ts';
import type { Actor } from '../auth/actor.ts';
import { requireActor } from '../../web/security.ts';
import { handleForm } from '../../web/error-handling.ts';
import { parseWith } from '../../web/validation.ts';
import { idParam } from '../people/routes.ts';
import { ValidationError, toErrorMap, toErrorSummary } from '../../errors.ts';
import { breakGlassForm, packForm, toFormValues, toPack } from './schema.ts';

/** Confidential pages are never kept by the browser or a shared cache. */
const NO_STORE = 'no-store, private';

export const emergencyRoutes: FastifyPluginAsync<{ services: Services }> = async (app, { services }) => {
  const emergency = services.emergency;

  const minePage = async (actor: Actor) => {
    const mine = await emergency.mine(actor);
    return {
      title: 'Your emergency contact and medical details',
      ...mine,
      values: mine.pack
        ? toFormValues(mine.pack)
        : { name: actor.displayName, preferredContact: '1', workEmail: actor.email },
    };
  };

  app.get('/emergency-pack', async (request, reply) => {
    const actor = requireActor(request);
    const page = await minePage(actor);
    reply.header('cache-control', NO_STORE);
    return reply.view('emergency/pack.njk', {
      ...page,
      flash: (request.query as { done?: string }).done === 'saved' ? 'Your emergency details are saved' : undefined,
    });
  });
  app.post('/emergency-pack', async (request, reply) => {
    const actor = requireActor(request);
    reply.header('cache-control', NO_STORE);
    return handleForm(
      reply,
      () => emergency.save(actor, toPack(parseWith(packForm, request.body))),
      { template: 'emergency/pack.njk', values: request.body, context: () => minePage(actor) },
      () => '/emergency-pack?done=saved',
    );
  });

  app.get('/emergency-pack/team', async (request, reply) => {
    const actor = requireActor(request);
    return reply.view('emergency/team.njk', {
      title: 'Emergency details of the people you manage',
      backLink: '/emergency-pack',
      people: await emergency.teamStatus(actor),
    });
  });

  app.get<{ Params: { id: string } }>('/emergency-packs/:id', async (request, reply) => {
    const actor = requireActor(request);
    const id = idParam(request.params.id);
    if (id === actor.staffId) return reply.redirect('/emergency-pack', 303);
    const context = await emergency.breakGlassContext(actor, id);
    return reply.view('emergency/break-glass.njk', {
      title: `Open ${context.worker.name}’s emergency details`,
      ...context,
      values: { alertId: String(context.alerts[0]?.id ?? '') },
    });
  });
  app.post<{ Params: { id: string } }>('/emergency-packs/:id/break-glass', async (request, reply) => {
    const actor = requireActor(request);
    const id = idParam(request.params.id);
    if (id === actor.staffId) return reply.redirect('/emergency-pack', 303);
    try {
      const form = parseWith(breakGlassForm, request.body);
      const opened = await emergency.breakGlass(actor, id, { reason: form.reason, alertId: form.alertId });
      reply.header('cache-control', NO_STORE);
      return reply.view('emergency/view.njk', {
        title: `${opened.worker.name}: emergency details`,
        ...opened,
        reason: form.reason,
        backLink: opened.alertId ? `/alerts/${opened.alertId}` : '/alerts',
      });
    } catch (e) {
      if (!(e instanceof ValidationError)) throw e;
      const context = await emergency.breakGlassContext(actor, id);
      return reply.code(400).view('emergency/break-glass.njk', {
        title: `Open ${context.worker.name}’s emergency details`,
        ...context,
        values: request.body,
        errorList: toErrorSummary(e.errors),
        errors: toErrorMap(e.errors),
      });
    }
  });
};
