// The alarm bar, live: the server sends the bar again (Server-Sent Events, /live/events) when an
// alarm opens, is taken on or closes. This puts it on the page, updates the counts on Alerts and
// Inbox, and says a new alarm to screen readers through a live region, without moving focus.
// Sound and desktop notifications only for someone who turned them on here (stored on this device).
// Without JavaScript every page load shows the bar as it is.
const bar = document.getElementById('live-bar');
const announce = document.querySelector('[data-live-announce]');
if (bar && 'EventSource' in window) {
  const idsOnPage = () =>
    new Set(
      [...bar.querySelectorAll('a[href^="/alerts/"], a[href^="/lockdowns/"]')].map((a) => a.getAttribute('href')),
    );
  let known = idsOnPage();
  const setCount = (key, n, label) => {
    const badge = document.querySelector(`[data-nav-count="${key}"]`);
    const hiddenLabel = document.querySelector(`[data-nav-count-label="${key}"]`);
    if (!badge) return;
    badge.textContent = String(n);
    badge.hidden = n === 0;
    if (hiddenLabel) hiddenLabel.textContent = n ? ` ${label}` : '';
  };
  const alertOn = () => localStorage.getItem('harbour-alarm-sound') === 'on';
  const ring = (text) => {
    if (!alertOn()) return;
    try {
      const Ctx = window.AudioContext || window.webkitAudioContext;
      const ctx = new Ctx();
      const osc = ctx.createOscillator();
      osc.frequency.value = 880;
      osc.connect(ctx.destination);
      osc.start();
      osc.stop(ctx.currentTime + 0.6);
    } catch {
      /* no sound on this device */
    }
    if ('Notification' in window && window.Notification.permission === 'granted')
      new window.Notification('Harbour alarm', { body: text, tag: 'harbour-alarm' });
  };
  // Pages that show alarms or messages (the alerts list, an alert page, the inbox, a visit's page and
  // "My visits") mark what changes with data-live-refresh: fetched again and swapped in place when
  // the server's copy differs, unless the person is in it (focus inside: typing, or about to tap).
  // Forms a worker taps on a phone (data-offline-action) are never inside one.
  const regionsNow = () => [...document.querySelectorAll('[data-live-refresh][id]')];
  const served = new Map(regionsNow().map((r) => [r.id, r.innerHTML]));
  let refreshing = null;
  const refreshRegions = async () => {
    if (!regionsNow().length || !navigator.onLine) return;
    const response = await fetch(location.href, {
      credentials: 'same-origin',
      headers: { accept: 'text/html' },
      cache: 'no-store',
    });
    if (!response.ok || response.redirected) return;
    const doc = new window.DOMParser().parseFromString(await response.text(), 'text/html');
    for (const region of regionsNow()) {
      const fresh = doc.getElementById(region.id);
      if (!fresh || fresh.innerHTML === served.get(region.id)) continue;
      if (region.contains(document.activeElement) && document.activeElement !== document.body) continue;
      region.innerHTML = fresh.innerHTML;
      served.set(region.id, fresh.innerHTML);
    }
  };
  const refreshSoon = () => {
    // One fetch at a time; a change while one runs is picked up by one more after it.
    if (refreshing) {
      refreshing.again = true;
      return;
    }
    refreshing = { again: false };
    refreshRegions()
      .catch(() => {})
      .finally(() => {
        const again = refreshing.again;
        refreshing = null;
        if (again) refreshSoon();
      });
  };
  // The bar as the browser reads it, so that the same bar sent again compares equal.
  const asParsed = (html) => {
    const div = document.createElement('div');
    div.innerHTML = html;
    return div.innerHTML;
  };
  let lastHtml = bar.innerHTML;
  // What this person's own pages showed when served: a new message or a change to their own visit
  // changes it, and the page's live regions are fetched again.
  let lastMine = bar.getAttribute('data-live-mine') || '';
  // A visit's page watches that visit's timeline too (data-live-visit): from the first event on.
  let lastVisit = null;
  const onAlarms = (event) => {
    const data = JSON.parse(event.data);
    const visitChanged = typeof data.visit === 'string' && lastVisit !== null && data.visit !== lastVisit;
    if (typeof data.visit === 'string') lastVisit = data.visit;
    const mineChanged = (typeof data.mine === 'string' && data.mine !== lastMine) || visitChanged;
    if (typeof data.mine === 'string') lastMine = data.mine;
    const html = asParsed(data.html);
    if (html === lastHtml && !data.alarms.some((a) => !known.has(`/alerts/${a.id}`))) {
      setCount('inbox', data.inbox, 'unread');
      if (mineChanged) refreshSoon();
      return;
    }
    lastHtml = html;
    const hadFocus = bar.contains(document.activeElement) ? document.activeElement.getAttribute('href') : null;
    bar.innerHTML = html;
    if (hadFocus) bar.querySelector(`a[href="${CSS.escape(hadFocus)}"]`)?.focus({ preventScroll: true });
    setCount('alerts', data.alarms.length, 'open');
    setCount('inbox', data.inbox, 'unread');
    const now = idsOnPage();
    const fresh = [
      ...data.alarms.map((a) => ({ href: `/alerts/${a.id}`, text: a.text })),
      ...data.lockdowns.map((l) => ({ href: `/lockdowns/${l.id}`, text: l.text })),
    ].filter((a) => !known.has(a.href));
    known = now;
    if (fresh.length) {
      const text = `New alarm: ${fresh.map((a) => a.text).join('; ')}`;
      if (announce) announce.textContent = text;
      ring(text);
    }
    refreshSoon();
  };
  const watch = document.querySelector('[data-live-visit]')?.getAttribute('data-live-visit');
  const url = `${bar.getAttribute('data-live-stream')}${watch && /^\d+$/.test(watch) ? `?visit=${watch}` : ''}`;
  // A worker's visit pages (taps kept on the phone without signal, offline.js) are live too, but
  // only while the phone has signal and nothing is waiting to be sent: the stream is closed when
  // the signal goes, and opened again only once the queue is empty (sending it reloads the page,
  // which opens a new one). A live request never races the sending of kept taps.
  const offlinePage = Boolean(document.querySelector('form[data-offline-action]'));
  const waiting = () => {
    try {
      const q = JSON.parse(localStorage.getItem('harbour.offline-queue.v1') || '[]');
      return Array.isArray(q) && q.length > 0;
    } catch {
      return false;
    }
  };
  let stream = null;
  const open = () => {
    if (stream || (offlinePage && (!navigator.onLine || waiting()))) return;
    stream = new EventSource(url);
    stream.addEventListener('alarms', onAlarms);
    if (offlinePage) {
      // No signal: stop, rather than let the browser keep trying in the background.
      stream.addEventListener('error', () => {
        if (!navigator.onLine || waiting()) close();
      });
    }
  };
  const close = () => {
    if (stream) stream.close();
    stream = null;
  };
  open();
  if (offlinePage) {
    window.addEventListener('offline', close);
    // Back online: offline.js sends what was kept and reloads; with nothing kept, listen again.
    window.addEventListener('online', () => setTimeout(open, 1000));
    const follow = () => {
      if (waiting()) close();
      else open();
    };
    window.addEventListener('storage', (e) => {
      if (e.key === 'harbour.offline-queue.v1') follow();
    });
    setInterval(follow, 5000);
  }
  // The switch for sound and desktop notifications, offered only where the browser has them.
  const offer = document.querySelector('[data-live-sound]');
  if (offer && ('AudioContext' in window || 'webkitAudioContext' in window)) {
    const button = offer.querySelector('button');
    const show = () => {
      button.textContent = alertOn()
        ? 'Turn off alarm sound and desktop notifications'
        : 'Turn on alarm sound and desktop notifications';
    };
    offer.hidden = false;
    show();
    button.addEventListener('click', () => {
      localStorage.setItem('harbour-alarm-sound', alertOn() ? 'off' : 'on');
      if (alertOn() && 'Notification' in window && window.Notification.permission === 'default')
        window.Notification.requestPermission().catch(() => {});
      show();
    });
  }
}
