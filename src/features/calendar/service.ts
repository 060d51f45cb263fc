import { randomBytes } from 'node:crypto';
import type { Kysely } from 'kysely';
import { DateTime } from 'luxon';
import type { DB } from '../../db/schema.ts';
import type { AuditRepository } from '../audit/repository.ts';
import { actorFields } from '../audit/service.ts';
import type { Actor, Role } from '../auth/actor.ts';
import type { VisitInput } from '../visits/repository.ts';
import type { VisitsService } from '../visits/index.ts';
import { VISIT_KINDS } from '../visits/schema.ts';
import { ForbiddenError, NotFoundError, ValidationError, type FieldError } from '../../errors.ts';
import { inTransaction } from '../../db/transaction.ts';
import { buildCalendarRepository, type StoredPreview } from './repository.ts';
import { CalendarFormatError, LONDON, defaultWindow, parseCalendar, type CalendarEvent } from './parse.ts';
import { DEFAULT_FETCH_POLICY, FeedError, fetchFeed, normaliseFeedUrl, type FetchPolicy } from './fetch-ics.ts';
import {
  DESCRIPTION_MAX,
  defaultDescription,
  importProblem,
  isMarkedVisit,
  occurrenceKey,
  toVisitInput,
  whenText,
} from './rules.ts';

export interface CalendarDeps {
  db: Kysely<DB>;
  visits: Pick<VisitsService, 'planMany'>;
  audit: AuditRepository;
  /** The clock: the import window and preview expiry are measured from it. */
  now?: () => Date;
  fetchPolicy?: Partial<FetchPolicy>;
}

export interface PreviewItem {
  index: number;
  summary: string;
  location: string | null;
  date: string;
  time: string;
  allDay: boolean;
  /** Why it cannot be chosen (all day, too long, already imported), or null. */
  problem: string | null;
  imported: boolean;
  description: string;
}

export interface PreviewView {
  id: string;
  fileName: string | null;
  items: PreviewItem[];
  selectable: number;
  truncated: boolean;
  warnings: string[];
  window: { from: string; to: string };
}

export interface Choice {
  index: number;
  kind: string;
  description: string;
}

export interface SubscriptionView {
  id: number;
  host: string;
  shownUrl: string;
  lastFetchedAt: Date | null;
  lastError: string | null;
  lastResult: string | null;
}

export const PREVIEW_TTL_MINUTES = 60;
export const MAX_SUBSCRIPTIONS = 5;
/** The job runs every 15 minutes; a feed read in the last 10 is not due yet. */
export const REFRESH_AFTER_MINUTES = 10;

const londonDay = (d: Date) => DateTime.fromJSDate(d, { zone: LONDON }).toFormat('d LLLL yyyy');

/** A URL for display: the host and a file name like calendar.ics; the rest (often a secret token) hidden. */
function shownUrl(url: string): string {
  try {
    const u = new URL(url);
    const file = u.pathname.split('/').filter(Boolean).at(-1) ?? '';
    return `${u.protocol}//${u.host}/…${/^[\w-]{1,24}\.ics$/i.test(file) ? `/${file}` : ''}`;
  } catch {
    return '…';
  }
}

