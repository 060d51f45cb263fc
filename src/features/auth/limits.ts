/**
 * Sign-in limits (issue 17), pure. Only failures count, per email address tried (known or not, so
 * the answer says nothing about which accounts exist) and per client address. Each failure on an
 * address after the third makes the next attempt wait longer (1 s, 2 s, 4 s … up to a minute); at
 * `accountFailures` the address is locked for `lockMs`. A client address is locked at
 * `addressFailures`, high enough that an office behind one address is not locked out by its typos.
 */
export interface SignInLimits {
  accountFailures: number;
  addressFailures: number;
  /** Failures older than this (counted from the first) are forgotten. */
  windowMs: number;
  lockMs: number;
  /** Failures on an account before each further attempt must wait. */
  delayAfter: number;
  maxDelayMs: number;
}

export const DEFAULT_LIMITS: SignInLimits = {
  accountFailures: 10,
  addressFailures: 30,
  windowMs: 15 * 60_000,
  lockMs: 15 * 60_000,
  delayAfter: 3,
  maxDelayMs: 60_000,
};

export interface FailureCount {
  key: string;
  failures: number;
  first_failed_at: Date;
  last_failed_at: Date;
  locked_until: Date | null;
}

export const accountKey = (email: string) => `account:${email.trim().toLowerCase()}`;
export const addressKey = (ip: string) => `ip:${ip}`;
const isAccount = (key: string) => key.startsWith('account:');

function stale(row: FailureCount, now: Date, limits: SignInLimits) {
  const locked = row.locked_until && row.locked_until > now;
  return !locked && now.getTime() - row.first_failed_at.getTime() > limits.windowMs;
}

/** The wait before the next attempt after this many failures on one account (0 for the first few). */
export function delayMs(failures: number, limits: SignInLimits): number {
  if (failures < limits.delayAfter) return 0;
  return Math.min(1000 * 2 ** (failures - limits.delayAfter), limits.maxDelayMs);
}

/** Milliseconds before another attempt may be tried, given the counts for the account and the address; 0 = now. */
export function waitMs(rows: FailureCount[], now: Date, limits: SignInLimits): number {
  let wait = 0;
  for (const row of rows) {
    if (stale(row, now, limits)) continue;
    if (row.locked_until && row.locked_until > now) wait = Math.max(wait, row.locked_until.getTime() - now.getTime());
    else if (isAccount(row.key))
      wait = Math.max(wait, row.last_failed_at.getTime() + delayMs(row.failures, limits) - now.getTime());
  }
  return Math.max(0, wait);
}

/** The count after one more failure, and whether this failure locked it. */
export function afterFailure(
  key: string,
  row: FailureCount | undefined,
  now: Date,
  limits: SignInLimits,
): { next: FailureCount; locked: boolean } {
  const fresh = !row || stale(row, now, limits);
  const failures = fresh ? 1 : row.failures + 1;
  const limit = isAccount(key) ? limits.accountFailures : limits.addressFailures;
  const alreadyLocked = !fresh && row.locked_until !== null && row.locked_until > now;
  const locked = failures >= limit && !alreadyLocked;
  return {
    next: {
      key,
      failures,
      first_failed_at: fresh ? now : row.first_failed_at,
      last_failed_at: now,
      locked_until: locked ? new Date(now.getTime() + limits.lockMs) : fresh ? null : row.locked_until,
    },
    locked,
  };
}
