import { londonToday } from '../../time/london.ts';
import { can } from '../auth/access.ts';
import type { Actor } from '../auth/actor.ts';
import { system, type KindResult, type RetentionContext, type RunSummary, type Who } from './context.ts';
import { startSweep } from './sweep.ts';
import {
  sweepFlags,
  sweepFoiRequesters,
  sweepIncidents,
  sweepPacks,
  sweepRegisterEntries,
  sweepSessions,
} from './record-sweeps.ts';
import { sweepComplaints } from './complaint-sweep.ts';

/** Each kind's sweep, in the order a run takes them. */
const SWEEPS = [
  sweepSessions,
  sweepIncidents,
  sweepComplaints,
  sweepFlags,
  sweepRegisterEntries,
  sweepPacks,
  sweepFoiRequesters,
];

/** The retention runs: the page's dry run, `harbour retention [--dry-run]`, the nightly job, the last run. */
export function buildRuns(ctx: RetentionContext) {
  const { repo, audit, rows, mustManage } = ctx;

  /**
   * Goes through every kind of record: what is due, what is kept and why; unless a dry run, erases
   * or anonymises each due record in its own transaction with its audit entry.
   */
  async function run(dryRun: boolean, who: Who): Promise<RunSummary> {
    const at = ctx.now();
    const sweep = startSweep(ctx, dryRun, who, at, londonToday(at));
    const kinds: KindResult[] = [];
    for (const kind of SWEEPS) kinds.push(await kind(ctx, sweep));

    // Kept as now by their own jobs: counted, not touched here.
    const existing = await repo.existingDue();
    kinds.push({ ...sweep.result('idempotency_key'), due: existing.keys });
    kinds.push({ ...sweep.result('sign_in_session'), due: existing.sessions });
    return { dryRun, at: at.toISOString(), kinds };
  }

  async function runAndRecord(trigger: 'job' | 'cli' | 'page', who: Who) {
    const id = await repo.startRun(trigger);
    const summary = await run(false, who);
    await repo.finishRun(id, summary);
    await audit.append({
      ...who,
      action: 'retention.run',
      entityType: 'retention_runs',
      entityId: id,
      detail: { trigger, done: Object.fromEntries(summary.kinds.map((k) => [k.kind, k.done])) },
    });
    return summary;
  }

  return {
    /** The page: the schedule with what is due now (a dry run), open holds and the last run. */
    async overview(actor: Actor) {
      mustManage(actor);
      const [dry, holds, last] = await Promise.all([run(true, system), repo.openHolds(), repo.lastRun()]);
      return {
        rows: rows.map((row) => ({ ...row, result: dry.kinds.find((k) => k.kind === row.kind)! })),
        holds,
        lastRun: last ? toRun(last) : null,
      };
    },

    /** `harbour retention --dry-run`. */
    dryRun: () => run(true, system),
    /** `harbour retention` and the nightly job. */
    runNow: (trigger: 'job' | 'cli') =>
      runAndRecord(trigger, {
        ...system,
        actorLabel: trigger === 'cli' ? 'system (harbour retention)' : 'system (nightly retention job)',
      }),

    /** The newest run's summary, for the administrator's home page. */
    async lastRun(actor: Actor) {
      if (!can(actor, 'retention.manage')) return null;
      const last = await repo.lastRun();
      return { run: last ? toRun(last) : null };
    },
  };
}

function toRun(r: { id: number; started_at: Date; finished_at: Date | null; trigger: string; summary: unknown }) {
  const summary = r.summary as RunSummary;
  return {
    id: r.id,
    startedAt: r.started_at,
    finishedAt: r.finished_at,
    trigger: r.trigger,
    kinds: summary.kinds ?? [],
  };
}
