import type { FastifyPluginAsync } from 'fastify';
import type { Services } from '../../composition.ts';
import { requireActor } from '../../web/security.ts';
import { serveEvents } from '../../web/sse.ts';

export const boardRoutes: FastifyPluginAsync<{ services: Services; sseIntervalMs?: number }> = async (app, { services, sseIntervalMs = 3000 }) => {
  app.get('/board', async (request, reply) => {
    const actor = requireActor(request);
    return reply.view('board/board.njk', { title: 'Live board', ...(await services.board.board(actor)), now: new Date() });
  });

  /**
   * Server-Sent Events: re-renders the board's table on the server every few seconds and sends it
   * when it has changed. The page works without this (it is a complete page with a refresh link).
   */
  app.get('/board/events', async (request, reply) => {
    const actor = requireActor(request);
    await serveEvents(request, reply, 'board', {
      everyMs: sseIntervalMs,
      render: async () => {
        const data = await services.board.board(actor);
        const html = app.renderFragment('board/table.njk', { ...data, now: new Date() });
        return { key: html, data: { html, alarms: data.counts.alarms } };
      },
    });
  });
};
