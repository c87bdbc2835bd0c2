// The scanner page's voucher verifier (redeemer/page/voucher.js), a second
// implementation of docs/FORMAT.md, against FORMAT.md's own vectors: the
// tokens, the keyring rules and the revocation list rules. Run twice: with
// WebCrypto's Ed25519, and with it missing, so that the vendored
// @noble/ed25519 answers. Then the short codes (FORMAT.md, "The short
// code"): each token's code, typed inputs, and codes' lookup values and
// sealed tokens, derived and opened (and sealed again) by the page's code.
// Prints "ok - ..." / "not ok - ..." lines; exits 1 if any is not ok.
import { readFileSync } from "node:fs";
import { webcrypto } from "node:crypto";
import { load, noEd25519 } from "./page_verifier.mjs";

const root = new URL("../../", import.meta.url);
const doc = readFileSync(new URL("docs/FORMAT.md", root), "utf8");
let failed = 0;
const ok = (cond, what) => {
	console.log((cond ? "ok - " : "not ok - ") + what);
	if (!cond) failed++;
};

/* The text of the code block after <!-- name -->. */
function block(name) {
	const at = doc.indexOf(`<!-- ${name} -->`);
	const start = doc.indexOf("```\n", at) + 4;
	return doc.slice(start, doc.indexOf("```", start));
}

/* Rule vectors: a head line, then the text indented by two spaces, every
 * line with its newline but the last of a head ending "(no newline at the end)". */
function rules(text) {
	const out = [];
	for (const line of text.split("\n")) {
		if (line.startsWith("  ")) out[out.length - 1].text += line.slice(2) + "\n";
		else if (line && !/^keyring [^ ]+ (issuer|receipt) /.test(line))
			out.push({ head: line, text: "" });
	}
	for (const r of out)
		if (r.head.endsWith("(no newline at the end)")) r.text = r.text.slice(0, -1);
	return out;
}


for (const [name, crypto] of [["WebCrypto", webcrypto], ["noble", noEd25519]]) {
	const V = load(crypto);

	// Tokens: FORMAT.md "Test vectors", at its `now`.
	const tv = block("vectors");
	const keyring = tv.split("\n").filter((l) => l.startsWith("keyring ")).map((l) => l.slice(8))
	    .join("\n") + "\n";
	const now = Date.parse("2026-12-15T05:00:00Z") / 1000; /* "now 2026-12-15 12:00 WIB" */
	ok(/^now 2026-12-15 12:00 WIB$/m.test(tv), `${name}: the vectors' now is the one used here`);
	const keys = await V.parseKeyring(keyring);
	let n = 0;
	for (const v of tv.split("\nvector ").slice(1)) {
		const title = v.split("\n")[0];
		const token = /\ntoken (.*)\n/.exec(v)[1], expect = /\nexpect (.*)/.exec(v)[1];
		const got = await V.check(token, keys, null, null, now);
		ok(got === expect, `${name}: vector ${title}: ${got}${got === expect ? "" : ", expected " + expect}`);
		n++;
	}
	ok(n >= 10, `${name}: ${n} token vectors`);

	// Keyrings: "ok", or "refused at line N", or "refused" alone (the file).
	for (const r of rules(block("keyring-vectors"))) {
		const m = /^keyring (ok|refused(?: at line (\d+))?):/.exec(r.head);
		let got;
		try {
			await V.parseKeyring(r.text);
			got = "ok";
		} catch (e) {
			got = e.line ? `refused at line ${e.line}` : "refused";
		}
		ok(got === m[1], `${name}: ${r.head}${got === m[1] ? "" : " (got " + got + ")"}`);
	}

	// Revocation lists, against the block's keyring, at 2026-12-15T05:00:00Z.
	const rb = block("revlist-vectors");
	const rkeys = await V.parseKeyring(rb.split("\n").filter((l) => l.startsWith("keyring "))
	    .map((l) => l.slice(8)).join("\n") + "\n");
	for (const r of rules(rb)) {
		const m = /^list (ok|refused at line (\d+) \(([a-z_]+)\)):/.exec(r.head);
		let got;
		try {
			await V.parseRevocations(r.text, rkeys, now);
			got = "ok";
		} catch (e) {
			got = `refused at line ${e.line} (${e.code})`;
		}
		ok(got === m[1], `${name}: ${r.head}${got === m[1] ? "" : " (got " + got + ")"}`);
	}
}

