{% autoescape off %}// 同心三原 流动e家 service worker (served at /sw.js by sanyuan.pwa.service_worker).
// Pages: network first; when the network fails, the copy this person read last. Only pages
// on the allow-list are kept, each person's in a cache of their own named after the opaque
// key the server sends in X-Offline-Key; a page from another key drops the other caches.
// Never kept: the archive (我的), staff pages, admin, the API (except article pictures),
// anything marked no-store. Static files: stored at install, cache first when hashed.
"use strict";

var VERSION = "VERSION";
var STATIC_CACHE = "sanyuan-static-" + VERSION;
var PAGE_PREFIX = "sanyuan-pages-";
var META_CACHE = "sanyuan-meta";
var CURRENT_KEY_URL = "/__offline__/current-key";
var WARMED_AT_URL = "/__offline__/warmed-at";
var PRECACHE = {{ precache_json }};
var OFFLINE_URL = {{ offline_url_json }};
var PRECACHE_LIST_URL = {{ precache_list_url_json }};
var ANONYMOUS = "anon";
var MAX_PAGES = 120;
var WARM_INTERVAL_MS = 30 * 60 * 1000; // background fetches cost data: at most twice an hour
var MAX_FILE_BYTES = 3 * 1024 * 1024;

// What a person may read offline. Everything else goes to the network only.
var PAGE_RULES = [
  /^\/$/,
  /^\/study\/$/,
  /^\/study\/mine\/$/,
  /^\/study\/regulations\/$/,
  /^\/articles\/\d+\/$/,
  /^\/activities\/$/,
  /^\/activities\/calendar\/$/,
  /^\/activities\/\d+\/$/,
  /^\/notices\/$/
];
var FILE_RULES = [
  /^\/activities\/materials\/\d+\/file\/$/,
  /^\/api\/articles\/\d+\/cover\/\d+\/$/,
  /^\/api\/articles\/\d+\/attachments\/\d+\/$/
];
var HASHED_STATIC = /\.[0-9a-f]{12}\.[a-z0-9]+$/;

function matches(rules, url) {
  return rules.some(function (rule) { return rule.test(url.pathname); });
}

// The key of the person whose pages are kept (survives the worker being stopped).
var currentKey = null;
function getCurrentKey() {
  if (currentKey !== null) return Promise.resolve(currentKey);
  return caches.open(META_CACHE)
    .then(function (cache) { return cache.match(CURRENT_KEY_URL); })
    .then(function (response) { return response ? response.text() : ""; })
    .then(function (key) { currentKey = key; return key; });
}

function dropOtherPeople(key) {
  return caches.keys().then(function (names) {
    return Promise.all(names.filter(function (name) {
      return name.indexOf(PAGE_PREFIX) === 0 && name !== PAGE_PREFIX + key;
    }).map(function (name) { return caches.delete(name); }));
  });
}

function switchTo(key) {
  return getCurrentKey().then(function (current) {
    if (current === key) return;
    currentKey = key;
    return dropOtherPeople(key).then(function () {
      return caches.open(META_CACHE);
    }).then(function (cache) {
      return Promise.all([
        cache.put(CURRENT_KEY_URL, new Response(key)),
        cache.delete(WARMED_AT_URL)
      ]);
    });
  });
}

function forgetEverybody() {
  currentKey = ANONYMOUS;
  return dropOtherPeople(ANONYMOUS).then(function () {
    return caches.delete(PAGE_PREFIX + ANONYMOUS);
  }).then(function () {
    return caches.open(META_CACHE);
  }).then(function (cache) {
    return Promise.all([
      cache.put(CURRENT_KEY_URL, new Response(ANONYMOUS)),
      cache.delete(WARMED_AT_URL)
    ]);
  });
}

function keepable(response) {
  if (!response || !response.ok || response.type !== "basic" || response.redirected) return false;
  var control = response.headers.get("Cache-Control") || "";
  return !/no-store/.test(control);
}

function trim(cache) {
  return cache.keys().then(function (keys) {
    var extra = keys.length - MAX_PAGES;
    return Promise.all(keys.slice(0, Math.max(extra, 0)).map(function (key) {
      return cache.delete(key);
    }));
  });
}

// A page or file came from the network: note whose it is and keep it if allowed.
function remember(request, response, url) {
  var key = response.headers.get("X-Offline-Key");
  var owner = key ? switchTo(key).then(function () { return key; }) : getCurrentKey();
  return owner.then(function (owner) {
    if (!owner || !keepable(response)) return;
    if (!matches(PAGE_RULES, url) && !matches(FILE_RULES, url)) return;
    if (key === null && matches(PAGE_RULES, url)) return; // a page must say whose it is
    return caches.open(PAGE_PREFIX + owner).then(function (cache) {
      return cache.delete(request, { ignoreVary: true }).then(function () {
        return cache.put(request, response);
      }).then(function () { return trim(cache); });
    });
  });
}

function fromCache(request) {
  return getCurrentKey().then(function (key) {
    if (!key) return undefined;
    return caches.open(PAGE_PREFIX + key).then(function (cache) {
      return cache.match(request, { ignoreVary: true });
    });
  });
}

function offlineFallback() {
  return caches.match(OFFLINE_URL, { ignoreSearch: true }).then(function (response) {
    return response || new Response("当前没有网络，请联网后再试。", {
      status: 503,
      headers: { "Content-Type": "text/plain; charset=utf-8" }
    });
  });
}

