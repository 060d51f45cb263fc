import type { FastifyPluginAsync } from 'fastify';
import { PROBE_TIMEOUT_MS, type EngineHealth } from './service.ts';

export interface HealthInfo { status: 'ok' | 'degraded'; database: string; migration: string | null; jobs?: string }

/**
 * GET /health: the database and migration (from the runtime), and whether the escalation engine and
 * the dispatcher keep up. 503 with `reason` when the engine or the dispatcher is behind by more
 * than ENGINE_LAG_LIMIT_SECONDS, or when the database does not answer the lag queries in time.
 */
export const healthRoutes: FastifyPluginAsync<{ health?: (() => Promise<HealthInfo>) | undefined; engine?: EngineHealth | undefined }> = async (app, { health, engine }) => {
  app.get('/health', { schema: { hide: true } }, async (_request, reply) => {
    // Both at once, and neither may hang: on PGlite a stuck transaction holds the one connection
    // every query needs; on PostgreSQL a lock on timers blocks the engine's queries.
    const [base, report] = await Promise.all([
      health
        ? withDeadline(health(), PROBE_TIMEOUT_MS + 500).catch(() => null)
        : Promise.resolve<HealthInfo>({ status: 'ok', database: 'unknown', migration: null }),
      engine?.check() ?? Promise.resolve(null),
    ]);
    const reasons = [...(base ? [] : ['the database did not answer in time']), ...(report?.reasons ?? [])];
    const info: HealthInfo & { reason?: string; engine?: unknown } = {
      ...(base ?? { status: 'degraded' as const, database: 'unreachable', migration: null }),
      ...(reasons.length ? { status: 'degraded' as const, reason: reasons.join('; ') } : {}),
    };
    if (report) {
      const p = report.probe;
      info.engine = {
        behind: report.behind,
        oldestDueTimerSeconds: round(report.engineLagSeconds),
        oldestDueMessageSeconds: round(report.dispatcherLagSeconds),
        ...(p ? {
          timersDue: p.timersDue,
          oldestUnacceptedAlarmSeconds: round(p.oldestUnacceptedAlarmSeconds),
          queued: p.queued,
          unreachedRecipients: p.unreachedRecipients,
          lastPass: lastPasses(p.loops),
        } : {}),
      };
    }
    return reply.code(info.status === 'ok' ? 200 : 503).send(info);
  });
};

const round = (s: number) => Math.round(s * 10) / 10;

/** Each loop's last pass by any instance, and how long ago, with every instance's own. */
function lastPasses(loops: { loop: string; instance: string; at: Date }[]) {
  const out: Record<string, { at: string; secondsAgo: number; instances: Record<string, string> }> = {};
  for (const l of loops) {
    const entry = out[l.loop] ??= { at: l.at.toISOString(), secondsAgo: round((Date.now() - l.at.getTime()) / 1000), instances: {} };
    entry.instances[l.instance] = l.at.toISOString();
  }
  return out;
}

function withDeadline<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => { timer = setTimeout(() => reject(new Error('timed out')), ms); });
  return Promise.race([promise, late]).finally(() => clearTimeout(timer));
}
