import type { Actor } from '../auth/actor.ts';
import { actorFields } from '../audit/service.ts';
import { NotFoundError, ValidationError } from '../../errors.ts';
import { inTransaction } from '../../db/transaction.ts';
import { normaliseFeedUrl } from './fetch-ics.ts';
import { shownUrl } from './shown-url.ts';
import { MAX_SUBSCRIPTIONS, type CalendarContext, type SubscriptionView } from './context.ts';

/** A worker's calendar subscriptions (feed addresses): listed, added, removed. */
export function buildSubscriptions({ db, audit, repo, policy, staffIdOf }: CalendarContext) {
  return {
    async subscriptions(actor: Actor): Promise<SubscriptionView[]> {
      const staffId = staffIdOf(actor);
      return (await repo.subscriptions(staffId)).map((s) => ({
        id: s.id,
        host: new URL(s.url).host,
        shownUrl: shownUrl(s.url),
        lastFetchedAt: s.last_fetched_at,
        lastError: s.last_error,
        lastResult: s.last_result,
      }));
    },

    async subscribe(actor: Actor, rawUrl: string): Promise<number> {
      const staffId = staffIdOf(actor);
      const checked = normaliseFeedUrl(rawUrl, policy.allowLoopback);
      if ('problem' in checked) throw new ValidationError([{ field: 'url', message: checked.problem }]);
      const existing = await repo.subscriptions(staffId);
      if (existing.some((s) => s.url === checked.url))
        throw new ValidationError([{ field: 'url', message: 'You have already added this calendar' }]);
      if (existing.length >= MAX_SUBSCRIPTIONS)
        throw new ValidationError([
          { field: 'url', message: `You can add up to ${MAX_SUBSCRIPTIONS} calendars. Remove one first` },
        ]);
      return inTransaction(db, async (trx) => {
        const id = await repo.addSubscription(trx, staffId, checked.url, actor.accountId);
        // Only the host: the full address is a secret that lets anyone read the calendar.
        await audit.appendIn(trx, {
          ...actorFields(actor),
          action: 'calendar.subscribe',
          entityType: 'calendar_subscription',
          entityId: id,
          detail: { host: new URL(checked.url).host },
        });
        return id;
      });
    },

    async unsubscribe(actor: Actor, id: number): Promise<void> {
      const staffId = staffIdOf(actor);
      const sub = await repo.subscription(id);
      if (!sub || sub.staff_id !== staffId) throw new NotFoundError('Calendar subscription');
      await inTransaction(db, async (trx) => {
        await repo.removeSubscription(trx, id);
        await audit.appendIn(trx, {
          ...actorFields(actor),
          action: 'calendar.unsubscribe',
          entityType: 'calendar_subscription',
          entityId: id,
          detail: { host: new URL(sub.url).host },
        });
      });
    },
  };
}
