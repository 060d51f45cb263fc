import type { FastifyPluginAsync, FastifyReply } from 'fastify';
import { z } from 'zod';
import type { Services } from '../../composition.ts';
import { assertCsrf, requireActor } from '../../web/security.ts';
import { handleForm } from '../../web/error-handling.ts';
import { parseWith } from '../../web/validation.ts';
import { ValidationError, toErrorMap, toErrorSummary } from '../../errors.ts';
import { idParam } from '../people/routes.ts';
import { VISIT_KINDS } from '../visits/schema.ts';
import { MAX_OCCURRENCES } from './parse.ts';
import { DESCRIPTION_MAX, VISIT_CATEGORY } from './rules.ts';
import { MAX_SUBSCRIPTIONS, type Choice, type PreviewView } from './index.ts';

export const MAX_UPLOAD_BYTES = 1024 * 1024;

const kindOptions = Object.entries(VISIT_KINDS).map(([value, text]) => ({ value, text }));

/** The confirm form: which preview, which events (by their index in it), and each one's kind and description. */
const confirmForm = z
  .object({
    previewId: z.string({ error: 'Upload the file again' }).regex(/^[A-Za-z0-9_-]{10,64}$/, 'Upload the file again'),
    events: z
      .union([z.string(), z.array(z.string())])
      .optional()
      .transform((v) => (v === undefined ? [] : Array.isArray(v) ? v : [v]).filter(Boolean))
      .pipe(z.array(z.string().regex(/^\d{1,4}$/, 'Select events from the list'))),
  })
  .loose();

function choicesFrom(body: Record<string, unknown>, indices: string[]): Choice[] {
  return [...new Set(indices.map(Number))].map((index) => ({
    index,
    kind: typeof body[`kind-${index}`] === 'string' ? String(body[`kind-${index}`]) : 'visit',
    description: typeof body[`description-${index}`] === 'string' ? String(body[`description-${index}`]) : '',
  }));
}

export const calendarRoutes: FastifyPluginAsync<{ services: Services }> = async (app, { services }) => {
  const { calendar } = services;
  const uploadPage = (reply: FastifyReply, status: number, extra: Record<string, unknown> = {}) =>
    reply.code(status).view('calendar/import.njk', {
      title: 'Import visits from a calendar',
      backLink: '/visits',
      maxMb: MAX_UPLOAD_BYTES / 1024 / 1024,
      ...extra,
    });
  const previewPage = (
    reply: FastifyReply,
    status: number,
    preview: PreviewView,
    extra: Record<string, unknown> = {},
  ) =>
    reply.code(status).view('calendar/preview.njk', {
      title: 'Choose which events are visits',
      backLink: '/visits/import',
      preview,
      kindOptions,
      descriptionMax: DESCRIPTION_MAX,
      maxOccurrences: MAX_OCCURRENCES,
      ...extra,
    });
  const invalid = (e: ValidationError) => ({ errorList: toErrorSummary(e.errors), errors: toErrorMap(e.errors) });

  app.get<{ Querystring: { added?: string; skipped?: string } }>('/visits/import', async (request, reply) => {
    requireActor(request);
    const count = (v: string | undefined) => (v !== undefined && /^\d{1,4}$/.test(v) ? Number(v) : null);
    const added = count(request.query.added);
    return uploadPage(
      reply,
      200,
      added === null ? {} : { done: { added, skipped: count(request.query.skipped) ?? 0 } },
    );
  });

  app.post('/visits/import', async (request, reply) => {
    const actor = requireActor(request);
    const fileError = (message: string) =>
      uploadPage(reply, 400, { errorList: [{ text: message, href: '#file' }], errors: { file: { text: message } } });
    if (!request.isMultipart()) return fileError('Select an iCalendar (.ics) file');
    const part = await request.file({ limits: { fileSize: MAX_UPLOAD_BYTES, files: 1 }, throwFileSizeLimit: false });
    const csrf = part?.fields._csrf;
    assertCsrf(request, csrf && 'value' in csrf ? String(csrf.value) : undefined);
    if (!part || !part.filename) return fileError('Select an iCalendar (.ics) file');
    const buffer = await part.toBuffer();
    if (part.file.truncated) return fileError('The selected file must be smaller than 1MB');
    try {
      const preview = await calendar.preview(actor, buffer.toString('utf8'), part.filename);
      return previewPage(reply, 200, preview);
    } catch (e) {
      if (e instanceof ValidationError) return uploadPage(reply, 400, invalid(e));
      throw e;
    }
  });

  app.post('/visits/import/confirm', async (request, reply) => {
    const actor = requireActor(request);
    const body = (request.body ?? {}) as Record<string, unknown>;
    let form;
    try {
      form = parseWith(confirmForm, body);
    } catch (e) {
      if (!(e instanceof ValidationError)) throw e;
      return uploadPage(
        reply,
        400,
        invalid(
          new ValidationError([
            {
              field: 'file',
              message: 'The uploaded calendar has expired or was already imported. Upload the file again',
            },
          ]),
        ),
      );
    }
    const choices = choicesFrom(body, form.events);
    try {
      const result = await calendar.confirm(actor, form.previewId, choices);
      return reply.redirect(`/visits/import?added=${result.added}&skipped=${result.skipped}`, 303);
    } catch (e) {
      if (!(e instanceof ValidationError)) throw e;
      if (e.errors.some((x) => x.field === 'file')) return uploadPage(reply, 400, invalid(e));
      const preview = await calendar.previewView(actor, form.previewId);
      const values = Object.fromEntries(
        choices.flatMap((c) => [
          [`kind-${c.index}`, c.kind],
          [`description-${c.index}`, c.description],
        ]),
      );
      return previewPage(reply, 400, preview, { ...invalid(e), chosen: choices.map((c) => c.index), values });
    }
  });

  const subscriptionsPage = async (actor: ReturnType<typeof requireActor>) => ({
    title: 'Calendar subscriptions',
    backLink: '/visits',
    subscriptions: await calendar.subscriptions(actor),
    maxSubscriptions: MAX_SUBSCRIPTIONS,
    visitCategory: VISIT_CATEGORY,
  });

  app.get<{ Querystring: { done?: string } }>('/visits/calendar-subscriptions', async (request, reply) => {
    const actor = requireActor(request);
    const done = request.query.done === 'added' || request.query.done === 'removed' ? request.query.done : null;
    return reply.view('calendar/subscriptions.njk', { ...(await subscriptionsPage(actor)), done, values: {} });
  });

  app.post('/visits/calendar-subscriptions', async (request, reply) => {
    const actor = requireActor(request);
    const body = (request.body ?? {}) as Record<string, unknown>;
    return handleForm(
      reply,
      () => calendar.subscribe(actor, typeof body.url === 'string' ? body.url : ''),
      { template: 'calendar/subscriptions.njk', values: body, context: () => subscriptionsPage(actor) },
      () => '/visits/calendar-subscriptions?done=added',
    );
  });

  app.post<{ Params: { id: string } }>('/visits/calendar-subscriptions/:id/remove', async (request, reply) => {
    const actor = requireActor(request);
    await calendar.unsubscribe(actor, idParam(request.params.id));
    return reply.redirect('/visits/calendar-subscriptions?done=removed', 303);
  });
};
