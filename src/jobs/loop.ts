import type { Logger } from 'pino';

export interface Loop {
  stop(): Promise<void>;
  wake(): void;
}

/**
 * Runs `tick` again and again: straight away while it reports a full batch, otherwise after
 * `idleMs`, or sooner when the tick says when its next piece of work is due (`nextInMs`). Several processes may run the same loop; the tick itself must be safe for that
 * (FOR UPDATE SKIP LOCKED). stop() waits for the tick in progress to finish.
 */
export function startLoop(
  name: string,
  tick: () => Promise<{ more: boolean; nextInMs?: number | null }>,
  idleMs: number,
  logger: Logger,
): Loop {
  let stopped = false;
  let timer: NodeJS.Timeout | null = null;
  let wakeUp: (() => void) | null = null;
  let failures = 0;
  // A wake() during a tick must not be lost: the next sleep is skipped instead.
  let woken = false;
  const done = (async () => {
    while (!stopped) {
      let more = false;
      let nextInMs: number | null | undefined = null;
      woken = false;
      try {
        ({ more, nextInMs } = await tick());
        failures = 0;
      } catch (err) {
        failures++;
        // Keep going: a database blip must not stop alarms for good. Back off up to 5 s.
        logger.error({ err, loop: name, failures }, 'loop tick failed');
      }
      if (stopped) break;
      if (more || (woken && !failures)) continue;
      const wait = failures
        ? Math.min(5000, idleMs * 2 ** failures)
        : Math.max(0, Math.min(idleMs, nextInMs ?? idleMs));
      await new Promise<void>((resolve) => {
        wakeUp = resolve;
        timer = setTimeout(resolve, wait);
      });
      wakeUp = null;
    }
  })();
  return {
    wake() {
      woken = true;
      if (timer) clearTimeout(timer);
      wakeUp?.();
    },
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      wakeUp?.();
      await done;
    },
  };
}
