import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import type { Services } from '../../composition.ts';
import { requireActor } from '../../web/security.ts';
import { parseWith } from '../../web/validation.ts';
import { ValidationError } from '../../errors.ts';
import { idParam } from '../people/routes.ts';
import { outboxQuery, pushSubscriptionForm } from './schema.ts';
import { OUTBOX_PAGE_SIZE } from './service.ts';

/** Links are stored absolute (PUBLIC_BASE_URL + path); inside Harbour the path is enough. */
export function inAppPath(link: string | null): string | null {
  if (!link) return null;
  if (link.startsWith('/')) return link;
  try {
    const u = new URL(link);
    return `${u.pathname}${u.search}${u.hash}`;
  } catch {
    return null;
  }
}

const wantsJson = (request: FastifyRequest) =>
  String(request.headers['content-type'] ?? '').includes('application/json');

export const notificationsRoutes: FastifyPluginAsync<{ services: Services }> = async (app, { services }) => {
  const { notifications } = services;

  app.get<{ Querystring: { done?: string } }>('/inbox', async (request, reply) => {
    const actor = requireActor(request);
    const inbox = await notifications.inbox(actor);
    return reply.view('notifications/inbox.njk', {
      title: 'Inbox',
      ...inbox,
      messages: inbox.messages.map((m) => ({ ...m, path: inAppPath(m.link) })),
      flash: request.query.done === 'all' ? 'All messages marked as read' : null,
    });
  });

  app.post<{ Params: { id: string } }>('/inbox/:id/read', async (request, reply) => {
    const actor = requireActor(request);
    await notifications.markRead(actor, idParam(request.params.id));
    return reply.redirect(`/inbox#message-${request.params.id}`, 303);
  });

  app.post('/inbox/read-all', async (request, reply) => {
    const actor = requireActor(request);
    await notifications.markAllRead(actor);
    return reply.redirect('/inbox?done=all', 303);
  });

  app.get('/outbox', async (request, reply) => {
    const actor = requireActor(request);
    const filter = parseWith(outboxQuery, request.query);
    const outbox = await notifications.outbox(actor, filter);
    return reply.view('notifications/outbox.njk', {
      title: 'Outbox',
      ...outbox,
      status: filter.status,
      page: filter.page,
      pageSize: OUTBOX_PAGE_SIZE,
      statuses: (['pending', 'sending', 'sent', 'failed'] as const).map((s) => ({ value: s, count: outbox.counts[s] })),
      total: Object.values(outbox.counts).reduce((a, b) => a + b, 0),
    });
  });

  app.get<{ Querystring: { done?: string } }>('/account/notifications', async (request, reply) => {
    const actor = requireActor(request);
    const push = await notifications.pushSettings(actor);
    const flash =
      {
        push: 'This browser will now get push notifications',
        removed: 'Push notifications turned off on all your devices',
      }[request.query.done ?? ''] ?? null;
    return reply.view('notifications/account.njk', { title: 'How Harbour contacts you', push, flash });
  });

  app.get('/push/vapid-public-key', async (request, reply) => {
    requireActor(request);
    const publicKey = await notifications.vapidPublicKey();
    return reply.header('cache-control', 'no-store').send({ enabled: publicKey !== null, publicKey });
  });

  // push.js posts JSON ({ _csrf, endpoint, p256dh, auth }); a plain form post works the same way.
  app.post('/push/subscriptions', async (request, reply) => {
    const actor = requireActor(request);
    try {
      await notifications.subscribe(actor, parseWith(pushSubscriptionForm, request.body));
    } catch (e) {
      if (e instanceof ValidationError && wantsJson(request))
        return reply.code(400).send({ error: 'Bad Request', message: e.message, errors: e.errors });
      throw e;
    }
    if (wantsJson(request)) return reply.code(201).send({ saved: true });
    return reply.redirect('/account/notifications?done=push', 303);
  });

  app.post('/account/notifications/remove-devices', async (request, reply) => {
    const actor = requireActor(request);
    await notifications.removeDevices(actor);
    return reply.redirect('/account/notifications?done=removed', 303);
  });
};
