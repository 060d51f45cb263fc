import { Command } from 'commander';
import { DataDirectoryLockedError } from './db/data-dir-lock.ts';
import { Failed } from './cli/context.ts';
import { registerDatabaseCommands } from './cli/database.ts';
import { registerAccountCommands } from './cli/accounts.ts';
import { registerImportCommands } from './cli/imports.ts';
import { registerBankHolidayCommands } from './cli/bank-holidays.ts';
import { registerEmergencyCommands } from './cli/emergency.ts';
import { registerRetentionCommands } from './cli/retention.ts';
import { registerAuditCommands } from './cli/audit.ts';

/** Exits with code 1 after everything written to stdout and stderr has been handed to the pipe or terminal. */
function exitWhenFlushed(): void {
  process.exitCode = 1;
  process.stdout.write('', () => process.stderr.write('', () => process.exit(1)));
}

const program = new Command('harbour')
  .description('Harbour staff-safety service: administration commands')
  .showHelpAfterError();

// Registered in this order, which is the order `harbour --help` lists them in.
registerDatabaseCommands(program);
registerAccountCommands(program);
registerImportCommands(program);
registerBankHolidayCommands(program);
registerEmergencyCommands(program);
registerRetentionCommands(program);
registerAuditCommands(program);

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
