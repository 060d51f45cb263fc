import type { Actor } from '../auth/actor.ts';
import { NotFoundError, ValidationError } from '../../errors.ts';
import { longDate } from '../../time/london.ts';
import { extensionProblem, stage3RequestBy } from './rules.ts';
import { stageRecord, type ComplaintsContext } from './context.ts';

/** A complaint through the procedure's stages: stage 2, a review panel, extensions, the stage dates, and an end before the outcome. */
export function buildStages(ctx: ComplaintsContext) {
  const { repo, today, calendar, mustManage, mustBeOpen, change } = ctx;

  return {
    async startStage2(
      actor: Actor,
      id: number,
      form: { startedOn: string; investigatingOfficer: string; independentPerson: string },
    ) {
      mustManage(actor);
      const c = await mustBeOpen(id);
      const stages = await repo.stages(id);
      const s1 = stages.find((s) => s.stage === 1);
      if (stages.some((s) => s.stage >= 2))
        throw new ValidationError([{ field: 'stage2StartedOn-day', message: 'Stage 2 has already started' }]);
      if (!s1?.responded_on)
        throw new ValidationError([
          { field: 'stage2StartedOn-day', message: 'Record the stage 1 response before starting stage 2' },
        ]);
      if (form.startedOn < s1.responded_on)
        throw new ValidationError([
          { field: 'stage2StartedOn-day', message: 'Stage 2 must start on or after the stage 1 response' },
        ]);
      await change(actor, id, 'complaint.stage2', { reference: c.reference }, async (trx) => {
        await repo.createStage(trx, { complaintId: id, stage: 2, ...form });
      });
    },

    async requestStage3(actor: Actor, id: number, requestedOn: string) {
      mustManage(actor);
      await mustBeOpen(id);
      const stages = await repo.stages(id);
      const s2 = stages.find((s) => s.stage === 2);
      if (stages.some((s) => s.stage === 3))
        throw new ValidationError([
          { field: 'stage3RequestedOn-day', message: 'A review panel has already been requested' },
        ]);
      if (!s2?.responded_on)
        throw new ValidationError([
          { field: 'stage3RequestedOn-day', message: 'Record the stage 2 response before a review panel is requested' },
        ]);
      const by = stage3RequestBy(await calendar(), s2.responded_on);
      if (requestedOn < s2.responded_on)
        throw new ValidationError([
          { field: 'stage3RequestedOn-day', message: 'The request must be on or after the stage 2 response' },
        ]);
      if (requestedOn > by)
        throw new ValidationError([
          {
            field: 'stage3RequestedOn-day',
            message: `A review panel must be requested within 20 working days of the stage 2 response, by ${longDate(by)}`,
          },
        ]);
      await change(actor, id, 'complaint.stage3', { requestedOn }, async (trx) => {
        await repo.createStage(trx, { complaintId: id, stage: 3, startedOn: requestedOn });
      });
    },

    async extend(actor: Actor, id: number, stage: number, form: { to: string; reason: string }) {
      mustManage(actor);
      await mustBeOpen(id);
      const s = (await repo.stages(id)).find((x) => x.stage === stage);
      if (!s) throw new NotFoundError('Stage');
      const problem = extensionProblem(await calendar(), stageRecord(s), form.to);
      if (problem) throw new ValidationError([{ field: 'extendTo-day', message: problem }]);
      await change(actor, id, 'complaint.extend', { stage, to: form.to, reason: form.reason }, async (trx) => {
        await repo.updateStage(trx, s.id, { extended_to: form.to, extension_reason: form.reason });
      });
    },

    /** Stage dates: the response (every stage); at stage 3 also the panel meeting and its report. */
    async stageDate(actor: Actor, id: number, stage: number, what: 'responded' | 'panel' | 'report', on: string) {
      mustManage(actor);
      await mustBeOpen(id);
      const s = (await repo.stages(id)).find((x) => x.stage === stage);
      if (!s) throw new NotFoundError('Stage');
      const field = 'milestoneOn-day';
      if (on > today()) throw new ValidationError([{ field, message: 'The date must be today or in the past' }]);
      if (on < s.started_on)
        throw new ValidationError([
          { field, message: `The date must be on or after the stage started, ${longDate(s.started_on)}` },
        ]);
      if (s.responded_on) throw new ValidationError([{ field, message: 'This stage has already been responded to' }]);
      if (stage === 3) {
        if (what === 'panel' && s.panel_held_on)
          throw new ValidationError([{ field, message: 'The panel meeting is already recorded' }]);
        if (what === 'report' && !s.panel_held_on)
          throw new ValidationError([{ field, message: 'Record the panel meeting first' }]);
        if (what === 'report' && (s.report_on || on < s.panel_held_on!))
          throw new ValidationError([{ field, message: 'The report must follow the panel meeting, once' }]);
        if (what === 'responded' && !s.report_on)
          throw new ValidationError([{ field, message: 'Record the panel report first' }]);
      } else if (what !== 'responded') throw new ValidationError([{ field, message: 'Only stage 3 has a panel' }]);
      const column = what === 'responded' ? 'responded_on' : what === 'panel' ? 'panel_held_on' : 'report_on';
      await change(actor, id, `complaint.stage_${what}`, { stage, on }, async (trx) => {
        await repo.updateStage(trx, s.id, { [column]: on });
      });
    },

    async withdraw(
      actor: Actor,
      id: number,
      form: { on: string; reason: string },
      kind: 'withdrawn' | 'not_investigated',
    ) {
      mustManage(actor);
      const c = await mustBeOpen(id);
      if (form.on < c.received_on)
        throw new ValidationError([
          { field: 'closeOn-day', message: 'The date must be on or after the complaint was received' },
        ]);
      await change(
        actor,
        id,
        kind === 'withdrawn' ? 'complaint.withdraw' : 'complaint.not_investigated',
        { on: form.on, reason: form.reason },
        async (trx) => {
          await repo.update(
            trx,
            id,
            kind === 'withdrawn'
              ? { withdrawn_on: form.on, withdrawn_reason: form.reason }
              : { not_investigated_on: form.on, not_investigated_reason: form.reason },
          );
        },
      );
    },
  };
}
