// Offline-first actions. A form marked data-offline-action="<what it does>" (I've arrived, Extend,
// Visit over, a duress control…) always carries an idempotency key, so Harbour does it once however
// often it is sent. It is sent with fetch: tapped without signal, or with a signal too weak to get an
// answer, it is kept on this phone (localStorage) and sent as soon as the signal returns; until then
// the page says what is not yet sent and that the deadline still runs on the server. The service
// worker (/sw.js) keeps the visit pages so they open offline.
/* global sessionStorage, HTMLFormElement */
const QUEUE = 'harbour.offline-queue.v1';
const SENT = 'harbour.offline-sent.v1';

const load = () => {
  try {
    const q = JSON.parse(localStorage.getItem(QUEUE) || '[]');
    return Array.isArray(q) ? q : [];
  } catch {
    return [];
  }
};
const store = (q) => localStorage.setItem(QUEUE, JSON.stringify(q));
const newKey = () =>
  window.crypto && window.crypto.randomUUID
    ? window.crypto.randomUUID()
    : `${Date.now().toString(36)}-${Math.random().toString(36).slice(2)}`;
const clock = (iso) => new Date(iso).toLocaleTimeString('en-GB', { hour: '2-digit', minute: '2-digit' });

function keyOf(form) {
  let input = form.querySelector('input[name="idempotency_key"]');
  if (!input) {
    input = document.createElement('input');
    input.type = 'hidden';
    input.name = 'idempotency_key';
    form.appendChild(input);
  }
  if (!input.value) input.value = newKey();
  return input.value;
}

function panel() {
  let box = document.getElementById('harbour-offline');
  if (!box) {
    box = document.createElement('div');
    box.id = 'harbour-offline';
    box.setAttribute('role', 'status');
    box.setAttribute('aria-live', 'polite');
  }
  // Next to the control that was tapped (the newest tap still waiting), where the person is looking,
  // not off-screen at the top of a long page; with nothing waiting here, at the top of the page.
  const q = load();
  const last = q[q.length - 1];
  const tapped =
    last &&
    [...document.querySelectorAll('form[data-offline-action]')].find(
      (f) => new URL(f.action, window.location.href).pathname === last.url,
    );
  if (tapped) {
    if (tapped.nextElementSibling !== box) tapped.after(box);
  } else if (!box.isConnected) {
    const main = document.getElementById('main-content') || document.body;
    main.insertBefore(box, main.firstChild);
  }
  return box;
}

function render() {
  const q = load();
  let sent = null;
  try {
    sent = JSON.parse(sessionStorage.getItem(SENT) || 'null');
  } catch {
    sent = null;
  }
  if (sent) sessionStorage.removeItem(SENT);
  // Nothing to say: no status region at all (pages keep their own).
  if (!q.length && navigator.onLine && !(sent && sent.length)) {
    const old = document.getElementById('harbour-offline');
    if (old) old.remove();
    return;
  }
  const box = panel();
  box.replaceChildren();
  const add = (tag, text, cls) => {
    const el = document.createElement(tag);
    el.className = cls;
    el.textContent = text;
    box.appendChild(el);
    return el;
  };
  if (sent && sent.length) {
    add(
      'p',
      `Sent now that you have signal: ${sent.map((s) => `${s.label} (tapped at ${clock(s.at)})${s.problem ? ` – ${s.problem}` : ''}`).join('; ')}.`,
      'govuk-body govuk-!-font-weight-bold harbour-offline__sent',
    );
  }
  if (!q.length && navigator.onLine) {
    box.className = 'harbour-offline';
    return;
  }
  box.className = 'harbour-offline harbour-offline--waiting';
  if (!navigator.onLine) add('h2', 'No signal', 'govuk-heading-s');
  if (q.length) {
    add('p', 'Not sent yet, kept on this phone:', 'govuk-body govuk-!-margin-bottom-1');
    const list = add('ul', '', 'govuk-list govuk-list--bullet harbour-offline__queue');
    for (const item of q) {
      const li = document.createElement('li');
      li.textContent = `${item.label}, tapped at ${clock(item.at)}`;
      list.appendChild(li);
    }
    add('p', 'Harbour sends these as soon as your phone has signal. Keep this page open if you can.', 'govuk-body');
  } else {
    add('p', 'What you tap here is kept on this phone and sent when you have signal.', 'govuk-body');
  }
  add(
    'p',
    'Until Harbour receives them, your check-in deadline still runs on the server: if it passes, your buddy and manager are alerted as usual. If you are in danger, call 999.',
    'govuk-body govuk-!-font-weight-bold',
  );
}

/**
 * Sends one queued or tapped action and reads Harbour's answer. Only a receipt equal to the action's
 * own key proves that Harbour committed it (the key and the effect are saved together), so only
 * then is the tap forgotten. 'refused': Harbour said no for good (a 4xx other than 409). 'retry':
 * anything else – no answer, a server error, a 409 (the same tap still being sent), or a page
 * instead of a receipt (signed out, a proxy's page) – keeps it on the phone.
 */
