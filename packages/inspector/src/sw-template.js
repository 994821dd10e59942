// The inspector's service worker (generated at build time from src/sw-template.js): precaches
// every file of the build, answers from the cache first, and serves the page network-first so
// a new deployment is picked up when online. Nothing is ever sent anywhere: the inspector has
// no server side.
const VERSION = __VERSION__;
const ASSETS = __ASSETS__;

self.addEventListener('install', (event) => {
  event.waitUntil(
    caches
      .open(VERSION)
      .then((cache) => cache.addAll(ASSETS))
      .then(() => self.skipWaiting()),
  );
});

self.addEventListener('activate', (event) => {
  event.waitUntil(
    caches
      .keys()
      .then((keys) => Promise.all(keys.filter((k) => k.startsWith('cttimeout-inspector-') && k !== VERSION).map((k) => caches.delete(k))))
      .then(() => self.clients.claim()),
  );
});

self.addEventListener('fetch', (event) => {
  const req = event.request;
  if (req.method !== 'GET' || new URL(req.url).origin !== self.location.origin) return;
  if (req.mode === 'navigate') {
    // The page: network first (fresh deployments), the cached copy when offline.
    event.respondWith(
      fetch(req)
        .then((res) => {
          if (res.ok) {
            const copy = res.clone();
            caches.open(VERSION).then((c) => c.put('./', copy));
          }
          return res;
        })
        .catch(() =>
          caches
            .open(VERSION)
            .then((c) => c.match('./'))
            .then((r) => r || Response.error()),
        ),
    );
    return;
  }
  event.respondWith(caches.match(req, { ignoreSearch: true }).then((hit) => hit || fetch(req)));
});
