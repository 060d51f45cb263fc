/**
 * Batches calls: the first call writes at once; calls made while a write is in progress wait and go
 * together in the next write. Each caller gets its own answer (`pick`) or the write's error.
 */
export function groupWriter<T, R, A>(
  write: (batch: T[]) => Promise<R>,
  pick: (item: T, result: R) => A,
  maxBatch = 1000,
) {
  let queue: { item: T; resolve: (a: A) => void; reject: (e: unknown) => void }[] = [];
  let writing = false;
  async function drain() {
    if (writing) return;
    writing = true;
    try {
      while (queue.length) {
        const batch = queue.slice(0, maxBatch);
        queue = queue.slice(batch.length);
        try {
          const result = await write(batch.map((q) => q.item));
          for (const q of batch) q.resolve(pick(q.item, result));
        } catch (e) {
          // One bad item must not fail the others: write them one by one.
          if (batch.length === 1) batch[0]!.reject(e);
          else {
            for (const q of batch) {
              try {
                q.resolve(pick(q.item, await write([q.item])));
              } catch (err) {
                q.reject(err);
              }
            }
          }
        }
      }
    } finally {
      writing = false;
    }
  }
  return {
    record(item: T): Promise<A> {
      return new Promise<A>((resolve, reject) => {
        queue.push({ item, resolve, reject });
        void drain();
      });
    },
  };
}
