import type { Actor } from '../auth/actor.ts';
import type { RiskGate } from '../visits/risk-gate.ts';
import { actorFields } from '../audit/service.ts';
import { mayActFor } from '../visits/access.ts';
import { CASE_SYSTEMS } from '../visits/schema.ts';
import { ForbiddenError, NotFoundError, ValidationError } from '../../errors.ts';
import { inTransaction } from '../../db/transaction.ts';
import {
  CONTROL_LABELS,
  PRECAUTIONS,
  PRECAUTION_KEYS,
  approvalProblem,
  assessmentCurrent,
  precautionEntries,
  requiredPrecautions,
  type Control,
  type PrecautionAnswer,
} from './rules.ts';
import type { ControlForm } from './schema.ts';
import { asReferralType, type RiskContext } from './context.ts';
import { buildVisitAssessments } from './visit-assessments.ts';

/** A visit's risk page and what is recorded on it: assessments and countersignatures (visit-assessments.ts), controls, the joint partner's confirmation and precautions. */
export function buildVisitRisk(ctx: RiskContext, gate: RiskGate) {
  const { db, repo, staff, audit, baseUrl, evaluate, loadVisit, mustActOn, by, timeline } = ctx;
  return {
    ...buildVisitAssessments(ctx),
    /** The risk page of a visit: the light and why, what is still needed, and what the actor may record. */
    async visitRisk(actor: Actor, visitId: number) {
      const { visit, relation, partner } = await loadVisit(actor, visitId);
      const e = await evaluate(db, visit);
      const [chain, buildings] = await Promise.all([staff.chain(visit.worker_id), repo.buildings()]);
      const canAct = mayActFor(relation);
      const canApprove =
        approvalProblem(
          actor.staffId,
          visit.worker_id,
          chain.map((c) => c.id),
        ) === null;
      return {
        visit: {
          ...visit,
          case_system_label: visit.case_system
            ? ((CASE_SYSTEMS as Record<string, string>)[visit.case_system] ?? visit.case_system)
            : null,
        },
        isVisit: visit.kind === 'visit',
        rated: e.rating !== null,
        otherSystemWarnings: e.otherSystemWarnings,
        isPartner: partner,
        partnerConfirmed: visit.joint_confirmed_at !== null,
        movedToBuilding: visit.home_address !== null || visit.home_postcode !== null,
        required: requiredPrecautions(asReferralType(visit.referral_type)),
        planned: visit.state === 'planned',
        rating: e.rating,
        ratedWhenPlanned: visit.risk_rating,
        reasons: e.reasons,
        flags: e.flags,
        assessment: e.assessment
          ? {
              ...e.assessment,
              current: assessmentCurrent(e.assessment.review_date, e.today),
              appliesTo: e.assessment.case_id ? 'case' : 'visit',
              countersigned: e.assessment.countersigned_by !== null,
            }
          : null,
        control: e.control
          ? { ...e.control, label: CONTROL_LABELS[e.control.control as Control] ?? e.control.control }
          : null,
        precautions: PRECAUTION_KEYS.map((key) => {
          const row = e.precautionRows.find((p) => p.precaution === key);
          return {
            key,
            label: PRECAUTIONS[key],
            required: requiredPrecautions(asReferralType(visit.referral_type)).includes(key),
            status: row?.status ?? null,
            reason: row?.reason ?? null,
            recordedBy: row?.recorded_by_name ?? null,
            recordedAt: row?.recorded_at ?? null,
          };
        }),
        problems: e.problems,
        hasCase: e.place.caseId !== null,
        canAct,
        canApprove,
        lineManager: chain[0] ?? null,
        buildings,
        today: e.today,
      };
    },

    /**
     * A control for a RED visit (or Appendix E's "Meet in a KCC building" for an AMBER one). A meeting
     * in a council building moves the session there: its address, what the buddy sees and where an
     * escalation sends people. The manager's approval, and the manager's agreement to a joint visit,
     * only from the worker's line manager or above.
     */
    async recordControl(actor: Actor, visitId: number, form: ControlForm) {
      const { visit, relation } = await loadVisit(actor, visitId);
      if (form.control === 'manager_approval' || form.control === 'joint_visit') {
        const chain = await staff.chain(visit.worker_id);
        const problem = approvalProblem(
          actor.staffId,
          visit.worker_id,
          chain.map((c) => c.id),
        );
        if (problem)
          throw new ForbiddenError(
            problem.replace(
              'approve this visit',
              form.control === 'joint_visit' ? 'agree to this joint visit' : 'approve this visit',
            ),
          );
      } else if (!mayActFor(relation)) {
        throw new ForbiddenError(
          'You can only record risk information for your own visits, or for people you support or manage',
        );
      }
      const field =
        form.control === 'council_building'
          ? 'buildingId'
          : form.control === 'joint_visit'
            ? 'jointNote'
            : 'approvalNote';
      if (visit.state !== 'planned')
        throw new ValidationError([{ field, message: 'The visit has already started or finished' }]);
      let building: Awaited<ReturnType<typeof repo.building>> = undefined;
      if (form.control === 'council_building') {
        building = form.buildingId === null ? undefined : await repo.building(form.buildingId);
        if (!building)
          throw new ValidationError([{ field: 'buildingId', message: 'Select a council building from the list' }]);
      } else if (form.control === 'joint_visit') {
        if (visit.joint_partner_id === null)
          throw new ValidationError([
            { field: 'jointNote', message: 'The visit has no joint visit partner: edit the visit to add one first' },
          ]);
        const problem = await gate.partnerProblem(visit.joint_partner_id, visit.worker_id);
        if (problem) throw new ValidationError([{ field: 'jointNote', message: problem }]);
      } else if (!form.approvalNote) {
        throw new ValidationError([
          { field: 'approvalNote', message: 'Enter why you approve this visit, and any conditions' },
        ]);
      }
      const note =
        form.control === 'council_building'
          ? form.buildingNote
          : form.control === 'joint_visit'
            ? (form.jointNote ?? null)
            : form.approvalNote;
      const control = { control: form.control, buildingId: building ? building.id : null, note };
      await inTransaction(db, async (trx) => {
        await repo.setControl(trx, visitId, control, by(actor));
        if (building) await repo.moveToBuilding(trx, visitId, building);
        else await repo.moveHome(trx, visitId);
        const text = building
          ? `Meeting moved to ${building.name} (${building.address}, ${building.postcode}) by ${actor.displayName}: the session, what the buddy sees and any escalation use this address`
          : form.control === 'joint_visit'
            ? `Joint visit with ${visit.joint_partner_name} agreed by ${actor.displayName}`
            : `Lone visit approved by ${actor.displayName}`;
        await timeline(trx, visitId, actor, 'risk_control', text);
        await audit.appendIn(trx, {
          ...actorFields(actor),
          action: 'visit.risk_control',
          entityType: 'visit',
          entityId: visitId,
          detail: { control: form.control, buildingId: control.buildingId },
        });
      });
    },

    /** The joint visit partner confirms they are going. */
    async confirmJoint(actor: Actor, visitId: number) {
      const visit = await repo.visit(visitId);
      if (!visit) throw new NotFoundError('Visit');
      if (actor.staffId === null || visit.joint_partner_id !== actor.staffId)
        throw new ForbiddenError('Only the joint visit partner can confirm they are going');
      if (visit.state !== 'planned')
        throw new ValidationError([{ field: 'confirm', message: 'The visit has already started or finished' }]);
      await inTransaction(db, async (trx) => {
        if (!(await repo.confirmJoint(trx, visitId, actor.staffId!)))
          throw new ValidationError([{ field: 'confirm', message: 'You are no longer the joint visit partner' }]);
        await timeline(
          trx,
          visitId,
          actor,
          'joint_confirmed',
          `${actor.displayName} confirmed they are going on the joint visit`,
        );
        await audit.appendIn(trx, {
          ...actorFields(actor),
          action: 'visit.joint_confirm',
          entityType: 'visit',
          entityId: visitId,
        });
        await repo.notify(trx, {
          recipientId: visit.worker_id,
          link: `${baseUrl}/visits/${visitId}`,
          subject: `${actor.displayName} confirmed your joint visit`,
          body: `${actor.displayName} confirmed they are going with you.`,
        });
      });
    },

    /** AMBER precautions: Appendix E's own actions only confirmed; other waivers with a real reason, reported to the line manager. */
    async recordPrecautions(actor: Actor, visitId: number, answers: PrecautionAnswer[]) {
      const { visit } = await mustActOn(actor, visitId);
      const { entries, errors } = precautionEntries(answers, requiredPrecautions(asReferralType(visit.referral_type)));
      if (errors.length) throw new ValidationError(errors);
      if (visit.state !== 'planned')
        throw new ValidationError([
          { field: `status-${PRECAUTION_KEYS[0]}`, message: 'The visit has already started or finished' },
        ]);
      const chain = await staff.chain(visit.worker_id);
      await inTransaction(db, async (trx) => {
        await repo.setPrecautions(trx, visitId, entries, by(actor));
        const waived = entries.filter((e) => e.status === 'waived');
        const confirmed = entries.filter((e) => e.status === 'confirmed').map((e) => e.key);
        await timeline(
          trx,
          visitId,
          actor,
          'precautions',
          `Precautions: ${confirmed.length} confirmed, ${waived.length} waived, by ${actor.displayName}`,
        );
        await audit.appendIn(trx, {
          ...actorFields(actor),
          action: 'visit.precautions',
          entityType: 'visit',
          entityId: visitId,
          detail: { confirmed, waived: waived.map((w) => w.key) },
        });
        const manager = chain[0];
        if (waived.length && manager && manager.id !== actor.staffId) {
          await repo.notify(trx, {
            recipientId: manager.id,
            link: `${baseUrl}/visits/${visitId}/risk#precautions`,
            subject: `Precautions waived for a visit by ${visit.worker_name}`,
            body: `${actor.displayName} waived ${waived.length === 1 ? 'a precaution' : `${waived.length} precautions`} for an AMBER visit by ${visit.worker_name}: ${waived.map((w) => `“${PRECAUTIONS[w.key]}” (${w.reason})`).join('; ')}.`,
          });
        }
      });
    },
  };
}
