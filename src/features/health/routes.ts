import type { FastifyPluginAsync } from 'fastify';
import { PROBE_TIMEOUT_MS, type EngineHealth, type EngineReport } from './service.ts';
import { statusPage } from './status.ts';
import type { ConfiguredChannels } from '../notifications/routing.ts';

export interface HealthInfo {
  status: 'ok' | 'degraded';
  database: string;
  migration: string | null;
  jobs?: string;
  /** Which alarm channels the configuration switches on: shown on /status, not in /health's JSON. */
  channels?: ConfiguredChannels;
}

/** What both /health and /status read: the runtime's own check and the engine's, at once, neither allowed to hang. */
async function readHealth(health: (() => Promise<HealthInfo>) | undefined, engine: EngineHealth | undefined) {
  // On PGlite a stuck transaction holds the one connection every query needs; on PostgreSQL a
  // lock on timers blocks the engine's queries.
  const [base, report] = await Promise.all([
    health
      ? withDeadline(health(), PROBE_TIMEOUT_MS + 500).catch(() => null)
      : Promise.resolve<HealthInfo>({ status: 'ok', database: 'unknown', migration: null }),
    engine?.check() ?? Promise.resolve(null),
  ]);
  const reasons = [...(base ? [] : ['the database did not answer in time']), ...(report?.reasons ?? [])];
  return { base, report, reasons };
}

/**
 * GET /health: the database and migration (from the runtime), and whether the escalation engine and
 * the dispatcher keep up. 503 with `reason` when the engine or the dispatcher is behind by more
 * than ENGINE_LAG_LIMIT_SECONDS, or when the database does not answer the lag queries in time.
 * GET /status: the same reading in plain English for people, signed in or not.
 */
export const healthRoutes: FastifyPluginAsync<{
  health?: (() => Promise<HealthInfo>) | undefined;
  engine?: EngineHealth | undefined;
}> = async (app, { health, engine }) => {
  app.get('/health', { schema: { hide: true } }, async (_request, reply) => {
    const { base, report, reasons } = await readHealth(health, engine);
    const { channels: _channels, ...shown } = base ?? {
      status: 'degraded' as const,
      database: 'unreachable',
      migration: null,
    };
    const info: HealthInfo & { reason?: string; engine?: unknown } = {
      ...shown,
      ...(reasons.length ? { status: 'degraded' as const, reason: reasons.join('; ') } : {}),
    };
    if (report) info.engine = engineJson(report);
    return reply.code(info.status === 'ok' ? 200 : 503).send(info);
  });

  app.get('/status', { schema: { hide: true } }, async (_request, reply) => {
    const { base, report, reasons } = await readHealth(health, engine);
    return reply.header('cache-control', 'no-store').view('health/status.njk', {
      title: 'Service status',
      ...statusPage({ base, report, reasons, now: new Date() }),
    });
  });
};

function engineJson(report: EngineReport) {
  const p = report.probe;
  return {
    behind: report.behind,
    oldestDueTimerSeconds: round(report.engineLagSeconds),
    oldestDueMessageSeconds: round(report.dispatcherLagSeconds),
    ...(p
      ? {
          timersDue: p.timersDue,
          oldestUnacceptedAlarmSeconds: round(p.oldestUnacceptedAlarmSeconds),
          queued: p.queued,
          unreachedRecipients: p.unreachedRecipients,
          lastPass: lastPasses(p.loops),
        }
      : {}),
  };
}

const round = (s: number) => Math.round(s * 10) / 10;

/** Each loop's last pass by any instance, and how long ago, with every instance's own. */
function lastPasses(loops: { loop: string; instance: string; at: Date }[]) {
  const out: Record<string, { at: string; secondsAgo: number; instances: Record<string, string> }> = {};
  for (const l of loops) {
    const entry = (out[l.loop] ??= {
      at: l.at.toISOString(),
      secondsAgo: round((Date.now() - l.at.getTime()) / 1000),
      instances: {},
    });
    entry.instances[l.instance] = l.at.toISOString();
  }
  return out;
}

function withDeadline<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error('timed out')), ms);
  });
  return Promise.race([promise, late]).finally(() => clearTimeout(timer));
}
