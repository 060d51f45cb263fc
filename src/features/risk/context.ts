import type { Kysely, Transaction } from 'kysely';
import type { DB } from '../../db/schema.ts';
import type { AuditRepository, Executor } from '../audit/repository.ts';
import type { StaffRepository } from '../people/repository.ts';
import type { Actor } from '../auth/actor.ts';
import { can } from '../auth/access.ts';
import { mayActFor, maySee, relationTo } from '../visits/access.ts';
import { CASE_SYSTEMS } from '../visits/schema.ts';
import { ForbiddenError, NotFoundError } from '../../errors.ts';
import { REFERRAL_TYPES, type Rating, type ReferralType } from './rating.ts';
import type { RiskRepository } from './repository.ts';
import {
  caseKey,
  categoryLabel,
  explainRating,
  isHighRisk,
  lastDayOf,
  londonToday,
  longDate,
  normaliseCaseId,
  normalisePostcode,
  startProblemsFor,
  type Control,
  type PrecautionRecord,
} from './rules.ts';

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
  extraStartProblems?: (
    ex: Executor,
    visit: { id: number; worker_id: number; kind: string; team_id: number | null; rating: Rating | null },
  ) => Promise<string[]>;
}

export const asReferralType = (v: string | null): ReferralType | null =>
  v && v in REFERRAL_TYPES ? (v as ReferralType) : null;

type VisitFacts = NonNullable<Awaited<ReturnType<RiskRepository['visit']>>>;

/**
 * What every part of the risk gate shares: the places a visit is rated at, the evaluation of a
 * visit (flags, assessment, control, precautions), loading a visit the actor may see, re-rating
 * planned sessions, and timeline lines.
 */
export function buildRiskContext(deps: RiskDeps) {
  const { db, risk: repo, staff, audit } = deps;
  const now = deps.now ?? (() => new Date());

  const baseUrl = deps.baseUrl ?? '';
  const placeOf = (v: { case_system: string | null; case_id: string | null; postcode: string | null }) => {
    const caseId = normaliseCaseId(v.case_id);
    return {
      caseSystem: v.case_system && caseId ? v.case_system : null,
      caseId: v.case_system ? caseId : null,
      postcode: normalisePostcode(v.postcode),
    };
  };
  /** A session moved to a council building is rated at the home address it was planned at. */
  const ratedPlace = (v: VisitFacts) =>
    placeOf({ case_system: v.case_system, case_id: v.case_id, postcode: v.home_postcode ?? v.postcode });
  const hasPlaceOf = (v: {
    address: string | null;
    postcode: string | null;
    case_id: string | null;
    home_address?: string | null;
    home_postcode?: string | null;
  }) => Boolean(v.address || v.postcode || v.home_address || v.home_postcode || caseKey(v.case_id));
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
    const assessment =
      (await repo.currentAssessment({ visitId: visit.id, caseSystem: place.caseSystem, caseId: place.caseId }, ex)) ??
      null;
    const control = (await repo.control(visit.id, ex)) ?? null;
    const precautionRows = await repo.precautions(visit.id, ex);
    const flags = flagRows.map((f) => ({
      ...f,
      matchedBy: (place.caseId && f.case_system === place.caseSystem && f.case_key === caseKey(place.caseId)
        ? 'case'
        : 'postcode') as 'case' | 'postcode',
      categoryLabel: categoryLabel(f.category),
      highRisk: isHighRisk(f.category),
      lastDay: lastDayOf(f.expires_at),
    }));
    const explained = explainRating(asReferralType(visit.referral_type), flags, visit.kind, hasPlaceOf(visit));
    const recorded = new Map<string, PrecautionRecord>(
      precautionRows.map((p) => [p.precaution, { status: p.status as 'confirmed' | 'waived', reason: p.reason }]),
    );
    const controlKind = (control?.control ?? null) as Control | null;
    const atCouncilBuilding = inBuilding(visit);
    const problems = startProblemsFor(
      explained.rating,
      {
        assessment: assessment
          ? { reviewDate: assessment.review_date, countersigned: assessment.countersigned_by !== null }
          : null,
        today,
        hasJointPartner: visit.joint_partner_id !== null,
        partnerConfirmed: visit.joint_confirmed_at !== null,
        control: controlKind,
        atCouncilBuilding,
      },
      recorded,
      { referralType: asReferralType(visit.referral_type), control: controlKind, atCouncilBuilding },
    );
    const otherSystemWarnings = otherSystems.map(
      (f) =>
        `A warning flag (${categoryLabel(f.category)}) exists for case ${f.case_id} in ${(CASE_SYSTEMS as Record<string, string>)[f.case_system ?? ''] ?? f.case_system}, not ${(CASE_SYSTEMS as Record<string, string>)[place.caseSystem ?? ''] ?? place.caseSystem}: check whether it is the same family`,
    );
    return {
      today,
      place,
      flags,
      assessment,
      control,
      precautionRows,
      recorded,
      rating: explained.rating as Rating | null,
      reasons: explained.reasons,
      problems,
      otherSystemWarnings,
      isVisit,
    };
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
    await repo.addTimelineEvent(trx, visitId, 'risk_rating', actor?.staffId ?? null, text);
    const when = longDate(londonToday(new Date(v.starts_at)));
    for (const recipientId of new Set([v.worker_id, v.buddy_id].filter((x): x is number => x !== null))) {
      await repo.notify(trx, {
        recipientId,
        link: `${baseUrl}/visits/${visitId}/risk`,
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
      recipientId: v.joint_partner_id,
      link: `${baseUrl}/visits/${visitId}`,
      subject: `Joint visit: ${v.worker_name} asks you to go with them`,
      body: `${v.worker_name} has planned a joint visit with you on ${longDate(londonToday(new Date(v.starts_at)))}. Open it to confirm you are going.`,
    });
  }

  async function mustActOn(actor: Actor, visitId: number) {
    const loaded = await loadVisit(actor, visitId);
    if (!mayActFor(loaded.relation))
      throw new ForbiddenError(
        'You can only record risk information for your own visits, or for people you support or manage',
      );
    return loaded;
  }

  const by = (actor: Actor) => ({ staffId: actor.staffId, accountId: actor.accountId });

  async function timeline(trx: Transaction<DB>, visitId: number, actor: Actor, type: string, text: string) {
    await repo.addTimelineEvent(trx, visitId, type, actor.staffId, text);
  }

  async function teamIdsFor(actor: Actor): Promise<number[] | 'all'> {
    if (can(actor, 'people.view_all') || can(actor, 'organisation.manage')) return 'all';
    if (actor.staffId === null) return [];
    const [managed, reports] = await Promise.all([staff.managedTeamIds(actor.staffId), staff.reports(actor.staffId)]);
    return [...new Set([...managed, ...reports.map((r) => r.team_id).filter((t): t is number => t !== null)])];
  }

  return {
    db,
    repo,
    staff,
    audit,
    now,
    baseUrl,
    placeOf,
    hasPlaceOf,
    evaluate,
    loadVisit,
    rerate,
    flagChanged,
    askPartner,
    mustActOn,
    by,
    timeline,
    teamIdsFor,
  };
}

export type RiskContext = ReturnType<typeof buildRiskContext>;
