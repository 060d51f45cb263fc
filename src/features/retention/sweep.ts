import type { Kind } from './rules.ts';
import type { KindResult, RetentionContext, Trx, Who } from './context.ts';

/** One run's moment and mode, and the tally each kind's sweep keeps. */
export interface Sweep {
  dryRun: boolean;
  at: Date;
  /** London date of `at`. */
  today: string;
  result(kind: Kind): KindResult;
  keep(r: KindResult, why: string): void;
  /**
   * One due record: kept when there is a reason to (counted with it), otherwise, unless a dry run,
   * erased or anonymised in its own transaction with its audit entry.
   */
  dispose(
    r: KindResult,
    keptBecause: string | null,
    id: number | string,
    action: 'erase' | 'anonymise',
    detail: Record<string, unknown>,
    fn: (trx: Trx) => Promise<void>,
  ): Promise<void>;
}

export function startSweep(ctx: RetentionContext, dryRun: boolean, who: Who, at: Date, today: string): Sweep {
  const keep = (r: KindResult, why: string) => {
    r.kept++;
    r.keptReasons[why] = (r.keptReasons[why] ?? 0) + 1;
  };
  return {
    dryRun,
    at,
    today,
    result: (kind) => ({
      kind,
      label: ctx.label(kind),
      action: ctx.rows.find((r) => r.kind === kind)!.actionText,
      due: 0,
      done: 0,
      kept: 0,
      keptReasons: {},
    }),
    keep,
    async dispose(r, why, id, action, detail, fn) {
      r.due++;
      if (why) {
        keep(r, why);
        return;
      }
      if (!dryRun) {
        await ctx.act(who, r.kind, id, action, detail, fn);
        r.done++;
      }
    },
  };
}

/** The candidates a repository query gives, page after page (keyset on `cursor`), until none are left. */
export async function* pages<T, C>(first: C, fetch: (after: C, limit: number) => Promise<T[]>, cursor: (row: T) => C) {
  for (let after = first; ;) {
    const page = await fetch(after, BATCH);
    if (!page.length) return;
    after = cursor(page[page.length - 1]!);
    yield page;
  }
}

const BATCH = 500;
