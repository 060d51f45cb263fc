import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import type { Services } from '../../composition.ts';
import type { Actor } from '../auth/actor.ts';
import { assertCsrf, requireActor } from '../../web/security.ts';
import { handleForm } from '../../web/error-handling.ts';
import { idParam } from '../people/routes.ts';
import { parseWith } from '../../web/validation.ts';
import { ValidationError } from '../../errors.ts';
import {
  parseActionForm,
  parseCloseForm,
  parseDateOnly,
  parseDisciplinaryForm,
  parseExtensionForm,
  parseFindingsForm,
  nameStaffForm,
  parseLearningForm,
  parseMilestoneForm,
  parseReferralDecisionForm,
  parseReferralForm,
  parseStage2Form,
} from './schema.ts';
import { detailPageOf, requireManager } from './route-replies.ts';

const MAX_ATTACHMENT = 5 * 1024 * 1024;

/** The complaints team's forms on a complaint's page: stages, dates, findings, actions, referrals, learning, staff, files. */
export const complaintProcedureRoutes: FastifyPluginAsync<{ services: Services }> = async (app, { services }) => {
  const complaints = services.complaints;
  const detailPage = detailPageOf(complaints);

  /** Each form on the complaint's page: one service call, then back to the page (or the page again with the errors). */
  const onComplaint = <P extends Record<string, string>>(
    path: string,
    done: string,
    action: (actor: Actor, id: number, request: FastifyRequest<{ Params: P }>) => Promise<unknown>,
  ) => {
    app.post(`/complaints/:id/${path}`, async (request, reply) => {
      const actor = requireManager(request);
      const id = idParam((request.params as { id: string }).id);
      return handleForm(
        reply,
        () => action(actor, id, request as unknown as FastifyRequest<{ Params: P }>),
        { template: 'complaints/complaint.njk', values: request.body, context: () => detailPage(actor, id) },
        () => `/complaints/${id}?done=${done}`,
      );
    });
  };
  onComplaint('stage-2', 'stage2', (actor, id, r) => complaints.startStage2(actor, id, parseStage2Form(r.body)));
  onComplaint('stage-3', 'stage3', (actor, id, r) =>
    complaints.requestStage3(
      actor,
      id,
      parseDateOnly(r.body, 'stage3RequestedOn', 'the date the review panel was requested'),
    ),
  );
  onComplaint<{ stage: string }>('stages/:stage/extension', 'extended', (actor, id, r) =>
    complaints.extend(actor, id, idParam(r.params.stage), parseExtensionForm(r.body)),
  );
  onComplaint<{ stage: string }>('stages/:stage/dates', 'date', (actor, id, r) => {
    const f = parseMilestoneForm(r.body);
    return complaints.stageDate(actor, id, idParam(r.params.stage), f.what, f.on);
  });
  onComplaint('close', 'closed', (actor, id, r) => {
    const f = parseCloseForm(r.body);
    return complaints.withdraw(actor, id, { on: f.on, reason: f.reason }, f.kind);
  });
  onComplaint('findings', 'findings', async (actor, id, r) =>
    complaints.recordFindings(actor, id, parseFindingsForm(r.body, await complaints.allegationIds(id))),
  );
  onComplaint('actions', 'action', (actor, id, r) => complaints.addAction(actor, id, parseActionForm(r.body)));
  onComplaint<{ actionId: string }>('actions/:actionId/outcome', 'outcome', (actor, id, r) => {
    const actionId = idParam(r.params.actionId);
    return complaints.disciplinaryOutcome(actor, id, actionId, parseDisciplinaryForm(r.body, actionId));
  });
  onComplaint('referrals', 'referral', (actor, id, r) => complaints.addReferral(actor, id, parseReferralForm(r.body)));
  onComplaint<{ referralId: string }>('referrals/:referralId/decision', 'decision', (actor, id, r) => {
    const referralId = idParam(r.params.referralId);
    return complaints.decideReferral(actor, id, referralId, parseReferralDecisionForm(r.body, referralId));
  });
  onComplaint('learning', 'learning', (actor, id, r) => complaints.learning(actor, id, parseLearningForm(r.body)));
  onComplaint('staff', 'staff', (actor, id, r) => complaints.nameStaff(actor, id, parseWith(nameStaffForm, r.body)));

  app.post<{ Params: { id: string } }>('/complaints/:id/attachments', async (request, reply) => {
    const actor = requireManager(request);
    const id = idParam(request.params.id);
    const render = async (message: string) =>
      reply.code(400).view('complaints/complaint.njk', {
        ...(await detailPage(actor, id)),
        values: {},
        errorList: [{ text: message, href: '#file' }],
        errors: { file: { text: message } },
      });
    if (!request.isMultipart()) throw new ValidationError([{ field: 'file', message: 'Select a file' }]);
    const part = await request.file({ limits: { fileSize: MAX_ATTACHMENT } });
    const csrf = part?.fields._csrf;
    assertCsrf(request, csrf && 'value' in csrf ? String(csrf.value) : undefined);
    if (!part || !part.filename) return render('Select a file');
    const content = await part.toBuffer().catch(() => null);
    if (!content || part.file.truncated) return render('The file must be smaller than 5MB');
    return handleForm(
      reply,
      () =>
        complaints.attach(actor, id, {
          fileName: part.filename.slice(0, 200),
          contentType: part.mimetype || 'application/octet-stream',
          content,
        }),
      { template: 'complaints/complaint.njk', values: {}, context: () => detailPage(actor, id) },
      () => `/complaints/${id}?done=attached`,
    );
  });
  app.get<{ Params: { id: string; attachmentId: string } }>(
    '/complaints/:id/attachments/:attachmentId',
    async (request, reply) => {
      const actor = requireActor(request);
      const a = await complaints.attachment(actor, idParam(request.params.id), idParam(request.params.attachmentId));
      // Always a download, never rendered in the page's origin.
      return reply
        .type('application/octet-stream')
        .header('content-disposition', `attachment; filename="${a.file_name.replace(/[^\w.\- ]/g, '_')}"`)
        .header('x-content-type-options', 'nosniff')
        .send(a.content);
    },
  );
};
