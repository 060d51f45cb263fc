import type { FastifyPluginAsync } from 'fastify';
import type { Services } from '../../composition.ts';
import { requireActor } from '../../web/security.ts';
import { serveEvents } from '../../web/sse.ts';

export const boardRoutes: FastifyPluginAsync<{ services: Services; sseIntervalMs?: number }> = async (
  app,
  { services, sseIntervalMs = 3000 },
) => {
  /** Per alert on the board, who no text or email has reached. */
  const unreachedOn = (rows: { alert_id: string | number | null }[]) =>
    services.notifications.unreachedFor(rows.flatMap((r) => (r.alert_id === null ? [] : [String(r.alert_id)])));
  app.get('/board', async (request, reply) => {
    const actor = requireActor(request);
    const data = await services.board.board(actor);
    return reply.view('board/board.njk', {
      title: 'Live board',
      ...data,
      unreached: await unreachedOn(data.rows),
      now: new Date(),
    });
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
        const html = app.renderFragment('board/table.njk', {
          ...data,
          unreached: await unreachedOn(data.rows),
          now: new Date(),
        });
        return { key: html, data: { html, alarms: data.counts.alarms } };
      },
    });
  });
};
