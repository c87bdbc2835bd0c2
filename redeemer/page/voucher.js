/*
 * The voucher format in the browser: a second implementation of
 * docs/FORMAT.md, written from it, so that the scanner page can decide a
 * sale while its link is down with the same checks as the redeemer, in
 * the same order. tests/e2e_js.sh runs FORMAT.md's vectors through it.
 *
 *   Voucher.decode(text)                     the token's fields, or {error}
 *   Voucher.parseKeyring(text)               issuer and receipt keys, or throws {line, why}
 *   Voucher.parseRevocations(text, keys, now) a verified list, or throws {line, code, why}
 *   Voucher.check(text, keys, list, gallery, now) "ok" or the API's error code
 *
 * and the short code printed under the QR (docs/FORMAT.md, "The short code"):
 *
 *   Voucher.isCodeInput(text)            whether what was typed is meant as a code
 *   Voucher.parseCode(text)              its 12 canonical symbols, or null (malformed_code)
 *   Voucher.printCode(code)              "XQC5-S345-MHE9"
 *   Voucher.codeOf(text)                 the printed code of a voucher's text, or null
 *   Voucher.codeKeys(code, salt, iterations) {lookup, key}: PBKDF2, then the two SHA-256s
 *   Voucher.openCode(key, sealed)        the voucher text ("UV1:...") a sealed token opens to, or null
 *   Voucher.findCode(code, manifests)    the voucher text of a code among GET
 *                                        /v1/offline/codes's manifests, or null
 *
 * Ed25519 is WebCrypto's where the browser has it, else the arithmetic of
 * @noble/ed25519 (vendored; the page loads it as globalThis.nobleEd25519)
 * with the checks of the redeemer's OpenSSL (ed25519Noble below).
 */
