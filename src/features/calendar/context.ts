import type { Kysely } from 'kysely';
import { DateTime } from 'luxon';
import type { DB } from '../../db/schema.ts';
import type { AuditRepository } from '../audit/repository.ts';
import type { Actor } from '../auth/actor.ts';
import type { VisitInput } from '../visits/repository.ts';
import type { VisitsService } from '../visits/index.ts';
import { ForbiddenError } from '../../errors.ts';
import { buildCalendarRepository } from './repository.ts';
import { LONDON } from './parse.ts';
import { DEFAULT_FETCH_POLICY, type FetchPolicy } from './fetch-ics.ts';

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

export const londonDay = (d: Date) => DateTime.fromJSDate(d, { zone: LONDON }).toFormat('d LLLL yyyy');

/**
 * What every capability of the calendar service shares: the clock, the fetch policy, whose
 * calendar it is, and adding the visits an import brings that were not imported before.
 */
export function buildCalendarContext(deps: CalendarDeps) {
  const { db, visits, audit } = deps;
  const repo = buildCalendarRepository(db);
  const clock = deps.now ?? (() => new Date());
  const policy: FetchPolicy = { ...DEFAULT_FETCH_POLICY, ...deps.fetchPolicy };

  function staffIdOf(actor: Actor): number {
    if (actor.staffId === null)
      throw new ForbiddenError('Calendar import is for people with a staff record: your account has none');
    return actor.staffId;
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

  return { db, audit, repo, clock, policy, staffIdOf, importNew };
}

export type CalendarContext = ReturnType<typeof buildCalendarContext>;
