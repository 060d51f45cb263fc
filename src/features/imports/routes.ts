import type { FastifyPluginAsync } from 'fastify';
import type { Services } from '../../composition.ts';
import { requireActor } from '../../web/security.ts';
import { idParam } from '../people/routes.ts';

const n = (v: number) => v.toLocaleString('en-GB');
const BACK = {
  incidents: { href: '/incidents/dashboard', text: 'incident monitoring', again: '/incidents/import' },
  complaints: { href: '/complaints', text: 'complaints', again: '/complaints/import' },
};

/** An import's page: how far it has got, then what it imported or every problem. Only its uploader and administrators see it. */
export const importsRoutes: FastifyPluginAsync<{ services: Services }> = async (app, { services }) => {
  app.get<{ Params: { id: string } }>('/imports/:id', async (request, reply) => {
    const actor = requireActor(request);
    const job = await services.imports.view(actor, idParam(request.params.id));
    const running = job.status === 'queued' || job.status === 'running';
    const progress =
      job.status === 'queued'
        ? `Waiting to start: ${n(job.total)} ${job.total === 1 ? 'row' : 'rows'} to import`
        : `Imported ${n(job.done)} of ${n(job.total)} rows`;
    reply.header('cache-control', 'no-store');
    return reply.view('imports/progress.njk', {
      title: running
        ? `Importing ${job.kind}`
        : job.status === 'done'
          ? `${job.kind === 'incidents' ? 'Incidents' : 'Complaints'} imported`
          : `${job.kind === 'incidents' ? 'Incidents' : 'Complaints'} not imported`,
      job,
      running,
      progress,
      back: BACK[job.kind],
      summary: `${n(job.imported ?? 0)} ${job.kind === 'incidents' ? (job.imported === 1 ? 'incident' : 'incidents') : job.imported === 1 ? 'complaint' : 'complaints'} imported`,
      percent: job.total ? Math.floor((job.done / job.total) * 100) : 0,
    });
  });
};
