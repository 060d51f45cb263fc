// Harbour's service worker: shows Web Push messages and opens Harbour when one is clicked.
/* global self, clients */
self.addEventListener('push', (event) => {
  let data = {};
  try {
    data = event.data ? event.data.json() : {};
  } catch {
    data = { body: event.data ? event.data.text() : '' };
  }
  event.waitUntil(
    self.registration.showNotification(data.title || 'Harbour', {
      body: data.body || '',
      tag: data.tag,
      requireInteraction: true,
      data: { url: data.url || '/inbox' },
    }),
  );
});

self.addEventListener('notificationclick', (event) => {
  event.notification.close();
  const url = (event.notification.data && event.notification.data.url) || '/inbox';
  event.waitUntil(clients.openWindow(url));
});