"use strict";
(function (root) {
	const B45 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:";
	const TOKEN_LEN = 100, BODY_LEN = 36;
	const enc = new TextEncoder();
	const crypto = root.crypto || (typeof require === "function" && require("crypto").webcrypto);
	const idOk = (s) => /^[A-Za-z0-9._-]{1,32}$/.test(s);
	const hex = (b) => [...b].map((x) => x.toString(16).padStart(2, "0")).join("");
	const be32 = (b, i) => ((b[i] << 24) >>> 0) + (b[i + 1] << 16) + (b[i + 2] << 8) + b[i + 3];
	const equal = (a, b) => a.length === b.length && a.every((x, i) => x === b[i]);

	/* Base45 (RFC 9285), only its canonical texts; null if not one. */
	function base45(s) {
		const out = [];
		if (s.length % 3 === 1) return null;
		for (let i = 0; i < s.length; i += 3) {
			const c = [...s.slice(i, i + 3)].map((ch) => B45.indexOf(ch));
			if (c.includes(-1)) return null;
			const n = c[0] + c[1] * 45 + (c.length === 3 ? c[2] * 2025 : 0);
			if (c.length === 3) {
				if (n > 0xffff) return null;
				out.push(n >> 8, n & 0xff);
			} else {
				if (n > 0xff) return null;
				out.push(n);
			}
		}
		return Uint8Array.from(out);
	}

	/* Base45 (RFC 9285) of bytes: two bytes become three characters, a last one two. */
	function base45Encode(b) {
		let s = "";
		for (let i = 0; i + 1 < b.length; i += 2) {
			const n = b[i] * 256 + b[i + 1];
			s += B45[n % 45] + B45[Math.floor(n / 45) % 45] + B45[Math.floor(n / 2025)];
		}
		if (b.length % 2) s += B45[b[b.length - 1] % 45] + B45[Math.floor(b[b.length - 1] / 45)];
		return s;
	}

	/* Unpadded Base64url (RFC 4648 section 5), as the manifests write it. */
	const B64URL = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
	function b64urlEncode(b) {
		let s = "";
		for (let i = 0; i < b.length; i += 3) {
			const n = (b[i] << 16) | ((b[i + 1] || 0) << 8) | (b[i + 2] || 0);
			const chars = Math.min(4, Math.ceil(((b.length - i) * 8) / 6));
			for (let k = 0; k < chars; k++) s += B64URL[(n >> (18 - 6 * k)) & 63];
		}
		return s;
	}
	/* Exactly n bytes of canonical unpadded Base64url; null otherwise. */
	function b64url(s, n) {
		if (typeof s !== "string" || s.length !== Math.ceil((n * 8) / 6) || !/^[A-Za-z0-9_-]*$/.test(s))
			return null;
		const out = new Uint8Array(n);
		let acc = 0, bits = 0, j = 0;
		for (const ch of s) {
			acc = (acc << 6) | B64URL.indexOf(ch);
			bits += 6;
			if (bits >= 8) {
				bits -= 8;
				if (j < n) out[j++] = (acc >> bits) & 0xff;
			}
			acc &= (1 << bits) - 1;
		}
		return acc === 0 ? out : null; /* the unused bits of the last character are 0 */
	}

	/* Standard Base64 of exactly n bytes, canonical; null otherwise. */
	function base64(s, n) {
		if (!/^[A-Za-z0-9+/]*={0,2}$/.test(s) || s.length !== 4 * Math.ceil(n / 3)) return null;
		const bin = atob(s), b = Uint8Array.from(bin, (c) => c.charCodeAt(0));
		return b.length === n && btoa(bin) === s ? b : null;
	}

	async function sha256(bytes) {
		return new Uint8Array(await crypto.subtle.digest("SHA-256", bytes));
	}

	/* tag(kind, id): the first 4 bytes of SHA-256("kind:id"). */
	async function tag(kind, id) {
		return (await sha256(enc.encode(kind + ":" + id))).slice(0, 4);
	}

	/* Days since 1970-01-01 of a YYYY-MM-DD that exists, of a year from
	 * first to last; NaN otherwise. */
	function days(s, first, last) {
		const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(s);
		if (!m) return NaN;
		const t = Date.UTC(+m[1], +m[2] - 1, +m[3]);
		const d = new Date(t);
		return d.getUTCFullYear() === +m[1] && d.getUTCMonth() === +m[2] - 1 &&
		    d.getUTCDate() === +m[3] && +m[1] >= first && +m[1] <= last ? t / 86400000 : NaN;
	}
	/* A keyring's day: of the years 1900 to 2199, as the redeemer reads it. */
	const keyDay = (s) => days(s, 1900, 2199);

	/* Unix seconds of a UTC instant YYYY-MM-DDTHH:MM:SSZ that exists; NaN otherwise. */
	function instant(s) {
		const m = /^(\d{4}-\d{2}-\d{2})T(\d{2}):(\d{2}):(\d{2})Z$/.exec(s);
		const d = m ? days(m[1], 1970, 9999) : NaN;
		if (!m || isNaN(d) || +m[2] > 23 || +m[3] > 59 || +m[4] > 59) return NaN;
		return d * 86400 + +m[2] * 3600 + +m[3] * 60 + +m[4];
	}

	/* Ed25519 verification (docs/FORMAT.md, "Verifying"). */
	async function ed25519(pub, msg, sig) {
		try {
			const key = await crypto.subtle.importKey("raw", pub, { name: "Ed25519" }, false,
			                                         ["verify"]);
			return await crypto.subtle.verify({ name: "Ed25519" }, key, sig, msg);
		} catch (e) {
			const noble = root.nobleEd25519;
			if (!noble) throw new Error("no Ed25519 in this browser");
			try {
				return await ed25519Noble(noble, pub, msg, sig);
			} catch (e2) {
				return false;
			}
		}
	}

	/* Little-endian bytes as a number. */
	const le = (b) => b.reduceRight((n, x) => (n << 8n) | BigInt(x), 0n);

	/*
	 * Ed25519 with noble's arithmetic, checked as the redeemer's OpenSSL
	 * checks it: S below L; the key's 32 bytes read as OpenSSL reads them (y
	 * taken modulo p, no key refused for its order); [S]B - [k]A, k =
	 * SHA-512(R || A || msg), must be R, byte for byte. noble's own verify
	 * checks [8][S]B = [8]R + [8][k]A instead (RFC 8032 allows both) and
	 * refuses keys of small order: it took signatures whose R has a part of
	 * small order, which the redeemer refuses, and refused some it takes.
	 */
	async function ed25519Noble(noble, pub, msg, sig) {
		const { Point, CURVE, etc } = noble, r = sig.slice(0, 32), s = le(sig.slice(32));
		if (s >= CURVE.n) return false;
		const A = Point.fromHex(pub, true); /* throws for no point at all */
		const h = new Uint8Array(await crypto.subtle.digest("SHA-512", concat(concat(r, pub), msg)));
		const R = Point.BASE.multiply(s, false).add(A.multiply(etc.mod(le(h), CURVE.n), false).negate());
		return equal(R.is0() ? Uint8Array.of(1, ...new Uint8Array(31)) : R.toBytes(), r);
	}

	/* The token's fields (docs/FORMAT.md, "Binary layout"), or {error}. */
	function decode(text) {
		const bad = { error: "malformed_voucher" };
		if (typeof text !== "string" || text.slice(0, 4) !== "UV1:") return bad;
		const b = base45(text.slice(4));
		if (!b || b.length !== TOKEN_LEN || b[0] !== 1 || (b[1] & 0xfe)) return bad;
		const v = {
			multi: (b[1] & 1) === 1,
			issuerTag: b.slice(2, 6),
			kidTag: b.slice(6, 10),
			serial: hex(b.slice(10, 18)).toUpperCase(),
			year: 2000 + b[18],
			month: b[19],
			validFrom: be32(b, 20),
			validUntil: be32(b, 24),
			face: be32(b, 28),
			galleryTag: b.slice(32, 36),
			body: b.slice(0, BODY_LEN),
			sig: b.slice(BODY_LEN),
		};
		if (v.month < 1 || v.month > 12 || v.validFrom >= v.validUntil || v.face === 0 ||
		    /^0+$/.test(v.serial)) return bad;
		/* The window is bound to the period: from its first midnight in WIT to
		 * 31 days after its last in WIB. */
		const first = Date.UTC(v.year, v.month - 1, 1) / 1000;
		const after = Date.UTC(v.year, v.month, 1 + 31) / 1000;
		if (v.validFrom < first - 9 * 3600 || v.validUntil > after - 7 * 3600) return bad;
		v.firstDay = first / 86400;
		v.lastDay = Date.UTC(v.year, v.month, 0) / 86400000;
		return v;
	}

	/* A keyring file (docs/FORMAT.md, "The keyring file"): [{kid, role,
	 * issuer, validFrom, retiredAfter (days; Infinity), pub}]. Throws
	 * {line, why} for what a reader refuses. */
	async function parseKeyring(text) {
		const keys = [], lines = text.split("\n");
		if (lines[lines.length - 1] === "") lines.pop();
		for (let i = 0; i < lines.length; i++) {
			/* A comment runs to the end of the line, whatever it holds; fields
			 * are separated by spaces, tabs and carriage returns (a CRLF file)
			 * and nothing else, as the redeemer reads them: no trim(), which
			 * would take a BOM or a no-break space for a blank too. */
			const refuse = (why) => { throw { line: i + 1, why }; };
			if (lines[i].includes("\0")) refuse("a NUL byte"); /* even in a comment */
			const f = lines[i].split("#")[0].split(/[ \t\r]+/).filter((x) => x);
			if (!f.length) continue;
			if (f.length !== 6) refuse("six fields");
			const [kid, role, issuer, from, retired, pub] = f;
			const k = {
				kid, role, issuer, validFrom: keyDay(from),
				retiredAfter: retired === "-" ? Infinity : keyDay(retired),
				pub: /=$/.test(pub) && !/==$/.test(pub) ? base64(pub, 32) : null,
			};
			if (!idOk(kid) || (role !== "issuer" && role !== "receipt") ||
			    (issuer !== "-" && !idOk(issuer)) || isNaN(k.validFrom) ||
			    isNaN(k.retiredAfter) || !k.pub) refuse("a field not of its form");
			if (role === "receipt" && issuer !== "-") refuse("a receipt key with an issuer");
			if (k.retiredAfter < k.validFrom) refuse("retired before it was made");
			k.kidTag = await tag("kid", kid);
			k.issuerTag = issuer === "-" ? null : await tag("issuer", issuer);
			if (keys.some((o) => o.kid === kid || equal(o.kidTag, k.kidTag)))
				refuse("a key id twice");
			keys.push(k);
		}
		if (!keys.length) throw { line: 0, why: "no key" };
		return keys;
	}

	/* An issuer key of keys for these tags (an unbound key answers for any issuer). */
	function issuerKey(keys, issuerTag, kidTag) {
		return keys.find((k) => k.role === "issuer" && (!kidTag || equal(k.kidTag, kidTag)) &&
		                        (!k.issuerTag || equal(k.issuerTag, issuerTag))) || null;
	}

	/* A signed revocation list (docs/FORMAT.md, "The revocation list"),
	 * verified against keys at now: {issuer, kid, time, revoked, compromised,
	 * allowed}. Throws {line, code, why} as a reader refuses it. */
	async function parseRevocations(text, keys, now) {
		const lines = text.split("\n"), list = { revoked: new Set(), compromised: new Map(),
		                                         allowed: new Set() };
		const refuse = (line, why, code = "invalid") => { throw { line, code, why }; };
		/* The lines in order, the first that fails the answer, as the redeemer
		 * reads them: a last line without its newline is refused where it
		 * stands, after the lines before it. */
		const cut = lines.pop(); /* "" when the last line ends with its newline */
		const at = (i) => {
			if (i === lines.length && cut !== "") refuse(i + 1, "not ended");
			return lines[i];
		};
		const serial = (s, prev, n) => {
			if (!/^[0-9A-F]{16}$/.test(s) || /^0+$/.test(s)) refuse(n, "bad serial");
			if (prev !== null && s <= prev) refuse(n, "serials must be in strictly ascending order");
			return s;
		};
		if (at(0) !== "UMKM-REVOCATIONS-v1") refuse(1, "not a revocation list");
		const head = [
			["issuer ", (v) => idOk(v) && (list.issuer = v)],
			["kid ", (v) => idOk(v) && (list.kid = v)],
			["version ", (v) => /^(0|[1-9][0-9]*)$/.test(v) && BigInt(v) <= 18446744073709551615n],
			["time ", (v) => !isNaN(list.time = instant(v))],
		];
		for (let i = 0; i < 4; i++) {
			const [key, ok] = head[i], l = at(i + 1);
			if (l === undefined || !l.startsWith(key))
				refuse(i + 2, "expected issuer, kid, version and time lines in order");
			if (!ok(l.slice(key.length))) refuse(i + 2, "bad value");
		}
		let part = 0, prev = null, prevKid = null, sigLine = 0, signedLen = 0, offset = 0;
		for (let i = 0; i < 5; i++) offset += lines[i].length + 1;
		for (let i = 5; i <= lines.length; i++) {
			const l = at(i), n = i + 1;
			if (l === undefined) break;
			if (l.startsWith("revoked ") && part === 0) {
				prev = serial(l.slice(8), prev, n);
				list.revoked.add(prev);
			} else if (l.startsWith("compromised ") && part <= 1) {
				if (part === 0) prev = null;
				part = 1;
				const m = /^([^ ]{1,32}) (.*)$/.exec(l.slice(12));
				if (!m || !idOk(m[1]) || isNaN(instant(m[2]))) refuse(n, "bad compromised line");
				if (prevKid !== null && m[1] <= prevKid)
					refuse(n, "compromised keys must be in strictly ascending order");
				prevKid = m[1];
				list.compromised.set(m[1], instant(m[2]));
			} else if (l.startsWith("allowed ") && part >= 1) {
				if (part === 1) prev = null;
				part = 2;
				prev = serial(l.slice(8), prev, n);
				list.allowed.add(prev);
			} else if (l.startsWith("signature ")) {
				sigLine = n;
				signedLen = offset;
				const s = l.slice(10);
				list.sig = s.length === 88 && s[86] === "=" && s[85] !== "=" ? base64(s, 64) : null;
				if (!list.sig) refuse(n, "bad signature encoding");
				if (i !== lines.length - 1 || cut !== "") refuse(n, "text after the signature");
				break;
			} else {
				refuse(n, /^(revoked|allowed|compromised) /.test(l)
				                ? "lines out of order" : "unexpected line");
			}
			offset += l.length + 1;
		}
		if (!sigLine) refuse(lines.length + 1, "no signature line");
		const k = issuerKey(keys, await tag("issuer", list.issuer), await tag("kid", list.kid));
		if (!k) refuse(3, "signed by a key that is not in the keyring", "unknown_key");
		if (!await ed25519(k.pub, enc.encode(text.slice(0, signedLen)), list.sig))
			refuse(sigLine, "the signature does not verify", "bad_signature");
		if (list.time >= (k.retiredAfter + 1) * 86400 || list.time < k.validFrom * 86400 ||
		    list.compromised.has(k.kid))
			refuse(3, "its key may not sign it", "unknown_key");
		if (list.time > now + 300) refuse(5, "the list's time is in the future");
		return list;
	}

	/*
	 * What the redeemer would answer for this voucher text, at now (Unix
	 * seconds), at a terminal of gallery: "ok" or the API's error code, in
	 * the order of docs/FORMAT.md ("Verifying") with the redeemer's own
	 * checks (revocation list, gallery) before the clock's. keys from
	 * parseKeyring, list from parseRevocations (or null: none), gallery
	 * null to check the voucher alone, as FORMAT.md's vectors do.
	 */
	async function check(text, keys, list, gallery, now) {
		const v = decode(text);
		if (v.error) return v.error;
		const issuers = keys.filter((k) => k.role === "issuer" &&
		                                   (!k.issuerTag || equal(k.issuerTag, v.issuerTag)));
		if (!issuers.length) return "wrong_issuer";
		const k = issuers.find((o) => equal(o.kidTag, v.kidTag));
		if (!k) return "unknown_key";
		const msg = new Uint8Array(16 + BODY_LEN);
		msg.set(enc.encode("UMKM-VOUCHER-v1"));
		msg.set(v.body, 16);
		if (!await ed25519(k.pub, msg, v.sig)) return "bad_signature";
		if (k.retiredAfter < v.firstDay || k.validFrom > v.lastDay) return "unknown_key";
		if (list && (list.revoked.has(v.serial) ||
		             (list.compromised.has(k.kid) && !list.allowed.has(v.serial))))
			return "revoked";
		if (gallery !== null && v.galleryTag.some((x) => x) &&
		    !equal(v.galleryTag, await tag("gallery", gallery)))
			return "not_valid_here";
		if (now < v.validFrom) return "not_yet_valid";
		if (now >= v.validUntil) return "expired";
		return "ok";
	}

	/* ---- The short code (docs/FORMAT.md, "The short code") ---- */

	const CODE = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"; /* Crockford's Base32: no I, L, O, U */
	const CODE_LEN = 12, SEALED_LEN = TOKEN_LEN + 16;
	const ITERATIONS_MIN = 10000, ITERATIONS_MAX = 1000000;
	const checkSymbol = (v) => v.slice(0, 11).reduce((n, x, i) => n + (i + 1) * x, 0) % 31;

	/* Whether the cashier typed a short code rather than a voucher's text:
	 * short, and no ':' (every voucher text has one, "UV1:"). A scanner or
	 * a paste gives the whole text. */
	function isCodeInput(text) {
		return typeof text === "string" && !text.includes(":") && text.trim().length <= 32;
	}

	/* What was typed, as its 12 canonical symbols: either case, spaces and
	 * hyphens skipped, I and L read as 1, O as 0. null for anything else, a
	 * length other than 12 or a wrong check symbol: malformed_code, a typo. */
	function parseCode(text) {
		if (typeof text !== "string" || /[^\x20-\x7e]/.test(text)) return null; /* ASCII, as the redeemer reads it */
		const s = text.toUpperCase().replace(/[ -]/g, "").replace(/[IL]/g, "1").replace(/O/g, "0");
		if (s.length !== CODE_LEN) return null;
		const v = [...s].map((c) => CODE.indexOf(c));
		if (v.includes(-1) || v[11] !== checkSymbol(v)) return null;
		return s;
	}

	/* A code as printed: three groups of four. */
	const printCode = (code) => code.slice(0, 4) + "-" + code.slice(4, 8) + "-" + code.slice(8, 12);

	/* The printed code of a voucher's text: the first 55 bits of
	 * SHA-256("UMKM-CODE-v1" 0x00 token), five a symbol, then the check. */
	async function codeOf(text) {
		const b = typeof text === "string" && text.slice(0, 4) === "UV1:" && base45(text.slice(4));
		if (!b || b.length !== TOKEN_LEN) return null;
		const h = await sha256(concat(enc.encode("UMKM-CODE-v1\0"), b));
		let bits = 0n;
		for (let i = 0; i < 7; i++) bits = (bits << 8n) | BigInt(h[i]);
		bits >>= 1n; /* 56 bits, the first 55 kept */
		const v = [];
		for (let i = 0; i < 11; i++) v.push(Number((bits >> BigInt(5 * (10 - i))) & 31n));
		v.push(checkSymbol(v));
		return printCode(v.map((x) => CODE[x]).join(""));
	}

	function concat(a, b) {
		const out = new Uint8Array(a.length + b.length);
		out.set(a);
		out.set(b, a.length);
		return out;
	}

	/* The lookup value (16 bytes) and the key (32) of a canonical code under
	 * a manifest's salt (bytes, or its Base64url) and iterations:
	 * dk = PBKDF2-HMAC-SHA256(code, salt, iterations, 32 bytes),
	 * lookup = SHA-256("UMKM-CODE-LOOKUP" 0x00 dk)[0..15],
	 * key = SHA-256("UMKM-CODE-KEY" 0x00 dk). null for a salt or count a
	 * manifest may not have. */
	async function codeKeys(code, salt, iterations) {
		if (typeof salt === "string") salt = b64url(salt, 16);
		if (!salt || salt.length !== 16 || !Number.isInteger(iterations) ||
		    iterations < ITERATIONS_MIN || iterations > ITERATIONS_MAX) return null;
		const pw = await crypto.subtle.importKey("raw", enc.encode(code), "PBKDF2", false,
		                                         ["deriveBits"]);
		const dk = new Uint8Array(await crypto.subtle.deriveBits(
		    { name: "PBKDF2", hash: "SHA-256", salt, iterations }, pw, 256));
		const lookup = (await sha256(concat(enc.encode("UMKM-CODE-LOOKUP\0"), dk))).slice(0, 16);
		const key = await sha256(concat(enc.encode("UMKM-CODE-KEY\0"), dk));
		dk.fill(0);
		return { lookup, key };
	}

	/* The voucher text a sealed token (116 bytes: AES-256-GCM under key, a
	 * zero nonce, no associated data, its tag last) opens to; null if it
	 * does not open. */
	async function openCode(key, sealed) {
		if (!sealed || sealed.length !== SEALED_LEN) return null;
		try {
			const k = await crypto.subtle.importKey("raw", key, "AES-GCM", false, ["decrypt"]);
			const token = new Uint8Array(await crypto.subtle.decrypt(
			    { name: "AES-GCM", iv: new Uint8Array(12), tagLength: 128 }, k, sealed));
			return token.length === TOKEN_LEN ? "UV1:" + base45Encode(token) : null;
		} catch (e) {
			return null;
		}
	}

	/*
	 * The voucher text of a code (as typed; parsed here) among manifests as
	 * GET /v1/offline/codes gives them ({period, salt, iterations, codes:
	 * "LOOKUP SEALED\n..."}), or null: not there, or it opens to a token that
	 * is not the code's, or not of the manifest's period. One PBKDF2 per
	 * manifest. The token found is then checked as a scanned one is.
	 */
	async function findCode(typed, manifests) {
		const code = parseCode(typed);
		if (!code) return null;
		for (const m of manifests || []) {
			const k = await codeKeys(code, m.salt, m.iterations);
			if (!k || typeof m.codes !== "string") continue;
			const lookup = b64urlEncode(k.lookup) + " ";
			for (let at = m.codes.indexOf(lookup); at !== -1; at = m.codes.indexOf(lookup, at + 1)) {
				if (at > 0 && m.codes[at - 1] !== "\n") continue;
				const end = m.codes.indexOf("\n", at);
				const sealed = b64url(m.codes.slice(at + lookup.length, end === -1 ? undefined : end),
				                      SEALED_LEN);
				const text = await openCode(k.key, sealed);
				const v = text ? decode(text) : null;
				if (v && !v.error && await codeOf(text) === printCode(code) &&
				    (!m.period || m.period === v.year + "-" + String(v.month).padStart(2, "0")))
					return text;
				break;
			}
		}
		return null;
	}

	const api = { decode, parseKeyring, parseRevocations, check, base45, tag, instant,
	              base45Encode, b64url, b64urlEncode, isCodeInput, parseCode, printCode, codeOf,
	              codeKeys, openCode, findCode };
	if (typeof module === "object" && module.exports) module.exports = api;
	else root.Voucher = api;
})(typeof globalThis !== "undefined" ? globalThis : this);
