// The scanner page's verifier (redeemer/page/voucher.js) loaded in Node.js
// as the page runs it, for the tests that check it: format_vectors.mjs
// (against FORMAT.md's vectors) and differential.mjs (against the C
// verifier). load(crypto) gives its Voucher object in a context of its
// own; noEd25519 is WebCrypto with Ed25519 taken away, so that it falls
// back to the vendored @noble/ed25519.
import { readFileSync } from "node:fs";
import { webcrypto } from "node:crypto";
import vm from "node:vm";
import * as noble from "../../redeemer/page/vendor/noble-ed25519.mjs";

const source = readFileSync(new URL("../../redeemer/page/voucher.js", import.meta.url), "utf8");

export function load(crypto) {
	const ctx = { crypto, TextEncoder, atob, btoa, nobleEd25519: noble };
	vm.createContext(ctx);
	vm.runInContext(source, ctx);
	return ctx.Voucher;
}

export const noEd25519 = {
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
