import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyPluginAsync } from 'fastify';

const publicDir = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'web', 'public');

/**
 * The service worker is served from the root so its scope covers the worker's pages (/visits…);
 * a worker under /public/ could only control /public/. It also handles Web Push (it imports
 * push-sw.js), so one worker serves both.
 */
export const offlineRoutes: FastifyPluginAsync = async (app) => {
  const source = readFile(join(publicDir, 'sw.js'), 'utf8');
  app.get('/sw.js', async (_request, reply) =>
    reply
      .type('text/javascript; charset=utf-8')
      .header('cache-control', 'no-cache')
      .header('service-worker-allowed', '/')
      .send(await source),
  );
};
