import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { fail, withServices } from './context.ts';

/** `harbour audit verify [--checkpoints FILE]`. */
export function registerAuditCommands(program: Command): void {
  const audit = program.command('audit').description('audit trail');
  audit
    .command('verify')
    .description('check the hash chain and the checkpoints; names the first broken entry or checkpoint')
    .option('--checkpoints <file>', 'checkpoint file to compare with (default AUDIT_CHECKPOINT_FILE)')
    .action((opts: { checkpoints?: string }) =>
      withServices(async ({ services, config }) => {
        const file = opts.checkpoints ?? config.auditCheckpoint.file;
        if (!file) {
          const result = await services.audit.verify();
          if (!result.ok)
            fail(
              `Audit trail BROKEN at entry ${result.brokenId}: ${result.reason} (${result.checked} entries before it are intact)`,
            );
          console.log(
            `Audit trail intact: ${result.checked} entries checked. No checkpoint file (AUDIT_CHECKPOINT_FILE), so entries removed from the end would not show`,
          );
          return;
        }
        let text: string;
        try {
          text = readFileSync(file, 'utf8');
        } catch (e) {
          fail(`Cannot read the checkpoint file ${file} (${(e as NodeJS.ErrnoException).code ?? 'error'})`);
        }
        const { chain, problems, checkpoints } = await services.audit.verifyWithCheckpoints(
          text,
          config.auditCheckpoint.key,
        );
        if (!chain.ok)
          fail(
            `Audit trail BROKEN at entry ${chain.brokenId}: ${chain.reason} (${chain.checked} entries before it are intact)`,
          );
        if (problems.length)
          fail(problems.map((p) => `Checkpoint on line ${p.line} (entry ${p.id}): ${p.reason}`).join('\n'));
        console.log(
          `Audit trail intact: ${chain.checked} entries checked, and agrees with ${checkpoints} checkpoint(s) in ${file}`,
        );
      }),
    );
}
