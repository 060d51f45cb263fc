import type { Kysely } from 'kysely';
import type { DB } from '../../db/schema.ts';
import type { AuditRepository } from '../audit/repository.ts';
import { actorFields } from '../audit/service.ts';
import { can } from '../auth/access.ts';
import type { Actor } from '../auth/actor.ts';
import { ForbiddenError } from '../../errors.ts';
import type { NotificationsRepository, NotificationStatus } from './repository.ts';
import type { PushSubscriptionForm } from './schema.ts';
import { channelLabel } from './rules.ts';
import { ensureVapidKeys } from './web-push.ts';

export const OUTBOX_PAGE_SIZE = 50;

export function buildNotificationsService(deps: {
  db: Kysely<DB>;
  notifications: NotificationsRepository;
  audit: AuditRepository;
  pushEnabled: boolean;
  now?: () => Date;
}) {
  const { db, notifications: repo, audit, pushEnabled } = deps;
  const clock = deps.now ?? (() => new Date());

  function requireStaff(actor: Actor): number {
    if (actor.staffId === null)
      throw new ForbiddenError(
        'Your sign-in account is not linked to a member of staff, so Harbour sends you no messages',
      );
    return actor.staffId;
  }

  return {
    /** The signed-in person's messages, newest first. */
    async inbox(actor: Actor) {
      if (actor.staffId === null) return { linked: false, messages: [], unread: 0 };
      const [messages, unread] = await Promise.all([repo.inboxFor(actor.staffId), repo.unreadCount(actor.staffId)]);
      return { linked: true, messages, unread };
    },

    /**
     * Per alert, who has not been reached by text or email (every external channel failed). For
     * pages that have already checked the actor may see these alerts.
     */
    unreachedFor: (alertIds: string[]) => repo.unreachedFor(alertIds),

    unreadCount: (actor: Actor) => (actor.staffId === null ? Promise.resolve(0) : repo.unreadCount(actor.staffId)),

    /** Marks one of the person's own messages read. Anyone else's id changes nothing. */
    async markRead(actor: Actor, id: number) {
      if (actor.staffId === null) return false;
      return repo.markRead(actor.staffId, id, clock());
    },

    async markAllRead(actor: Actor) {
      if (actor.staffId === null) return 0;
      return repo.markAllRead(actor.staffId, clock());
    },

    /** Every notification, with its delivery state: what was (or would have been) sent. */
    async outbox(actor: Actor, filter: { status: NotificationStatus | null; page: number }) {
      if (!can(actor, 'outbox.view'))
        throw new ForbiddenError(
          'Only administrators, health and safety officers and business support can see the outbox',
        );
      const [rows, counts] = await Promise.all([
        repo.outbox(filter.status, OUTBOX_PAGE_SIZE, (filter.page - 1) * OUTBOX_PAGE_SIZE),
        repo.countsByStatus(),
      ]);
      return {
        counts,
        messages: rows.map((r) => ({
          ...r,
          recipient: `${r.given_name} ${r.family_name}`,
          channelLabel: channelLabel(r.channel),
          fallbackLabels: r.fallbacks.map(channelLabel),
          totalAttempts: Number(r.total_attempts ?? 0),
        })),
      };
    },

    async pushSettings(actor: Actor) {
      return {
        enabled: pushEnabled,
        devices: actor.staffId === null ? 0 : await repo.pushSubscriptionCount(actor.staffId),
      };
    },

    /** The key browsers subscribe with; null when Web Push is off. */
    async vapidPublicKey(): Promise<string | null> {
      if (!pushEnabled) return null;
      return (await ensureVapidKeys(repo)).publicKey;
    },

    /** Saves this browser's push subscription for the signed-in person. */
    async subscribe(actor: Actor, input: PushSubscriptionForm) {
      const staffId = requireStaff(actor);
      return db.transaction().execute(async (trx) => {
        const id = await repo.savePushSubscription(trx, staffId, input.endpoint, {
          p256dh: input.p256dh,
          auth: input.auth,
        });
        // The endpoint is a capability URL: the trail keeps only the push service's host.
        await audit.appendIn(trx, {
          ...actorFields(actor),
          action: 'push_subscription.save',
          entityType: 'staff',
          entityId: staffId,
          detail: { subscription: id, pushService: new URL(input.endpoint).host },
        });
        return id;
      });
    },

    /** Forgets every browser the person registered for push. */
    async removeDevices(actor: Actor) {
      const staffId = requireStaff(actor);
      return db.transaction().execute(async (trx) => {
        const removed = await repo.deletePushSubscriptionsFor(trx, staffId);
        await audit.appendIn(trx, {
          ...actorFields(actor),
          action: 'push_subscription.remove_all',
          entityType: 'staff',
          entityId: staffId,
          detail: { removed },
        });
        return removed;
      });
    },
  };
}

export type NotificationsService = ReturnType<typeof buildNotificationsService>;
