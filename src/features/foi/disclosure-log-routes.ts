import type { FastifyPluginAsync } from 'fastify';
import type { Services } from '../../composition.ts';
import { listHref, pageFrom, paging } from '../../web/paging.ts';
import { idParam } from '../people/routes.ts';
import { toRows } from './disclosure.ts';
import { csv, ods } from './route-replies.ts';

/** The public disclosure log: no sign-in; the requester's details are never in it. */
export const foiDisclosureLogRoutes: FastifyPluginAsync<{ services: Services }> = async (app, { services }) => {
  const foi = services.foi;

  app.get('/foi/disclosure-log', async (request, reply) => {
    const log = await foi.disclosureLog(pageFrom((request.query as { page?: unknown }).page));
    return reply.view('foi/disclosure-log.njk', {
      title: 'FOI disclosure log',
      ...log,
      paging: paging(log.page, log.total, 'responses', (p) => listHref('/foi/disclosure-log', {}, p)),
    });
  });
  app.get<{ Params: { id: string } }>('/foi/disclosure-log/:id', async (request, reply) => {
    const d = await foi.disclosure(idParam(request.params.id));
    return reply.view('foi/disclosure.njk', {
      title: `FOI ${d.disclosure.reference}: ${d.disclosure.title}`,
      backLink: '/foi/disclosure-log',
      ...d,
    });
  });
  app.get<{ Params: { id: string; questionId: string } }>(
    '/foi/disclosure-log/:id/datasets/:questionId/data.csv',
    async (request, reply) => {
      const { reference, dataset } = await foi.disclosureDataset(
        idParam(request.params.id),
        idParam(request.params.questionId),
      );
      return csv(reply, `${reference.replace(/[^A-Za-z0-9]+/g, '-')}-q${dataset.position}.csv`, [
        ...toRows(dataset.table),
        [],
        ...dataset.table.notes.map((n) => [n]),
      ]);
    },
  );
  app.get<{ Params: { id: string; questionId: string } }>(
    '/foi/disclosure-log/:id/datasets/:questionId/data.ods',
    async (request, reply) => {
      const { reference, dataset } = await foi.disclosureDataset(
        idParam(request.params.id),
        idParam(request.params.questionId),
      );
      return ods(reply, `${reference.replace(/[^A-Za-z0-9]+/g, '-')}-q${dataset.position}.ods`, dataset.table.title, [
        ...toRows(dataset.table),
        [],
        ...dataset.table.notes.map((n) => [n]),
      ]);
    },
  );
};
