import type { FastifyPluginAsync } from 'fastify';
import type { Services } from '../../composition.ts';
import type { Actor } from '../auth/actor.ts';
import { requireActor } from '../../web/security.ts';
import { handleForm } from '../../web/error-handling.ts';
import { parseWith } from '../../web/validation.ts';
import { idParam } from '../people/routes.ts';
import { ValidationError } from '../../errors.ts';
import { declarationSignForm, parseDeclarationForm, parseInterestForm, signOffForm } from './schema.ts';
import { flashFrom } from './route-replies.ts';

/** Declarations of interest: making one, adding interests, the manager's sign-off, and signing it. */
export const registerDeclarationRoutes: FastifyPluginAsync<{ services: Services }> = async (app, { services }) => {
  const registers = services.registers;
  const declarationPage = async (actor: Actor, id: number) => ({
    title: 'Declaration of interests',
    backLink: '/registers',
    ...(await registers.declaration(actor, id)),
  });

  app.get('/registers/declarations/new', async (request, reply) => {
    const actor = requireActor(request);
    return reply.view('registers/declare.njk', {
      title: 'Make your declaration of interests',
      backLink: '/registers',
      ...(await registers.newDeclaration(actor)),
      values: {},
    });
  });
  app.post('/registers/declarations', async (request, reply) => {
    const actor = requireActor(request);
    return handleForm(
      reply,
      () => registers.declare(actor, parseDeclarationForm(request.body)),
      {
        template: 'registers/declare.njk',
        values: request.body,
        context: async () => ({
          title: 'Make your declaration of interests',
          backLink: '/registers',
          ...(await registers.newDeclaration(actor)),
        }),
      },
      (id) => `/registers/declarations/${String(id)}?done=declared`,
    );
  });

  app.get<{ Params: { id: string } }>('/registers/declarations/:id', async (request, reply) => {
    const actor = requireActor(request);
    return reply.view('registers/declaration.njk', {
      ...(await declarationPage(actor, idParam(request.params.id))),
      values: {},
      flash: flashFrom(request.query),
    });
  });
  app.post<{ Params: { id: string } }>('/registers/declarations/:id/interests', async (request, reply) => {
    const actor = requireActor(request);
    const id = idParam(request.params.id);
    return handleForm(
      reply,
      () => registers.addInterest(actor, id, parseInterestForm(request.body)),
      {
        template: 'registers/declaration.njk',
        values: { ...(request.body as object), form: 'interest' },
        context: () => declarationPage(actor, id),
      },
      () => `/registers/declarations/${id}?done=interest`,
    );
  });
  app.post<{ Params: { id: string; interestId: string } }>(
    '/registers/declarations/:id/interests/:interestId/sign-off',
    async (request, reply) => {
      const actor = requireActor(request);
      const id = idParam(request.params.id);
      const interestId = idParam(request.params.interestId);
      return handleForm(
        reply,
        async () => {
          const form = (() => {
            try {
              return parseWith(signOffForm, request.body);
            } catch (e) {
              // Each interest has its own action box: point the summary at the right one.
              if (e instanceof ValidationError)
                throw new ValidationError(e.errors.map((x) => ({ ...x, field: `action-${interestId}` })));
              throw e;
            }
          })();
          return registers.signOff(actor, id, interestId, form.action);
        },
        {
          template: 'registers/declaration.njk',
          values: { [`action-${interestId}`]: (request.body as { action?: string } | undefined)?.action },
          context: () => declarationPage(actor, id),
        },
        () => `/registers/declarations/${id}?done=signed`,
      );
    },
  );

  app.post<{ Params: { id: string } }>('/registers/declarations/:id/sign', async (request, reply) => {
    const actor = requireActor(request);
    const id = idParam(request.params.id);
    return handleForm(
      reply,
      () => {
        parseWith(declarationSignForm, request.body);
        return registers.signDeclaration(actor, id);
      },
      { template: 'registers/declaration.njk', values: request.body, context: () => declarationPage(actor, id) },
      () => `/registers/declarations/${id}?done=sealed`,
    );
  });
};
