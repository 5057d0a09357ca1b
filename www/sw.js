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

function hex(buffer) {
  return Array.from(new Uint8Array(buffer), (b) => b.toString(16).padStart(2, "0")).join("");
}

// One built file into the cache. The page has just downloaded it, so it is first taken from the
// browser's HTTP cache whatever its freshness (`force-cache`: a server that sends no-cache would
// otherwise make every file travel twice); only when that copy is missing or is not this build's
// (its SHA-256 differs: worker.js and the models keep their names across builds) does it come
// from the network (`reload`), and it is checked again.
async function precache(cache, { url, sha256 }) {
  for (const mode of ["force-cache", "reload"]) {
    const response = await fetch(new Request(url, { cache: mode }));
    if (!response.ok) throw new Error(`${url}: HTTP ${response.status}`);
    const digest = hex(await crypto.subtle.digest("SHA-256", await response.clone().arrayBuffer()));
    if (digest === sha256) return cache.put(url, response);
  }
  throw new Error(`${url}: the server's copy is not this build's`);
}

self.addEventListener("install", (event) => {
  event.waitUntil(
    (async () => {
      const cache = await caches.open(CACHE);
      // One failed file fails the install: a half-filled cache is never used (a new worker
      // replaces the old one only once it has every file).
      await Promise.all(PRECACHE.files.map((file) => precache(cache, file)));
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
      // Searches every cache of the site, the page's model cache included.
      const cached = await caches.match(request);
      if (cached) return cached;
      const response = await fetch(request);
      // Versioned models (`?v=`) are kept by the page in its own cache (src/ui/fetch.rs); a second
      // copy here would store the 23 MB encoder twice.
      if (url.searchParams.has("v")) return response;
      if (response.ok && response.type === "basic") {
        const cache = await caches.open(CACHE);
        await cache.put(request, response.clone());
      }
      return response;
    })(),
  );
});
