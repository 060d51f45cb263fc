import { hasRole, type Actor } from '../auth/actor.ts';
import { can } from '../auth/access.ts';
import { ForbiddenError, NotFoundError } from '../../errors.ts';
import { relationTo } from '../visits/access.ts';
import type { Answers } from './tables.ts';
import type { CallCoverage } from './call-repository.ts';
import type { DuressContext, Trx } from './shared.ts';

export const NOT_COVERED =
  'You can take a Purple File call only about someone you cover: as their buddy, one of their managers or their team’s business support, or as the duty officer';

/** Who may act on a Purple File call, and the call as its screen and messages read it. */
export function buildCallAccess({ deps, repo }: DuressContext) {
  const { staff } = deps;

  function mustRespond(actor: Actor): number {
    if (!can(actor, 'purple_file.use') || actor.staffId === null)
      throw new ForbiddenError('The Purple File screen is for business support, managers and duty staff');
    return actor.staffId;
  }
  /**
   * The break-glass rule for the Purple File: a responder acts only about a worker they cover (as
   * their buddy, in their management line, or as their team's business support); the duty officer
   * covers everyone. Never about oneself.
   */
  async function covers(actor: Actor, workerId: number): Promise<boolean> {
    if (actor.staffId === null || actor.staffId === workerId) return false;
    if (hasRole(actor, 'duty_officer')) return true;
    const r = await relationTo(staff, actor, workerId);
    return r.buddy || r.manager || r.teamBusinessSupport;
  }

  /** The same rule's facts, for the lists' SQL: who this responder covers. */
  async function coverageOf(actor: Actor, me: number): Promise<CallCoverage> {
    const reports = (await staff.reports(me)).map((r) => r.id);
    const supportTeam = hasRole(actor, 'business_support') ? ((await staff.get(me))?.team_id ?? null) : null;
    const duty = hasRole(actor, 'duty_officer');
    return { me, reports, supportTeam, duty };
  }

  /** Every action on a call: a Purple File responder who covers the worker (or took the call). */
  async function mustActOnCall(actor: Actor, callId: number): Promise<number> {
    const responderId = mustRespond(actor);
    const c = await repo.callParties(callId);
    if (!c) throw new NotFoundError('Purple File call');
    if (c.responder_id !== responderId && !(await covers(actor, c.worker_id))) throw new ForbiddenError(NOT_COVERED);
    return responderId;
  }

  async function mayViewCall(actor: Actor, callId: number) {
    if (can(actor, 'purple_file.use') && actor.staffId !== null) {
      const c = await repo.callParties(callId);
      if (!c) throw new NotFoundError('Purple File call');
      if (c.responder_id === actor.staffId || (await covers(actor, c.worker_id))) return;
    }
    if (actor.staffId !== null) {
      const told = await repo.toldAboutCall(actor.staffId, callId);
      if (told) return;
    }
    throw new ForbiddenError('The Purple File screen is for business support, managers and duty staff');
  }

  async function loadCall(callId: number, trx?: Trx) {
    const c = await (trx ? repo.callIn(trx, callId) : repo.call(callId));
    if (!c) throw new NotFoundError('Purple File call');
    return { ...c, answers: (c.answers ?? {}) as Answers };
  }

  return { mustRespond, covers, coverageOf, mustActOnCall, mayViewCall, loadCall };
}

export type CallAccess = ReturnType<typeof buildCallAccess>;
export type LoadedCall = Awaited<ReturnType<CallAccess['loadCall']>>;
