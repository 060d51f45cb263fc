import type { Kysely } from 'kysely';
import type { DB } from '../../db/schema.ts';
import { inTransaction } from '../../db/transaction.ts';
import type { buildAuditRepository } from '../audit/repository.ts';
import type { buildHolidaysRepository } from './repository.ts';
import {
  BUNDLED_BANK_HOLIDAYS,
  mergeBankHolidays,
  parseBankHolidayFile,
  type BankHolidayFile,
} from '../../time/bank-holidays.ts';
import { complaintsCalendar, foiCalendar, type WorkingDayCalendar } from '../../time/working-days.ts';

interface Deps {
  db: Kysely<DB>;
  holidays: ReturnType<typeof buildHolidaysRepository>;
  audit: ReturnType<typeof buildAuditRepository>;
}
export interface Calendars {
  complaints: WorkingDayCalendar;
  foi: WorkingDayCalendar;
  loadedAt: Date | null;
}

/**
 * The working-day calendars for the statutory clocks (complaints, FOI), built from the bundled
 * bank holidays with the newest loaded GOV.UK file laid over them. Each process keeps the built
 * calendars until a newer file appears (one cheap query per use), so every instance agrees.
 */
export function buildHolidaysService({ db, holidays, audit }: Deps) {
  let cached: { id: number; calendars: Calendars } | null = null;

  async function calendars(): Promise<Calendars> {
    const latest = await holidays.latest();
    const id = latest?.id ?? 0;
    if (cached?.id === id) return cached.calendars;
    let file: BankHolidayFile = BUNDLED_BANK_HOLIDAYS;
    if (latest) {
      file = mergeBankHolidays(BUNDLED_BANK_HOLIDAYS, parseBankHolidayFile(await holidays.content(id)));
    }
    cached = {
      id,
      calendars: {
        complaints: complaintsCalendar(file),
        foi: foiCalendar(file),
        loadedAt: latest ? new Date(latest.loaded_at) : null,
      },
    };
    return cached.calendars;
  }

  return {
    calendars,
    /** Loads a GOV.UK bank holidays file (already JSON-parsed); refused whole if not in that format. */
    async update(input: unknown, loadedBy: string) {
      const file = parseBankHolidayFile(input);
      const events =
        file['england-and-wales'].events.length + file.scotland.events.length + file['northern-ireland'].events.length;
      await inTransaction(db, async (trx) => {
        const id = await holidays.insert(trx, loadedBy, file);
        await audit.appendIn(trx, {
          actorId: null,
          actorLabel: loadedBy,
          action: 'bank_holidays.update',
          entityType: 'bank_holiday_updates',
          entityId: id,
          ip: null,
          detail: { events },
        });
      });
      return { events };
    },
  };
}
export type HolidaysService = ReturnType<typeof buildHolidaysService>;
