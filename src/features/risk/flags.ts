import type { Actor } from '../auth/actor.ts';
import { actorFields } from '../audit/service.ts';
import { can } from '../auth/access.ts';
import { CASE_SYSTEMS } from '../visits/schema.ts';
import { ForbiddenError, NotFoundError, ValidationError } from '../../errors.ts';
import { inTransaction } from '../../db/transaction.ts';
import type { FlagListFilter } from './flags-repository.ts';
import {
  FLAG_CATEGORIES,
  addDays,
  categoryLabel,
  endOfLondonDay,
  flagProblems,
  isHighRisk,
  lastDayOf,
  londonToday,
} from './rules.ts';
import type { FlagForm } from './schema.ts';
import type { RiskContext } from './context.ts';

/** Warning flags (raised, listed, withdrawn, each re-rating the planned sessions it concerns) and assessments due for review. */
export function buildRiskFlags(ctx: RiskContext) {
  const { db, repo, audit, now, flagChanged, teamIdsFor } = ctx;

  async function flagFor(actor: Actor, id: number) {
    if (!can(actor, 'risk.flags.manage'))
      throw new ForbiddenError(
        'Only managers, health and safety officers and administrators can withdraw warning flags',
      );
    const f = await repo.flag(id, now());
    if (!f) throw new NotFoundError('Warning flag');
    return {
      ...f,
      lastDay: lastDayOf(f.expires_at),
      categoryLabel: categoryLabel(f.category),
      highRisk: isHighRisk(f.category),
      caseSystemLabel: f.case_system
        ? ((CASE_SYSTEMS as Record<string, string>)[f.case_system] ?? f.case_system)
        : null,
    };
  }

  return {
    /** Warning flags: all of them for those who manage flags; otherwise only the live ones on one's own visits. */
    async flags(actor: Actor, filter: FlagListFilter = { q: '', category: null, status: null, page: 1 }) {
      const canManage = can(actor, 'risk.flags.manage');
      const at = now();
      const found = canManage
        ? await repo.listFlags('all', at, filter)
        : actor.staffId === null
          ? { rows: [], total: 0, page: 1 }
          : await repo.listFlags({ workerId: actor.staffId }, at, filter);
      return {
        canManage,
        total: found.total,
        page: found.page,
        flags: found.rows.map((f) => ({
          ...f,
          lastDay: lastDayOf(f.expires_at),
          categoryLabel: categoryLabel(f.category),
          highRisk: isHighRisk(f.category),
          caseSystemLabel: f.case_system
            ? ((CASE_SYSTEMS as Record<string, string>)[f.case_system] ?? f.case_system)
            : null,
        })),
        categories: Object.entries(FLAG_CATEGORIES).map(([value, c]) => ({
          value,
          text: c.label,
          highRisk: c.highRisk,
        })),
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
        const id = await repo.createFlag(
          trx,
          {
            caseSystem: form.caseSystem,
            caseId: form.caseId,
            postcode: form.postcode,
            category: form.category,
            description: form.description,
            expiresAt,
          },
          actor.accountId,
        );
        await audit.appendIn(trx, {
          ...actorFields(actor),
          action: 'warning_flag.raise',
          entityType: 'warning_flag',
          entityId: id,
          detail: {
            category: form.category,
            caseSystem: form.caseSystem,
            caseId: form.caseId,
            postcode: form.postcode,
          },
        });
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
      if (f.withdrawn_at)
        throw new ValidationError([{ field: 'reason', message: 'This warning has already been withdrawn' }]);
      await inTransaction(db, async (trx) => {
        if (!(await repo.withdrawFlag(trx, id, actor.accountId)))
          throw new ValidationError([{ field: 'reason', message: 'This warning has already been withdrawn' }]);
        await audit.appendIn(trx, {
          ...actorFields(actor),
          action: 'warning_flag.withdraw',
          entityType: 'warning_flag',
          entityId: id,
          detail: { reason, category: f.category, caseSystem: f.case_system, caseId: f.case_id, postcode: f.postcode },
        });
        await flagChanged(trx, id, actor, `a warning flag was withdrawn (${categoryLabel(f.category)})`);
      });
    },

    /** Risk assessments due for review in the next 30 days, or overdue, for the actor's teams. */
    async reviews(actor: Actor, filter: { overdueOnly: boolean; page: number } = { overdueOnly: false, page: 1 }) {
      if (!can(actor, 'risk.reviews.view')) throw new ForbiddenError();
      const today = londonToday(now());
      const found = await repo.reviewsDue(await teamIdsFor(actor), addDays(today, 30), {
        overdueBefore: filter.overdueOnly ? today : null,
        page: filter.page,
      });
      return {
        today,
        total: found.total,
        page: found.page,
        reviews: found.rows.map((r) => ({
          ...r,
          overdue: r.review_date < today,
          caseSystemLabel: r.case_system
            ? ((CASE_SYSTEMS as Record<string, string>)[r.case_system] ?? r.case_system)
            : null,
        })),
      };
    },
  };
}
