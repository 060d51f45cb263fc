import type { FastifyPluginAsync, FastifyReply } from 'fastify';
import type { Services } from '../../composition.ts';
import type { Actor } from '../auth/actor.ts';
import { assertCsrf, requireActor } from '../../web/security.ts';
import { handleForm } from '../../web/error-handling.ts';
import { parseWith } from '../../web/validation.ts';
import { idParam } from '../people/routes.ts';
import { ForbiddenError, ValidationError } from '../../errors.ts';
import { hasRole } from '../auth/actor.ts';
import { TRAINING_TEMPLATE } from './import.ts';
import { courseForm, parseRecordForm, parseRefresherForm } from './schema.ts';

const FLASH: Record<string, string> = {
  recorded: 'Training recorded',
  refresher: 'Refresher training advised: it is now due for them',
  saved: 'Course saved',
};

export const trainingRoutes: FastifyPluginAsync<{ services: Services }> = async (app, { services }) => {
  const training = services.training;

  const personPage = async (actor: Actor, id: number) => {
    const page = await training.person(actor, id);
    const self = actor.staffId === id;
    return {
      title: self ? 'My training' : `Training: ${page.person.given_name} ${page.person.family_name}`,
      self,
      backLink: self ? '/' : '/readiness',
      ...page,
    };
  };
  const flash = (query: unknown) => FLASH[(query as { done?: string }).done ?? ''];

  app.get('/training', async (request, reply) => {
    const actor = requireActor(request);
    if (actor.staffId === null) throw new ForbiddenError('Your account is not linked to a member of staff');
    return reply.view('training/person.njk', {
      ...(await personPage(actor, actor.staffId)),
      flash: flash(request.query),
    });
  });
  app.get<{ Params: { id: string } }>('/training/people/:id', async (request, reply) => {
    const actor = requireActor(request);
    const id = idParam(request.params.id);
    if (id === actor.staffId) return reply.redirect('/training', 303);
    // From an incident's page ("advise refresher training after the debrief"): the refresher form comes filled in.
    const incident = /^\d{1,9}$/.exec((request.query as { incident?: string }).incident ?? '')?.[0];
    const values = incident ? { reason: 'Incident debrief', incidentId: incident } : undefined;
    return reply.view('training/person.njk', {
      ...(await personPage(actor, id)),
      flash: flash(request.query),
      ...(values ? { values, form: 'refresher' } : {}),
    });
  });
  app.post<{ Params: { id: string } }>('/training/people/:id/records', async (request, reply) => {
    const actor = requireActor(request);
    const id = idParam(request.params.id);
    return handleForm(
      reply,
      () => training.record(actor, id, parseRecordForm(request.body)),
      {
        template: 'training/person.njk',
        values: request.body,
        context: async () => ({ ...(await personPage(actor, id)), form: 'record' }),
      },
      () => `/training/people/${id}?done=recorded`,
    );
  });
  app.post<{ Params: { id: string } }>('/training/people/:id/refresher', async (request, reply) => {
    const actor = requireActor(request);
    const id = idParam(request.params.id);
    return handleForm(
      reply,
      () => training.adviseRefresher(actor, id, parseRefresherForm(request.body)),
      {
        template: 'training/person.njk',
        values: request.body,
        context: async () => ({ ...(await personPage(actor, id)), form: 'refresher' }),
      },
      () => `/training/people/${id}?done=refresher`,
    );
  });

  // ---- Courses (administrators) ----
  const mustAdmin = (actor: Actor) => {
    if (!hasRole(actor, 'admin')) throw new ForbiddenError('Only administrators keep the list of courses');
  };
  const courseContext = async (title: string) => ({
    title,
    backLink: '/training/courses',
    ...(await training.courseFormContext()),
  });
  app.get('/training/courses', async (request, reply) => {
    const actor = requireActor(request);
    mustAdmin(actor);
    return reply.view('training/courses.njk', {
      title: 'Training courses',
      courses: await training.courses(),
      ...(await training.courseFormContext()),
      flash: flash(request.query),
    });
  });
  app.get('/training/courses/new', async (request, reply) => {
    mustAdmin(requireActor(request));
    return reply.view('training/course-form.njk', {
      ...(await courseContext('Add a course')),
      values: { category: 'other' },
    });
  });
  app.post('/training/courses', async (request, reply) => {
    const actor = requireActor(request);
    mustAdmin(actor);
    return handleForm(
      reply,
      () => training.saveCourse(actor, null, parseWith(courseForm, request.body)),
      { template: 'training/course-form.njk', values: request.body, context: () => courseContext('Add a course') },
      () => '/training/courses?done=saved',
    );
  });
  app.get<{ Params: { id: string } }>('/training/courses/:id', async (request, reply) => {
    const actor = requireActor(request);
    const c = await training.course(actor, idParam(request.params.id));
    return reply.view('training/course-form.njk', {
      ...(await courseContext(`Change ${c.name}`)),
      course: c,
      values: {
        name: c.name,
        category: c.category,
        validityMonths: c.validity_months ?? '',
        everyone: c.everyone,
        jobRoles: c.job_roles,
        teamIds: c.team_ids.map(String),
        serviceIds: c.service_ids.map(String),
        keyHolders: c.key_holders,
        retired: c.retired_at !== null,
      },
    });
  });
  app.post<{ Params: { id: string } }>('/training/courses/:id', async (request, reply) => {
    const actor = requireActor(request);
    const id = idParam(request.params.id);
    const c = await training.course(actor, id);
    return handleForm(
      reply,
      () => training.saveCourse(actor, id, parseWith(courseForm, request.body)),
      {
        template: 'training/course-form.njk',
        values: request.body,
        context: async () => ({ ...(await courseContext(`Change ${c.name}`)), course: c }),
      },
      () => '/training/courses?done=saved',
    );
  });

  // ---- Import ----
  const mustImport = (actor: Actor) => {
    if (!hasRole(actor, 'admin', 'team_manager', 'service_manager', 'assistant_director'))
      throw new ForbiddenError('Only managers and administrators can import training records');
    return actor;
  };
  const download = (reply: FastifyReply, type: string, file: string, body: string | Buffer) =>
    reply.type(type).header('content-disposition', `attachment; filename="${file}"`).send(body);
  app.get('/training/import', async (request, reply) => {
    mustImport(requireActor(request));
    return reply.view('training/import.njk', { title: 'Import training records', backLink: '/readiness' });
  });
  app.get('/training/import/template.csv', async (request, reply) => {
    mustImport(requireActor(request));
    return download(reply, 'text/csv; charset=utf-8', 'harbour-training-template.csv', TRAINING_TEMPLATE);
  });
  app.post('/training/import', async (request, reply) => {
    const actor = mustImport(requireActor(request));
    const render = (status: number, extra: Record<string, unknown>) =>
      reply
        .code(status)
        .view('training/import.njk', { title: 'Import training records', backLink: '/readiness', ...extra });
    if (!request.isMultipart()) throw new ValidationError([{ field: 'file', message: 'Select a CSV file' }]);
    const part = await request.file();
    const csrf = part?.fields._csrf;
    assertCsrf(request, csrf && 'value' in csrf ? String(csrf.value) : undefined);
    const fail = (message: string) =>
      render(400, { errorList: [{ text: message, href: '#file' }], errors: { file: { text: message } } });
    if (!part || !part.filename) return fail('Select a CSV file');
    const text = (await part.toBuffer()).toString('utf8');
    if (part.file.truncated) return fail('The file must be smaller than 5MB');
    const result = await training.importFile(actor, text, part.filename);
    if (!result.ok) {
      const message = `The file has ${result.errors.length} ${result.errors.length === 1 ? 'problem' : 'problems'}. Nothing was imported.`;
      return render(400, {
        rowErrors: result.errors,
        fileName: part.filename,
        errorList: [{ text: message, href: '#file' }],
        errors: { file: { text: message } },
      });
    }
    return render(200, { result, fileName: part.filename });
  });
};