export function buildCalendarService(deps: CalendarDeps) {
  const { db, visits, audit } = deps;
  const repo = buildCalendarRepository(db);
  const clock = deps.now ?? (() => new Date());
  const policy: FetchPolicy = { ...DEFAULT_FETCH_POLICY, ...deps.fetchPolicy };

  function staffIdOf(actor: Actor): number {
    if (actor.staffId === null)
      throw new ForbiddenError('Calendar import is for people with a staff record: your account has none');
    return actor.staffId;
  }

  async function view(p: StoredPreview, staffId: number): Promise<PreviewView> {
    const imported = await repo.importedKeys(staffId, p.events.map(occurrenceKey));
    const items = p.events.map((e, index): PreviewItem => {
      const already = imported.has(occurrenceKey(e));
      return {
        index,
        summary: e.summary,
        location: e.location,
        ...whenText(e),
        allDay: e.allDay,
        problem: already ? 'Already imported' : importProblem(e),
        imported: already,
        description: defaultDescription(e.summary),
      };
    });
    // The window the file was read with: measured from when it was uploaded.
    const window = defaultWindow(new Date(p.expiresAt.getTime() - PREVIEW_TTL_MINUTES * 60_000));
    return {
      id: p.id,
      fileName: p.fileName,
      items,
      selectable: items.filter((i) => !i.problem).length,
      truncated: p.truncated,
      warnings: p.warnings,
      window: { from: londonDay(window.from), to: londonDay(new Date(window.to.getTime() - 1)) },
    };
  }

  /**
   * Adds the visits not imported before. The unique index on (worker, ical_uid) settles a race
   * between two imports of the same events: the loser re-reads what is there and tries once more.
   */
  async function importNew(
    actor: Actor,
    staffId: number,
    inputs: VisitInput[],
  ): Promise<{ added: number; skipped: number }> {
    const unique = [...new Map(inputs.map((i) => [i.icalUid!, i])).values()];
    for (let attempt = 1; ; attempt++) {
      const existing = await repo.importedKeys(
        staffId,
        unique.map((i) => i.icalUid!),
      );
      const fresh = unique.filter((i) => !existing.has(i.icalUid!));
      if (fresh.length === 0) return { added: 0, skipped: inputs.length };
      try {
        await visits.planMany(actor, fresh);
        return { added: fresh.length, skipped: inputs.length - fresh.length };
      } catch (e) {
        if ((e as { code?: string }).code !== '23505' || attempt >= 2) throw e;
      }
    }
  }

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
    /** Reads an uploaded file and keeps its events in the window for an hour, for the worker to choose from. */
    async preview(actor: Actor, text: string, fileName: string | null): Promise<PreviewView> {
      const staffId = staffIdOf(actor);
      if (!text.trim()) throw new ValidationError([{ field: 'file', message: 'The selected file is empty' }]);
      const now = clock();
      const window = defaultWindow(now);
      let parsed;
      try {
        parsed = parseCalendar(text, window);
      } catch (e) {
        if (e instanceof CalendarFormatError)
          throw new ValidationError([
            {
              field: 'file',
              message:
                'The selected file must be an iCalendar (.ics) file exported from Outlook, Google or Apple Calendar',
            },
          ]);
        throw e;
      }
      if (parsed.events.length === 0) {
        throw new ValidationError([
          {
            field: 'file',
            message: `The file has no events between ${londonDay(window.from)} and ${londonDay(new Date(window.to.getTime() - 1))}`,
          },
        ]);
      }
      const stored: StoredPreview = {
        id: randomBytes(18).toString('base64url'),
        staffId,
        fileName: fileName ? fileName.slice(0, 200) : null,
        events: parsed.events,
        truncated: parsed.truncated,
        warnings: parsed.warnings,
        expiresAt: new Date(now.getTime() + PREVIEW_TTL_MINUTES * 60_000),
      };
      await repo.deleteExpiredPreviews(now);
      await repo.savePreview(stored);
      return view(stored, staffId);
    },

    async previewView(actor: Actor, id: string): Promise<PreviewView> {
      const staffId = staffIdOf(actor);
      const p = await repo.preview(id, staffId, clock());
      if (!p) throw new NotFoundError('Calendar preview');
      return view(p, staffId);
    },

    /** Creates the chosen events as visits, skipping any imported before. */
    async confirm(actor: Actor, previewId: string, choices: Choice[]): Promise<{ added: number; skipped: number }> {
      const staffId = staffIdOf(actor);
      const p = await repo.preview(previewId, staffId, clock());
      if (!p)
        throw new ValidationError([
          {
            field: 'file',
            message: 'The uploaded calendar has expired or was already imported. Upload the file again',
          },
        ]);
      if (choices.length === 0)
        throw new ValidationError([{ field: 'events', message: 'Select the events that are visits' }]);
      const errors: FieldError[] = [];
      const inputs: VisitInput[] = [];
      for (const c of choices) {
        const e: CalendarEvent | undefined = p.events[c.index];
        if (!e) {
          errors.push({ field: 'events', message: 'Select events from the list' });
          continue;
        }
        const when = whenText(e);
        const problem = importProblem(e);
        if (problem) {
          errors.push({
            field: 'events',
            message: `“${e.summary}” on ${when.date} cannot be imported: ${problem.toLowerCase()}`,
          });
          continue;
        }
        if (!(c.kind in VISIT_KINDS)) {
          errors.push({ field: `kind-${c.index}`, message: `Select what kind of lone working “${e.summary}” is` });
          continue;
        }
        const description = c.description.trim();
        if (description.length > DESCRIPTION_MAX) {
          errors.push({
            field: `description-${c.index}`,
            message: `The description of “${e.summary}” must be ${DESCRIPTION_MAX} characters or fewer`,
          });
          continue;
        }
        if (!e.location && c.kind !== 'home_working') {
          errors.push({
            field: `kind-${c.index}`,
            message: `“${e.summary}” on ${when.date} has no location. Choose home working, or add the address in your calendar and upload the file again`,
          });
          continue;
        }
        inputs.push(toVisitInput(e, staffId, c.kind, description));
      }
      if (errors.length) throw new ValidationError(errors);
      const result = await importNew(actor, staffId, inputs);
      await repo.deletePreview(p.id);
      return result;
    },

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

export type CalendarService = ReturnType<typeof buildCalendarService>;
