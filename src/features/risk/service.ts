import type { Kysely, Transaction } from 'kysely';
import type { DB } from '../../db/schema.ts';
import type { AuditRepository, Executor } from '../audit/repository.ts';
import type { StaffRepository } from '../people/repository.ts';
import type { RiskGate } from '../visits/risk-gate.ts';
import type { Actor } from '../auth/actor.ts';
import { actorFields } from '../audit/service.ts';
import { can } from '../auth/access.ts';
import { mayActFor, maySee, relationTo } from '../visits/access.ts';
import { CASE_SYSTEMS } from '../visits/schema.ts';
import { ForbiddenError, NotFoundError, ValidationError } from '../../errors.ts';
import { inTransaction } from '../../db/transaction.ts';
import { REFERRAL_TYPES, rateSession, type Rating, type ReferralType } from './rating.ts';
import type { FlagListFilter, RiskRepository } from './repository.ts';
import {
  CONTROL_LABELS, FLAG_CATEGORIES, PRECAUTIONS, PRECAUTION_KEYS, addDays, approvalProblem, assessmentCurrent, caseKey, categoryLabel, endOfLondonDay, explainRating,
  flagProblems, isHighRisk, jointPartnerProblem, lastDayOf, londonToday, longDate, normaliseCaseId, normalisePostcode, precautionEntries, requiredPrecautions, reviewDateProblem, startProblemsFor,
  type Control, type PrecautionAnswer, type PrecautionRecord,
} from './rules.ts';
import type { AssessmentForm, ControlForm, FlagForm } from './schema.ts';

export interface RiskDeps {
  db: Kysely<DB>;
  risk: RiskRepository;
  staff: StaffRepository;
  audit: AuditRepository;
  /** The clock; tests move it. */
  now?: () => Date;
  /** Public address of the service, for links in messages. */
  baseUrl?: string;
  /**
   * More reasons a session may not start, asked at check-in inside its transaction (for example a
   * team's "training required" policy). Empty = nothing more.
   */
  extraStartProblems?: (ex: Executor, visit: { id: number; worker_id: number; kind: string; team_id: number | null; rating: Rating | null }) => Promise<string[]>;
}

const asReferralType = (v: string | null): ReferralType | null => (v && v in REFERRAL_TYPES ? (v as ReferralType) : null);

type VisitFacts = NonNullable<Awaited<ReturnType<RiskRepository['visit']>>>;

/**
 * The risk gate (seed 001 Appendix E): rates visits from referral type and warning flags, says what
 * a RED or AMBER visit still needs before it starts, and records assessments, controls and
 * precautions. Implements the RiskGate the visits service asks at planning and at check-in.
 */
