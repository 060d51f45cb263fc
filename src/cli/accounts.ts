import { Option, type Command } from 'commander';
import { ROLES, isRole } from '../features/auth/actor.ts';
import { ValidationError } from '../errors.ts';
import { fail, withServices } from './context.ts';

/** `harbour user create` and `harbour token create`. */
export function registerAccountCommands(program: Command): void {
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
        const password =
          opts.password ?? process.env.HARBOUR_PASSWORD ?? fail('Give --password or set HARBOUR_PASSWORD');
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
}
