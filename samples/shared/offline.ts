// Makes a sample reload while offline: registers the service worker (samples/shared/public/sw.js,
// served at the sample's root) and puts what this first visit loaded into its cache. `offlineReady` turns true once the page is controlled
// and cached.
import { signal } from 'rxsync';

const base = new URL('./', location.href).pathname; // e.g. /todo/
const CACHE = `rxsync-${base.split('/').filter(Boolean).join('-')}-shell`; // the name sw.js uses

export const offlineReady = signal(false);

export async function enableOffline(): Promise<void> {
  if (!('serviceWorker' in navigator)) return;
  await navigator.serviceWorker.register(`${base}sw.js`, { scope: base });
  if (!navigator.serviceWorker.controller) {
    await new Promise((resolve) => navigator.serviceWorker.addEventListener('controllerchange', resolve, { once: true }));
  }
  const loaded = performance
    .getEntriesByType('resource')
    .map((entry) => new URL(entry.name))
    .filter((url) => url.origin === location.origin && url.pathname.startsWith(base))
    .map((url) => url.pathname);
  const cache = await caches.open(CACHE);
  await cache.addAll([base, ...new Set(loaded)]);
  offlineReady.set(true);
}
