// The staff pager's service worker: it keeps the page shell (HTML, script, style, words, icons)
// so the installed app opens at once, and nothing else. The store's state (/api/) and the
// shoppers' tickets (/t/) always come from the network: a cached board would show requests
// that are long gone. The shell is fetched fresh when the network answers; the copy is for
// when it does not.
"use strict";
const CACHE = "store-assist-staff-v2";
const SHELL = [
  "/staff", "/staff/", "/staff/staff.js", "/staff/staff-alerts.js", "/staff/staff-draw.js", "/staff/staff-say.js",
  "/staff/staff.css", "/staff/staff-words.json",
  "/staff/manifest.webmanifest", "/staff/icon-192.png", "/staff/icon-512.png",
];

self.addEventListener("install", (event) => {
  // One by one: a shell file the server does not have (the page at /staff/ as well as /staff) is left out.
  event.waitUntil(caches.open(CACHE)
    .then((cache) => Promise.allSettled(SHELL.map((path) => cache.add(path))))
    .then(() => self.skipWaiting()));
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    caches.keys()
      .then((names) => Promise.all(names.filter((name) => name !== CACHE).map((name) => caches.delete(name))))
      .then(() => self.clients.claim()),
  );
});

self.addEventListener("fetch", (event) => {
  const url = new URL(event.request.url);
  const path = url.pathname;
  if (event.request.method !== "GET" || url.origin !== self.location.origin || !SHELL.includes(path)) return;
  event.respondWith(
    fetch(event.request).then((answer) => {
      if (answer.ok) {
        const copy = answer.clone();
        caches.open(CACHE).then((cache) => cache.put(path, copy));
      }
      return answer;
    }).catch(() => caches.match(path).then((kept) => kept || Response.error())),
  );
});
