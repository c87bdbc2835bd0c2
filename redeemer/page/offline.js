/*
 * Selling while the link is down (redeemer/offline.h is the server's
 * side). While online the page keeps, in IndexedDB, what deciding needs
 * (GET /v1/offline/state: the issuer keys, the signed revocation list, the
 * terminal's limits, the server's clock) and what it last heard of each
 * voucher; offline it decides with voucher.js, the same checks as the
 * redeemer, and queues each sale with its time; back online it uploads the
 * queue oldest first, each sale with its own request_id, until each has an
 * answer: taken, or a conflict (the merchant bears it). The queue survives
 * a closed tab or a restarted phone.
 *
 * Limits (from the redeemer's configuration): one sale at most sale_max;
 * what waits to be uploaded at most device_max; no sale more than
 * session_seconds after the oldest one waiting, nor with keys and a
 * revocation list older than that.
 *
 * Typed short codes: the page also keeps the terminal's codes (GET
 * /v1/offline/codes: per manifest its salt, iterations and "LOOKUP SEALED"
 * lines, of the vouchers its gallery may redeem), fetched again when the
 * state's "codes" version or the terminal changes, and finds a typed code
 * among them with voucher.js (PBKDF2, lookup, AES-GCM). After CODE_FAILS_MAX
 * unknown codes within CODE_WINDOW seconds the device refuses codes until
 * the window is over. That is only a speed bump for a cashier guessing:
 * whoever holds the device's data can try codes without the page, and
 * what bounds them is the PBKDF2 cost of each try, per manifest.
 */
