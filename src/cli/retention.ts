import type { Command } from 'commander';
import { formatRetention } from '../features/retention/format.ts';
import { withServices } from './context.ts';

/** `harbour retention [--dry-run]`. */
export function registerRetentionCommands(program: Command): void {
  program
    .command('retention')
    .description(
      'erase or anonymise what the retention schedule says is due (each action audited); --dry-run only counts',
    )
    .option('--dry-run', 'print what would happen, by kind of record, with counts; change nothing')
    .action((opts: { dryRun?: boolean }) =>
      withServices(async ({ services }) => {
        const summary = opts.dryRun ? await services.retention.dryRun() : await services.retention.runNow('cli');
        console.log(formatRetention(summary, services.retention.schedule()));
      }),
    );
}
