// The calendar service is assembled in index.ts from its capability modules. This path stays for the
// callers that still import it (routes.ts, test/db/calendar.test.ts).
export { buildCalendarService, MAX_SUBSCRIPTIONS, PREVIEW_TTL_MINUTES, REFRESH_AFTER_MINUTES } from './index.ts';
export type { CalendarDeps, CalendarService, Choice, PreviewItem, PreviewView, SubscriptionView } from './index.ts';
