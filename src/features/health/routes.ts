import type { FastifyPluginAsync } from 'fastify';

export interface HealthInfo { status: 'ok' | 'degraded'; database: string; migration: string | null; jobs?: string }

export const healthRoutes: FastifyPluginAsync<{ health?: (() => Promise<HealthInfo>) | undefined }> = async (app, { health }) => {
  app.get('/health', { schema: { hide: true } }, async (_request, reply) => {
    if (!health) return { status: 'ok', database: 'unknown', migration: null };
    try {
      const info = await health();
      return reply.code(info.status === 'ok' ? 200 : 503).send(info);
    } catch {
      return reply.code(503).send({ status: 'degraded', database: 'unreachable', migration: null });
    }
  });
};
