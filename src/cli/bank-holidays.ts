import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import type { Command } from 'commander';
import { ValidationError } from '../errors.ts';
import { fail, withServices } from './context.ts';

/** `harbour bank-holidays update FILE`. */
export function registerBankHolidayCommands(program: Command): void {
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
}
