import type { FastifyPluginAsync, FastifyReply } from 'fastify';
import type { Services } from '../../composition.ts';
import type { Actor } from '../auth/actor.ts';
import { requireActor } from '../../web/security.ts';
import { parseWith } from '../../web/validation.ts';
import { toCsv } from '../../web/csv.ts';
import { toOds } from '../../web/spreadsheet.ts';
import { idParam } from '../people/routes.ts';
import { ValidationError, toErrorMap, toErrorSummary } from '../../errors.ts';
import { policyForm, readinessQuery } from '../training/schema.ts';
import { readinessTable } from './table.ts';

/** /readiness (issue 19): who in the manager's teams is ready to work alone, and why not. */
export const readinessRoutes: FastifyPluginAsync<{ services: Services }> = async (app, { services }) => {
  const training = services.training;

  const page = async (actor: Actor, query: unknown) => {
    const filter = parseWith(readinessQuery, query ?? {});
    const data = await training.readiness(actor, filter);
    const qs = new URLSearchParams({
      ...(filter.teamId ? { team: String(filter.teamId) } : {}),
      ...(filter.show !== 'all' ? { show: filter.show } : {}),
    }).toString();
    return { title: 'Readiness to work alone', filter, ...data, exportQuery: qs ? `?${qs}` : '' };
  };
  const download = (reply: FastifyReply, type: string, file: string, body: string | Buffer) =>
    reply
      .type(type)
      .header('content-disposition', `attachment; filename="${file}"`)
      .header('cache-control', 'no-store, private')
      .send(body);

  app.get('/readiness', async (request, reply) => {
    const actor = requireActor(request);
    const done = (request.query as { done?: string }).done;
    return reply.view('readiness/readiness.njk', {
      ...(await page(actor, request.query)),
      flash: done === 'policy' ? 'Training policy saved' : undefined,
    });
  });
  app.get('/readiness.csv', async (request, reply) => {
    const actor = requireActor(request);
    const { rows } = await page(actor, request.query);
    return download(reply, 'text/csv; charset=utf-8', 'readiness.csv', toCsv(readinessTable(rows)));
  });
  app.get('/readiness.ods', async (request, reply) => {
    const actor = requireActor(request);
    const { rows } = await page(actor, request.query);
    return download(
      reply,
      'application/vnd.oasis.opendocument.spreadsheet',
      'readiness.ods',
      toOds('Readiness', readinessTable(rows)),
    );
  });
  app.post<{ Params: { id: string } }>('/readiness/teams/:id/policy', async (request, reply) => {
    const actor = requireActor(request);
    const teamId = idParam(request.params.id);
    try {
      const form = parseWith(policyForm, request.body);
      await training.setPolicy(actor, teamId, form.policy);
      return reply.redirect('/readiness?done=policy', 303);
    } catch (e) {
      if (!(e instanceof ValidationError)) throw e;
      const errors = e.errors.map((x) => ({ ...x, field: `policy-${teamId}` }));
      return reply.code(400).view('readiness/readiness.njk', {
        ...(await page(actor, {})),
        errorList: toErrorSummary(errors),
        errors: toErrorMap(errors),
      });
    }
  });
};
