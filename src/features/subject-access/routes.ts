import type { FastifyPluginAsync, FastifyReply } from 'fastify';
import type { Services } from '../../composition.ts';
import type { Actor } from '../auth/actor.ts';
import { requireActor } from '../../web/security.ts';
import { handleForm } from '../../web/error-handling.ts';
import { parseWith } from '../../web/validation.ts';
import { ValidationError } from '../../errors.ts';
import { publicForm, staffForm } from './schema.ts';
import { PUBLIC_KINDS } from './service.ts';

/** /subject-access: the information governance officer exports everything Harbour holds about a person (each export audited). */
export const subjectAccessRoutes: FastifyPluginAsync<{ services: Services }> = async (app, { services }) => {
  const sar = services.subjectAccess;
  const context = async (actor: Actor) => ({
    title: 'Subject access export',
    staff: await sar.staffList(actor),
    publicKinds: Object.entries(PUBLIC_KINDS).map(([value, text]) => ({ value, text })),
  });
  const send = (reply: FastifyReply, r: { fileName: string; zip: Uint8Array }) =>
    reply
      .header('content-type', 'application/zip')
      .header('content-disposition', `attachment; filename="${r.fileName}"`)
      .header('cache-control', 'no-store, private')
      .send(Buffer.from(r.zip));

  app.get('/subject-access', async (request, reply) => {
    const actor = requireActor(request);
    reply.header('cache-control', 'no-store, private');
    return reply.view('subject-access/export.njk', { ...(await context(actor)), values: {} });
  });

  app.post('/subject-access/staff', async (request, reply) => {
    const actor = requireActor(request);
    return handleForm(
      reply,
      async () => {
        const { staffId } = parseWith(staffForm, request.body);
        if (!/^\d+$/.test(staffId) || Number(staffId) > 2_147_483_647)
          throw new ValidationError([{ field: 'staffId', message: 'Select the member of staff' }]);
        return sar.staffExport(actor, Number(staffId));
      },
      { template: 'subject-access/export.njk', values: request.body, context: () => context(actor) },
      (r) => send(reply, r as { fileName: string; zip: Uint8Array }),
    );
  });

  app.post('/subject-access/public', async (request, reply) => {
    const actor = requireActor(request);
    return handleForm(
      reply,
      () => sar.publicExport(actor, parseWith(publicForm, request.body)),
      { template: 'subject-access/export.njk', values: request.body, context: () => context(actor) },
      (r) => send(reply, r as { fileName: string; zip: Uint8Array }),
    );
  });
};
