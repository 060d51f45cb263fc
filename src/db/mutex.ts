/**
 * A first-come first-served lock. PGlite has a single connection, so a transaction opened by one
 * caller must not see another caller's statements in the middle of it: every user of the embedded
 * database (Kysely and pg-boss alike) takes this lock around its statements.
 */
export class Mutex {
  private tail: Promise<void> = Promise.resolve();

  /**
   * Waits for the lock. With `timeoutMs`, gives up with `MutexTimeoutError` instead of waiting
   * for ever; the place in the queue is then passed straight on, so later waiters are not stuck.
   */
  async acquire(timeoutMs?: number): Promise<() => void> {
    let release!: () => void;
    const next = new Promise<void>((resolve) => (release = resolve));
    const previous = this.tail;
    this.tail = previous.then(() => next);
    if (timeoutMs === undefined) {
      await previous;
      return release;
    }
    let timer: NodeJS.Timeout | undefined;
    const acquired = await Promise.race([
      previous.then(() => true),
      new Promise<false>((resolve) => {
        timer = setTimeout(() => resolve(false), timeoutMs);
      }),
    ]);
    clearTimeout(timer);
    if (!acquired) {
      void previous.then(release);
      throw new MutexTimeoutError(timeoutMs);
    }
    return release;
  }

  async run<T>(fn: () => Promise<T>): Promise<T> {
    const release = await this.acquire();
    try {
      return await fn();
    } finally {
      release();
    }
  }
}

export class MutexTimeoutError extends Error {
  constructor(timeoutMs: number) {
    super(
      `Waited ${timeoutMs / 1000}s for the embedded database. The usual cause is a query on the outer ` +
        'database handle inside a transaction: inside db.transaction() use only the transaction handle.',
    );
  }
}
