import type { FastifyPluginAsync } from 'fastify';
import type { Services } from '../../composition.ts';
import { can } from '../auth/access.ts';
import { requireActor } from '../../web/security.ts';
import { ForbiddenError } from '../../errors.ts';

export const auditRoutes: FastifyPluginAsync<{ services: Services }> = async (app, { services }) => {
  app.get<{ Querystring: { page?: string; verify?: string } }>('/admin/audit', async (request, reply) => {
    const actor = requireActor(request);
    if (!can(actor, 'audit.view')) throw new ForbiddenError();
    const page = Math.max(1, Math.min(10_000, Number(request.query.page) || 1));
    const entries = await services.audit.list({ limit: 50, offset: (page - 1) * 50 });
    const verification = request.query.verify ? await services.audit.verify() : null;
    return reply.view('audit/list.njk', { title: 'Audit trail', entries, page, verification, backLink: '/admin' });
  });
};
