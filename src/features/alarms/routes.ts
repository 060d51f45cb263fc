import type { FastifyInstance, FastifyPluginAsync, FastifyRequest } from 'fastify';
import type { Services } from '../../composition.ts';
import { requireActor } from '../../web/security.ts';
import { serveEvents } from '../../web/sse.ts';
import type { NavItem } from '../../web/navigation.ts';
import type { AlarmBar } from './service.ts';

/** Pages that are not HTML pages for a person: no alarm bar to work out. */
const NOT_A_PAGE =
  /^\/(api|public|assets|health|metrics|sw\.js|push)(\/|$)|\/events(\?|$)|\.(csv|ods|docx|ics|json)(\?|$)/;

/**
 * Works out the alarm bar for every page a signed-in person loads, before the handler runs, so
 * the layout shows it without JavaScript. A failure leaves the page without a bar (and is logged)
 * rather than failing the page.
 */
export function registerAlarmBar(app: FastifyInstance, services: Pick<Services, 'alarms'>) {
  app.decorateRequest('alarmBar', null);
  app.addHook('preHandler', async (request: FastifyRequest) => {
    if (request.method !== 'GET' || !request.actor || request.actor.via !== 'session' || NOT_A_PAGE.test(request.url))
      return;
    try {
      request.alarmBar = await services.alarms.barFor(request.actor);
    } catch (err) {
      request.log.error({ err }, 'alarm bar failed');
    }
  });
}

/** The service navigation with the open-alarm count on Alerts and the unread count on Inbox. */
export function navigationWithCounts(items: NavItem[], bar: AlarmBar | null): (NavItem & { html?: string })[] {
  const count = (key: string, n: number, label: string) =>
    ` <span class="harbour-nav-count" data-nav-count="${key}"${n ? '' : ' hidden'}>${n}</span><span class="govuk-visually-hidden" data-nav-count-label="${key}">${n ? ` ${label}` : ''}</span>`;
  return items.map((i) => {
    if (i.href === '/alerts') return { ...i, html: `Alerts${count('alerts', bar?.alarms.length ?? 0, 'open')}` };
    if (i.href === '/inbox') return { ...i, html: `Inbox${count('inbox', bar?.inboxUnread ?? 0, 'unread')}` };
    return i;
  });
}

export const alarmsRoutes: FastifyPluginAsync<{ services: Services; pollMs?: number; refreshMs?: number }> = async (
  app,
  { services, pollMs = 500, refreshMs = 15_000 },
) => {
  // One poll of a cheap fingerprint for every open stream; each stream works out its own bar only when it changes.
  const listeners = new Set<() => void>();
  let timer: NodeJS.Timeout | null = null;
  let polling = false;
  let lastVersion = '';
  const poll = async () => {
    if (polling) return;
    if (listeners.size === 0) {
      if (timer) clearInterval(timer);
      timer = null;
      return;
    }
    polling = true;
    try {
      const v = await services.alarms.version();
      if (v !== lastVersion) {
        lastVersion = v;
        for (const l of listeners) l();
      }
    } catch (err) {
      app.log.error({ err }, 'alarm poll failed');
    } finally {
      polling = false;
    }
  };
  app.addHook('onClose', async () => {
    if (timer) clearInterval(timer);
    listeners.clear();
  });

  /**
   * Server-Sent Events: the alarm bar, re-rendered on the server when something it shows may have
   * changed (and every 15 s), sent when it differs from the last one sent. /public/live.js
   * puts it on the page, updates the counts and announces a new alarm.
   */
  app.get('/live/events', async (request, reply) => {
    const actor = requireActor(request);
    // A visit's page (someone else's, for a manager or buddy) asks to watch it: its timeline, read
    // as its viewer may read it, is fingerprinted too. One the viewer may not see adds nothing.
    const asked = (request.query as { visit?: unknown }).visit;
    const visitId = typeof asked === 'string' && /^\d{1,9}$/.test(asked) ? Number(asked) : null;
    const watched = async () => {
      if (visitId === null) return '';
      const rows = await services.visits.timelineFor(actor, visitId).catch(() => []);
      return `${rows.length}:${rows.at(-1)?.id ?? ''}`;
    };
    await serveEvents(request, reply, 'alarms', {
      everyMs: refreshMs,
      subscribe: (wake) => {
        listeners.add(wake);
        if (!timer) {
          timer = setInterval(poll, pollMs);
          timer.unref();
        }
        return () => listeners.delete(wake);
      },
      render: async () => {
        const bar = await services.alarms.barFor(actor);
        const html = app.renderFragment('alarms/bar.njk', { alarmBar: bar });
        const alarms = bar.alarms.map((a) => ({
          id: a.id,
          text: `${a.worker_name}: ${a.kind === 'duress' ? 'duress alarm' : a.kind === 'end_of_day' ? 'no end-of-day call' : 'missed check-in'}`,
        }));
        // `mine` changes when this person's own pages would read differently (a new message, their
        // visit's state or timeline): live.js then fetches those pages' live regions again.
        const mine = `${bar.mine}|${bar.inboxUnread}`;
        const visit = await watched();
        return {
          key: `${html}|${mine}|${visit}`,
          data: {
            html,
            alarms,
            lockdowns: bar.lockdowns.map((l) => ({ id: l.id, text: `Lockdown at ${l.building}` })),
            inbox: bar.inboxUnread,
            mine,
            visit,
          },
        };
      },
    });
  });
};
