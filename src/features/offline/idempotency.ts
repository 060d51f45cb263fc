import type { Kysely } from 'kysely';
import type { DB } from '../../db/schema.ts';
import type { Actor } from '../auth/actor.ts';
import type { IdempotencyRepository } from './repository.ts';
import { inOneTransaction } from '../../db/action-scope.ts';
import { ConflictError } from '../../errors.ts';
import { failpoint } from '../../failpoints.ts';

/** The field a form (or a replayed offline action) carries its key in. */
export const IDEMPOTENCY_FIELD = 'idempotency_key';
/** Keys are kept this long: far longer than a phone stays out of signal. */
export const KEEP_DAYS = 7;
/** How long a replay waits for an attempt with the same key that is still running before answering 409. */
const WAIT_FOR_IN_FLIGHT_MS = 10_000;

export function idempotencyKeyFrom(body: unknown): string | null {
  const v = (body as Record<string, unknown> | null | undefined)?.[IDEMPOTENCY_FIELD];
  return typeof v === 'string' && /^[A-Za-z0-9_-]{8,100}$/.test(v) ? v : null;
}

/**
 * What an action answered: where to go next, and (when it carried a key) a receipt. The receipt is
 * the key itself, given only once the key and the action's effect have committed together, so a
 * phone that gets it back may forget the tap; anything else (an error, a sign-in page) means it
 * must keep it and send it again.
 */
export interface ActionDone {
  location: string;
  receipt: string | null;
}

/**
 * Does an action once per idempotency key. The key is claimed in the same transaction as the
 * action's effect (every query the action makes joins it: `inOneTransaction`), so they commit
 * together or not at all: a process killed mid-action leaves neither, and the replay runs it. A
 * replay of an attempt that committed is answered with that first result and writes nothing; a
 * replay that meets an attempt still in flight waits for it, up to 10 s, then gets a 409 that the
 * phone retries. A failed action (bad input) rolls its key back too, so fixing the input and sending
 * again works. No key: runs as usual.
 */
export function buildIdempotencyService(deps: {
  db: Kysely<DB>;
  idempotency: IdempotencyRepository;
  now?: () => Date;
}) {
  const { db, idempotency: repo } = deps;
  const now = deps.now ?? (() => new Date());
  return {
    /** `location` is where the action leads, or how to read it from the action's result. */
    async once<T>(
      actor: Actor,
      body: unknown,
      action: string,
      location: string | ((result: T) => string),
      run: () => Promise<T>,
    ): Promise<ActionDone> {
      const key = idempotencyKeyFrom(body);
      const where = (result: T) => (typeof location === 'string' ? location : location(result));
      if (!key) return { location: where(await run()), receipt: null };
      return inOneTransaction(db, async (trx) => {
        await repo.limitWait(trx, WAIT_FOR_IN_FLIGHT_MS);
        let existing;
        try {
          existing = await repo.claimIn(trx, actor.accountId, key, action);
        } catch (e) {
          if ((e as { code?: string }).code === '55P03')
            throw new ConflictError('This action is still being sent. Wait a moment and try again.');
          throw e;
        }
        if (existing) return { location: existing.location ?? '/', receipt: key };
        await repo.endWaitLimit(trx);
        await failpoint('action.claimed');
        const result = await run();
        const led = where(result);
        await repo.recordIn(trx, actor.accountId, key, led);
        await failpoint('action.done');
        return { location: led, receipt: key };
      });
    },
    /** Housekeeping: forgets keys older than a week. */
    purge: () => repo.purge(new Date(now().getTime() - KEEP_DAYS * 86_400_000)),
  };
}
export type IdempotencyService = ReturnType<typeof buildIdempotencyService>;
