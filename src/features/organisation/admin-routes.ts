import type { FastifyInstance, FastifyPluginAsync } from 'fastify';
import type { z } from 'zod';
import type { Services } from '../../composition.ts';
import type { Actor } from '../auth/actor.ts';
import { can } from '../auth/access.ts';
import { assertCsrf, requireActor } from '../../web/security.ts';
import { handleForm } from '../../web/error-handling.ts';
import { parseWith } from '../../web/validation.ts';
import { ForbiddenError, ValidationError } from '../../errors.ts';
import { idParam } from '../people/routes.ts';
import { directorateForm, serviceForm, teamForm } from './schema.ts';
import { staffForm } from '../people/schema.ts';
import { buildingForm } from '../buildings/schema.ts';
import { JOB_ROLES } from '../people/job-roles.ts';
import { STAFF_TEMPLATE } from '../people/import-staff.ts';
import { adminDone, adminFlash, type AdminKind } from './done.ts';

function requireAdmin(request: { actor: Actor | null }): Actor {
  const actor = requireActor(request as never);
  if (!can(actor, 'organisation.manage')) throw new ForbiddenError('Only administrators can change the organisation');
  return actor;
}

interface EditableThing<S extends z.ZodType> {
  /** URL segment and template name, e.g. 'teams' → /admin/teams/new and organisation/team-form.njk. */
  path: AdminKind;
  noun: string;
  template: string;
  schema: S;
  /** Current values for the edit form, in form field names. */
  load: (actor: Actor, id: number) => Promise<Record<string, unknown>>;
  save: (actor: Actor, id: number | null, input: z.output<S>) => Promise<unknown>;
  /** Lists for selects (directorates, services, staff...). */
  options: (actor: Actor) => Promise<Record<string, unknown>>;
  afterSave: (id: number) => string;
}

/** New and edit pages for one kind of record, following the GOV.UK form pattern. */
function editable<S extends z.ZodType>(app: FastifyInstance, t: EditableThing<S>) {
  const page = async (actor: Actor, title: string, extra: Record<string, unknown>) => ({
    title,
    noun: t.noun,
    ...(await t.options(actor)),
    ...extra,
  });

  app.get(`/admin/${t.path}/new`, async (request, reply) => {
    const actor = requireAdmin(request);
    return reply.view(
      t.template,
      await page(actor, `Add a ${t.noun}`, { values: {}, action: `/admin/${t.path}`, backLink: `/admin` }),
    );
  });
  app.post(`/admin/${t.path}`, async (request, reply) => {
    const actor = requireAdmin(request);
    return handleForm(
      reply,
      () => t.save(actor, null, parseWith(t.schema, request.body)),
      {
        template: t.template,
        values: request.body,
        context: () => page(actor, `Add a ${t.noun}`, { action: `/admin/${t.path}`, backLink: `/admin` }),
      },
      (id) => `${t.afterSave(id as number)}?${adminDone(t.path, true)}`,
    );
  });
  app.get<{ Params: { id: string } }>(`/admin/${t.path}/:id/edit`, async (request, reply) => {
    const actor = requireAdmin(request);
    const id = idParam(request.params.id);
    return reply.view(
      t.template,
      await page(actor, `Edit ${t.noun}`, {
        values: await t.load(actor, id),
        action: `/admin/${t.path}/${id}`,
        backLink: `/admin`,
      }),
    );
  });
  app.post<{ Params: { id: string } }>(`/admin/${t.path}/:id`, async (request, reply) => {
    const actor = requireAdmin(request);
    const id = idParam(request.params.id);
    return handleForm(
      reply,
      () => t.save(actor, id, parseWith(t.schema, request.body)),
      {
        template: t.template,
        values: request.body,
        context: () => page(actor, `Edit ${t.noun}`, { action: `/admin/${t.path}/${id}`, backLink: `/admin` }),
      },
      () => `${t.afterSave(id)}?${adminDone(t.path, false)}`,
    );
  });
}

