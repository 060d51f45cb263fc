import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import type { Services } from '../../composition.ts';
import type { Actor } from '../auth/actor.ts';
import { requireActor } from '../../web/security.ts';
import { idParam } from '../people/routes.ts';
import { ValidationError, toErrorMap, toErrorSummary } from '../../errors.ts';
import {
  parseActionForm,
  parseIncidentFlagForm,
  parseInvestigationForm,
  parseLegalActionForm,
  parsePoliceForm,
  parseRiddorForm,
  parseRenewFlagForm,
  parseSeriousForm,
} from './follow-up-schema.ts';
import { flashFrom } from './route-replies.ts';

/**
 * After the report: police, RIDDOR, marking serious, warning flags and legal actions on the incident
 * page; the investigation page with its actions, and closing.
 */
export const incidentFollowUpRoutes: FastifyPluginAsync<{ services: Services }> = async (app, { services }) => {
  const svc = services.incidents;

  /**
   * A form on the incident page (or the investigation page): run it; on a ValidationError re-render
   * that page with 400, the error summary, and what was typed over the saved values.
   */
  async function pageForm(
    request: FastifyRequest<{ Params: { id: string } }>,
    reply: FastifyReply,
    page: 'incident' | 'investigation',
    action: (actor: Actor, id: number) => Promise<unknown>,
    done: string,
    anchor = '',
  ) {
    const actor = requireActor(request);
    const id = idParam(request.params.id);
    try {
      await action(actor, id);
      return reply.redirect(
        `/incidents/${id}${page === 'investigation' ? '/investigation' : ''}?done=${done}${anchor}`,
        303,
      );
    } catch (e) {
      if (!(e instanceof ValidationError)) throw e;
      const body = (request.body ?? {}) as Record<string, unknown>;
      const context =
        page === 'incident'
          ? await svc
              .view(actor, id)
              .then((c) => ({ title: `Incident ${id}`, ...c, values: { ...c.respondValues, ...body } }))
          : await svc.investigationView(actor, id).then((c) => ({
              title: `Investigation of incident ${id}`,
              ...c,
              values: { ...c.investigationValues, ...body },
            }));
      return reply.code(400).view(`incidents/${page}.njk`, {
        ...context,
        errorList: toErrorSummary(e.errors),
        errors: toErrorMap(e.errors),
      });
    }
  }

  type IdRequest = FastifyRequest<{ Params: { id: string } }>;
  app.post<{ Params: { id: string } }>('/incidents/:id/police', (request, reply) =>
    pageForm(
      request,
      reply,
      'incident',
      (actor, id) => svc.recordPolice(actor, id, parsePoliceForm(request.body)),
      'police',
      '#police',
    ),
  );
  app.post<{ Params: { id: string } }>('/incidents/:id/riddor', (request, reply) =>
    pageForm(
      request,
      reply,
      'incident',
      (actor, id) => svc.recordRiddor(actor, id, parseRiddorForm(request.body)),
      'riddor',
      '#riddor',
    ),
  );
  app.post<{ Params: { id: string } }>('/incidents/:id/serious', (request, reply) =>
    pageForm(
      request,
      reply,
      'incident',
      (actor, id) => svc.markSerious(actor, id, parseSeriousForm(request.body)),
      'serious',
      '#serious',
    ),
  );
  app.post<{ Params: { id: string } }>('/incidents/:id/flags', (request, reply) =>
    pageForm(
      request,
      reply,
      'incident',
      (actor, id) => svc.raiseFlag(actor, id, parseIncidentFlagForm(request.body)),
      'flag',
      '#flags',
    ),
  );
  app.post<{ Params: { id: string } }>('/incidents/:id/flags/renew', (request, reply) =>
    pageForm(
      request,
      reply,
      'incident',
      (actor, id) => {
        const form = parseRenewFlagForm(request.body);
        return svc.renewFlag(actor, id, form.flagId, form.reviewOn);
      },
      'flagRenewed',
      '#flags',
    ),
  );
  app.post<{ Params: { id: string } }>('/incidents/:id/legal-actions', (request, reply) =>
    pageForm(
      request,
      reply,
      'incident',
      (actor, id) => svc.addLegalAction(actor, id, parseLegalActionForm(request.body)),
      'legal',
      '#legal',
    ),
  );

  app.get<{ Params: { id: string } }>('/incidents/:id/investigation', async (request: IdRequest, reply) => {
    const actor = requireActor(request);
    const id = idParam(request.params.id);
    const context = await svc.investigationView(actor, id);
    return reply.view('incidents/investigation.njk', {
      title: `Investigation of incident ${id}`,
      ...context,
      values: context.investigationValues,
      flash: flashFrom(request.query),
    });
  });
  app.post<{ Params: { id: string } }>('/incidents/:id/investigation', (request, reply) =>
    pageForm(
      request,
      reply,
      'investigation',
      (actor, id) => svc.saveInvestigation(actor, id, parseInvestigationForm(request.body)),
      'investigation',
    ),
  );
  app.post<{ Params: { id: string } }>('/incidents/:id/actions', (request, reply) =>
    pageForm(
      request,
      reply,
      'investigation',
      (actor, id) => svc.addAction(actor, id, parseActionForm(request.body)),
      'action',
      '#actions',
    ),
  );
  app.post<{ Params: { id: string; actionId: string } }>(
    '/incidents/:id/actions/:actionId/done',
    async (request, reply) => {
      const actor = requireActor(request);
      const id = idParam(request.params.id);
      await svc.actionDone(actor, id, idParam(request.params.actionId));
      // From "Actions for you" on the incident page, back there; from the investigation, back to it.
      const fromIncident = (request.body as { returnTo?: unknown } | undefined)?.returnTo === 'incident';
      return reply.redirect(
        fromIncident
          ? `/incidents/${id}?done=actionDone#your-actions`
          : `/incidents/${id}/investigation?done=actionDone#actions`,
        303,
      );
    },
  );
  app.post<{ Params: { id: string } }>('/incidents/:id/close', (request, reply) =>
    pageForm(request, reply, 'investigation', (actor, id) => svc.close(actor, id), 'closed'),
  );
};
