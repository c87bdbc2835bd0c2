// The scanner page's voucher verifier (redeemer/page/voucher.js), a second
// implementation of docs/FORMAT.md, against FORMAT.md's own vectors: the
// tokens, the keyring rules and the revocation list rules. Run twice: with
// WebCrypto's Ed25519, and with it missing, so that the vendored
// @noble/ed25519 answers. Prints "ok - ..." / "not ok - ..." lines; exits 1
// if any is not ok.
import { readFileSync } from "node:fs";
import { webcrypto } from "node:crypto";
import vm from "node:vm";
import * as noble from "../../redeemer/page/vendor/noble-ed25519.mjs";

const root = new URL("../../", import.meta.url);
const doc = readFileSync(new URL("docs/FORMAT.md", root), "utf8");
const source = readFileSync(new URL("redeemer/page/voucher.js", root), "utf8");
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

/* Rule vectors: a head line, then the text indented by two spaces. */
function rules(text) {
	const out = [];
	for (const line of text.split("\n")) {
		if (line.startsWith("  ")) out[out.length - 1].text += line.slice(2) + "\n";
		else if (line && !/^keyring [^ ]+ (issuer|receipt) /.test(line))
			out.push({ head: line, text: "" });
	}
	return out;
}

/* The verifier in a context of its own, with this crypto. */
function load(crypto) {
	const ctx = { crypto, TextEncoder, atob, btoa, nobleEd25519: noble };
	vm.createContext(ctx);
	vm.runInContext(source, ctx);
	return ctx.Voucher;
}

/* WebCrypto with Ed25519 taken away: the verifier must fall back to noble. */
const noEd25519 = {
	subtle: new Proxy(webcrypto.subtle, {
		get(target, p) {
			const f = target[p].bind(target);
			return p === "importKey" || p === "verify"
			    ? (...a) => JSON.stringify(a).includes("Ed25519")
			        ? Promise.reject(new Error("NotSupportedError")) : f(...a)
			    : f;
		},
	}),
};

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
process.exit(failed ? 1 : 0);