async function send(url, body, key, signal) {
  let response;
  try {
    response = await fetch(url, {
      method: 'POST',
      credentials: 'same-origin',
      redirect: 'follow',
      signal,
      headers: { 'content-type': 'application/x-www-form-urlencoded', 'harbour-queue': '1' },
      body,
    });
  } catch {
    return { outcome: 'retry' };
  }
  if (response.ok) {
    const answer = (response.headers.get('content-type') || '').includes('application/json')
      ? await response.json().catch(() => null)
      : null;
    if (answer && answer.receipt === key) return { outcome: 'done', location: answer.location };
    return { outcome: 'retry', page: response.url };
  }
  if (response.status >= 400 && response.status < 500 && response.status !== 409)
    return { outcome: 'refused', status: response.status };
  return { outcome: 'retry' };
}

let flushing = false;
async function flush() {
  if (flushing || !navigator.onLine || !load().length) return;
  flushing = true;
  const done = [];
  let signIn = null;
  try {
    for (const item of load()) {
      const result = await send(item.url, item.body, item.key);
      if (result.outcome === 'retry') {
        if (result.page && new URL(result.page).pathname === '/sign-in') signIn = result.page;
        break; // Not taken (yet): try again later, in order.
      }
      store(load().filter((q) => q.key !== item.key));
      done.push({
        label: item.label,
        at: item.at,
        problem:
          result.outcome === 'done'
            ? null
            : `Harbour could not accept it (${result.status}); open the visit and try again`,
      });
    }
  } finally {
    flushing = false;
  }
  if (done.length) {
    sessionStorage.setItem(SENT, JSON.stringify(done));
    window.location.reload();
  } else if (signIn && window.location.pathname !== '/sign-in') {
    // Signed out while the taps waited: they stay on the phone and go once signed in again.
    window.location.assign(signIn);
  } else {
    render();
  }
}

function enqueue(form, body, key) {
  const q = load();
  if (!q.some((i) => i.key === key)) {
    q.push({
      key,
      url: new URL(form.action, window.location.href).pathname,
      body,
      label: form.getAttribute('data-offline-action') || 'Action',
      at: new Date().toISOString(),
    });
    store(q);
  }
  render();
}

// Weak signal ("online", but nothing gets through): a tap that has had no answer in this long is kept
// on the phone like an offline one. If it did reach Harbour after all, the resend does nothing twice.
const SEND_TIMEOUT_MS = 20000;

document.addEventListener('submit', (event) => {
  const form = event.target;
  if (!(form instanceof HTMLFormElement) || !form.hasAttribute('data-offline-action')) return;
  if (event.defaultPrevented) return; // Sent by the page's own script (the duress control).
  if (form.dataset.harbourNative === 'yes') return; // The plain post below, after an answer to show.
  const key = keyOf(form);
  event.preventDefault();
  const submitter = event.submitter || undefined;
  const body = new URLSearchParams(new FormData(form, submitter)).toString();
  const nextTap = () => {
    form.querySelector('input[name="idempotency_key"]').value = '';
  };
  if (!navigator.onLine) {
    enqueue(form, body, key);
    nextTap(); // The next tap is a new action with a new key.
    return;
  }
  const abort = new AbortController();
  const timer = setTimeout(() => abort.abort(), SEND_TIMEOUT_MS);
  send(form.action, body, key, abort.signal).then((result) => {
    clearTimeout(timer);
    if (result.outcome === 'done') {
      nextTap();
      window.location.assign(result.location); // Done: where Harbour says to go next.
      return;
    }
    if (result.outcome === 'refused') {
      // Refused (a mistake in the form): post it the ordinary way, same key, to show Harbour's answer.
      form.dataset.harbourNative = 'yes';
      form.requestSubmit(submitter);
      return;
    }
    enqueue(form, body, key);
    nextTap();
    flushSoon();
  });
});

let soon = null;
function flushSoon() {
  if (!soon)
    soon = setTimeout(() => {
      soon = null;
      flush();
    }, 5000);
}
// For the duress control (visit-extras.js), which sends without leaving the page.
window.harbourOffline = { keyOf, enqueue, flushSoon, send };

window.addEventListener('online', () => {
  render();
  flush();
});
window.addEventListener('offline', render);
render();
flush();
setInterval(flush, 5000);

if ('serviceWorker' in navigator && document.querySelector('form[data-offline-action]')) {
  navigator.serviceWorker.register('/sw.js', { scope: '/' }).catch(() => {});
}
// Signing in or out: forget the pages kept for the last person on this phone.
if (window.location.pathname === '/sign-in' && window.caches) caches.delete('harbour-offline-v1').catch(() => {});
