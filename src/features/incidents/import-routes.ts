import type { FastifyPluginAsync } from 'fastify';
import type { Services } from '../../composition.ts';
import { assertCsrf, requireActor } from '../../web/security.ts';
import { INCIDENT_TEMPLATE } from './import.ts';

/** The historic import: its page, the CSV template, and the upload, checked here and written by a background job. */
export const incidentImportRoutes: FastifyPluginAsync<{ services: Services }> = async (app, { services }) => {
  const svc = services.incidents;

  const importPage = (extra: Record<string, unknown> = {}) => ({
    title: 'Import historic incidents',
    backLink: '/incidents/dashboard',
    ...extra,
  });
  app.get('/incidents/import', async (request, reply) => {
    const actor = requireActor(request);
    svc.assertMonitor(actor);
    return reply.view('incidents/import.njk', importPage());
  });
  app.get('/incidents/import/template.csv', async (request, reply) => {
    const actor = requireActor(request);
    svc.assertMonitor(actor);
    return reply
      .type('text/csv; charset=utf-8')
      .header('content-disposition', 'attachment; filename="harbour-incidents-template.csv"')
      .send(INCIDENT_TEMPLATE);
  });
  app.post('/incidents/import', async (request, reply) => {
    const actor = requireActor(request);
    const render = (status: number, extra: Record<string, unknown>) =>
      reply.code(status).view('incidents/import.njk', importPage(extra));
    const problem = (message: string) =>
      render(400, { errorList: [{ text: message, href: '#file' }], errors: { file: { text: message } } });
    if (!request.isMultipart()) {
      assertCsrf(request, (request.body as { _csrf?: string } | undefined)?._csrf);
      svc.assertMonitor(actor);
      return problem('Select a CSV file');
    }
    const part = await request.file();
    const csrf = part?.fields._csrf;
    assertCsrf(request, csrf && 'value' in csrf ? String(csrf.value) : undefined);
    svc.assertMonitor(actor);
    if (!part || !part.filename) return problem('Select a CSV file');
    const text = (await part.toBuffer()).toString('utf8');
    if (part.file.truncated) return problem('The file must be smaller than 5MB');
    // Every row checked now; a clean file is imported by a background job whose page shows progress.
    const result = await services.imports.start(actor, 'incidents', part.filename, text);
    if (!result.ok) {
      const message = `The file has ${result.errors.length} ${result.errors.length === 1 ? 'problem' : 'problems'}. Nothing was imported.`;
      return render(400, {
        rowErrors: result.errors,
        fileName: part.filename,
        errorList: [{ text: message, href: '#file' }],
        errors: { file: { text: message } },
      });
    }
    return reply.redirect(`/imports/${result.id}`, 303);
  });
};
