/* global self, caches, Response */
// The offline samples' service worker (todo, notes): network first, the cache when the network
// fails, so the page reloads while offline. The page adds what it loaded on first visit (see
// samples/shared/offline.ts). One cache per sample, named after its scope (e.g. /todo/).
const CACHE = `rxsync-${new URL(self.registration.scope).pathname.split('/').filter(Boolean).join('-')}-shell`;

self.addEventListener('install', () => self.skipWaiting());
self.addEventListener('activate', (event) => event.waitUntil(self.clients.claim()));

self.addEventListener('fetch', (event) => {
  const request = event.request;
  if (request.method !== 'GET' || new URL(request.url).origin !== self.location.origin) return;
  event.respondWith(
    fetch(request)
      .then((response) => {
        if (response.ok) {
          const copy = response.clone();
          event.waitUntil(caches.open(CACHE).then((cache) => cache.put(request, copy)));
        }
        return response;
      })
      .catch(() => caches.match(request, { ignoreSearch: true }).then((cached) => cached ?? Response.error())),
  );
});
