/** Seed 001: staff keep their Appendix A details up to date; managers check them at least yearly. */
export const PACK_MAX_AGE_MONTHS = 12;
/** A manager is reminded about one person at most this often. */
export const REMINDER_INTERVAL_DAYS = 30;

export type PackProblem = 'missing' | 'stale';

/** Is the pack missing or more than 12 months old? null when it is current. */
export function packProblem(updatedAt: Date | null, now: Date): PackProblem | null {
  if (!updatedAt) return 'missing';
  const limit = new Date(now);
  limit.setUTCMonth(limit.getUTCMonth() - PACK_MAX_AGE_MONTHS);
  return updatedAt < limit ? 'stale' : null;
}

/** Should the manager be reminded now, given when they were last reminded about this person? */
export function reminderDue(lastSent: Date | null, now: Date): boolean {
  return !lastSent || now.getTime() - lastSent.getTime() >= REMINDER_INTERVAL_DAYS * 86_400_000;
}
