import type { Actor } from '../auth/actor.ts';
import { actorFields } from '../audit/service.ts';
import { londonDate, londonToday } from '../../time/london.ts';
import { ForbiddenError, NotFoundError, ValidationError } from '../../errors.ts';
import type { IncidentRow } from './repository.ts';
import { actionOverdue, closeProblems, policeProblems, riddorAlertsDue, seriousReasons } from './rules.ts';
import type { ActionForm, InvestigationForm, PoliceForm, RiddorForm } from './follow-up-schema.ts';
import { derivedFacts } from './facts.ts';
import { Rollback, unlessRolledBack, type IncidentsContext } from './context.ts';

/**
 * The follow-up of a submitted incident: police and prosecution, RIDDOR (and the job alerting health and
 * safety before its deadlines), marking it serious, the HS160 investigation, its actions, and closing.
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
    /** The job: alerts health and safety before each RIDDOR deadline (and once overdue), each alert exactly once. */
    async sendRiddorAlerts() {
      const at = now();
      const today = londonToday(at);
      const recipients = await incidents.healthAndSafetyStaff();
      let sent = 0;
      for (const r of await incidents.riddorOutstanding()) {
        const due = riddorAlertsDue({ kind: r.riddor_kind, reportBy: r.report_by, reported: false }, today, r.sent);
        if (!due.send) continue;
        const subject = {
          'riddor.notify_now': `RIDDOR: notify the HSE without delay (incident ${r.id})`,
          'riddor.due_in_3_days': `RIDDOR report due by ${r.report_by} (incident ${r.id})`,
          'riddor.due_tomorrow': `RIDDOR report due by ${r.report_by}: 1 day left (incident ${r.id})`,
          'riddor.overdue': `RIDDOR report overdue since ${r.report_by} (incident ${r.id})`,
        }[due.send];
        const body =
          r.riddor_kind === 'specified_injury'
            ? `Incident ${r.id} is a specified injury under RIDDOR regulation 4(1): notify the HSE without delay, and report within 10 days, by ${r.report_by}. Record the HSE reference in Harbour once reported.`
            : `Incident ${r.id} led to more than 7 consecutive days off normal work: report it to the HSE within 15 days of the incident, by ${r.report_by}. Record the HSE reference in Harbour once reported.`;
        const ok = await unlessRolledBack(
          incidents.transaction(async (trx) => {
            if (!(await incidents.recordAlerts(trx, r.id, due.record, at))) throw new Rollback();
            for (const recipientId of recipients)
              await incidents.notify(trx, {
                recipientId,
                subject,
                body,
                link: `${baseUrl}/incidents/${r.id}#riddor`,
                at,
              });
            await audit.appendIn(trx, {
              ...actorFields(null),
              action: 'incident.riddor_alert',
              entityType: 'incident',
              entityId: r.id,
              detail: { alert: due.send, recipients },
            });
            return true;
          }),
        );
        if (ok) sent++;
      }
      return { sent };
    },

    // ---- Police, RIDDOR, serious ----

    /** Police and prosecution: the employee, their managers and health and safety may record it. */
    async recordPolice(actor: Actor, id: number, form: PoliceForm) {
      const { i, r } = await load(actor, id);
      if (!(r.employee || mayManage(r)))
        throw new ForbiddenError(
          'Only the person it happened to, their managers and health and safety can record the police report',
        );
      requireSubmitted(i);
      const errors = policeProblems(form, londonDate(i.occurred_at!), londonToday(now()));
      if (errors.length) throw new ValidationError(errors);
      await incidents.transaction(async (trx) => {
        await incidents.update(trx, id, {
          police_reported: form.reported,
          police_reported_on: form.reportedOn,
          crime_reference: form.crimeReference,
          police_outcome: form.outcome,
          court_outcome: form.courtOutcome,
          court_attended: form.courtAttended,
          court_notes: form.courtNotes,
        });
        await audit.appendIn(trx, {
          ...actorFields(actor),
          action: 'incident.police',
          entityType: 'incident',
          entityId: id,
          detail: { reported: form.reported, outcome: form.outcome, court: form.courtOutcome },
        });
      });
    },

    /** RIDDOR facts and the report to the HSE; the outcome and whether it is serious follow from them. */
    async recordRiddor(actor: Actor, id: number, form: RiddorForm) {
      const { i, r } = await load(actor, id);
      if (!mayManage(r))
        throw new ForbiddenError(
          'Only the managers of the person it happened to and health and safety can record RIDDOR',
        );
      requireSubmitted(i);
      if (
        form.hseReportedOn &&
        (form.hseReportedOn < londonDate(i.occurred_at!) || form.hseReportedOn > londonToday(now()))
      ) {
        throw new ValidationError([
          {
            field: 'hseOn-day',
            message: 'The date reported to the HSE must be between the day of the incident and today',
          },
        ]);
      }
      const facts = derivedFacts({ ...i, specified_injury: form.specifiedInjury, days_off: form.daysOff });
      await incidents.transaction(async (trx) => {
        await incidents.update(trx, id, {
          specified_injury: form.specifiedInjury,
          days_off: form.daysOff,
          hse_reference: form.hseReference,
          hse_reported_on: form.hseReportedOn,
          ...facts,
        });
        await audit.appendIn(trx, {
          ...actorFields(actor),
          action: 'incident.riddor',
          entityType: 'incident',
          entityId: id,
          detail: { kind: facts.riddor_kind, reportBy: facts.riddor_report_by, reported: Boolean(form.hseReportedOn) },
        });
      });
    },

    /** A manager marks an incident serious (or a major incident); serious by rule stays serious. */
    async markSerious(actor: Actor, id: number, form: { markedSerious: boolean; majorIncident: boolean }) {
      const { i, r } = await load(actor, id);
      if (!mayManage(r))
        throw new ForbiddenError(
          'Only the managers of the person it happened to and health and safety can mark an incident serious',
        );
      requireSubmitted(i);
      const facts = derivedFacts({ ...i, marked_serious: form.markedSerious, major_incident: form.majorIncident });
      await incidents.transaction(async (trx) => {
        await incidents.update(trx, id, {
          marked_serious: form.markedSerious,
          major_incident: form.majorIncident,
          ...facts,
        });
        await audit.appendIn(trx, {
          ...actorFields(actor),
          action: 'incident.serious',
          entityType: 'incident',
          entityId: id,
          detail: { ...form, serious: facts.serious },
        });
      });
    },

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
