// Harbour's service worker, served from /sw.js so it controls the worker's pages. It keeps the
// worker's visit pages and the assets they need so they still open without signal, and it shows
// Web Push messages (push-sw.js, imported below, so one worker does both). Actions tapped offline
// are queued by /public/offline.js in the page, not here: the page shows what is not yet sent.
/* global self, Response, importScripts */
importScripts('/public/push-sw.js');

const CACHE = 'harbour-offline-v1';
const ASSETS = [
  '/public/app.css',
  '/public/govuk/govuk-frontend.min.css',
  '/public/govuk/govuk-frontend.min.js',
  '/public/app.js',
  '/public/offline.js',
  '/public/session.js',
  '/public/icon.svg',
];

self.addEventListener('install', (event) => {
  event.waitUntil(
    caches
      .open(CACHE)
      .then((c) => c.addAll(ASSETS))
      .catch(() => {})
      .then(() => self.skipWaiting()),
  );
});

self.addEventListener('activate', (event) => {
  event.waitUntil(
    caches
      .keys()
      .then((keys) =>
        Promise.all(keys.filter((k) => k.startsWith('harbour-offline-') && k !== CACHE).map((k) => caches.delete(k))),
      )
      .then(() => self.clients.claim()),
  );
});

// Only the worker's own visit pages are kept (never emergency details or other confidential pages).
const keepPage = (url) => url.pathname === '/visits' || /^\/visits\/\d+$/.test(url.pathname);

const OFFLINE_PAGE =
  '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>No signal – Harbour</title>' +
  '<link rel="stylesheet" href="/public/govuk/govuk-frontend.min.css"></head><body class="govuk-template__body"><main class="govuk-main-wrapper govuk-width-container" id="main-content">' +
  '<h1 class="govuk-heading-l">No signal</h1><p class="govuk-body">This page has not been opened on this phone before, so it cannot be shown without signal.</p>' +
  '<p class="govuk-body">Your check-in deadline still runs on Harbour’s server: if it passes, your buddy is alerted as usual. If you are in danger, call 999.</p></main></body></html>';

self.addEventListener('fetch', (event) => {
  const request = event.request;
  if (request.method !== 'GET') return;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (url.pathname.startsWith('/public/') || url.pathname.startsWith('/assets/')) {
    // Network first, so a new release is picked up at once; the kept copy only without signal.
    event.respondWith(
      fetch(request)
        .then((response) => {
          if (response.ok) {
            const copy = response.clone();
            caches
              .open(CACHE)
              .then((c) => c.put(request, copy))
              .catch(() => {});
          }
          return response;
        })
        .catch(() => caches.match(request).then((hit) => hit || Response.error())),
    );
    return;
  }
  if (request.mode === 'navigate' && keepPage(url)) {
    // One more try after a moment before the kept copy: just after the signal returns, the page may
    // already be online while this worker still is not, and a kept copy would show an old state.
    const again = () => new Promise((resolve) => setTimeout(resolve, 750)).then(() => fetch(request));
    event.respondWith(
      fetch(request)
        .catch(again)
        .then((response) => {
          if (response.ok && !response.redirected) {
            const copy = response.clone();
            caches
              .open(CACHE)
              .then((c) => c.put(url.pathname, copy))
              .catch(() => {});
          }
          return response;
        })
        .catch(() =>
          caches
            .match(url.pathname)
            .then(
              (hit) =>
                hit ||
                new Response(OFFLINE_PAGE, { status: 503, headers: { 'content-type': 'text/html; charset=utf-8' } }),
            ),
        ),
    );
  }
});