"use strict";
const Offline = (() => {
	const DB = "voucher-offline", VERSION = 1;
	const CODE_FAILS_MAX = 5, CODE_WINDOW = 15 * 60;
	let db = null;

	function req(r) {
		return new Promise((ok, no) => {
			r.onsuccess = () => ok(r.result);
			r.onerror = () => no(r.error);
		});
	}

	async function open() {
		if (db) return db;
		const r = indexedDB.open(DB, VERSION);
		r.onupgradeneeded = () => {
			const d = r.result;
			d.createObjectStore("kv");
			d.createObjectStore("queue", { keyPath: "seq", autoIncrement: true });
			d.createObjectStore("seen"); /* serial -> remaining, as the redeemer last said */
			d.createObjectStore("done", { keyPath: "seq", autoIncrement: true });
		};
		db = await req(r);
		return db;
	}

	async function store(name, mode = "readonly") {
		return (await open()).transaction(name, mode).objectStore(name);
	}
	const get = async (name, key) => req((await store(name)).get(key));
	const put = async (name, value, key) =>
		req((await store(name, "readwrite")).put(value, key));
	const del = async (name, key) => req((await store(name, "readwrite")).delete(key));
	const all = async (name) => req((await store(name)).getAll());

	/* Seconds since 1970 by the redeemer's clock, as last synchronised. */
	async function now() {
		const s = await get("kv", "state");
		return Math.floor(Date.now() / 1000) + (s ? s.offset : 0);
	}
	const iso = (t) => new Date(t * 1000).toISOString().replace(/\.\d{3}Z$/, "Z");

	/* While online: what deciding offline needs. */
	async function refresh(api) {
		const r = await api("GET", "/v1/offline/state");
		if (r.status !== 200) return false;
		const j = r.j, keys = await Voucher.parseKeyring(j.keyring);
		let list = null;
		if (j.revocations) list = await Voucher.parseRevocations(j.revocations, keys, j.time);
		await put("kv", {
			offset: j.time - Math.floor(Date.now() / 1000),
			fetched: j.time,
			keyring: j.keyring,
			revocations: list ? j.revocations : null,
			limits: j.limits,
			terminal: j.terminal,
		}, "state");
		await refreshCodes(api, j);
		return true;
	}

	/* The terminal's codes, fetched again when the state names another
	 * version of them or the terminal is another (its gallery's codes). */
	async function refreshCodes(api, state) {
		const have = await get("kv", "codes");
		const version = state.codes === undefined ? null : state.codes;
		if (have && have.version === version && have.terminal === state.terminal.id) return;
		if (version === null) {
			await put("kv", { version: null, terminal: state.terminal.id, manifests: [] }, "codes");
			return;
		}
		const r = await api("GET", "/v1/offline/codes");
		if (r.status !== 200 || !Array.isArray(r.j.manifests)) return;
		await put("kv", {
			version: r.j.version,
			terminal: state.terminal.id,
			manifests: r.j.manifests.map((m) => ({ issuer: m.issuer, period: m.period, salt: m.salt,
			                                        iterations: m.iterations, codes: m.codes })),
		}, "codes");
	}

	/* What the redeemer said a voucher has left, while online. */
	const saw = (serial, remaining) => put("seen", remaining, serial);

	async function queued() {
		return (await all("queue")).sort((a, b) => a.seq - b.seq);
	}

	/*
	 * Decide a voucher offline: {code} when it is refused (the API's codes,
	 * and "offline_off", "offline_stale", "offline_session"), else {v, left,
	 * limits}: the voucher, what this device may still take of it.
	 */
	async function decide(text) {
		const s = await get("kv", "state"), t = await now(), q = await queued();
		const no = usable(s, t, q);
		if (no) return { code: no };
		const keys = await Voucher.parseKeyring(s.keyring);
		const list = s.revocations ? await Voucher.parseRevocations(s.revocations, keys, t) : null;
		const code = await Voucher.check(text, keys, list, s.terminal.gallery, t);
		if (code !== "ok") return { code };
		const v = Voucher.decode(text), seen = await get("seen", v.serial);
		const left = (seen === undefined ? v.face : seen) -
		             q.filter((x) => x.serial === v.serial).reduce((n, x) => n + x.amount, 0);
		if (left <= 0) return { code: "already_spent" };
		return { v, left, limits: s.limits, waiting: q.reduce((n, x) => n + x.amount, 0) };
	}

	/* Why this device may not sell offline now (s the state, t now, q the
	 * queue), or null. */
	function usable(s, t, q) {
		if (!s) return "offline_stale";
		if (!s.limits.sale_max) return "offline_off";
		if (t - s.fetched > s.limits.session_seconds) return "offline_stale";
		if (q.length && t - q[0].made > s.limits.session_seconds) return "offline_session";
		return null;
	}

	/*
	 * A typed short code offline: {text}, the voucher's text (then decided
	 * as a scanned one), or {code}: "malformed_code" (a typo; not counted),
	 * "too_many_codes" (CODE_FAILS_MAX unknown codes in CODE_WINDOW),
	 * "offline_no_codes" (none kept), "unknown_code" (counted), or why the
	 * device may not sell offline now.
	 */
	async function findCode(typed) {
		if (!Voucher.parseCode(typed)) return { code: "malformed_code" };
		const s = await get("kv", "state"), t = await now();
		const no = usable(s, t, await queued());
		if (no) return { code: no };
		const fails = ((await get("kv", "codeFails")) || [])
		    .filter((x) => Math.abs(t - x) < CODE_WINDOW);
		if (fails.length >= CODE_FAILS_MAX) return { code: "too_many_codes" };
		const c = await get("kv", "codes");
		if (!c || !c.manifests.length) return { code: "offline_no_codes" };
		const text = await Voucher.findCode(typed, c.manifests);
		if (text) return { text };
		fails.push(t);
		await put("kv", fails, "codeFails");
		return { code: "unknown_code" };
	}

	/* Take amount offline (after decide): the sale waits in the queue. {code} if a limit refuses it. */
	async function take(text, amount) {
		const d = await decide(text);
		if (d.code) return d;
		if (amount > d.left) return { code: "insufficient_balance" };
		if (amount > d.limits.sale_max) return { code: "offline_sale_max" };
		if (d.waiting + amount > d.limits.device_max) return { code: "offline_device_max" };
		const t = await now(), sale = {
			request_id: (crypto.randomUUID ? crypto.randomUUID() : String(Math.random()).slice(2)),
			voucher: text, serial: d.v.serial, amount, made: t, offline_at: iso(t),
		};
		await put("queue", sale);
		return { sale, left: d.left - amount };
	}

	/*
	 * Upload what waits, oldest first, until the queue is empty or the link
	 * fails (then false: try again later). Each answer goes to done: taken
	 * ("ok"), "conflict", or "refused" with its code.
	 */
	async function upload(api) {
		for (const sale of await queued()) {
			let r;
			try {
				r = await api("POST", "/v1/redeem", { voucher: sale.voucher, amount: sale.amount,
				                                      request_id: sale.request_id,
				                                      offline_at: sale.offline_at });
			} catch (e) {
				return false;
			}
			if (r.status >= 500 || r.status === 401 || r.status === 429) return false;
			const status = r.status === 201 ? "ok"
			             : r.j.error === "offline_conflict" ? "conflict" : "refused";
			if (typeof r.j.remaining === "number") await saw(sale.serial, r.j.remaining);
			await put("done", { status, serial: sale.serial, amount: sale.amount,
			                    at: sale.offline_at, error: r.j.error || null,
			                    redemption_id: r.j.redemption_id || null,
			                    receipt: r.j.receipt || null, seen: false });
			await del("queue", sale.seq);
		}
		return true;
	}

	/* Answers the cashier has not been shown yet (conflicts, refusals); marks them shown. */
	async function news() {
		const out = [];
		for (const d of await all("done"))
			if (!d.seen) {
				out.push(d);
				d.seen = true;
				await put("done", d);
			}
		return out;
	}

	return { open, refresh, saw, decide, take, upload, queued, news, now, findCode };
})();
