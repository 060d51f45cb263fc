import { buildCalendarContext, type CalendarDeps } from './context.ts';
import { buildFileImport } from './file-import.ts';
import { buildSubscriptions } from './subscriptions.ts';
import { buildFeedRefresh } from './feed-refresh.ts';

export {
  MAX_SUBSCRIPTIONS,
  PREVIEW_TTL_MINUTES,
  REFRESH_AFTER_MINUTES,
  type CalendarDeps,
  type Choice,
  type PreviewItem,
  type PreviewView,
  type SubscriptionView,
} from './context.ts';

/**
 * Calendar import (`services.calendar`), assembled from its capabilities: an uploaded .ics file
 * previewed and imported, a worker's feed subscriptions, and the job that refreshes them.
 */
export function buildCalendarService(deps: CalendarDeps) {
  const ctx = buildCalendarContext(deps);
  return {
    ...buildFileImport(ctx),
    ...buildSubscriptions(ctx),
    ...buildFeedRefresh(ctx),
  };
}

export type CalendarService = ReturnType<typeof buildCalendarService>;
