import type { Actor } from '../auth/actor.ts';
import { actorFields } from '../audit/service.ts';
import { NotFoundError, ValidationError } from '../../errors.ts';
import { inTransaction } from '../../db/transaction.ts';
import { STATISTICS, questionCoversStaff, statistic } from './statistics.ts';
import { PERIODS, filterQuery, type AnswerForm, type StatFilter } from './schema.ts';
import { frozenFilter, jobRoleOptions, type FrozenAnswer, type FoiContext } from './context.ts';

/** Answering questions (with a statistic frozen as its published table, and later versions) and the statistics pages. */
export function buildFoiAnswers(ctx: FoiContext) {
  const { db, repo, audit, mustManage, mustFind, computeStatistic, freeze, labelled } = ctx;
  return {
    /** Records a question's outcome, answer and attached statistic. */
    async answer(actor: Actor, id: number, questionId: number, f: AnswerForm) {
      mustManage(actor);
      const r = await mustFind(id);
      if (r.status !== 'open')
        throw new ValidationError([
          { field: 'outcome', message: 'The response has been sent: answers can no longer change' },
        ]);
      if (f.statistic && !statistic(f.statistic))
        throw new ValidationError([{ field: 'statistic', message: 'Select a statistic from the list' }]);
      const q = await repo.question(id, questionId);
      if (!q) throw new NotFoundError('No such question');
      // The answer is frozen as saved: the published table with its period, filters, definitions and the
      // time of the data. Later records never change it; the request page offers a new version instead.
      // Where the statistic offers it, whether concerns raised by staff count is kept as decided (the default from the question's words).
      const statFilter =
        f.statFilter && statistic(f.statistic ?? '')?.staffConcernsOption
          ? { ...f.statFilter, staffConcerns: f.statFilter.staffConcerns ?? questionCoversStaff(q.text) }
          : f.statFilter;
      const frozen = f.statistic && statFilter ? await freeze(actor, id, questionId, f.statistic, statFilter) : null;
      await inTransaction(db, async (trx) => {
        await repo.updateQuestion(
          trx,
          questionId,
          {
            outcome: f.outcome,
            answer: f.answer,
            advice: f.advice,
            exemption: f.exemption,
            exemptionReasons: f.exemptionReasons,
            statistic: f.statistic,
            statisticParams: statFilter as unknown as Record<string, unknown> | null,
          },
          frozen,
        );
        await audit.appendIn(trx, {
          ...actorFields(actor),
          action: 'foi.answer',
          entityType: 'foi_questions',
          entityId: questionId,
          detail: { request: id, outcome: f.outcome, exemption: f.exemption, statistic: f.statistic },
        });
      });
    },
    /**
     * A new version of a saved answer's figures, from today's records over the same period and filters.
     * The earlier versions are kept with it, never overwritten. Only before the response is sent.
     */
    async newVersion(actor: Actor, id: number, questionId: number) {
      mustManage(actor);
      const r = await mustFind(id);
      if (r.status !== 'open')
        throw new ValidationError([
          { field: 'version', message: 'The response has been sent: the figures sent stay as they were' },
        ]);
      const q = await repo.question(id, questionId);
      if (!q?.statistic || !q.snapshot) throw new NotFoundError('No saved figures for this question');
      const old = q.snapshot as FrozenAnswer;
      const { versions: earlier, ...previous } = old;
      const next = await freeze(actor, id, questionId, q.statistic, frozenFilter(old));
      await inTransaction(db, async (trx) => {
        await repo.snapshot(trx, questionId, {
          ...next,
          versions: [...(earlier ?? []), previous],
        } satisfies FrozenAnswer);
        await audit.appendIn(trx, {
          ...actorFields(actor),
          action: 'foi.answer_version',
          entityType: 'foi_questions',
          entityId: questionId,
          detail: { request: id, statistic: q.statistic, versions: (earlier?.length ?? 0) + 2 },
        });
      });
    },
    // ---- Statistics ----
    catalogue(actor: Actor) {
      mustManage(actor);
      return STATISTICS.map((s) => ({
        name: s.name,
        title: s.title,
        seed: s.seed,
        question: s.question,
        source: s.source,
      }));
    },
    /** The filter a statistic page opens with: the job role its question names. */
    presetQuery(name: string): Record<string, string> {
      const role = statistic(name)?.jobRole;
      return role ? { jobRole: role } : {};
    },
    async statistic(actor: Actor, name: string, f: StatFilter) {
      mustManage(actor);
      const result = await computeStatistic(actor, name, f);
      return { ...result, filter: filterQuery(f) };
    },
    async statisticOptions() {
      return {
        periods: labelled(PERIODS),
        teams: await repo.teams(),
        services: await repo.services(),
        jobRoles: jobRoleOptions(),
      };
    },
  };
}
