import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import type { Command } from 'commander';
import { isRole, type Actor } from '../features/auth/actor.ts';
import { ForbiddenError } from '../errors.ts';
import { fail, withServices } from './context.ts';

/** `harbour import staff|training|incidents|complaints FILE`. */
export function registerImportCommands(program: Command): void {
  const importCmd = program.command('import').description('bulk imports');
  importCmd
    .command('staff <file>')
    .description('import staff and teams from CSV, all or nothing')
    .action((file: string) =>
      withServices(async ({ services }) => {
        const result = await services.staffImport.importStaff(null, readFileSync(file, 'utf8'), basename(file));
        if (!result.ok) {
          for (const e of result.errors) console.error(`line ${e.line}: ${e.message}`);
          fail(`${result.errors.length} problem(s); nothing was imported`);
        }
        console.log(
          `Imported: ${result.created} added, ${result.updated} updated, ${result.teamsCreated} teams created, ${result.accountsDisabled} leavers' accounts turned off`,
        );
      }),
    );

  importCmd
    .command('training <file>')
    .description(
      'import training completions from CSV (employee_number,course,completed_on,expires_on), all or nothing',
    )
    .action((file: string) =>
      withServices(async ({ services }) => {
        const result = await services.training.importFile(null, readFileSync(file, 'utf8'), basename(file));
        if (!result.ok) {
          for (const e of result.errors) console.error(`line ${e.line}: ${e.message}`);
          fail(`${result.errors.length} problem(s); nothing was imported`);
        }
        console.log(`Imported ${result.imported} training completion(s) for ${result.people} member(s) of staff`);
      }),
    );

  /**
   * Historic incidents and complaints: checked in full first (every problem listed, nothing written),
   * then written in one transaction. A terminal shows `Importing 1,200/4,000 rows` in place; a log or
   * pipe gets one plain line per 100 rows (`--as`: the account the import is recorded and audited as).
   */
  for (const kind of ['incidents', 'complaints'] as const) {
    importCmd
      .command(`${kind} <file>`)
      .description(`import historic ${kind} from CSV (docs/import-formats.md), all or nothing`)
      .requiredOption(
        '--as <email>',
        kind === 'incidents'
          ? 'the account the import is recorded as (health and safety or an administrator)'
          : 'the account the import is recorded as (the complaints team or an administrator)',
      )
      .action((file: string, opts: { as: string }) =>
        withServices(async ({ services, repos }) => {
          const account = await repos.accounts.findByEmail(opts.as);
          if (!account || account.disabled_at) fail(`No account that can sign in has the email ${opts.as}`);
          const actor: Actor = {
            accountId: account.id,
            staffId: account.staff_id,
            email: account.email,
            displayName: account.display_name,
            roles: account.roles.filter(isRole),
            ip: null,
            via: 'session',
          };
          let text: string;
          try {
            text = readFileSync(file, 'utf8');
          } catch (e) {
            fail(`Cannot read ${file} (${(e as NodeJS.ErrnoException).code ?? 'error'})`);
          }
          const tty = Boolean(process.stdout.isTTY);
          const progress = (written: number, total: number) => {
            const line = `Importing ${written.toLocaleString('en-GB')}/${total.toLocaleString('en-GB')} rows`;
            if (tty) process.stdout.write(`\r${line}${written === total ? '\n' : ''}`);
            else console.log(line);
          };
          try {
            const result =
              kind === 'incidents'
                ? await services.incidents.importHistoric(actor, text, basename(file), progress)
                : await services.complaints.importHistoric(actor, text, basename(file), progress);
            if (!result.ok) {
              for (const e of result.errors) console.error(`line ${e.line}: ${e.message}`);
              fail(`${result.errors.length} problem(s); nothing was imported`);
            }
            const count = 'created' in result ? result.created : result.imported;
            console.log(
              `Imported ${count.toLocaleString('en-GB')} ${kind === 'incidents' ? (count === 1 ? 'incident' : 'incidents') : count === 1 ? 'complaint' : 'complaints'} from ${basename(file)}`,
            );
          } catch (e) {
            if (e instanceof ForbiddenError) fail(`${opts.as} may not import ${kind}: ${e.message}`);
            throw e;
          }
        }),
      );
  }
}
