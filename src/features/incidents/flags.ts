import type { Actor } from '../auth/actor.ts';
import type { Executor } from '../audit/repository.ts';
import { actorFields } from '../audit/service.ts';
import { can } from '../auth/access.ts';
import { CASE_SYSTEMS } from '../visits/schema.ts';
import { endOfLondonDay, londonDate, londonToday } from '../../time/london.ts';
import { ForbiddenError, ValidationError } from '../../errors.ts';
import { flagReviewAlert } from './rules.ts';
import type { IncidentFlagForm, LegalActionForm } from './follow-up-schema.ts';
import { Rollback, unlessRolledBack, type IncidentsContext } from './context.ts';

/**
 * Warning flags raised from an incident in the risk gate's store (visits there become RED), their
 * renewal and the review job, and legal and service actions against the perpetrator.
 */
export function buildFlags(ctx: IncidentsContext) {
  const { incidents, audit, risk, now, baseUrl, load, mayManage, requireSubmitted } = ctx;

  /** Tells the employee's team (and anyone extra), in Harbour, about a warning flag. */
  async function tellTeam(trx: Executor, employeeId: number, subject: string, body: string, extra: number[] = []) {
    const recipients = new Set([...(await incidents.teamOf(employeeId, trx)), ...extra]);
    for (const recipientId of recipients)
      await incidents.notify(trx, { recipientId, subject, body, link: `${baseUrl}/risk/flags`, at: now() });
  }
  const where = (f: { caseSystem: string | null; caseId: string | null; postcode: string | null }) =>
    f.caseId
      ? `${(CASE_SYSTEMS as Record<string, string>)[f.caseSystem ?? ''] ?? f.caseSystem} case ${f.caseId}`
      : `the address at ${f.postcode}`;

  return {
    /** Flags the perpetrator (a person by their case record, a case or an address) in the risk gate's store: visits there become RED. */
    async raiseFlag(actor: Actor, id: number, form: IncidentFlagForm) {
      const { i, r } = await load(actor, id);
      if (!mayManage(r) || !can(actor, 'risk.flags.manage'))
        throw new ForbiddenError(
          'Only the managers of the person it happened to and health and safety can raise a warning flag',
        );
      requireSubmitted(i);
      if (form.reviewOn <= londonToday(now()))
        throw new ValidationError([{ field: 'flagReview-day', message: 'The review date must be in the future' }]);
      return incidents.transaction(async (trx) => {
        const description = `${form.reason} (incident ${id}, ${londonDate(i.occurred_at!)})`;
        const flagId = await risk.createFlag(
          trx,
          {
            caseSystem: form.caseSystem,
            caseId: form.caseId,
            postcode: form.postcode,
            category: form.category,
            description,
            expiresAt: endOfLondonDay(form.reviewOn),
            source: 'incident',
          },
          actor.accountId,
        );
        await incidents.linkFlag(trx, {
          incidentId: id,
          flagId,
          subject: form.subject,
          reason: form.reason,
          reviewOn: form.reviewOn,
          raisedBy: actor.staffId,
        });
        await tellTeam(
          trx,
          i.employee_id,
          `Warning flag: ${where(form)}`,
          `A warning flag has been raised on ${where(form)} after an incident: ${form.reason}. Visits there are rated RED: plan a joint visit, a meeting in a council building, or get your manager's approval. It is due for review by ${form.reviewOn}.`,
        );
        await audit.appendIn(trx, {
          ...actorFields(actor),
          action: 'warning_flag.raise',
          entityType: 'warning_flag',
          entityId: flagId,
          detail: {
            incident: id,
            subject: form.subject,
            category: form.category,
            caseSystem: form.caseSystem,
            caseId: form.caseId,
            postcode: form.postcode,
            reviewOn: form.reviewOn,
          },
        });
        return flagId;
      });
    },

    /** Renews a flag raised from this incident after review, to a new review date; the team is told. */
    async renewFlag(actor: Actor, id: number, flagId: number, reviewOn: string) {
      const { i, r } = await load(actor, id);
      if (!mayManage(r) || !can(actor, 'risk.flags.manage'))
        throw new ForbiddenError(
          'Only the managers of the person it happened to and health and safety can renew a warning flag',
        );
      const flag = (await incidents.flags(id)).find((f) => f.id === flagId);
      if (!flag)
        throw new ValidationError([
          { field: 'renewFlagId', message: 'Select a warning flag raised from this incident' },
        ]);
      if (flag.withdrawn_at)
        throw new ValidationError([{ field: 'renewFlagId', message: 'That warning flag has been withdrawn' }]);
      if (reviewOn <= londonToday(now()))
        throw new ValidationError([{ field: 'renewReview-day', message: 'The new review date must be in the future' }]);
      await incidents.transaction(async (trx) => {
        await risk.renewFlag(trx, flagId, endOfLondonDay(reviewOn));
        await incidents.setFlagReview(trx, id, flagId, reviewOn);
        await tellTeam(
          trx,
          i.employee_id,
          `Warning flag renewed: ${where({ caseSystem: flag.case_system, caseId: flag.case_id, postcode: flag.postcode })}`,
          `The warning flag on ${where({ caseSystem: flag.case_system, caseId: flag.case_id, postcode: flag.postcode })} (${flag.reason}) has been reviewed and renewed until ${reviewOn}. Visits there stay RED.`,
        );
        await audit.appendIn(trx, {
          ...actorFields(actor),
          action: 'warning_flag.renew',
          entityType: 'warning_flag',
          entityId: flagId,
          detail: { incident: id, reviewOn },
        });
      });
    },

    /** The job: 7 days before a flag's review date, and once it has expired unrenewed, the raiser and the team are told, once each. */
    async sendFlagReviews() {
      const at = now();
      const today = londonToday(at);
      let sent = 0;
      for (const f of await incidents.flagsForReview(at)) {
        const kind = flagReviewAlert(f.review_on, today, f.sent, f.flag_id);
        if (!kind) continue;
        const place = where({ caseSystem: f.case_system, caseId: f.case_id, postcode: f.postcode });
        const expired = kind.startsWith('flag.expired');
        const ok = await unlessRolledBack(
          incidents.transaction(async (trx) => {
            if (!(await incidents.recordAlerts(trx, f.incident_id, [kind], at))) throw new Rollback();
            const extra = f.raised_by === null ? [] : [f.raised_by];
            await tellTeam(
              trx,
              f.employee_id,
              expired ? `Warning flag expired: ${place}` : `Warning flag due for review: ${place}`,
              expired
                ? `The warning flag on ${place} (${f.reason}) reached its review date, ${f.review_on}, without being renewed, so it no longer applies. If the risk remains, a manager can raise it again from incident ${f.incident_id}.`
                : `The warning flag on ${place} (${f.reason}) is due for review by ${f.review_on}. A manager should review it and renew it from incident ${f.incident_id}, or let it expire.`,
              extra,
            );
            await audit.appendIn(trx, {
              ...actorFields(null),
              action: expired ? 'warning_flag.expired_notice' : 'warning_flag.review_notice',
              entityType: 'warning_flag',
              entityId: f.flag_id,
              detail: { incident: f.incident_id, reviewOn: f.review_on },
            });
            return true;
          }),
        );
        if (ok) sent++;
      }
      return { sent };
    },

    async addLegalAction(actor: Actor, id: number, form: LegalActionForm) {
      const { i, r } = await load(actor, id);
      if (!mayManage(r))
        throw new ForbiddenError(
          'Only the managers of the person it happened to and health and safety can record legal and service actions',
        );
      requireSubmitted(i);
      if (form.actionOn < londonDate(i.occurred_at!))
        throw new ValidationError([
          { field: 'legalOn-day', message: 'The date of the action must be on or after the day of the incident' },
        ]);
      return incidents.transaction(async (trx) => {
        const actionId = await incidents.addLegalAction(trx, id, form, actor.staffId);
        await audit.appendIn(trx, {
          ...actorFields(actor),
          action: 'incident.legal_action',
          entityType: 'incident',
          entityId: id,
          detail: { kind: form.kind, on: form.actionOn },
        });
        return actionId;
      });
    },
  };
}
