import type { FastifyPluginAsync } from 'fastify';
import type { EngineHealth } from './service.ts';

export interface HealthInfo { status: 'ok' | 'degraded'; database: string; migration: string | null; jobs?: string }

/**
 * GET /health: the database and migration (from the runtime), and whether the escalation engine and
 * the dispatcher keep up. 503 with `reason` when the engine or the dispatcher is behind by more
 * than ENGINE_LAG_LIMIT_SECONDS, or when the database does not answer the lag queries in time.
 */
export const healthRoutes: FastifyPluginAsync<{ health?: (() => Promise<HealthInfo>) | undefined; engine?: EngineHealth | undefined }> = async (app, { health, engine }) => {
  app.get('/health', { schema: { hide: true } }, async (_request, reply) => {
    let info: HealthInfo & { reason?: string; engine?: unknown };
    try {
      info = health ? await health() : { status: 'ok', database: 'unknown', migration: null };
    } catch {
      return reply.code(503).send({ status: 'degraded', database: 'unreachable', migration: null, reason: 'the database did not answer' });
    }
    if (engine) {
      const report = await engine.check();
      const p = report.probe;
      info = {
        ...info,
        ...(report.behind ? { status: 'degraded' as const, reason: report.reasons.join('; ') } : {}),
        engine: {
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
        },
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
