import type { Actor } from '../auth/actor.ts';
import type { IdempotencyRepository } from './repository.ts';

/** The field a form (or a replayed offline action) carries its key in. */
export const IDEMPOTENCY_FIELD = 'idempotency_key';
/** A claim still pending after this long belonged to a request that died; another may take it. */
const STALE_MS = 2 * 60_000;
/** Keys are kept this long: far longer than a phone stays out of signal. */
export const KEEP_DAYS = 7;

export function idempotencyKeyFrom(body: unknown): string | null {
  const v = (body as Record<string, unknown> | null | undefined)?.[IDEMPOTENCY_FIELD];
  return typeof v === 'string' && /^[A-Za-z0-9_-]{8,100}$/.test(v) ? v : null;
}

/**
 * Does an action once per idempotency key. The first request with a key claims it, runs the
 * action and records where it led; a replay with the same key (the phone sending again what it
 * queued offline, or a double tap) is answered with that first result and writes nothing. A
 * failed action releases the key, so fixing the input and sending again works. No key: runs as usual.
 */
export function buildIdempotencyService(deps: { idempotency: IdempotencyRepository; now?: () => Date }) {
  const { idempotency: repo } = deps;
  const now = deps.now ?? (() => new Date());
  return {
    async once(actor: Actor, body: unknown, action: string, location: string, run: () => Promise<unknown>): Promise<string> {
      const key = idempotencyKeyFrom(body);
      if (!key) {
        await run();
        return location;
      }
      const existing = await repo.claim(actor.accountId, key, action);
      if (existing) {
        if (existing.status === 'done') return existing.location ?? location;
        // Still running elsewhere (a double tap): do not run it twice.
        if (!(await repo.takeOver(actor.accountId, key, new Date(now().getTime() - STALE_MS)))) return location;
      }
      try {
        await run();
      } catch (e) {
        await repo.release(actor.accountId, key);
        throw e;
      }
      await repo.done(actor.accountId, key, location);
      return location;
    },
    /** Housekeeping: forgets keys older than a week. */
    purge: () => repo.purge(new Date(now().getTime() - KEEP_DAYS * 86_400_000)),
  };
}
export type IdempotencyService = ReturnType<typeof buildIdempotencyService>;