export function buildRiskService(deps: RiskDeps) {
  const { db, risk: repo, staff, audit } = deps;
  const now = deps.now ?? (() => new Date());

  const baseUrl = deps.baseUrl ?? '';
  const placeOf = (v: { case_system: string | null; case_id: string | null; postcode: string | null }) => {
    const caseId = normaliseCaseId(v.case_id);
    return { caseSystem: v.case_system && caseId ? v.case_system : null, caseId: v.case_system ? caseId : null, postcode: normalisePostcode(v.postcode) };
  };
  /** A session moved to a council building is rated at the home address it was planned at. */
  const ratedPlace = (v: VisitFacts) => placeOf({ case_system: v.case_system, case_id: v.case_id, postcode: v.home_postcode ?? v.postcode });
  const hasPlaceOf = (v: { address: string | null; postcode: string | null; case_id: string | null; home_address?: string | null; home_postcode?: string | null }) =>
    Boolean(v.address || v.postcode || v.home_address || v.home_postcode || caseKey(v.case_id));
  /** An office, early or late, or call-out session in a council building is already in a controlled place. */
  const inBuilding = (v: VisitFacts) => v.kind !== 'visit' && v.kind !== 'home_working' && v.building_id !== null;

  /** Everything the gate knows about a visit, read through one executor (the caller's transaction at check-in). */
  async function evaluate(ex: Executor, visit: VisitFacts) {
    const at = now();
    const today = londonToday(at);
    const place = ratedPlace(visit);
    const isVisit = visit.kind === 'visit';
    // One statement at a time: inside a transaction there is one connection.
    const flagRows = await repo.flagsAt(place, at, ex);
    const otherSystems = await repo.flagsUnderOtherSystems(place, at, ex);
    const assessment = (await repo.currentAssessment({ visitId: visit.id, caseSystem: place.caseSystem, caseId: place.caseId }, ex)) ?? null;
    const control = (await repo.control(visit.id, ex)) ?? null;
    const precautionRows = await repo.precautions(visit.id, ex);
    const flags = flagRows.map((f) => ({
      ...f,
      matchedBy: (place.caseId && f.case_system === place.caseSystem && f.case_key === caseKey(place.caseId) ? 'case' : 'postcode') as 'case' | 'postcode',
      categoryLabel: categoryLabel(f.category),
      highRisk: isHighRisk(f.category),
      lastDay: lastDayOf(f.expires_at),
    }));
    const explained = explainRating(asReferralType(visit.referral_type), flags, visit.kind, hasPlaceOf(visit));
    const recorded = new Map<string, PrecautionRecord>(precautionRows.map((p) => [p.precaution, { status: p.status as 'confirmed' | 'waived', reason: p.reason }]));
    const controlKind = (control?.control ?? null) as Control | null;
    const atCouncilBuilding = inBuilding(visit);
    const problems = startProblemsFor(explained.rating, {
      assessment: assessment ? { reviewDate: assessment.review_date, countersigned: assessment.countersigned_by !== null } : null,
      today,
      hasJointPartner: visit.joint_partner_id !== null,
      partnerConfirmed: visit.joint_confirmed_at !== null,
      control: controlKind,
      atCouncilBuilding,
    }, recorded, { referralType: asReferralType(visit.referral_type), control: controlKind, atCouncilBuilding });
    const otherSystemWarnings = otherSystems.map((f) => `A warning flag (${categoryLabel(f.category)}) exists for case ${f.case_id} in ${(CASE_SYSTEMS as Record<string, string>)[f.case_system ?? ''] ?? f.case_system}, not ${(CASE_SYSTEMS as Record<string, string>)[place.caseSystem ?? ''] ?? place.caseSystem}: check whether it is the same family`);
    return { today, place, flags, assessment, control, precautionRows, recorded, rating: explained.rating as Rating | null, reasons: explained.reasons, problems, otherSystemWarnings, isVisit };
  }

  async function loadVisit(actor: Actor, visitId: number) {
    const visit = await repo.visit(visitId);
    if (!visit) throw new NotFoundError('Visit');
    const relation = await relationTo(staff, actor, visit.worker_id);
    const partner = actor.staffId !== null && visit.joint_partner_id === actor.staffId;
    if (!maySee(relation) && !partner) throw new ForbiddenError();
    return { visit, relation, partner };
  }

  /** The worker and their buddy are told when the light of a planned session changes. */
  async function rerate(trx: Executor, visitId: number, actor: Actor | null, why: string) {
    const v = await repo.visit(visitId, trx);
    if (!v || v.state !== 'planned') return null;
    const e = await evaluate(trx, v);
    if (e.rating === v.risk_rating) return e;
    await repo.setRating(trx, visitId, e.rating);
    const text = `Risk rating changed from ${v.risk_rating ?? 'none'} to ${e.rating ?? 'none'}: ${why}`;
    await trx.insertInto('timeline_events').values({ visit_id: visitId, type: 'risk_rating', actor_id: actor?.staffId ?? null, text }).execute();
    const when = longDate(londonToday(new Date(v.starts_at)));
    for (const recipientId of new Set([v.worker_id, v.buddy_id].filter((x): x is number => x !== null))) {
      await repo.notify(trx, {
        recipientId, link: `${baseUrl}/visits/${visitId}/risk`,
        subject: `A planned visit is now rated ${e.rating ?? 'without a rating'}`,
        body: `${recipientId === v.worker_id ? 'Your' : `${v.worker_name}’s`} visit on ${when} (${v.description ?? 'planned visit'}) was rated ${v.risk_rating ?? 'none'} and is now ${e.rating ?? 'not rated'}: ${why}. ${e.rating === 'RED' ? 'It cannot start until the risk gate is cleared.' : 'Check the risk page before you go.'}`,
      });
    }
    return e;
  }

  /** After a flag is raised or withdrawn: every planned session it concerns is rated again. */
  async function flagChanged(trx: Executor, flagId: number, actor: Actor | null, why: string) {
    const flag = await repo.flagForRerate(trx, flagId);
    if (!flag) return 0;
    let changed = 0;
    for (const { id } of await repo.plannedMatching(trx, flag)) {
      const before = (await repo.visit(id, trx))?.risk_rating ?? null;
      const e = await rerate(trx, id, actor, why);
      if (e && e.rating !== before) changed += 1;
    }
    return changed;
  }

  async function askPartner(trx: Transaction<DB>, visitId: number) {
    const v = await repo.visit(visitId, trx);
    if (!v || v.joint_partner_id === null || v.joint_confirmed_at !== null) return;
    await repo.notify(trx, {
      recipientId: v.joint_partner_id, link: `${baseUrl}/visits/${visitId}`,
      subject: `Joint visit: ${v.worker_name} asks you to go with them`,
      body: `${v.worker_name} has planned a joint visit with you on ${longDate(londonToday(new Date(v.starts_at)))}. Open it to confirm you are going.`,
    });
  }

  async function mustActOn(actor: Actor, visitId: number) {
    const loaded = await loadVisit(actor, visitId);
    if (!mayActFor(loaded.relation)) throw new ForbiddenError('You can only record risk information for your own visits, or for people you support or manage');
    return loaded;
  }

  const by = (actor: Actor) => ({ staffId: actor.staffId, accountId: actor.accountId });

  async function timeline(trx: Transaction<DB>, visitId: number, actor: Actor, type: string, text: string) {
    await trx.insertInto('timeline_events').values({ visit_id: visitId, type, actor_id: actor.staffId, text }).execute();
  }

  async function teamIdsFor(actor: Actor): Promise<number[] | 'all'> {
    if (can(actor, 'people.view_all') || can(actor, 'organisation.manage')) return 'all';
    if (actor.staffId === null) return [];
    const [managed, reports] = await Promise.all([staff.managedTeamIds(actor.staffId), staff.reports(actor.staffId)]);
    return [...new Set([...managed, ...reports.map((r) => r.team_id).filter((t): t is number => t !== null)])];
  }

  const gate: RiskGate = {
    async rate(input) {
      const place = placeOf({ case_system: input.caseSystem, case_id: input.caseId, postcode: input.postcode });
      const flags = await repo.flagsAt(place, now());
      return rateSession(input.kind ?? 'visit', {
        referralType: input.referralType, highRiskFlags: flags.filter((f) => isHighRisk(f.category)).length,
        hasPlace: hasPlaceOf({ address: input.address ?? null, postcode: input.postcode, case_id: input.caseId }),
      });
    },

    async partnerProblem(partnerId, workerId) {
      const [p, w] = await Promise.all([repo.partner(partnerId), staff.get(workerId)]);
      return jointPartnerProblem(p, { id: workerId, teamId: w?.team_id ?? null });
    },

    async liveRating(visitId) {
      const visit = await repo.visit(visitId);
      if (!visit) return null;
      return (await evaluate(db, visit)).rating;
    },

    async afterSave(trx, visitId, before, actor) {
      const v = await repo.visit(visitId, trx);
      if (!v) return;
      if (before && before.joint_partner_id !== v.joint_partner_id) {
        // A new (or no) partner: the old confirmation and the manager's agreement were for someone else.
        await trx.updateTable('visits').set({ joint_confirmed_at: null }).where('id', '=', visitId).execute();
        const c = await repo.control(visitId, trx);
        if (c?.control === 'joint_visit') await repo.deleteControl(trx, visitId);
      }
      if (before && (before.home_address !== null || before.home_postcode !== null) && v.building_id !== null) {
        // Still meeting in the council building: the edited address is the home address; the session stays at the building.
        const b = await repo.building(v.building_id, trx);
        await trx.updateTable('visits').set({ home_address: v.address, home_postcode: v.postcode }).where('id', '=', visitId).execute();
        if (b) await trx.updateTable('visits').set({ address: b.address, postcode: b.postcode }).where('id', '=', visitId).execute();
      }
      if (!before || before.joint_partner_id !== v.joint_partner_id) await askPartner(trx, visitId);
      if (before) await rerate(trx, visitId, actor, 'the visit’s plan was edited');
    },

    /** Re-rates at check-in (flags may have been raised since planning) and uses only `trx`. */
    async startProblems(trx, visitId) {
      const visit = await repo.visit(visitId, trx);
      if (!visit) return [];
      const e = await evaluate(trx, visit);
      // Issue 19: the training gate (src/features/training) is asked with the light the visit starts under.
      if (deps.extraStartProblems) e.problems.push(...(await deps.extraStartProblems(trx, { id: visit.id, worker_id: visit.worker_id, kind: visit.kind, team_id: visit.team_id, rating: e.rating })));
      if (e.problems.length === 0 && e.rating !== visit.risk_rating) {
        // The visit starts: keep the light it started under. (Refused starts roll back with the caller.)
        await trx.updateTable('visits').set({ risk_rating: e.rating }).where('id', '=', visitId).execute();
      }
      return e.problems;
    },
  };

  async function flagFor(actor: Actor, id: number) {
    if (!can(actor, 'risk.flags.manage')) throw new ForbiddenError('Only managers, health and safety officers and administrators can withdraw warning flags');
    const f = await repo.flag(id, now());
    if (!f) throw new NotFoundError('Warning flag');
    return { ...f, lastDay: lastDayOf(f.expires_at), categoryLabel: categoryLabel(f.category), highRisk: isHighRisk(f.category), caseSystemLabel: f.case_system ? (CASE_SYSTEMS as Record<string, string>)[f.case_system] ?? f.case_system : null };
  }

  return {
    ...gate,

    /** The risk page of a visit: the light and why, what is still needed, and what the actor may record. */
    async visitRisk(actor: Actor, visitId: number) {
      const { visit, relation, partner } = await loadVisit(actor, visitId);
      const e = await evaluate(db, visit);
      const [chain, buildings] = await Promise.all([staff.chain(visit.worker_id), repo.buildings()]);
      const canAct = mayActFor(relation);
      const canApprove = approvalProblem(actor.staffId, visit.worker_id, chain.map((c) => c.id)) === null;
      return {
        visit: { ...visit, case_system_label: visit.case_system ? (CASE_SYSTEMS as Record<string, string>)[visit.case_system] ?? visit.case_system : null },
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
        assessment: e.assessment ? { ...e.assessment, current: assessmentCurrent(e.assessment.review_date, e.today), appliesTo: e.assessment.case_id ? 'case' : 'visit', countersigned: e.assessment.countersigned_by !== null } : null,
        control: e.control ? { ...e.control, label: CONTROL_LABELS[e.control.control as Control] ?? e.control.control } : null,
        precautions: PRECAUTION_KEYS.map((key) => {
          const row = e.precautionRows.find((p) => p.precaution === key);
          return { key, label: PRECAUTIONS[key], required: requiredPrecautions(asReferralType(visit.referral_type)).includes(key), status: row?.status ?? null, reason: row?.reason ?? null, recordedBy: row?.recorded_by_name ?? null, recordedAt: row?.recorded_at ?? null };
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

    async recordAssessment(actor: Actor, visitId: number, form: AssessmentForm) {
      const { visit } = await mustActOn(actor, visitId);
      const place = placeOf(visit);
      const errors = [];
      const scope = place.caseId ? form.scope : 'visit';
      if (!scope) errors.push({ field: 'scope', message: 'Select whether the assessment covers the whole case or this visit only' });
      const dateProblem = reviewDateProblem(form.reviewDate, londonToday(now()));
      if (dateProblem) errors.push({ field: 'reviewDate-day', message: dateProblem });
      if (errors.length) throw new ValidationError(errors);
      const forCase = scope === 'case';
      // Completed by one of the worker's managers: that is the manager's signature.
      const chain = await staff.chain(visit.worker_id);
      const byManager = approvalProblem(actor.staffId, visit.worker_id, chain.map((c) => c.id)) === null;
      return inTransaction(db, async (trx) => {
        const id = await repo.createAssessment(trx, {
          caseSystem: forCase ? place.caseSystem : null, caseId: forCase ? place.caseId : null, visitId: forCase ? null : visitId, teamId: visit.team_id,
          hazards: form.hazards, whoHarmed: form.whoHarmed, controls: form.controls, findings: form.findings, reviewDate: form.reviewDate, documentRef: form.documentRef,
        }, by(actor), byManager ? actor.staffId : null);
        await timeline(trx, visitId, actor, 'risk_assessment', `Risk assessment recorded by ${actor.displayName}${forCase ? ' for the case' : ''}, review by ${longDate(form.reviewDate)}${byManager ? '' : ': a manager must countersign it'}`);
        if (!byManager && chain[0]) {
          await repo.notify(trx, { recipientId: chain[0].id, link: `${baseUrl}/visits/${visitId}/risk#assessment`, subject: `Countersign a risk assessment for ${visit.worker_name}`,
            body: `${actor.displayName} recorded an individual risk assessment for a visit by ${visit.worker_name}. A RED visit cannot start until a manager countersigns it.` });
        }
        await audit.appendIn(trx, { ...actorFields(actor), action: 'risk_assessment.record', entityType: 'risk_assessment', entityId: id, detail: { visitId, scope, reviewDate: form.reviewDate } });
        return id;
      });
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
        const problem = approvalProblem(actor.staffId, visit.worker_id, chain.map((c) => c.id));
        if (problem) throw new ForbiddenError(problem.replace('approve this visit', form.control === 'joint_visit' ? 'agree to this joint visit' : 'approve this visit'));
      } else if (!mayActFor(relation)) {
        throw new ForbiddenError('You can only record risk information for your own visits, or for people you support or manage');
      }
      const field = form.control === 'council_building' ? 'buildingId' : form.control === 'joint_visit' ? 'jointNote' : 'approvalNote';
      if (visit.state !== 'planned') throw new ValidationError([{ field, message: 'The visit has already started or finished' }]);
      let building: Awaited<ReturnType<typeof repo.building>> = undefined;
      if (form.control === 'council_building') {
        building = form.buildingId === null ? undefined : await repo.building(form.buildingId);
        if (!building) throw new ValidationError([{ field: 'buildingId', message: 'Select a council building from the list' }]);
      } else if (form.control === 'joint_visit') {
        if (visit.joint_partner_id === null) throw new ValidationError([{ field: 'jointNote', message: 'The visit has no joint visit partner: edit the visit to add one first' }]);
        const problem = await gate.partnerProblem(visit.joint_partner_id, visit.worker_id);
        if (problem) throw new ValidationError([{ field: 'jointNote', message: problem }]);
      } else if (!form.approvalNote) {
        throw new ValidationError([{ field: 'approvalNote', message: 'Enter why you approve this visit, and any conditions' }]);
      }
      const note = form.control === 'council_building' ? form.buildingNote : form.control === 'joint_visit' ? form.jointNote ?? null : form.approvalNote;
      const control = { control: form.control, buildingId: building ? building.id : null, note };
      await inTransaction(db, async (trx) => {
        await repo.setControl(trx, visitId, control, by(actor));
        if (building) await repo.moveToBuilding(trx, visitId, building);
        else await repo.moveHome(trx, visitId);
        const text = building
          ? `Meeting moved to ${building.name} (${building.address}, ${building.postcode}) by ${actor.displayName}: the session, what the buddy sees and any escalation use this address`
          : form.control === 'joint_visit' ? `Joint visit with ${visit.joint_partner_name} agreed by ${actor.displayName}` : `Lone visit approved by ${actor.displayName}`;
        await timeline(trx, visitId, actor, 'risk_control', text);
        await audit.appendIn(trx, { ...actorFields(actor), action: 'visit.risk_control', entityType: 'visit', entityId: visitId, detail: { control: form.control, buildingId: control.buildingId } });
      });
    },

    /** A manager of the worker countersigns the current individual risk assessment. */
    async countersign(actor: Actor, visitId: number) {
      const { visit } = await loadVisit(actor, visitId);
      const chain = await staff.chain(visit.worker_id);
      const problem = approvalProblem(actor.staffId, visit.worker_id, chain.map((c) => c.id));
      if (problem) throw new ForbiddenError(problem.replace('approve this visit', 'countersign this risk assessment'));
      const place = placeOf(visit);
      const current = await repo.currentAssessment({ visitId, caseSystem: place.caseSystem, caseId: place.caseId });
      if (!current) throw new ValidationError([{ field: 'countersign', message: 'There is no risk assessment to countersign' }]);
      if (current.countersigned_by !== null) throw new ValidationError([{ field: 'countersign', message: 'This risk assessment has already been countersigned' }]);
      await inTransaction(db, async (trx) => {
        await repo.countersign(trx, current.id, actor.staffId!);
        await timeline(trx, visitId, actor, 'risk_assessment', `Risk assessment countersigned by ${actor.displayName}`);
        await audit.appendIn(trx, { ...actorFields(actor), action: 'risk_assessment.countersign', entityType: 'risk_assessment', entityId: current.id, detail: { visitId } });
      });
    },

    /** The joint visit partner confirms they are going. */
    async confirmJoint(actor: Actor, visitId: number) {
      const visit = await repo.visit(visitId);
      if (!visit) throw new NotFoundError('Visit');
      if (actor.staffId === null || visit.joint_partner_id !== actor.staffId) throw new ForbiddenError('Only the joint visit partner can confirm they are going');
      if (visit.state !== 'planned') throw new ValidationError([{ field: 'confirm', message: 'The visit has already started or finished' }]);
      await inTransaction(db, async (trx) => {
        if (!(await repo.confirmJoint(trx, visitId, actor.staffId!))) throw new ValidationError([{ field: 'confirm', message: 'You are no longer the joint visit partner' }]);
        await timeline(trx, visitId, actor, 'joint_confirmed', `${actor.displayName} confirmed they are going on the joint visit`);
        await audit.appendIn(trx, { ...actorFields(actor), action: 'visit.joint_confirm', entityType: 'visit', entityId: visitId });
        await repo.notify(trx, { recipientId: visit.worker_id, link: `${baseUrl}/visits/${visitId}`, subject: `${actor.displayName} confirmed your joint visit`, body: `${actor.displayName} confirmed they are going with you.` });
      });
    },

    /** AMBER precautions: Appendix E's own actions only confirmed; other waivers with a real reason, reported to the line manager. */
    async recordPrecautions(actor: Actor, visitId: number, answers: PrecautionAnswer[]) {
      const { visit } = await mustActOn(actor, visitId);
      const { entries, errors } = precautionEntries(answers, requiredPrecautions(asReferralType(visit.referral_type)));
      if (errors.length) throw new ValidationError(errors);
      if (visit.state !== 'planned') throw new ValidationError([{ field: `status-${PRECAUTION_KEYS[0]}`, message: 'The visit has already started or finished' }]);
      const chain = await staff.chain(visit.worker_id);
      await inTransaction(db, async (trx) => {
        await repo.setPrecautions(trx, visitId, entries, by(actor));
        const waived = entries.filter((e) => e.status === 'waived');
        const confirmed = entries.filter((e) => e.status === 'confirmed').map((e) => e.key);
        await timeline(trx, visitId, actor, 'precautions', `Precautions: ${confirmed.length} confirmed, ${waived.length} waived, by ${actor.displayName}`);
        await audit.appendIn(trx, { ...actorFields(actor), action: 'visit.precautions', entityType: 'visit', entityId: visitId, detail: { confirmed, waived: waived.map((w) => w.key) } });
        const manager = chain[0];
        if (waived.length && manager && manager.id !== actor.staffId) {
          await repo.notify(trx, {
            recipientId: manager.id, link: `${baseUrl}/visits/${visitId}/risk#precautions`,
            subject: `Precautions waived for a visit by ${visit.worker_name}`,
            body: `${actor.displayName} waived ${waived.length === 1 ? 'a precaution' : `${waived.length} precautions`} for an AMBER visit by ${visit.worker_name}: ${waived.map((w) => `“${PRECAUTIONS[w.key]}” (${w.reason})`).join('; ')}.`,
          });
        }
      });
    },

    /** Warning flags: all of them for those who manage flags; otherwise only the live ones on one's own visits. */
    async flags(actor: Actor, filter: FlagListFilter = { q: '', category: null, status: null, page: 1 }) {
      const canManage = can(actor, 'risk.flags.manage');
      const at = now();
      const found = canManage ? await repo.listFlags('all', at, filter) : actor.staffId === null ? { rows: [], total: 0, page: 1 } : await repo.listFlags({ workerId: actor.staffId }, at, filter);
      return {
        canManage, total: found.total, page: found.page,
        flags: found.rows.map((f) => ({ ...f, lastDay: lastDayOf(f.expires_at), categoryLabel: categoryLabel(f.category), highRisk: isHighRisk(f.category), caseSystemLabel: f.case_system ? (CASE_SYSTEMS as Record<string, string>)[f.case_system] ?? f.case_system : null })),
        categories: Object.entries(FLAG_CATEGORIES).map(([value, c]) => ({ value, text: c.label, highRisk: c.highRisk })),
        caseSystems: Object.entries(CASE_SYSTEMS).map(([value, text]) => ({ value, text })),
      };
    },

    async addFlag(actor: Actor, form: FlagForm) {
      if (!can(actor, 'risk.flags.manage')) throw new ForbiddenError();
      const errors = flagProblems(form, londonToday(now()));
      if (errors.length) throw new ValidationError(errors);
      // Expires at the end of its last day, London time: the start of the next day.
      const expiresAt = form.expiresOn ? endOfLondonDay(form.expiresOn) : null;
      return inTransaction(db, async (trx) => {
        const id = await repo.createFlag(trx, { caseSystem: form.caseSystem, caseId: form.caseId, postcode: form.postcode, category: form.category, description: form.description, expiresAt }, actor.accountId);
        await audit.appendIn(trx, { ...actorFields(actor), action: 'warning_flag.raise', entityType: 'warning_flag', entityId: id, detail: { category: form.category, caseSystem: form.caseSystem, caseId: form.caseId, postcode: form.postcode } });
        await flagChanged(trx, id, actor, `a warning flag was raised (${categoryLabel(form.category)})`);
        return id;
      });
    },

    /** Re-rates the planned sessions a flag concerns (for flags raised elsewhere, such as from an incident). */
    flagChanged,

    /** One flag, for the withdraw page: only for those who manage flags. */
    flag: flagFor,

    /**
     * Withdraws a warning before its review (raised in error, or the risk has gone): visits there are
     * rated on the other facts again from now. Audited with the reason.
     */
    async withdrawFlag(actor: Actor, id: number, reason: string) {
      const f = await flagFor(actor, id);
      if (f.withdrawn_at) throw new ValidationError([{ field: 'reason', message: 'This warning has already been withdrawn' }]);
      await inTransaction(db, async (trx) => {
        if (!(await repo.withdrawFlag(trx, id, actor.accountId))) throw new ValidationError([{ field: 'reason', message: 'This warning has already been withdrawn' }]);
        await audit.appendIn(trx, { ...actorFields(actor), action: 'warning_flag.withdraw', entityType: 'warning_flag', entityId: id, detail: { reason, category: f.category, caseSystem: f.case_system, caseId: f.case_id, postcode: f.postcode } });
        await flagChanged(trx, id, actor, `a warning flag was withdrawn (${categoryLabel(f.category)})`);
      });
    },

    /** Risk assessments due for review in the next 30 days, or overdue, for the actor's teams. */
    async reviews(actor: Actor, filter: { overdueOnly: boolean; page: number } = { overdueOnly: false, page: 1 }) {
      if (!can(actor, 'risk.reviews.view')) throw new ForbiddenError();
      const today = londonToday(now());
      const found = await repo.reviewsDue(await teamIdsFor(actor), addDays(today, 30), { overdueBefore: filter.overdueOnly ? today : null, page: filter.page });
      return {
        today, total: found.total, page: found.page,
        reviews: found.rows.map((r) => ({ ...r, overdue: r.review_date < today, caseSystemLabel: r.case_system ? (CASE_SYSTEMS as Record<string, string>)[r.case_system] ?? r.case_system : null })),
      };
    },
  };
}

export type RiskService = ReturnType<typeof buildRiskService>;
