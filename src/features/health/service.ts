import type { HealthRepository, LagProbe } from './repository.ts';

/** How long the health queries may take before the engine counts as behind. */
export const PROBE_TIMEOUT_MS = 1_500;

export interface EngineReport {
  behind: boolean;
  /** Why it is behind, in words; empty when it is not. */
  reasons: string[];
  /** Age of the oldest due timer not fired; on a timeout, at least the age of the last good reading plus the time since. */
  engineLagSeconds: number;
  dispatcherLagSeconds: number;
  /** Null when the probe timed out. */
  probe: LagProbe | null;
}

/**
 * Whether the escalation engine and the dispatcher keep up, from the database: the oldest due timer
 * that has not fired, the oldest due message not yet taken, and each loop's last pass. The queries
 * give up after PROBE_TIMEOUT_MS (statement and lock timeouts, and a timer here for PGlite, whose
 * one connection a stuck transaction holds): a timeout counts as behind.
 */
export function buildEngineHealth(deps: { repo: HealthRepository; lagLimitSeconds: number; timeoutMs?: number }) {
  const timeoutMs = deps.timeoutMs ?? PROBE_TIMEOUT_MS;
  let lastGood: { at: number; engineLag: number; dispatcherLag: number } | null = null;
  const started = Date.now();

  async function check(): Promise<EngineReport> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), timeoutMs + 250);
    });
    const probing = deps.repo.probe(timeoutMs).catch(() => 'timeout' as const);
    const probe = await Promise.race([probing, timeout]).finally(() => clearTimeout(timer));
    const limit = deps.lagLimitSeconds;
    if (probe === 'timeout') {
      const since = lastGood ?? { at: started, engineLag: 0, dispatcherLag: 0 };
      const elapsed = (Date.now() - since.at) / 1000;
      return {
        behind: true,
        reasons: [
          `the database did not answer the engine's health queries within ${(timeoutMs / 1000).toFixed(1)} s (a lock on timers, or an overloaded database): counted as behind`,
        ],
        engineLagSeconds: since.engineLag + elapsed,
        dispatcherLagSeconds: since.dispatcherLag + elapsed,
        probe: null,
      };
    }
    lastGood = { at: Date.now(), engineLag: probe.oldestDueTimerSeconds, dispatcherLag: probe.oldestDueMessageSeconds };
    const reasons: string[] = [];
    if (probe.oldestDueTimerSeconds > limit) {
      reasons.push(
        `the escalation engine is ${Math.round(probe.oldestDueTimerSeconds)} s behind: a deadline or escalation step due that long ago has not fired (limit ${limit} s)`,
      );
    }
    if (probe.oldestDueMessageSeconds > limit) {
      reasons.push(
        `the dispatcher is ${Math.round(probe.oldestDueMessageSeconds)} s behind: a message due that long ago has not been handed to a channel (limit ${limit} s)`,
      );
    }
    return {
      behind: reasons.length > 0,
      reasons,
      engineLagSeconds: probe.oldestDueTimerSeconds,
      dispatcherLagSeconds: probe.oldestDueMessageSeconds,
      probe,
    };
  }

  return { check };
}

export type EngineHealth = ReturnType<typeof buildEngineHealth>;