function networkFirst(event, url, fallback) {
  return fetch(event.request).then(function (response) {
    event.waitUntil(remember(event.request, response.clone(), url));
    return response;
  }).catch(function () {
    return fromCache(event.request).then(function (cached) {
      return cached || fallback();
    });
  });
}

function staticFile(event, url) {
  var request = event.request;
  if (HASHED_STATIC.test(url.pathname)) {
    return caches.match(request).then(function (cached) {
      return cached || fetch(request).then(function (response) {
        if (response.ok) {
          var copy = response.clone();
          event.waitUntil(caches.open(STATIC_CACHE).then(function (c) { return c.put(request, copy); }));
        }
        return response;
      });
    });
  }
  return fetch(request).then(function (response) {
    if (response.ok) {
      var copy = response.clone();
      event.waitUntil(caches.open(STATIC_CACHE).then(function (c) { return c.put(request, copy); }));
    }
    return response;
  }).catch(function () {
    return caches.match(request).then(function (cached) {
      return cached || Response.error();
    });
  });
}

self.addEventListener("install", function (event) {
  event.waitUntil(caches.open(STATIC_CACHE).then(function (cache) {
    return cache.addAll(PRECACHE);
  }).then(function () { return self.skipWaiting(); }));
});

self.addEventListener("activate", function (event) {
  event.waitUntil(caches.keys().then(function (names) {
    return Promise.all(names.filter(function (name) {
      return name.indexOf("sanyuan-static-") === 0 && name !== STATIC_CACHE;
    }).map(function (name) { return caches.delete(name); }));
  }).then(function () { return self.clients.claim(); }));
});

self.addEventListener("fetch", function (event) {
  var request = event.request;
  if (request.method !== "GET") return;
  var url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (url.pathname.indexOf("/static/") === 0) {
    event.respondWith(staticFile(event, url));
  } else if (request.mode === "navigate") {
    event.respondWith(networkFirst(event, url, offlineFallback));
  } else if (matches(FILE_RULES, url)) {
    event.respondWith(networkFirst(event, url, function () { return Response.error(); }));
  }
});

// Fetch the pages this person will want offline (upcoming activities and their materials,
// the inbox, the articles they opened), at most every few minutes, one at a time.
function warm() {
  return caches.open(META_CACHE).then(function (meta) {
    return meta.match(WARMED_AT_URL).then(function (stamp) {
      return stamp ? stamp.text() : "0";
    }).then(function (stamp) {
      if (Date.now() - Number(stamp) < WARM_INTERVAL_MS) return;
      return meta.put(WARMED_AT_URL, new Response(String(Date.now()))).then(function () {
        return fetch(PRECACHE_LIST_URL, { credentials: "same-origin", cache: "no-store" });
      }).then(function (response) {
        return response.ok ? response.json() : { key: ANONYMOUS, urls: [] };
      }).then(function (list) {
        if (!list.key || list.key === ANONYMOUS) return;
        return switchTo(list.key).then(function () {
          return caches.open(PAGE_PREFIX + list.key);
        }).then(function (cache) {
          return list.urls.reduce(function (chain, path) {
            return chain.then(function () { return warmOne(cache, list.key, path); });
          }, Promise.resolve()).then(function () { return trim(cache); });
        });
      });
    });
  }).catch(function () { /* offline or server trouble: try again next time */ });
}

function warmOne(cache, key, path) {
  var url = new URL(path, self.location.origin);
  var isFile = matches(FILE_RULES, url);
  if (!isFile && !matches(PAGE_RULES, url)) return Promise.resolve();
  var request = new Request(url.href, { credentials: "same-origin" });
  var already = isFile ? cache.match(request, { ignoreVary: true }) : Promise.resolve(undefined);
  return already.then(function (cached) {
    if (cached) return;
    return fetch(url.href, {
      credentials: "same-origin",
      headers: { "X-Offline-Prefetch": "1" }
    }).then(function (response) {
      if (!keepable(response)) return;
      var owner = response.headers.get("X-Offline-Key");
      if (!isFile && owner !== key) return;
      var size = Number(response.headers.get("Content-Length") || "0");
      if (isFile && size > MAX_FILE_BYTES) return;
      return cache.put(request, response);
    });
  }).catch(function () { /* skip this one */ });
}

// The titles of the pages kept for the current person (for the offline page's list).
function listPages() {
  return getCurrentKey().then(function (key) {
    if (!key) return [];
    return caches.open(PAGE_PREFIX + key).then(function (cache) {
      return cache.keys().then(function (requests) {
        return Promise.all(requests.map(function (request) {
          var url = new URL(request.url);
          if (!matches(PAGE_RULES, url)) return null;
          return cache.match(request, { ignoreVary: true }).then(function (response) {
            return response.text();
          }).then(function (html) {
            var found = /<title>([^<]*)<\/title>/.exec(html);
            return { url: url.pathname + url.search, title: found ? found[1] : url.pathname };
          });
        }));
      });
    }).then(function (items) { return items.filter(Boolean); });
  });
}

self.addEventListener("message", function (event) {
  var data = event.data || {};
  var reply = function (value) {
    if (event.ports && event.ports[0]) event.ports[0].postMessage(value);
  };
  if (data.type === "warm") {
    event.waitUntil(warm().then(function () { reply({ done: true }); }));
  } else if (data.type === "logout") {
    event.waitUntil(forgetEverybody().then(function () { reply({ done: true }); }));
  } else if (data.type === "list") {
    event.waitUntil(listPages().then(reply, function () { reply([]); }));
  }
});
{% endautoescape %}
