import { DateTime } from 'luxon';
import type { Actor, Role } from '../auth/actor.ts';
import type { VisitInput } from '../visits/repository.ts';
import { CalendarFormatError, LONDON, defaultWindow, parseCalendar } from './parse.ts';
import { FeedError, fetchFeed } from './fetch-ics.ts';
import { defaultDescription, importProblem, isMarkedVisit, toVisitInput } from './rules.ts';
import { REFRESH_AFTER_MINUTES, type CalendarContext } from './context.ts';

/** The subscription job: each feed due is read and the events marked as visits imported. */
export function buildFeedRefresh({ repo, clock, policy, importNew }: CalendarContext) {
  function actorForAccount(a: {
    id: number;
    staff_id: number | null;
    email: string;
    display_name: string;
    roles: string[];
  }): Actor {
    return {
      accountId: a.id,
      staffId: a.staff_id,
      email: a.email,
      displayName: a.display_name,
      roles: a.roles as Role[],
      ip: null,
      via: 'session',
    };
  }

  async function refreshOne(
    sub: { id: number; staff_id: number; url: string; etag: string | null; last_fetched_at: Date | null },
    now: Date,
  ) {
    try {
      const account = await repo.accountForStaff(sub.staff_id);
      if (!account)
        throw new FeedError('This person has no active sign-in account, so nothing can be imported for them');
      // The window moves at midnight: an unchanged feed can still have new events in it on a new day.
      const sameDay =
        sub.last_fetched_at &&
        DateTime.fromJSDate(sub.last_fetched_at, { zone: LONDON }).hasSame(
          DateTime.fromJSDate(now, { zone: LONDON }),
          'day',
        );
      const res = await fetchFeed(sub.url, sameDay ? sub.etag : null, policy);
      if (res.notModified) {
        await repo.recordFetch(sub.id, { last_fetched_at: now, last_error: null });
        return { added: 0, failed: false };
      }
      const parsed = parseCalendar(res.text, defaultWindow(now));
      const marked = parsed.events.filter(isMarkedVisit);
      const inputs: VisitInput[] = [];
      let unusable = 0;
      let noLocation = 0;
      for (const e of marked) {
        if (importProblem(e)) unusable++;
        else if (!e.location) noLocation++;
        else inputs.push(toVisitInput(e, sub.staff_id, 'visit', defaultDescription(e.summary)));
      }
      const { added, skipped } = inputs.length
        ? await importNew(actorForAccount(account), sub.staff_id, inputs)
        : { added: 0, skipped: 0 };
      const parts = [`${added} ${added === 1 ? 'visit' : 'visits'} added`];
      if (skipped) parts.push(`${skipped} already imported`);
      if (noLocation)
        parts.push(
          `${noLocation} marked as ${noLocation === 1 ? 'a visit' : 'visits'} but with no location, so not imported`,
        );
      if (unusable) parts.push(`${unusable} all-day, too long or with no end time, so not imported`);
      if (parsed.truncated) parts.push('the calendar has more events than can be read at once');
      await repo.recordFetch(sub.id, {
        last_fetched_at: now,
        last_error: null,
        last_result: `${parts.join('; ')}.`,
        etag: res.etag,
      });
      return { added, failed: false };
    } catch (e) {
      const known = e instanceof FeedError || e instanceof CalendarFormatError;
      await repo.recordFetch(sub.id, {
        last_fetched_at: now,
        last_error: known ? e.message : 'The calendar could not be imported',
      });
      if (!known) throw Object.assign(e as Error, { subscriptionId: sub.id });
      return { added: 0, failed: true };
    }
  }

  return {
    /**
     * The subscription job: reads each feed not read in the last 10 minutes and imports the events
     * marked as visits (see rules.ts isMarkedVisit), idempotently. One feed failing does not stop
     * the others; its error is kept for the worker to see.
     */
    async refreshSubscriptions(options: { limit?: number } = {}) {
      const now = clock();
      await repo.deleteExpiredPreviews(now);
      const due = await repo.due(new Date(now.getTime() - REFRESH_AFTER_MINUTES * 60_000), options.limit ?? 200);
      let added = 0;
      let failed = 0;
      const crashed: unknown[] = [];
      for (const sub of due) {
        try {
          const r = await refreshOne(sub, now);
          added += r.added;
          if (r.failed) failed++;
        } catch (e) {
          failed++;
          crashed.push(e);
        }
      }
      if (crashed.length) throw crashed[0];
      return { checked: due.length, added, failed };
    },
  };
}
