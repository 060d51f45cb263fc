// The alarm bar, live: the server sends the bar again (Server-Sent Events, /live/events) when an
// alarm opens, is taken on or closes. This puts it on the page, updates the counts on Alerts and
// Inbox, and says a new alarm to screen readers through a live region, without moving focus.
// Sound and desktop notifications only for someone who turned them on here (stored on this device).
// Without JavaScript every page load shows the bar as it is.
const bar = document.getElementById('live-bar');
const announce = document.querySelector('[data-live-announce]');
if (bar && 'EventSource' in window) {
  const idsOnPage = () => new Set([...bar.querySelectorAll('a[href^="/alerts/"], a[href^="/lockdowns/"]')].map((a) => a.getAttribute('href')));
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
    } catch { /* no sound on this device */ }
    if ('Notification' in window && window.Notification.permission === 'granted') new window.Notification('Harbour alarm', { body: text, tag: 'harbour-alarm' });
  };
  // Pages that show alarms (the alerts list, an alert page) mark what changes with data-live-refresh:
  // fetched again and swapped in place, unless the person is typing in it.
  const refreshRegions = async () => {
    const regions = [...document.querySelectorAll('[data-live-refresh][id]')];
    if (!regions.length) return;
    const response = await fetch(location.href, { credentials: 'same-origin', headers: { accept: 'text/html' } });
    if (!response.ok) return;
    const doc = new window.DOMParser().parseFromString(await response.text(), 'text/html');
    for (const region of regions) {
      if (region.contains(document.activeElement) && document.activeElement !== document.body) continue;
      const fresh = doc.getElementById(region.id);
      if (fresh) region.innerHTML = fresh.innerHTML;
    }
  };
  let lastHtml = bar.innerHTML;
  const onAlarms = (event) => {
    const data = JSON.parse(event.data);
    if (data.html === lastHtml && !data.alarms.some((a) => !known.has(`/alerts/${a.id}`))) {
      setCount('inbox', data.inbox, 'unread');
      return;
    }
    lastHtml = data.html;
    const hadFocus = bar.contains(document.activeElement) ? document.activeElement.getAttribute('href') : null;
    bar.innerHTML = data.html;
    if (hadFocus) bar.querySelector(`a[href="${CSS.escape(hadFocus)}"]`)?.focus({ preventScroll: true });
    setCount('alerts', data.alarms.length, 'open');
    setCount('inbox', data.inbox, 'unread');
    const now = idsOnPage();
    const fresh = [...data.alarms.map((a) => ({ href: `/alerts/${a.id}`, text: a.text })), ...data.lockdowns.map((l) => ({ href: `/lockdowns/${l.id}`, text: l.text }))]
      .filter((a) => !known.has(a.href));
    known = now;
    if (fresh.length) {
      const text = `New alarm: ${fresh.map((a) => a.text).join('; ')}`;
      if (announce) announce.textContent = text;
      ring(text);
    }
    refreshRegions().catch(() => {});
  };
  const url = bar.getAttribute('data-live-stream');
  // A worker's visit pages, used on a phone whose signal comes and goes, are left alone: in the
  // offline browser test any live request (a held stream, or a poll) racing the taps kept without
  // signal made the reload after sending show the page kept from before. They show the bar as it is
  // on every load. Every other page is live.
  if (!document.querySelector('form[data-offline-action]')) {
    new EventSource(url).addEventListener('alarms', onAlarms);
  }
  // The switch for sound and desktop notifications, offered only where the browser has them.
  const offer = document.querySelector('[data-live-sound]');
  if (offer && ('AudioContext' in window || 'webkitAudioContext' in window)) {
    const button = offer.querySelector('button');
    const show = () => { button.textContent = alertOn() ? 'Turn off alarm sound and desktop notifications' : 'Turn on alarm sound and desktop notifications'; };
    offer.hidden = false;
    show();
    button.addEventListener('click', () => {
      localStorage.setItem('harbour-alarm-sound', alertOn() ? 'off' : 'on');
      if (alertOn() && 'Notification' in window && window.Notification.permission === 'default') window.Notification.requestPermission().catch(() => {});
      show();
    });
  }
}
