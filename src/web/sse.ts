import type { FastifyReply, FastifyRequest } from 'fastify';
import { createHash } from 'node:crypto';

export interface EventSource {
  /** The event to send now; sent only when `key` differs from the last one sent (else a keep-alive comment). */
  render: () => Promise<{ key: string; data: unknown }>;
  /** Renders again this often, as well as on every wake. */
  everyMs: number;
  /** Calls `wake` when something may have changed; returns how to stop. */
  subscribe?: (wake: () => void) => () => void;
}

/**
 * A Server-Sent Events stream of one named event. The pages work without it; it only saves a
 * reload. `?once=1` sends one event and closes (for tests, and clients that want a snapshot).
 */
export async function serveEvents(
  request: FastifyRequest,
  reply: FastifyReply,
  name: string,
  source: EventSource,
): Promise<void> {
  reply.hijack();
  const res = reply.raw;
  res.writeHead(200, {
    'content-type': 'text/event-stream',
    'cache-control': 'no-store',
    connection: 'keep-alive',
    'x-accel-buffering': 'no',
  });
  let last = '';
  let closed = false;
  const send = async () => {
    if (closed) return;
    try {
      const { key, data } = await source.render();
      const hash = createHash('sha1').update(key).digest('hex');
      if (hash === last) {
        res.write(': keep-alive\n\n');
        return;
      }
      last = hash;
      res.write(`event: ${name}\ndata: ${JSON.stringify(data)}\n\n`);
    } catch (err) {
      request.log.error({ err }, `${name} stream failed`);
    }
  };
  await send();
  if ((request.query as { once?: string }).once === '1') {
    closed = true;
    res.end();
    return;
  }
  const timer = setInterval(send, source.everyMs);
  timer.unref();
  const unsubscribe = source.subscribe?.(() => void send());
  request.raw.on('close', () => {
    closed = true;
    clearInterval(timer);
    unsubscribe?.();
  });
}
