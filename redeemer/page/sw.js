/*
 * The scanner page's service worker: the page and its files kept in a
 * cache, so that a cashier opens it from the phone's home screen with no
 * network. Each is fetched from the redeemer when it can be (and the copy
 * renewed), from the cache when not. The API (/v1/...) is never cached:
 * an answer about money is the redeemer's, now, or none.
 */
"use strict";
const CACHE = "voucher-page-v3";
const FILES = ["/", "/app.js", "/offline.js", "/voucher.js", "/scanner.js", "/zxing-reader.js",
               "/zxing_reader.wasm", "/noble.mjs", "/noble-ed25519.mjs", "/manifest.webmanifest",
               "/icon.svg"];

self.addEventListener("install", (e) => {
	e.waitUntil(caches.open(CACHE).then((c) => c.addAll(FILES)).then(() => self.skipWaiting()));
});

self.addEventListener("activate", (e) => {
	e.waitUntil(caches.keys()
	    .then((names) => Promise.all(names.filter((n) => n !== CACHE).map((n) => caches.delete(n))))
	    .then(() => self.clients.claim()));
});

self.addEventListener("fetch", (e) => {
	const url = new URL(e.request.url);
	if (e.request.method !== "GET" || url.origin !== location.origin || !FILES.includes(url.pathname))
		return; /* the API, and anything else, straight to the network */
	e.respondWith(fetch(e.request).then((res) => {
		if (res.ok) {
			const copy = res.clone();
			caches.open(CACHE).then((c) => c.put(url.pathname, copy));
		}
		return res;
	}).catch(() => caches.match(url.pathname).then((hit) => hit || Response.error())));
});
