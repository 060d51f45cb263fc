import type { Command } from 'commander';
import { loadConfig } from '../config.ts';
import { openDatabase } from '../db/database.ts';
import { migrate } from '../db/migrate.ts';
import { seedDemo } from '../demo/seed.ts';
import { withServices } from './context.ts';

/** `harbour migrate` and `harbour seed-demo`. */
export function registerDatabaseCommands(program: Command): void {
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
}
