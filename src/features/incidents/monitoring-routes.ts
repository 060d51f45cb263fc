import type { FastifyPluginAsync } from 'fastify';
import type { Services } from '../../composition.ts';
import { requireActor } from '../../web/security.ts';
import { ValidationError, toErrorMap, toErrorSummary } from '../../errors.ts';
import { toCsv } from '../../web/csv.ts';
import { toOds } from '../../web/spreadsheet.ts';
import { parseStatsFilter, statsFilterBoxes } from './statistics-schema.ts';
import type { StatsFilter } from './statistics-repository.ts';

const NO_FILTER: StatsFilter = { from: null, to: null, category: null, teamId: null, buildingId: null };

/** Monitoring for health and safety: the dashboard and its CSV and ODS export. */
export const incidentMonitoringRoutes: FastifyPluginAsync<{ services: Services }> = async (app, { services }) => {
  const svc = services.incidents;

  const filterFrom = (query: unknown) => parseStatsFilter(query ?? {});
  app.get('/incidents/dashboard', async (request, reply) => {
    const actor = requireActor(request);
    const query = { ...((request.query ?? {}) as Record<string, string>), ...statsFilterBoxes(request.query) };
    const exportQuery = new URLSearchParams(
      Object.entries(query).filter(([, v]) => typeof v === 'string' && v !== ''),
    ).toString();
    try {
      const filter = filterFrom(query);
      return reply.view('incidents/dashboard.njk', {
        title: 'Incident monitoring',
        values: query,
        exportQuery,
        ...(await svc.dashboard(actor, filter)),
      });
    } catch (e) {
      if (!(e instanceof ValidationError)) throw e;
      return reply.code(400).view('incidents/dashboard.njk', {
        title: 'Incident monitoring',
        values: query,
        exportQuery: '',
        ...(await svc.dashboard(actor, NO_FILTER)),
        errorList: toErrorSummary(e.errors),
        errors: toErrorMap(e.errors),
      });
    }
  });
  app.get('/incidents/dashboard.csv', async (request, reply) => {
    const actor = requireActor(request);
    const table = await svc.exportTable(actor, filterFrom(request.query));
    return reply
      .type('text/csv; charset=utf-8')
      .header('content-disposition', 'attachment; filename="incidents.csv"')
      .send(toCsv(table));
  });
  app.get('/incidents/dashboard.ods', async (request, reply) => {
    const actor = requireActor(request);
    const table = await svc.exportTable(actor, filterFrom(request.query));
    return reply
      .type('application/vnd.oasis.opendocument.spreadsheet')
      .header('content-disposition', 'attachment; filename="incidents.ods"')
      .send(toOds('Incidents', table));
  });
};
