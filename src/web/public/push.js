// Registers this browser for Harbour's Web Push notifications (the /account/notifications page).
// Without JavaScript the page says push needs it; with it, the form's button appears.
/* global Notification, atob */
const form = document.getElementById('push-form');
const status = document.getElementById('push-status');

function keyBytes(base64url) {
  const base64 = (base64url + '='.repeat((4 - (base64url.length % 4)) % 4)).replace(/-/g, '+').replace(/_/g, '/');
  return Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
}

function activated(registration) {
  if (registration.active) return Promise.resolve();
  const worker = registration.installing || registration.waiting;
  return new Promise((resolve, reject) => {
    worker.addEventListener('statechange', () => {
      if (worker.state === 'activated') resolve();
      if (worker.state === 'redundant') reject(new Error('the push helper did not start'));
    });
  });
}

async function turnOn() {
  const permission = await Notification.requestPermission();
  if (permission !== 'granted') {
    status.textContent =
      'Notifications are blocked for Harbour in this browser. Allow them in the browser’s site settings, then try again.';
    return;
  }
  status.textContent = 'Turning on push notifications…';
  const key = await (await fetch('/push/vapid-public-key', { credentials: 'same-origin' })).json();
  if (!key.enabled) {
    status.textContent = 'This Harbour is not set up to send push notifications.';
    return;
  }
  const registration = await navigator.serviceWorker.register('/public/push-sw.js', { scope: '/public/' });
  await activated(registration);
  const subscription =
    (await registration.pushManager.getSubscription()) ||
    (await registration.pushManager.subscribe({
      userVisibleOnly: true,
      applicationServerKey: keyBytes(key.publicKey),
    }));
  const json = subscription.toJSON();
  const res = await fetch('/push/subscriptions', {
    method: 'POST',
    credentials: 'same-origin',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      _csrf: form.elements._csrf.value,
      endpoint: json.endpoint,
      p256dh: json.keys.p256dh,
      auth: json.keys.auth,
    }),
  });
  if (!res.ok) throw new Error(`Harbour answered ${res.status}`);
  window.location.assign('/account/notifications?done=push');
}

if (form && status) {
  if (!('serviceWorker' in navigator) || !('PushManager' in window) || !('Notification' in window)) {
    status.textContent =
      'This browser cannot get push notifications. Harbour will reach you by text message, email and your inbox.';
  } else {
    status.textContent = 'Turn on push notifications to get Harbour’s alerts on this device.';
    form.hidden = false;
    form.addEventListener('submit', (event) => {
      event.preventDefault();
      turnOn().catch((e) => {
        status.textContent = `Push notifications could not be turned on in this browser (${e.message}). Harbour will still reach you by text message, email and your inbox.`;
      });
    });
  }
}
