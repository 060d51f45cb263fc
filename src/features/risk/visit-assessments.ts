import type { Actor } from '../auth/actor.ts';
import { actorFields } from '../audit/service.ts';
import { ForbiddenError, ValidationError } from '../../errors.ts';
import { inTransaction } from '../../db/transaction.ts';
import { approvalProblem, londonToday, longDate, reviewDateProblem } from './rules.ts';
import type { AssessmentForm } from './schema.ts';
import type { RiskContext } from './context.ts';

/** A visit's individual risk assessment: recorded (by a manager, or awaiting a manager's countersignature) and countersigned. */
export function buildVisitAssessments(ctx: RiskContext) {
  const { db, repo, staff, audit, baseUrl, now, placeOf, loadVisit, mustActOn, by, timeline } = ctx;
  return {
    async recordAssessment(actor: Actor, visitId: number, form: AssessmentForm) {
      const { visit } = await mustActOn(actor, visitId);
      const place = placeOf(visit);
      const errors = [];
      const scope = place.caseId ? form.scope : 'visit';
      if (!scope)
        errors.push({
          field: 'scope',
          message: 'Select whether the assessment covers the whole case or this visit only',
        });
      const dateProblem = reviewDateProblem(form.reviewDate, londonToday(now()));
      if (dateProblem) errors.push({ field: 'reviewDate-day', message: dateProblem });
      if (errors.length) throw new ValidationError(errors);
      const forCase = scope === 'case';
      // Completed by one of the worker's managers: that is the manager's signature.
      const chain = await staff.chain(visit.worker_id);
      const byManager =
        approvalProblem(
          actor.staffId,
          visit.worker_id,
          chain.map((c) => c.id),
        ) === null;
      return inTransaction(db, async (trx) => {
        const id = await repo.createAssessment(
          trx,
          {
            caseSystem: forCase ? place.caseSystem : null,
            caseId: forCase ? place.caseId : null,
            visitId: forCase ? null : visitId,
            teamId: visit.team_id,
            hazards: form.hazards,
            whoHarmed: form.whoHarmed,
            controls: form.controls,
            findings: form.findings,
            reviewDate: form.reviewDate,
            documentRef: form.documentRef,
          },
          by(actor),
          byManager ? actor.staffId : null,
        );
        await timeline(
          trx,
          visitId,
          actor,
          'risk_assessment',
          `Risk assessment recorded by ${actor.displayName}${forCase ? ' for the case' : ''}, review by ${longDate(form.reviewDate)}${byManager ? '' : ': a manager must countersign it'}`,
        );
        if (!byManager && chain[0]) {
          await repo.notify(trx, {
            recipientId: chain[0].id,
            link: `${baseUrl}/visits/${visitId}/risk#assessment`,
            subject: `Countersign a risk assessment for ${visit.worker_name}`,
            body: `${actor.displayName} recorded an individual risk assessment for a visit by ${visit.worker_name}. A RED visit cannot start until a manager countersigns it.`,
          });
        }
        await audit.appendIn(trx, {
          ...actorFields(actor),
          action: 'risk_assessment.record',
          entityType: 'risk_assessment',
          entityId: id,
          detail: { visitId, scope, reviewDate: form.reviewDate },
        });
        return id;
      });
    },

    /** A manager of the worker countersigns the current individual risk assessment. */
    async countersign(actor: Actor, visitId: number) {
      const { visit } = await loadVisit(actor, visitId);
      const chain = await staff.chain(visit.worker_id);
      const problem = approvalProblem(
        actor.staffId,
        visit.worker_id,
        chain.map((c) => c.id),
      );
      if (problem) throw new ForbiddenError(problem.replace('approve this visit', 'countersign this risk assessment'));
      const place = placeOf(visit);
      const current = await repo.currentAssessment({ visitId, caseSystem: place.caseSystem, caseId: place.caseId });
      if (!current)
        throw new ValidationError([{ field: 'countersign', message: 'There is no risk assessment to countersign' }]);
      if (current.countersigned_by !== null)
        throw new ValidationError([
          { field: 'countersign', message: 'This risk assessment has already been countersigned' },
        ]);
      await inTransaction(db, async (trx) => {
        await repo.countersign(trx, current.id, actor.staffId!);
        await timeline(trx, visitId, actor, 'risk_assessment', `Risk assessment countersigned by ${actor.displayName}`);
        await audit.appendIn(trx, {
          ...actorFields(actor),
          action: 'risk_assessment.countersign',
          entityType: 'risk_assessment',
          entityId: current.id,
          detail: { visitId },
        });
      });
    },
  };
}
