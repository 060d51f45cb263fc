import { timingSafeEqual } from 'node:crypto';
import type { FastifyPluginAsync } from 'fastify';
import { Gauge, Registry } from 'prom-client';
import type { EngineHealth } from '../health/service.ts';
import { deliveryRegistry } from './registry.ts';

const sameToken = (given: string, expected: string) => {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
};

/**
 * GET /metrics in Prometheus text format, served only when METRICS_TOKEN is set, to
 * `Authorization: Bearer <METRICS_TOKEN>`. The lag gauges are read from the database at each scrape
 * (with the same short timeouts as /health: a timeout counts as behind); the delivery counters and
 * the alarm latency histogram are this process's own.
 */
export const metricsRoutes: FastifyPluginAsync<{ engine: EngineHealth; token: string }> = async (
  app,
  { engine, token },
) => {
  const registry = new Registry();
  const gauge = (name: string, help: string, labelNames: string[] = []) =>
    new Gauge({ name, help, labelNames, registers: [registry] });
  const engineLag = gauge(
    'harbour_engine_lag_seconds',
    'Age of the oldest due timer (deadline or escalation step) that has not fired; 0 when none. On a database timeout, at least the last reading plus the time since',
  );
  const dispatcherLag = gauge(
    'harbour_dispatcher_lag_seconds',
    'Age of the oldest message due to be handed to a channel and not yet taken; 0 when none',
  );
  const unaccepted = gauge(
    'harbour_oldest_unaccepted_alarm_seconds',
    'Age of the oldest alarm message of an open alert that no external provider has accepted yet',
  );
  const behind = gauge(
    'harbour_engine_behind',
    '1 when /health reports the engine or dispatcher behind (or the database did not answer in time), else 0',
  );
  const timersDue = gauge('harbour_timers_due', 'Due timers not yet fired');
  const queued = gauge('harbour_notifications_queued', 'Messages waiting to be sent or being sent, by channel', [
    'channel',
  ]);
  const unreached = gauge(
    'harbour_unreached_recipients',
    'Recipients of alerts not yet resolved whom no text, push or email has reached after trying them all',
  );
  const lastPass = gauge(
    'harbour_loop_last_pass_age_seconds',
    'Seconds since any instance last completed a pass of the loop',
    ['loop'],
  );
  const merged = Registry.merge([registry, deliveryRegistry]);

  app.get('/metrics', { schema: { hide: true } }, async (request, reply) => {
    const header = request.headers.authorization ?? '';
    if (!header.startsWith('Bearer ') || !sameToken(header.slice(7), token)) {
      return reply.code(401).header('www-authenticate', 'Bearer').send({ error: 'A metrics token is needed' });
    }
    const report = await engine.check();
    engineLag.set(report.engineLagSeconds);
    dispatcherLag.set(report.dispatcherLagSeconds);
    behind.set(report.behind ? 1 : 0);
    const p = report.probe;
    if (p) {
      unaccepted.set(p.oldestUnacceptedAlarmSeconds);
      timersDue.set(p.timersDue);
      queued.reset();
      for (const [channel, n] of Object.entries(p.queued)) queued.set({ channel }, n);
      unreached.set(p.unreachedRecipients);
      lastPass.reset();
      const latest = new Map<string, number>();
      for (const l of p.loops) latest.set(l.loop, Math.max(latest.get(l.loop) ?? 0, l.at.getTime()));
      for (const [loop, at] of latest) lastPass.set({ loop }, (Date.now() - at) / 1000);
    }
    return reply.header('content-type', merged.contentType).send(await merged.metrics());
  });
};
