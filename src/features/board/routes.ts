import type { FastifyPluginAsync } from 'fastify';
import { createHash } from 'node:crypto';
import type { Services } from '../../composition.ts';
import { requireActor } from '../../web/security.ts';

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
    reply.hijack();
    const res = reply.raw;
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-store', connection: 'keep-alive', 'x-accel-buffering': 'no' });
    let last = '';
    let closed = false;
    const send = async () => {
      if (closed) return;
      try {
        const data = await services.board.board(actor);
        const html = app.renderFragment('board/table.njk', { ...data, now: new Date() });
        const hash = createHash('sha1').update(html).digest('hex');
        if (hash !== last) {
          last = hash;
          res.write(`event: board\ndata: ${JSON.stringify({ html, alarms: data.counts.alarms })}\n\n`);
        } else {
          res.write(': keep-alive\n\n');
        }
      } catch (err) {
        request.log.error({ err }, 'board stream failed');
      }
    };
    await send();
    // ?once=1 sends one event and closes: for tests and for clients that only want a snapshot.
    if ((request.query as { once?: string }).once === '1') {
      closed = true;
      res.end();
      return;
    }
    const timer = setInterval(send, sseIntervalMs);
    request.raw.on('close', () => {
      closed = true;
      clearInterval(timer);
    });
  });
};