export const adminRoutes: FastifyPluginAsync<{ services: Services }> = async (app, { services }) => {
  const { organisation, people, buildings } = services;
  const staffOptions = async (actor: Actor) =>
    (await people.list(actor))
      .filter((s) => s.active)
      .map((s) => ({ id: s.id, label: `${s.given_name} ${s.family_name} (${s.employee_number})` }));

  app.get('/admin', async (request, reply) => {
    requireAdmin(request);
    const [directorates, servicesList, teams, buildingList] = await Promise.all([
      organisation.directorates(),
      organisation.services(),
      organisation.allTeams(),
      buildings.list(),
    ]);
    return reply.view('organisation/admin.njk', {
      title: 'Admin',
      directorates,
      services: servicesList,
      teams,
      buildings: buildingList,
      flash: adminFlash(request.query),
    });
  });

  editable(app, {
    path: 'directorates',
    noun: 'directorate',
    template: 'organisation/directorate-form.njk',
    schema: directorateForm,
    load: async (_actor, id) => organisation.directorate(id),
    save: (actor, id, input) => organisation.saveDirectorate(actor, id, input),
    options: async () => ({}),
    afterSave: () => '/admin',
  });
  editable(app, {
    path: 'services',
    noun: 'service',
    template: 'organisation/service-form.njk',
    schema: serviceForm,
    load: async (_actor, id) => {
      const s = await organisation.service(id);
      return { name: s.name, directorateId: s.directorate_id, safeguardingLeadId: s.safeguarding_lead_id };
    },
    save: (actor, id, input) => organisation.saveService(actor, id, input),
    options: async (actor) => ({ directorates: await organisation.directorates(), staff: await staffOptions(actor) }),
    afterSave: () => '/admin',
  });
  editable(app, {
    path: 'teams',
    noun: 'team',
    template: 'organisation/team-form.njk',
    schema: teamForm,
    load: async (_actor, id) => {
      const t = await organisation.team(id);
      return { name: t.name, serviceId: t.service_id, managerId: t.manager_id };
    },
    save: (actor, id, input) => organisation.saveTeam(actor, id, input),
    options: async (actor) => ({
      services: (await organisation.services()).map((s) => ({ id: s.id, label: `${s.name} (${s.directorate_name})` })),
      staff: await staffOptions(actor),
    }),
    afterSave: (id) => `/teams/${id}`,
  });
  editable(app, {
    path: 'staff',
    noun: 'member of staff',
    template: 'organisation/staff-form.njk',
    schema: staffForm,
    load: async (actor, id) => {
      const p = await people.personForEdit(actor, id);
      return {
        employeeNumber: p.employee_number,
        givenName: p.given_name,
        familyName: p.family_name,
        email: p.email,
        jobRole: p.job_role,
        teamId: p.team_id,
        lineManagerId: p.line_manager_id,
        workMobile: p.work_mobile,
        personalMobile: p.personal_mobile,
        outOfHoursPhone: p.out_of_hours_phone,
        baseBuildingId: p.base_building_id,
        active: p.active ? 'true' : '',
      };
    },
    save: (actor, id, input) => (id === null ? people.createStaff(actor, input) : people.updateStaff(actor, id, input)),
    options: async (actor) => ({
      teams: await organisation.allTeams(),
      staff: await staffOptions(actor),
      buildings: await buildings.list(),
      jobRoles: Object.entries(JOB_ROLES).map(([value, text]) => ({ value, text })),
    }),
    afterSave: (id) => `/people/${id}`,
  });
  editable(app, {
    path: 'buildings',
    noun: 'building',
    template: 'organisation/building-form.njk',
    schema: buildingForm,
    load: async (_actor, id) => {
      const { building: b, keyHolders } = await buildings.get(id);
      return {
        name: b.name,
        address: b.address,
        postcode: b.postcode,
        sitePhone: b.site_phone,
        facilitiesHelpdeskPhone: b.facilities_helpdesk_phone,
        communitySafetyPhone: b.community_safety_phone,
        buildingManagerId: b.building_manager_id,
        keyHolderIds: keyHolders.map((k) => String(k.id)),
      };
    },
    save: (actor, id, input) => buildings.save(actor, id, input),
    options: async (actor) => ({ staff: await staffOptions(actor) }),
    afterSave: (id) => `/buildings/${id}`,
  });

  app.get('/admin/import', async (request, reply) => {
    requireAdmin(request);
    return reply.view('organisation/import.njk', { title: 'Import staff and teams', backLink: '/admin' });
  });
  app.get('/admin/import/template.csv', async (request, reply) => {
    requireAdmin(request);
    return reply
      .type('text/csv; charset=utf-8')
      .header('content-disposition', 'attachment; filename="harbour-staff-template.csv"')
      .send(STAFF_TEMPLATE);
  });
  app.post('/admin/import', async (request, reply) => {
    const actor = requireAdmin(request);
    const render = (status: number, extra: Record<string, unknown>) =>
      reply
        .code(status)
        .view('organisation/import.njk', { title: 'Import staff and teams', backLink: '/admin', ...extra });
    if (!request.isMultipart()) throw new ValidationError([{ field: 'file', message: 'Select a CSV file' }]);
    const part = await request.file();
    const csrf = part?.fields._csrf;
    assertCsrf(request, csrf && 'value' in csrf ? String(csrf.value) : undefined);
    if (!part || !part.filename)
      return render(400, {
        errorList: [{ text: 'Select a CSV file', href: '#file' }],
        errors: { file: { text: 'Select a CSV file' } },
      });
    const text = (await part.toBuffer()).toString('utf8');
    if (part.file.truncated)
      return render(400, {
        errorList: [{ text: 'The file must be smaller than 5MB', href: '#file' }],
        errors: { file: { text: 'The file must be smaller than 5MB' } },
      });
    const result = await services.staffImport.importStaff(actor, text, part.filename);
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
