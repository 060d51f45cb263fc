import { sql, type Kysely } from 'kysely';
import type { DB } from '../../db/schema.ts';
import type { Executor } from '../audit/repository.ts';
import type { CalendarEvent } from './parse.ts';

export interface StoredPreview {
  id: string;
  staffId: number;
  fileName: string | null;
  events: CalendarEvent[];
  truncated: boolean;
  warnings: string[];
  expiresAt: Date;
}

type StoredEvent = Omit<CalendarEvent, 'start' | 'end'> & { start: string; end: string };

const revive = (e: StoredEvent): CalendarEvent => ({ ...e, start: new Date(e.start), end: new Date(e.end) });

export function buildCalendarRepository(db: Kysely<DB>) {
  return {
    async savePreview(p: StoredPreview) {
      await db
        .insertInto('calendar_previews')
        .values({
          id: p.id,
          staff_id: p.staffId,
          file_name: p.fileName,
          events: JSON.stringify(p.events),
          truncated: p.truncated,
          warnings: JSON.stringify(p.warnings),
          expires_at: p.expiresAt,
        })
        .execute();
    },
    /** A preview for its owner, if it has not expired. */
    async preview(id: string, staffId: number, now: Date): Promise<StoredPreview | null> {
      const row = await db
        .selectFrom('calendar_previews')
        .selectAll()
        .where('id', '=', id)
        .where('staff_id', '=', staffId)
        .where('expires_at', '>', now)
        .executeTakeFirst();
      if (!row) return null;
      return {
        id: row.id,
        staffId: row.staff_id,
        fileName: row.file_name,
        truncated: row.truncated,
        expiresAt: new Date(row.expires_at),
        events: (row.events as StoredEvent[]).map(revive),
        warnings: row.warnings as string[],
      };
    },
    async deletePreview(id: string) {
      await db.deleteFrom('calendar_previews').where('id', '=', id).execute();
    },
    async deleteExpiredPreviews(now: Date) {
      const r = await db.deleteFrom('calendar_previews').where('expires_at', '<=', now).executeTakeFirst();
      return Number(r.numDeletedRows);
    },

    /** Which of these occurrence keys the worker already has a visit for (whatever its state). */
    async importedKeys(staffId: number, keys: string[]): Promise<Set<string>> {
      if (keys.length === 0) return new Set();
      const rows = await db
        .selectFrom('visits')
        .select('ical_uid')
        .where('worker_id', '=', staffId)
        .where('ical_uid', 'in', keys)
        .execute();
      return new Set(rows.map((r) => r.ical_uid!));
    },

    /** The sign-in account a subscription's imports are made as. */
    accountForStaff(staffId: number) {
      return db
        .selectFrom('accounts')
        .selectAll()
        .where('staff_id', '=', staffId)
        .where('disabled_at', 'is', null)
        .orderBy('id')
        .executeTakeFirst();
    },

    subscriptions(staffId: number) {
      return db
        .selectFrom('calendar_subscriptions')
        .selectAll()
        .where('staff_id', '=', staffId)
        .orderBy('created_at')
        .orderBy('id')
        .execute();
    },
    subscription(id: number) {
      return db.selectFrom('calendar_subscriptions').selectAll().where('id', '=', id).executeTakeFirst();
    },
    async addSubscription(ex: Executor, staffId: number, url: string, createdBy: number) {
      return (
        await ex
          .insertInto('calendar_subscriptions')
          .values({ staff_id: staffId, url, created_by: createdBy })
          .returning('id')
          .executeTakeFirstOrThrow()
      ).id;
    },
    async removeSubscription(ex: Executor, id: number) {
      await ex.deleteFrom('calendar_subscriptions').where('id', '=', id).execute();
    },
    /** Subscriptions not read since `before` (or never), oldest first. */
    due(before: Date, limit: number) {
      return db
        .selectFrom('calendar_subscriptions')
        .selectAll()
        .where((eb) => eb.or([eb('last_fetched_at', 'is', null), eb('last_fetched_at', '<', before)]))
        .orderBy(sql`last_fetched_at asc nulls first`)
        .orderBy('id')
        .limit(limit)
        .execute();
    },
    async recordFetch(
      id: number,
      changes: { last_fetched_at: Date; last_error: string | null; last_result?: string | null; etag?: string | null },
    ) {
      await db.updateTable('calendar_subscriptions').set(changes).where('id', '=', id).execute();
    },
  };
}

export type CalendarRepository = ReturnType<typeof buildCalendarRepository>;
