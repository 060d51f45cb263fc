import type { Actor } from '../auth/actor.ts';
import { actorFields } from '../audit/service.ts';
import { NotFoundError, ValidationError } from '../../errors.ts';
import {
  ALLEGATION_GROUPS,
  CHANNELS,
  COMPLAINANT_TYPES,
  PROCEDURES,
  isLateComplaint,
  type Procedure,
} from './rules.ts';
import type { ComplaintForm } from './schema.ts';
import type { ComplaintsContext } from './context.ts';

/** A complaint recorded, with the staff it names told; staff named later; its files. */
export function buildRecording(ctx: ComplaintsContext) {
  const { repo, audit, now, today, mustManage, mustSee, load, mustBeOpen, change } = ctx;

  return {
    async formContext() {
      return {
        teams: await repo.teams(),
        staff: await repo.activeStaff(),
        channels: CHANNELS,
        procedures: PROCEDURES,
        complainantTypes: COMPLAINANT_TYPES,
        allegationGroups: ALLEGATION_GROUPS,
      };
    },

    /** Records a complaint, opens stage 1 on the date received, and tells each member of staff named. */
    async record(actor: Actor, form: ComplaintForm) {
      mustManage(actor);
      const errors = [];
      if (form.receivedOn > today())
        errors.push({ field: 'receivedOn-day', message: 'The date received must be today or in the past' });
      if (form.matterOn && form.matterOn > form.receivedOn)
        errors.push({
          field: 'matterOn-day',
          message: 'The matter complained about must be on or before the date received',
        });
      if (isLateComplaint(form.matterOn, form.receivedOn) && !form.lateReason)
        errors.push({
          field: 'lateReason',
          message: 'The complaint was made more than a year after the matter: enter why it is accepted late',
        });
      const teams = await repo.teams();
      const team = form.teamId === null ? null : teams.find((t) => t.id === form.teamId);
      if (form.teamId !== null && !team) errors.push({ field: 'teamId', message: 'Select a team from the list' });
      const byNumber = new Map(
        (await repo.staffByEmployeeNumber()).map((s) => [s.employee_number.toUpperCase(), s.id]),
      );
      const unknown = (form.staffNumbers ?? []).filter((n) => !byNumber.has(n));
      if (unknown.length)
        errors.push({
          field: 'otherStaff',
          message: `Not in Harbour: ${unknown.join(', ')}. Enter employee numbers, like E1001`,
        });
      const staffIds = [
        ...new Set([
          ...form.staffIds,
          ...(form.staffNumbers ?? []).flatMap((n) => (byNumber.has(n) ? [byNumber.get(n)!] : [])),
        ]),
      ];
      const staff = await repo.staffByIds(staffIds);
      if (staff.length !== staffIds.length) errors.push({ field: 'staffIds', message: 'Select staff from the list' });
      if (errors.length) throw new ValidationError(errors);
      const at = now();
      return repo.transaction(async (trx) => {
        const { id, reference } = await repo.create(
          trx,
          {
            ...form,
            serviceId: team?.service_id ?? null,
            lateReason: isLateComplaint(form.matterOn, form.receivedOn) ? form.lateReason : null,
          },
          actor.accountId,
        );
        await repo.addStaff(trx, id, staffIds);
        await repo.addAllegations(
          trx,
          id,
          form.allegations.map((category) => ({ category, detail: null })),
        );
        await repo.createStage(trx, { complaintId: id, stage: 1, startedOn: form.receivedOn });
        for (const s of staff) {
          // The procedure: the member of staff complained about is told, without the complainant's details.
          await repo.notify(trx, {
            recipientId: s.id,
            at,
            link: null,
            subject: `A complaint has been made about you (${reference})`,
            body: `The complaints team has received a complaint that names you (${reference}, received ${form.receivedOn}). It will be handled under the ${PROCEDURES[form.procedure].toLowerCase()}. Your manager or the complaints team will contact you about it; you will be able to respond.`,
          });
          await repo.markNotified(trx, id, s.id);
        }
        await audit.appendIn(trx, {
          ...actorFields(actor),
          action: 'complaint.record',
          entityType: 'complaint',
          entityId: id,
          detail: { reference, procedure: form.procedure, staffIds, allegations: form.allegations },
        });
        return id;
      });
    },

    /**
     * Names another member of staff on an open complaint (an investigation often finds someone else
     * involved). They are told, as at recording, without the complainant's details.
     */
    async nameStaff(actor: Actor, id: number, form: { staffNumber: string }) {
      mustManage(actor);
      const c = await mustBeOpen(id);
      const person = (await repo.staffByEmployeeNumber()).find(
        (s) => s.employee_number.toUpperCase() === form.staffNumber,
      );
      if (!person)
        throw new ValidationError([
          {
            field: 'staffNumber',
            message: `Not in Harbour: ${form.staffNumber}. Enter an employee number, like E1001`,
          },
        ]);
      if ((await repo.staffOn(id)).some((s) => s.id === person.id))
        throw new ValidationError([
          { field: 'staffNumber', message: 'That member of staff is already named on this complaint' },
        ]);
      const at = now();
      await change(actor, id, 'complaint.name_staff', { staffId: person.id }, async (trx) => {
        await repo.addStaff(trx, id, [person.id]);
        await repo.notify(trx, {
          recipientId: person.id,
          at,
          link: null,
          subject: `A complaint has been made about you (${c.reference})`,
          body: `The complaints team has a complaint that names you (${c.reference}, received ${c.received_on}). It will be handled under the ${(PROCEDURES[c.procedure as Procedure] ?? c.procedure).toLowerCase()}. Your manager or the complaints team will contact you about it; you will be able to respond.`,
        });
        await repo.markNotified(trx, id, person.id);
      });
    },

    async attach(actor: Actor, id: number, file: { fileName: string; contentType: string; content: Buffer }) {
      mustManage(actor);
      await load(id);
      if (file.content.length === 0)
        throw new ValidationError([{ field: 'file', message: 'The selected file is empty' }]);
      await change(
        actor,
        id,
        'complaint.attach',
        { fileName: file.fileName, bytes: file.content.length },
        async (trx) => {
          await repo.addAttachment(trx, { complaintId: id, ...file, uploadedBy: actor.accountId });
        },
      );
    },

    async attachment(actor: Actor, id: number, attachmentId: number) {
      await mustSee(actor, id);
      const a = await repo.attachment(id, attachmentId);
      if (!a) throw new NotFoundError('Attachment');
      await audit.append({
        ...actorFields(actor),
        action: 'complaint.attachment_view',
        entityType: 'complaint',
        entityId: id,
        detail: { attachmentId },
      });
      return a;
    },
  };
}
