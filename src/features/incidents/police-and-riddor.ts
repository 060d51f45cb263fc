import type { Actor } from '../auth/actor.ts';
import { actorFields } from '../audit/service.ts';
import { londonDate, londonToday } from '../../time/london.ts';
import { ForbiddenError, ValidationError } from '../../errors.ts';
import { policeProblems, riddorAlertsDue } from './rules.ts';
import type { PoliceForm, RiddorForm } from './follow-up-schema.ts';
import { derivedFacts } from './facts.ts';
import { Rollback, unlessRolledBack, type IncidentsContext } from './context.ts';

/**
 * Police and prosecution, RIDDOR (and the job alerting health and safety before its deadlines), and
 * marking an incident serious: the follow-up that comes before the HS160 investigation.
 */
export function buildPoliceAndRiddor(ctx: IncidentsContext) {
  const { incidents, audit, now, baseUrl, load, mayManage, requireSubmitted } = ctx;

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
  };
}
