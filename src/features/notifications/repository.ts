import type { Kysely } from 'kysely';
import type { DB } from '../../db/schema.ts';
import type { Executor } from '../audit/repository.ts';
import { buildDispatchRepository } from './dispatch-repository.ts';
import { buildInboxRepository } from './inbox-repository.ts';

export type { NotificationStatus } from './inbox-repository.ts';

/**
 * All the notifications SQL the service, the channels and the dispatcher use, one object: the
 * dispatcher's and the inbox's are their own modules; Web Push subscriptions and settings are here.
 */
export function buildNotificationsRepository(db: Kysely<DB>) {
  return {
    ...buildDispatchRepository(db),
    ...buildInboxRepository(db),

    // ---- Web Push subscriptions ----

    pushSubscriptionsFor: (staffId: number) =>
      db
        .selectFrom('push_subscriptions')
        .select(['endpoint', 'keys'])
        .where('staff_id', '=', staffId)
        .orderBy('id')
        .execute(),

    async pushSubscriptionCount(staffId: number): Promise<number> {
      const row = await db
        .selectFrom('push_subscriptions')
        .select((eb) => eb.fn.countAll<string>().as('n'))
        .where('staff_id', '=', staffId)
        .executeTakeFirstOrThrow();
      return Number(row.n);
    },

    /** Saves a browser's subscription; the same endpoint again (a re-subscribe) replaces the old row. */
    async savePushSubscription(
      ex: Executor,
      staffId: number,
      endpoint: string,
      keys: { p256dh: string; auth: string },
    ): Promise<number> {
      const row = await ex
        .insertInto('push_subscriptions')
        .values({ staff_id: staffId, endpoint, keys: JSON.stringify(keys) })
        .onConflict((oc) =>
          oc.column('endpoint').doUpdateSet({ staff_id: staffId, keys: JSON.stringify(keys), created_at: new Date() }),
        )
        .returning('id')
        .executeTakeFirstOrThrow();
      return row.id;
    },

    async deletePushSubscription(endpoint: string): Promise<void> {
      await db.deleteFrom('push_subscriptions').where('endpoint', '=', endpoint).execute();
    },

    async deletePushSubscriptionsFor(ex: Executor, staffId: number): Promise<number> {
      const r = await ex.deleteFrom('push_subscriptions').where('staff_id', '=', staffId).executeTakeFirst();
      return Number(r.numDeletedRows);
    },

    // ---- Settings Harbour makes for itself ----

    async setting(key: string): Promise<unknown> {
      return (await db.selectFrom('app_settings').select('value').where('key', '=', key).executeTakeFirst())?.value;
    },

    async insertSettingIfAbsent(key: string, value: unknown): Promise<void> {
      await db
        .insertInto('app_settings')
        .values({ key, value: JSON.stringify(value) })
        .onConflict((oc) => oc.column('key').doNothing())
        .execute();
    },
  };
}

export type NotificationsRepository = ReturnType<typeof buildNotificationsRepository>;