// Short codes: FORMAT.md's code vectors through the page's functions.
{
	const V = load(webcrypto);
	const cv = block("code-vectors").split("\n").filter((l) => l);
	ok(doc.includes("<!-- code-vectors -->"), "FORMAT.md has the code vectors");
	const CODE = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";
	const printed = (s) => s.slice(0, 4) + "-" + s.slice(4, 8) + "-" + s.slice(8);
	const lastSpace = (l) => [l.slice(0, l.lastIndexOf(" ")), l.slice(l.lastIndexOf(" ") + 1)];
	const counts = { code: 0, parse: 0, open: 0 };
	for (const line of cv) {
		const kind = line.slice(0, line.indexOf(" ")), rest = line.slice(kind.length + 1);
		counts[kind] = (counts[kind] || 0) + 1;
		if (kind === "code") {
			// A token's text may hold spaces: the code is after the last one.
			const [token, code] = lastSpace(rest);
			const got = await V.codeOf(token);
			ok(got === code, `code of ${token.slice(0, 16)}...: ${got}${got === code ? "" : ", expected " + code}`);
			ok(V.parseCode(code) !== null && V.printCode(V.parseCode(code)) === code,
			   `${code} parses to itself`);
			ok("UV1:" + V.base45Encode(V.base45(token.slice(4))) === token,
			   `Base45 encodes ${token.slice(0, 16)}...'s bytes back to its text`);
			ok(!V.isCodeInput(token), `a voucher's text is not taken for a code (${token.slice(0, 16)}...)`);
			// Typed loosely: lower case, spaces, o for 0, i and l for 1.
			const loose = code.toLowerCase().replace(/-/g, " ").replace(/0/g, "o").replace(/1/g, "l");
			const loose2 = " " + code.replace(/-/g, "").replace(/1/g, "I").replace(/0/g, "O") + " ";
			ok(V.isCodeInput(loose) && V.parseCode(loose) === code.replace(/-/g, "") &&
			   V.parseCode(loose2) === code.replace(/-/g, ""), `${code} typed loosely ("${loose}") parses the same`);
			// With a 1 and a 0 in it (its check symbol made again here): I, i, L, l
			// read as 1, O and o as 0.
			const v = [..."10" + code.replace(/-/g, "").slice(2, 11)].map((c) => CODE.indexOf(c));
			const s10 = v.map((x) => CODE[x]).join("") + CODE[v.reduce((n, x, i) => n + (i + 1) * x, 0) % 31];
			const misread = ["I", "i", "L", "l"].flatMap((one) => ["O", "o"].map((zero) => one + zero + s10.slice(2)));
			ok(misread.every((t) => V.parseCode(t) === s10), `${printed(s10)} typed with I/i/L/l for 1 and O/o for 0 parses the same`);
			// The check symbol: any one wrong symbol (but 0 for Z), any two
			// neighbours swapped (but equal ones, or 0 and Z) is a typo.
			const s = code.replace(/-/g, ""), missed = [];
			for (let i = 0; i < 12; i++)
				for (const c of CODE) {
					if (c === s[i]) continue;
					const t = s.slice(0, i) + c + s.slice(i + 1);
					const same = i < 11 && (CODE.indexOf(c) - CODE.indexOf(s[i])) % 31 === 0;
					if ((V.parseCode(t) !== null) !== same) missed.push(printed(t));
				}
			for (let i = 0; i < 11; i++) {
				const t = s.slice(0, i) + s[i + 1] + s[i] + s.slice(i + 2);
				const same = (CODE.indexOf(s[i]) - CODE.indexOf(s[i + 1])) % 31 === 0;
				if ((V.parseCode(t) !== null) !== same) missed.push(printed(t));
			}
			ok(missed.length === 0, `every one-symbol typo and swap of ${code} is malformed_code` +
			   (missed.length ? " (not: " + missed.join(" ") + ")" : ""));
		} else if (kind === "parse") {
			const [input, expect] = rest.split(" "), typed = input.replace(/_/g, " ");
			const c = V.parseCode(typed), got = c === null ? "malformed_code" : V.printCode(c);
			ok(V.isCodeInput(typed) && got === expect,
			   `parse "${typed}": ${got}${got === expect ? "" : ", expected " + expect}`);
		} else if (kind === "open") {
			const f = rest.split(" "), [code, salt, iter, lookup, sealed] = f, token = f.slice(5).join(" ");
			const k = await V.codeKeys(V.parseCode(code), salt, Number(iter));
			const gotLookup = k && V.b64urlEncode(k.lookup);
			ok(gotLookup === lookup, `${code}'s lookup under ${salt} x${iter}: ${gotLookup}` +
			   (gotLookup === lookup ? "" : ", expected " + lookup));
			const sb = V.b64url(sealed, 116);
			ok(sb && V.b64urlEncode(sb) === sealed, `${code}'s sealed token is 116 bytes of Base64url`);
			const opened = await V.openCode(k.key, sb);
			ok(opened === token, `${code}'s sealed token opens to its voucher` +
			   (opened === token ? "" : " (got " + opened + ")"));
			// The other way: sealing the token with the derived key gives the vector's bytes.
			const aes = await webcrypto.subtle.importKey("raw", k.key, "AES-GCM", false, ["encrypt"]);
			const again = new Uint8Array(await webcrypto.subtle.encrypt(
			    { name: "AES-GCM", iv: new Uint8Array(12), tagLength: 128 }, aes, V.base45(token.slice(4))));
			ok(V.b64urlEncode(again) === sealed, `${code}'s voucher sealed with its key is the vector's sealed`);
			ok(await V.codeOf(opened) === code, `the voucher ${code} opens to has that code`);
			// As the page finds it offline: among a manifest's lines, typed loosely.
			const v = V.decode(token), period = v.year + "-" + String(v.month).padStart(2, "0");
			const lines = "AAAAAAAAAAAAAAAAAAAAAA " + "A".repeat(155) + "\n" + lookup + " " + sealed + "\n";
			const m = { period, salt, iterations: Number(iter), codes: lines };
			ok(await V.findCode(code.toLowerCase(), [m]) === token, `findCode finds ${code} among a manifest's lines`);
			ok(await V.findCode(code, [{ ...m, period: "2001-01" }]) === null,
			   `but not in a manifest of another period`);
			const flipped = sealed.slice(0, 40) + (sealed[40] === "A" ? "B" : "A") + sealed.slice(41);
			ok(await V.openCode(k.key, V.b64url(flipped, 116)) === null, `${code}'s sealed token changed does not open`);
			ok(await V.codeKeys(V.parseCode(code), salt, 9999) === null &&
			   await V.codeKeys(V.parseCode(code), salt.slice(1), Number(iter)) === null,
			   "a count below 10000 or a salt not of 16 bytes is refused");
		} else {
			ok(false, `an unknown code vector line: ${line}`);
		}
	}
	ok(counts.code >= 3 && counts.parse >= 5 && counts.open >= 2,
	   `code vectors: ${counts.code} code, ${counts.parse} parse, ${counts.open} open`);
	// Two open vectors: a code does not open another's sealed token.
	const opens = cv.filter((l) => l.startsWith("open ")).map((l) => l.split(" "));
	if (opens.length >= 2) {
		const k = await V.codeKeys(V.parseCode(opens[0][1]), opens[0][2], Number(opens[0][3]));
		ok(await V.openCode(k.key, V.b64url(opens[1][5], 116)) === null, "one code's key does not open another's sealed token");
		const both = opens.map((f) => f[4] + " " + f[5] + "\n").join("");
		ok(await V.findCode(opens[1][1], [{ salt: opens[1][2], iterations: Number(opens[1][3]), codes: both }]) ===
		   opens[1].slice(6).join(" "), "findCode finds a code on a manifest's second line");
	}
}
process.exit(failed ? 1 : 0);
