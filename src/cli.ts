import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { Command, Option } from 'commander';
import { loadConfig } from './config.ts';
import { openDatabase } from './db/database.ts';
import { DataDirectoryLockedError } from './db/data-dir-lock.ts';
import { migrate } from './db/migrate.ts';
import { buildRepositories, buildServices } from './composition.ts';
import { seedDemo } from './demo/seed.ts';
import { ROLES, isRole, type Actor } from './features/auth/actor.ts';
import { ForbiddenError, ValidationError } from './errors.ts';
import { formatRetention } from './features/retention/format.ts';

async function withServices<T>(fn: (ctx: Awaited<ReturnType<typeof open>>) => Promise<T>): Promise<T> {
  const ctx = await open();
  try {
    return await fn(ctx);
  } finally {
    await ctx.database.close();
  }
}

async function open() {
  const config = loadConfig();
  const database = await openDatabase({ databaseUrl: config.databaseUrl, pgliteDataDir: config.pgliteDataDir });
  await migrate(database);
  const repos = buildRepositories(database.db);
  return {
    database,
    repos,
    config,
    services: buildServices(repos, {
      sessionTtlHours: config.sessionTtlHours,
      emergency: config.emergency,
      foi: config.foi,
      retention: config.retention,
    }),
  };
}

/** Thrown by fail(): unwinds to the end of this file, closing the database on the way. */
class Failed extends Error {}

/**
 * Prints the message and ends the command with exit code 1. It does not call process.exit() here:
 * writes to a pipe can still be queued, and exiting at once cut a long list of import problems
 * short. The end of this file exits once stderr has written everything.
 */
function fail(message: string): never {
  console.error(message);
  throw new Failed(message);
}

/** Exits with code 1 after everything written to stdout and stderr has been handed to the pipe or terminal. */
function exitWhenFlushed(): void {
  process.exitCode = 1;
  process.stdout.write('', () => process.stderr.write('', () => process.exit(1)));
}

const program = new Command('harbour')
  .description('Harbour staff-safety service: administration commands')
  .showHelpAfterError();

program
  .command('migrate')
  .description('apply database migrations')
  .action(async () => {
    const config = loadConfig();
    const database = await openDatabase({ databaseUrl: config.databaseUrl, pgliteDataDir: config.pgliteDataDir });
    try {
      const applied = await migrate(database);
      console.log(applied.length ? `Applied ${applied.join(', ')}` : 'Database is up to date');
    } finally {
      await database.close();
    }
  });

program
  .command('seed-demo')
  .description('load the demo council into an empty database')
  .action(() =>
    withServices(async ({ database, repos }) => {
      console.log(
        (await seedDemo(database.db, repos.audit, { history: true }))
          ? 'Demo council loaded'
          : 'The database already has an organisation; nothing loaded',
      );
    }),
  );

const user = program.command('user').description('sign-in accounts');
user
  .command('create')
  .requiredOption('--email <email>')
  .requiredOption('--name <name>', 'name to show')
  .option('--password <password>', 'at least 12 characters (or set HARBOUR_PASSWORD)')
  .addOption(new Option('--role <role...>', 'one or more roles').choices([...ROLES]).default(['worker']))
  .option('--staff <employeeNumber>', 'link to a member of staff')
  .action((opts: { email: string; name: string; password?: string; role: string[]; staff?: string }) =>
    withServices(async ({ services, repos }) => {
      const password = opts.password ?? process.env.HARBOUR_PASSWORD ?? fail('Give --password or set HARBOUR_PASSWORD');
      let staffId: number | null = null;
      if (opts.staff)
        staffId =
          (await repos.staff.byEmployeeNumbers([opts.staff]))[0]?.id ??
          fail(`No member of staff has employee number ${opts.staff}`);
      try {
        const id = await services.auth.createAccount(null, {
          email: opts.email,
          displayName: opts.name,
          password,
          roles: opts.role.filter(isRole),
          staffId,
        });
        console.log(`Created account ${id} for ${opts.email}`);
      } catch (e) {
        if (e instanceof ValidationError) fail(e.message);
        throw e;
      }
    }),
  );

const token = program.command('token').description('API tokens');
token
  .command('create')
  .requiredOption('--email <email>', 'the account the token acts as')
  .option('--name <name>', 'what the token is for', 'command line')
  .option('--days <days>', 'expires after this many days')
  .action((opts: { email: string; name: string; days?: string }) =>
    withServices(async ({ services, repos }) => {
      const account = (await repos.accounts.findByEmail(opts.email)) ?? fail(`No account for ${opts.email}`);
      const expires = opts.days ? new Date(Date.now() + Number(opts.days) * 86400_000) : null;
      const { token: secret } = await services.auth.createApiToken(null, account.id, opts.name, expires);
      console.log(secret);
    }),
  );

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
  .description('import training completions from CSV (employee_number,course,completed_on,expires_on), all or nothing')
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

const holidays = program
  .command('bank-holidays')
  .description('the working-day calendars behind the complaints and FOI deadlines');
holidays
  .command('update <file>')
  .description('load a GOV.UK bank holidays JSON file over the bundled copy')
  .action((file: string) =>
    withServices(async ({ services }) => {
      let json: unknown;
      try {
        json = JSON.parse(readFileSync(file, 'utf8'));
      } catch (err) {
        fail(`${file} is not JSON: ${(err as Error).message}`);
      }
      try {
        const { events } = await services.holidays.update(json, `cli:${basename(file)}`);
        console.log(
          `Loaded ${events} bank holidays from ${basename(file)}; the years it covers replace the bundled dates`,
        );
      } catch (err) {
        if (err instanceof ValidationError) fail(err.message);
        throw err;
      }
    }),
  );

const emergency = program.command('emergency').description('emergency contact and medical details (Appendix A)');
emergency
  .command('rotate-key')
  .description(
    're-encrypt every pack with EMERGENCY_PACK_KEY (keep the old key in EMERGENCY_PACK_PREVIOUS_KEYS until this is done)',
  )
  .action(() =>
    withServices(async ({ services }) => {
      const { keyId, development } = await services.emergency.ensureKey();
      if (development)
        fail('EMERGENCY_PACK_KEY is not set: set the new key (and the old one in EMERGENCY_PACK_PREVIOUS_KEYS) first');
      const result = await services.emergency.rotateKey();
      console.log(`Re-encrypted ${result.reencrypted} pack(s) with key ${keyId}`);
      // Authenticator-app keys are sealed with the same keyring.
      const totp = await services.auth.resealTotpSecrets();
      console.log(`Sealed ${totp.resealed} authenticator-app key(s) with key ${keyId}`);
      if (result.unreadable.length)
        fail(
          `${result.unreadable.length} pack(s) could not be opened with any configured key (staff ids ${result.unreadable.join(', ')}): add their key to EMERGENCY_PACK_PREVIOUS_KEYS and run this again`,
        );
      if (totp.unreadable.length)
        fail(
          `${totp.unreadable.length} authenticator-app key(s) could not be opened with any configured key (account ids ${totp.unreadable.join(', ')}): add their key to EMERGENCY_PACK_PREVIOUS_KEYS and run this again, or reset their second factor`,
        );
    }),
  );

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

try {
  await program.parseAsync(process.argv);
} catch (e) {
  if (e instanceof Failed) {
    exitWhenFlushed();
  } else if (e instanceof DataDirectoryLockedError) {
    // The server has the embedded database: say so plainly rather than with a stack trace.
    console.error(e.message);
    exitWhenFlushed();
  } else {
    throw e;
  }
}
