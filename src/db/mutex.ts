/**
 * A first-come first-served lock. PGlite has a single connection, so a transaction opened by one
 * caller must not see another caller's statements in the middle of it: every user of the embedded
 * database (Kysely and pg-boss alike) takes this lock around its statements.
 */
export class Mutex {
  private tail: Promise<void> = Promise.resolve();

  async acquire(): Promise<() => void> {
    let release!: () => void;
    const next = new Promise<void>((resolve) => (release = resolve));
    const previous = this.tail;
    this.tail = previous.then(() => next);
    await previous;
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
