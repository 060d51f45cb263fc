import type { Actor } from '../auth/actor.ts';
import { actorFields } from '../audit/service.ts';
import { londonToday } from '../../time/london.ts';
import { ForbiddenError, NotFoundError, ValidationError } from '../../errors.ts';
import type { IncidentRow } from './repository.ts';
import { actionOverdue, closeProblems, seriousReasons } from './rules.ts';
import type { ActionForm, InvestigationForm } from './follow-up-schema.ts';
import type { IncidentsContext } from './context.ts';
import { buildPoliceAndRiddor } from './police-and-riddor.ts';

/**
 * The follow-up of a submitted incident: police and prosecution, RIDDOR (and the job alerting health and
 * safety before its deadlines), marking it serious (those three in police-and-riddor.ts), the HS160 investigation, its
 * actions, and closing.
 */
export function buildInvestigation(ctx: IncidentsContext) {
  const { incidents, staff, audit, now, baseUrl, load, mayManage, requireSubmitted } = ctx;

  /** Who may own an investigation action: people who can see the incident (the employee, their management chain) and the actor. */
  async function ownerChoices(actor: Actor, i: IncidentRow) {
    const chain = await staff.chain(i.employee_id);
    const ids = new Set<number>([
      i.employee_id,
      ...chain.map((c) => c.id),
      ...(actor.staffId === null ? [] : [actor.staffId]),
    ]);
    return (await incidents.staffNamed([...ids])).map((p) => ({ id: p.id, name: p.name ?? `Staff ${p.id}` }));
  }

  return {
    ...buildPoliceAndRiddor(ctx),

    // ---- HS160 investigation, actions, close ----

    async investigationView(actor: Actor, id: number) {
      const { i, r } = await load(actor, id);
      if (!mayManage(r))
        throw new ForbiddenError(
          'Only the managers of the person it happened to and health and safety can see the investigation',
        );
      requireSubmitted(i);
      const [investigation, actions, owners] = await Promise.all([
        incidents.investigation(id),
        incidents.actions(id),
        ownerChoices(actor, i),
      ]);
      const today = londonToday(now());
      return {
        incident: i,
        investigation: investigation ?? null,
        actions: actions.map((a) => ({ ...a, overdue: actionOverdue(a, today) })),
        owners,
        reasons: seriousReasons({
          categories: i.categories,
          injured: Boolean(i.injured),
          riddorReportable: i.riddor_report_by !== null,
          majorIncident: i.major_incident,
          markedSerious: i.marked_serious,
        }),
        closed: i.status === 'closed',
        investigationValues: investigation
          ? {
              statements: investigation.statements ?? '',
              chronology: investigation.chronology ?? '',
              triggers: investigation.triggers ?? '',
              findings: investigation.findings ?? '',
              riskReview: investigation.risk_review ?? '',
              teamCommunicated: investigation.team_communicated ?? '',
              providersToWarn: investigation.providers_to_warn ?? '',
            }
          : {},
      };
    },

    async saveInvestigation(actor: Actor, id: number, form: InvestigationForm) {
      const { i, r } = await load(actor, id);
      if (!mayManage(r))
        throw new ForbiddenError(
          'Only the managers of the person it happened to and health and safety can record the investigation',
        );
      requireSubmitted(i);
      if (i.status === 'closed')
        throw new ValidationError([
          { field: 'statements', message: 'This incident is closed: its investigation can no longer be changed' },
        ]);
      await incidents.transaction(async (trx) => {
        await incidents.saveInvestigation(
          trx,
          id,
          {
            statements: form.statements,
            chronology: form.chronology,
            triggers: form.triggers,
            findings: form.findings,
            risk_review: form.riskReview,
            team_communicated: form.teamCommunicated,
            providers_to_warn: form.providersToWarn,
          },
          actor.staffId,
        );
        await audit.appendIn(trx, {
          ...actorFields(actor),
          action: 'incident.investigation',
          entityType: 'incident',
          entityId: id,
          detail: { findings: Boolean(form.findings) },
        });
      });
    },

    async addAction(actor: Actor, id: number, form: ActionForm) {
      const { i, r } = await load(actor, id);
      if (!mayManage(r))
        throw new ForbiddenError(
          'Only the managers of the person it happened to and health and safety can add investigation actions',
        );
      requireSubmitted(i);
      if (i.status === 'closed')
        throw new ValidationError([
          { field: 'actionDescription', message: 'This incident is closed: add no more actions' },
        ]);
      if (!(await ownerChoices(actor, i)).some((o) => o.id === form.ownerId))
        throw new ValidationError([{ field: 'actionOwnerId', message: 'Select an owner from the list' }]);
      if (form.dueOn < londonToday(now()))
        throw new ValidationError([{ field: 'actionDue-day', message: 'The due date must be today or in the future' }]);
      return incidents.transaction(async (trx) => {
        const actionId = await incidents.addAction(trx, id, form);
        await incidents.notify(trx, {
          recipientId: form.ownerId,
          at: now(),
          link: `${baseUrl}/incidents/${id}#your-actions`,
          subject: `Incident action for you, due ${form.dueOn}`,
          body: `You own an action from the investigation of incident ${id}: ${form.description}. It is due by ${form.dueOn}.`,
        });
        await audit.appendIn(trx, {
          ...actorFields(actor),
          action: 'incident.action_add',
          entityType: 'incident',
          entityId: id,
          detail: { action: actionId, owner: form.ownerId, dueOn: form.dueOn },
        });
        return actionId;
      });
    },

    /** Marks an action done: its owner, the managers and health and safety. Done stays done. */
    async actionDone(actor: Actor, id: number, actionId: number) {
      const { i, r } = await load(actor, id);
      const actions = await incidents.actions(id);
      const action = actions.find((a) => a.id === actionId);
      if (!action) throw new NotFoundError('No such action');
      if (!(mayManage(r) || action.owner_id === actor.staffId))
        throw new ForbiddenError('Only the owner of the action, the managers and health and safety can mark it done');
      requireSubmitted(i);
      if (action.done_at) return;
      await incidents.transaction(async (trx) => {
        await incidents.actionDone(trx, id, actionId, actor.staffId, now());
        await audit.appendIn(trx, {
          ...actorFields(actor),
          action: 'incident.action_done',
          entityType: 'incident',
          entityId: id,
          detail: { action: actionId },
        });
      });
    },

    /** Closes the incident (and its investigation). A serious one needs findings; every action must be done. Closing twice changes nothing. */
    async close(actor: Actor, id: number) {
      const { i, r } = await load(actor, id);
      if (!mayManage(r))
        throw new ForbiddenError(
          'Only the managers of the person it happened to and health and safety can close an incident',
        );
      if (i.status === 'closed') return;
      const investigation = await incidents.investigation(id);
      const problems = closeProblems({
        status: i.status,
        serious: i.serious,
        findings: investigation?.findings ?? null,
        openActions: await incidents.openActionCount(id),
      });
      if (problems.length) throw new ValidationError(problems.map((message) => ({ field: 'close', message })));
      const at = now();
      await incidents.transaction(async (trx) => {
        await incidents.update(trx, id, { status: 'closed', closed_at: at, closed_by: actor.staffId });
        if (investigation) await incidents.closeInvestigation(trx, id, actor.staffId, at);
        await audit.appendIn(trx, {
          ...actorFields(actor),
          action: 'incident.close',
          entityType: 'incident',
          entityId: id,
          detail: {},
        });
      });
    },
  };
}
