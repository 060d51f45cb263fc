import type { ScheduleRow } from './rules.ts';
import type { RunSummary } from './context.ts';

/** `harbour retention [--dry-run]`: one line per kind of record with its period, what is due and what was (or would be) done. */
export function formatRetention(summary: RunSummary, rows: ScheduleRow[]): string {
  const lines = [summary.dryRun ? 'Retention dry run: nothing is changed' : 'Retention run'];
  for (const k of summary.kinds) {
    const row = rows.find((r) => r.kind === k.kind)!;
    const kept = Object.entries(k.keptReasons)
      .map(([why, n]) => `${n} ${why}`)
      .join(', ');
    const verb =
      row.action === 'existing'
        ? 'left to its own job'
        : summary.dryRun
          ? `would ${row.action}`
          : `${row.action === 'erase' ? 'erased' : 'anonymised'}`;
    const acted = row.action === 'existing' ? '' : summary.dryRun ? ` ${k.due - k.kept}` : ` ${k.done}`;
    lines.push(
      `${row.label}: keep ${row.period} from "${row.runsFrom.toLowerCase()}"; due now ${k.due}; ${verb}${acted}${k.kept ? `; kept ${k.kept} (${kept})` : ''}`,
    );
  }
  return lines.join('\n');
}
