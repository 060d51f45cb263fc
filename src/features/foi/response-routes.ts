import type { FastifyPluginAsync } from 'fastify';
import type { Services } from '../../composition.ts';
import { requireActor } from '../../web/security.ts';
import { idParam } from '../people/routes.ts';
import { ValidationError, toErrorSummary } from '../../errors.ts';
import { flashFrom } from './route-replies.ts';

/** A request's draft response: the page, the .docx to send, and publishing it to the disclosure log. */
export const foiResponseRoutes: FastifyPluginAsync<{ services: Services }> = async (app, { services }) => {
  const foi = services.foi;

  app.get<{ Params: { id: string } }>('/foi/requests/:id/response', async (request, reply) => {
    const actor = requireActor(request);
    const id = idParam(request.params.id);
    const draft = await foi.draft(actor, id);
    return reply.view('foi/response.njk', {
      title: `Draft response ${draft.request.reference}`,
      backLink: `/foi/requests/${id}`,
      ...draft,
      flash: flashFrom(request.query),
    });
  });
  app.get<{ Params: { id: string } }>('/foi/requests/:id/response.docx', async (request, reply) => {
    const actor = requireActor(request);
    const { file, content } = await foi.draftDocx(actor, idParam(request.params.id));
    return reply
      .type('application/vnd.openxmlformats-officedocument.wordprocessingml.document')
      .header('content-disposition', `attachment; filename="${file}"`)
      .send(content);
  });
  app.post<{ Params: { id: string } }>('/foi/requests/:id/publish', async (request, reply) => {
    const actor = requireActor(request);
    const id = idParam(request.params.id);
    try {
      await foi.publish(actor, id);
      return reply.redirect(`/foi/requests/${id}/response?done=published`, 303);
    } catch (e) {
      if (!(e instanceof ValidationError)) throw e;
      const draft = await foi.draft(actor, id);
      return reply.code(400).view('foi/response.njk', {
        title: `Draft response ${draft.request.reference}`,
        backLink: `/foi/requests/${id}`,
        ...draft,
        errorList: toErrorSummary(e.errors),
      });
    }
  });
};
