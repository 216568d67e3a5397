/* DSP Portal service worker: keeps opted-in phone pages (and their assets) readable with no network.
 *
 * Served from /sw.js (core.offline_views.service_worker) so its scope is the whole site, but it only
 * answers for:
 *   - pages a page script registered with `DspOffline.cachePage()` (outbox.js): network first (with a
 *     short timeout, because a phone on a bad network would otherwise wait for ever), the cached copy when
 *     the network fails; a redirect (signed out) or an error page drops the cached copy;
 *   - /static/ files: cache first, then network (and cached). Static names change with their content in
 *     production (manifest storage), and the page re-registers its assets on every online load.
 * Everything else, and every non-GET request, goes to the network untouched: writes are the outbox's job.
 */
"use strict";

var PAGES = "dsp-offline-pages-v1";
var ASSETS = "dsp-offline-assets-v1";
var TIMEOUT_MS = 4000;

self.addEventListener("install", function () { self.skipWaiting(); });
self.addEventListener("activate", function (event) {
  event.waitUntil(caches.keys().then(function (names) {
    return Promise.all(names.filter(function (n) {
      return n.indexOf("dsp-offline-") === 0 && n !== PAGES && n !== ASSETS;
    }).map(function (n) { return caches.delete(n); }));
  }).then(function () { return self.clients.claim(); }));
});

function pageKey(url) {
  var u = new URL(url, self.location.origin);
  return u.origin + u.pathname;  // one cached copy per page path; ?date=... variants share it
}

function store(cacheName, key, response) {
  return caches.open(cacheName).then(function (cache) { return cache.put(key, response); });
}

function refreshPage(url) {
  return fetch(url, { credentials: "same-origin", cache: "no-store" }).then(function (res) {
    if (res.ok && !res.redirected) return store(PAGES, pageKey(url), res);
    return caches.open(PAGES).then(function (cache) { return cache.delete(pageKey(url)); });
  }).catch(function () { /* offline: keep the copy we have */ });
}

function cacheAssets(urls) {
  return caches.open(ASSETS).then(function (cache) {
    return Promise.all((urls || []).map(function (u) {
      return fetch(u, { credentials: "same-origin" }).then(function (res) {
        if (res.ok) return cache.put(u, res);
      }).catch(function () {});
    }));
  });
}

self.addEventListener("message", function (event) {
  var data = event.data || {};
  var reply = function () { if (event.ports && event.ports[0]) event.ports[0].postMessage({ ok: true }); };
  if (data.type === "offline:cache-page") {
    event.waitUntil(Promise.all([refreshPage(data.page), cacheAssets(data.assets)]).then(reply));
  } else if (data.type === "offline:refresh-page") {
    event.waitUntil(refreshPage(data.page).then(reply));
  } else if (data.type === "offline:forget") {
    event.waitUntil(caches.delete(PAGES).then(reply));
  }
});

function withTimeout(promise, ms) {
  return new Promise(function (resolve, reject) {
    var t = setTimeout(function () { reject(new Error("timeout")); }, ms);
    promise.then(function (v) { clearTimeout(t); resolve(v); }, function (e) { clearTimeout(t); reject(e); });
  });
}

function page(request) {
  var key = pageKey(request.url);
  return caches.open(PAGES).then(function (cache) {
    return cache.match(key).then(function (cached) {
      if (!cached) return fetch(request);  // not an offline page
      var network = fetch(request).then(function (res) {
        if (res.ok && !res.redirected) cache.put(key, res.clone());
        else if (res.redirected || res.status === 403 || res.status === 404) cache.delete(key);
        return res;
      });
      return withTimeout(network, TIMEOUT_MS).catch(function () { return cached; });
    });
  });
}

function asset(request) {
  return caches.open(ASSETS).then(function (cache) {
    return cache.match(request, { ignoreSearch: true }).then(function (cached) {
      if (cached) return cached;  // ?v= cache-busters (the icon font) share the copy
      return fetch(request).then(function (res) {
        if (res.ok) cache.put(request, res.clone());
        return res;
      });
    });
  });
}

self.addEventListener("fetch", function (event) {
  var request = event.request;
  if (request.method !== "GET") return;
  var url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (request.mode === "navigate") event.respondWith(page(request));
  else if (url.pathname.indexOf("/static/") === 0) event.respondWith(asset(request));
});
