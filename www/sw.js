// Offline support: a service worker that keeps the app and the models it has used.
//
// scripts/precache.mjs (a Trunk post-build hook) replaces the PRECACHE line below with the
// built files and their content hashes, so every build that changes a file changes this script,
// the browser installs the new worker, and the old cache is deleted on activation.
//
// - Pages (navigations): network first, so an online visit always gets the newest site;
//   the cached page when offline.
// - Everything else under the site: the cache first (file names carry content hashes, models
//   carry `?v=`), then the network, keeping what it fetched for the next offline visit.
"use strict";

const PRECACHE = { version: "dev", files: [] };

const PREFIX = "attention-playground-";
const CACHE = PREFIX + "app-" + PRECACHE.version;

self.addEventListener("install", (event) => {
  event.waitUntil(
    (async () => {
      const cache = await caches.open(CACHE);
      // One failed file must not leave a half-installed worker: addAll is all or nothing.
      // Files the page has just loaded come from the HTTP cache, not the network again.
      await cache.addAll(PRECACHE.files);
      await self.skipWaiting();
    })(),
  );
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    (async () => {
      for (const name of await caches.keys()) {
        // The page's own model cache (attention-playground-models-*) is versioned by URL; keep it.
        if (name.startsWith(PREFIX + "app-") && name !== CACHE) await caches.delete(name);
      }
      await self.clients.claim();
    })(),
  );
});

function sameSite(url) {
  const scope = new URL(self.registration.scope);
  return url.origin === scope.origin && url.pathname.startsWith(scope.pathname);
}

self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.method !== "GET") return;
  const url = new URL(request.url);
  if (!sameSite(url)) return;

  if (request.mode === "navigate") {
    event.respondWith(
      (async () => {
        try {
          const response = await fetch(request);
          if (response.ok) {
            const cache = await caches.open(CACHE);
            await cache.put(new URL("./", self.registration.scope).href, response.clone());
          }
          return response;
        } catch (err) {
          const cached = await caches.match(new URL("./", self.registration.scope).href);
          if (cached) return cached;
          throw err;
        }
      })(),
    );
    return;
  }

  event.respondWith(
    (async () => {
      const cached = await caches.match(request);
      if (cached) return cached;
      const response = await fetch(request);
      if (response.ok && response.type === "basic") {
        const cache = await caches.open(CACHE);
        await cache.put(request, response.clone());
      }
      return response;
    })(),
  );
});
