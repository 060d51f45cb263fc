import type { FastifyPluginAsync } from 'fastify';
import type { Services } from '../../composition.ts';
import { assertCsrf } from '../../web/security.ts';
import { ValidationError } from '../../errors.ts';
import { COMPLAINT_TEMPLATE } from './import.ts';
import { download, requireManager } from './route-replies.ts';

/** The historic import: its page, the CSV template, and the upload, checked here and written by a background job. */
export const complaintImportRoutes: FastifyPluginAsync<{ services: Services }> = async (app, { services }) => {
  app.get('/complaints/import', async (request, reply) => {
    requireManager(request);
    return reply.view('complaints/import.njk', { title: 'Import historic complaints', backLink: '/complaints' });
  });
  app.get('/complaints/import/template.csv', async (request, reply) => {
    requireManager(request);
    return download(reply, 'text/csv; charset=utf-8', 'harbour-complaints-template.csv', COMPLAINT_TEMPLATE);
  });
  app.post('/complaints/import', async (request, reply) => {
    const actor = requireManager(request);
    const render = (status: number, extra: Record<string, unknown>) =>
      reply
        .code(status)
        .view('complaints/import.njk', { title: 'Import historic complaints', backLink: '/complaints', ...extra });
    if (!request.isMultipart()) throw new ValidationError([{ field: 'file', message: 'Select a CSV file' }]);
    const part = await request.file();
    const csrf = part?.fields._csrf;
    assertCsrf(request, csrf && 'value' in csrf ? String(csrf.value) : undefined);
    const fail = (message: string) =>
      render(400, { errorList: [{ text: message, href: '#file' }], errors: { file: { text: message } } });
    if (!part || !part.filename) return fail('Select a CSV file');
    const text = (await part.toBuffer()).toString('utf8');
    if (part.file.truncated) return fail('The file must be smaller than 5MB');
    // Every row checked now; a clean file is imported by a background job whose page shows progress.
    const result = await services.imports.start(actor, 'complaints', part.filename, text);
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
