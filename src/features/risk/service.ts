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
import { REFERRAL_TYPES, rateVisit, type Rating, type ReferralType } from './rating.ts';
import type { RiskRepository } from './repository.ts';
import {
  CONTROL_LABELS, FLAG_CATEGORIES, PRECAUTIONS, PRECAUTION_KEYS, addDays, approvalProblem, assessmentCurrent, categoryLabel, endOfLondonDay, explainRating,
  flagProblems, isHighRisk, londonToday, longDate, normaliseCaseId, normalisePostcode, precautionEntries, reviewDateProblem, startProblemsFor,
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

  const placeOf = (v: { case_system: string | null; case_id: string | null; postcode: string | null }) => {
    const caseId = normaliseCaseId(v.case_id);
    return { caseSystem: v.case_system && caseId ? v.case_system : null, caseId: v.case_system ? caseId : null, postcode: normalisePostcode(v.postcode) };
  };

  /** Everything the gate knows about a visit, read through one executor (the caller's transaction at check-in). */
  async function evaluate(ex: Executor, visit: VisitFacts) {
    const at = now();
    const today = londonToday(at);
    const place = placeOf(visit);
    const isVisit = visit.kind === 'visit';
    // One statement at a time: inside a transaction there is one connection.
    const flagRows = await repo.flagsAt(place, at, ex);
    const assessment = (await repo.currentAssessment({ visitId: visit.id, caseSystem: place.caseSystem, caseId: place.caseId }, ex)) ?? null;
    const control = (await repo.control(visit.id, ex)) ?? null;
    const precautionRows = await repo.precautions(visit.id, ex);
    const flags = flagRows.map((f) => ({
      ...f,
      matchedBy: (place.caseId && f.case_system === place.caseSystem && f.case_id === place.caseId ? 'case' : 'postcode') as 'case' | 'postcode',
      categoryLabel: categoryLabel(f.category),
      highRisk: isHighRisk(f.category),
    }));
    const explained = isVisit ? explainRating(asReferralType(visit.referral_type), flags) : { rating: null, reasons: [] as string[] };
    const recorded = new Map<string, PrecautionRecord>(precautionRows.map((p) => [p.precaution, { status: p.status as 'confirmed' | 'waived', reason: p.reason }]));
    const problems = startProblemsFor(explained.rating, {
      assessment: assessment ? { reviewDate: assessment.review_date } : null,
      today,
      hasJointPartner: visit.joint_partner_id !== null,
      control: (control?.control ?? null) as Control | null,
    }, recorded);
    return { today, place, flags, assessment, control, precautionRows, recorded, rating: explained.rating as Rating | null, reasons: explained.reasons, problems };
  }

  async function loadVisit(actor: Actor, visitId: number) {
    const visit = await repo.visit(visitId);
    if (!visit) throw new NotFoundError('Visit');
    const relation = await relationTo(staff, actor, visit.worker_id);
    if (!maySee(relation)) throw new ForbiddenError();
    return { visit, relation };
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
      return rateVisit({ referralType: input.referralType, highRiskFlags: flags.filter((f) => isHighRisk(f.category)).length });
    },

    /** Re-rates at check-in (flags may have been raised since planning) and uses only `trx`. */
    async startProblems(trx, visitId) {
      const visit = await repo.visit(visitId, trx);
      if (!visit || visit.kind !== 'visit') return [];
      const e = await evaluate(trx, visit);
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
    return { ...f, categoryLabel: categoryLabel(f.category), highRisk: isHighRisk(f.category), caseSystemLabel: f.case_system ? (CASE_SYSTEMS as Record<string, string>)[f.case_system] ?? f.case_system : null };
  }

  return {
    ...gate,

    /** The risk page of a visit: the light and why, what is still needed, and what the actor may record. */
    async visitRisk(actor: Actor, visitId: number) {
      const { visit, relation } = await loadVisit(actor, visitId);
      const e = await evaluate(db, visit);
      const [chain, buildings] = await Promise.all([staff.chain(visit.worker_id), repo.buildings()]);
      const canAct = mayActFor(relation);
      const canApprove = approvalProblem(actor.staffId, visit.worker_id, chain.map((c) => c.id)) === null;
      return {
        visit: { ...visit, case_system_label: visit.case_system ? (CASE_SYSTEMS as Record<string, string>)[visit.case_system] ?? visit.case_system : null },
        isVisit: visit.kind === 'visit',
        planned: visit.state === 'planned',
        rating: e.rating,
        ratedWhenPlanned: visit.risk_rating,
        reasons: e.reasons,
        flags: e.flags,
        assessment: e.assessment ? { ...e.assessment, current: assessmentCurrent(e.assessment.review_date, e.today), appliesTo: e.assessment.case_id ? 'case' : 'visit' } : null,
        control: e.control ? { ...e.control, label: CONTROL_LABELS[e.control.control as Control] ?? e.control.control } : null,
        precautions: PRECAUTION_KEYS.map((key) => {
          const row = e.precautionRows.find((p) => p.precaution === key);
          return { key, label: PRECAUTIONS[key], status: row?.status ?? null, reason: row?.reason ?? null, recordedBy: row?.recorded_by_name ?? null, recordedAt: row?.recorded_at ?? null };
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
      return inTransaction(db, async (trx) => {
        const id = await repo.createAssessment(trx, {
          caseSystem: forCase ? place.caseSystem : null, caseId: forCase ? place.caseId : null, visitId: forCase ? null : visitId, teamId: visit.team_id,
          hazards: form.hazards, whoHarmed: form.whoHarmed, controls: form.controls, findings: form.findings, reviewDate: form.reviewDate, documentRef: form.documentRef,
        }, by(actor));
        await timeline(trx, visitId, actor, 'risk_assessment', `Risk assessment recorded by ${actor.displayName}${forCase ? ' for the case' : ''}, review by ${longDate(form.reviewDate)}`);
        await audit.appendIn(trx, { ...actorFields(actor), action: 'risk_assessment.record', entityType: 'risk_assessment', entityId: id, detail: { visitId, scope, reviewDate: form.reviewDate } });
        return id;
      });
    },

    async recordControl(actor: Actor, visitId: number, form: ControlForm) {
      const { visit, relation } = await loadVisit(actor, visitId);
      if (form.control === 'manager_approval') {
        const chain = await staff.chain(visit.worker_id);
        const problem = approvalProblem(actor.staffId, visit.worker_id, chain.map((c) => c.id));
        if (problem) throw new ForbiddenError(problem);
      } else if (!mayActFor(relation)) {
        throw new ForbiddenError('You can only record risk information for your own visits, or for people you support or manage');
      }
      const field = form.control === 'manager_approval' ? 'approvalNote' : 'buildingId';
      if (visit.state !== 'planned') throw new ValidationError([{ field, message: 'The visit has already started or finished' }]);
      if (form.control === 'council_building') {
        const buildings = await repo.buildings();
        if (form.buildingId === null || !buildings.some((b) => b.id === form.buildingId)) throw new ValidationError([{ field: 'buildingId', message: 'Select a council building from the list' }]);
      } else if (!form.approvalNote) {
        throw new ValidationError([{ field: 'approvalNote', message: 'Enter why you approve this visit, and any conditions' }]);
      }
      const control = { control: form.control, buildingId: form.control === 'council_building' ? form.buildingId : null, note: form.control === 'council_building' ? form.buildingNote : form.approvalNote };
      await inTransaction(db, async (trx) => {
        await repo.setControl(trx, visitId, control, by(actor));
        await timeline(trx, visitId, actor, 'risk_control', form.control === 'manager_approval' ? `Lone visit approved by ${actor.displayName}` : `Meeting in a council building recorded by ${actor.displayName}`);
        await audit.appendIn(trx, { ...actorFields(actor), action: 'visit.risk_control', entityType: 'visit', entityId: visitId, detail: { control: form.control, buildingId: control.buildingId } });
      });
    },

    async recordPrecautions(actor: Actor, visitId: number, answers: PrecautionAnswer[]) {
      const { visit } = await mustActOn(actor, visitId);
      const { entries, errors } = precautionEntries(answers);
      if (errors.length) throw new ValidationError(errors);
      if (visit.state !== 'planned') throw new ValidationError([{ field: `status-${PRECAUTION_KEYS[0]}`, message: 'The visit has already started or finished' }]);
      await inTransaction(db, async (trx) => {
        await repo.setPrecautions(trx, visitId, entries, by(actor));
        const waived = entries.filter((e) => e.status === 'waived').map((e) => e.key);
        const confirmed = entries.filter((e) => e.status === 'confirmed').map((e) => e.key);
        await timeline(trx, visitId, actor, 'precautions', `Precautions: ${confirmed.length} confirmed, ${waived.length} waived, by ${actor.displayName}`);
        await audit.appendIn(trx, { ...actorFields(actor), action: 'visit.precautions', entityType: 'visit', entityId: visitId, detail: { confirmed, waived } });
      });
    },

    /** Warning flags: all of them for those who manage flags; otherwise only the live ones on one's own visits. */
    async flags(actor: Actor) {
      const canManage = can(actor, 'risk.flags.manage');
      const at = now();
      const rows = canManage ? await repo.listFlags('all', at) : actor.staffId === null ? [] : await repo.listFlags({ workerId: actor.staffId }, at);
      return {
        canManage,
        flags: rows.map((f) => ({ ...f, categoryLabel: categoryLabel(f.category), highRisk: isHighRisk(f.category), caseSystemLabel: f.case_system ? (CASE_SYSTEMS as Record<string, string>)[f.case_system] ?? f.case_system : null })),
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
        return id;
      });
    },

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
      });
    },

    /** Risk assessments due for review in the next 30 days, or overdue, for the actor's teams. */
    async reviews(actor: Actor) {
      if (!can(actor, 'risk.reviews.view')) throw new ForbiddenError();
      const today = londonToday(now());
      const rows = await repo.reviewsDue(await teamIdsFor(actor), addDays(today, 30));
      return {
        today,
        reviews: rows.map((r) => ({ ...r, overdue: r.review_date < today, caseSystemLabel: r.case_system ? (CASE_SYSTEMS as Record<string, string>)[r.case_system] ?? r.case_system : null })),
      };
    },
  };
}

export type RiskService = ReturnType<typeof buildRiskService>;
