// The differential test of docs/FORMAT.md's two verifiers: reads what
// tests/diff_gen prints (inputs, each with the C verifier's answer), runs
// the scanner page's voucher.js on the same inputs, and compares. Any input
// one accepts and the other refuses, or answers differently (another
// error, another line, other fields), is a bug in one of them.
//
//   node differential.mjs [--noble N] < stream
//
// Every input with WebCrypto's Ed25519; then, with WebCrypto's Ed25519
// taken away, so that the page's code with the vendored @noble/ed25519
// answers (some fifty times slower), the first N vouchers (default 200) that
// reach the signature with one of small order or S >= L, N/2 others, and
// N/4 revocation lists that reach it.
//
// Prints "ok - ..." / "not ok - ..." lines (tests/lib.sh), the first
// disagreements of each kind with their input in hex (to become vectors),
// and exits 1 on any disagreement.
import { createInterface } from "node:readline";
import { webcrypto } from "node:crypto";
import { load, noEd25519 } from "./page_verifier.mjs";

const args = process.argv.slice(2);
const nobleBudget = args[0] === "--noble" ? Number(args[1]) : 200;
if (!(nobleBudget >= 0) || (args.length && args[0] !== "--noble") || args.length > 2) {
	console.error("usage: node differential.mjs [--noble N] < stream");
	process.exit(2);
}

const engines = { WebCrypto: load(webcrypto), noble: load(noEd25519) };

// The page gets text: the bytes as UTF-8 (a BOM kept as the character it
// is), which diff_gen makes sure they are.
function text(h) {
	const b = Buffer.from(h, "hex"), t = b.toString("utf8");
	if (!Buffer.from(t, "utf8").equals(b)) throw new Error(`not UTF-8: ${h}`);
	return t;
}
const hex = (b) => Buffer.from(b).toString("hex");
const same = (a, b) => JSON.stringify(a) === JSON.stringify(b);

/* ---- what the page answers, in the stream's terms ---- */

function keysOf(keys) {
	return keys.map((k) => ({
		kid: k.kid, role: k.role, issuer: k.issuer, validFrom: k.validFrom,
		retiredAfter: k.retiredAfter === Infinity ? null : k.retiredAfter, pub: hex(k.pub),
	}));
}

async function keyring(V, t) {
	try {
		return { verdict: "ok", keys: keysOf(await V.parseKeyring(t)) };
	} catch (e) {
		if (!e || e.line === undefined) return { verdict: threw(e) };
		return { verdict: e.line ? `refused at line ${e.line}` : "refused" };
	}
}

async function revlist(V, t, keys, now) {
	try {
		const l = await V.parseRevocations(t, keys, now);
		return {
			verdict: "ok",
			list: { issuer: l.issuer, kid: l.kid, time: l.time, revoked: [...l.revoked],
			        compromised: [...l.compromised], allowed: [...l.allowed] },
		};
	} catch (e) {
		if (!e || e.line === undefined) return { verdict: threw(e) };
		return { verdict: `refused at line ${e.line} (${e.code})` };
	}
}

function fieldsOf(v) {
	if (v.error) return undefined;
	return {
		multi: v.multi, issuerTag: hex(v.issuerTag), kidTag: hex(v.kidTag), serial: v.serial,
		year: v.year, month: v.month, validFrom: v.validFrom, validUntil: v.validUntil,
		face: v.face, galleryTag: hex(v.galleryTag),
	};
}

/* ---- the comparisons ---- */

const SHOW = Number(process.env.DIFF_SHOW || 20); /* disagreements printed in full per check */
const checks = new Map(); /* name -> {n, bad} */
let failed = 0;

/* One comparison of check for record o (its input in hex in o.input). */
function compare(check, o, c, page) {
	const k = checks.get(check) || { n: 0, bad: 0 };
	checks.set(check, k);
	k.n++;
	if (same(c, page)) return;
	k.bad++;
	failed++;
	if (k.bad <= SHOW) {
		const where = ["what", "sig", "ring", "list", "gallery", "now"]
		    .filter((f) => o[f] !== undefined).map((f) => `${f} ${JSON.stringify(o[f])}`).join(", ");
		console.log(`not ok - ${check}: C ${JSON.stringify(c)}, page ${JSON.stringify(page)} (${where})`);
		console.log(`#   input ${o.input}`);
	}
}

/* An exception the page's code throws is an answer too, and never C's. */
const threw = (e) => `threw ${e && e.message ? e.message : JSON.stringify(e)}`;

const rings = [], lists = [];
const counts = {};
/* What the noble pass takes: vouchers that reach the signature, one of small
 * order or S >= L, others; revocation lists that reach it. */
const forNoble = { special: [], other: [], lists: [] };
const keep = (a, o, max) => a.length < max && a.push(o);

/*
 * What the page answers for record o, as [check, C's answer, the page's]
 * to compare. Context records (rings, lists) are kept for the records after
 * them, which diff_gen prints after them all.
 */
async function judge(o) {
	const V = engines.WebCrypto;
	if (o.kind === "ring") {
		const got = await keyring(V, text(o.text));
		rings[o.id] = got.keys ? await V.parseKeyring(text(o.text)) : [];
		return [["the context keyrings", { verdict: "ok", keys: o.keys }, got]];
	}
	if (o.kind === "list") {
		const got = await revlist(V, text(o.text), rings[o.ring], o.now);
		lists[o.id] = got.list ? await V.parseRevocations(text(o.text), rings[o.ring], o.now) : null;
		return [["the context revocation lists", "ok", got.verdict]];
	}
	if (o.kind === "voucher") {
		const t = text(o.input);
		const got = await V.check(t, rings[o.ring], o.list >= 0 ? lists[o.list] : null,
		                          o.gallery, o.now);
		if (o.fields && !/^(malformed_voucher|wrong_issuer)$/.test(o.verdict)) {
			if (/small|S\+L/.test(o.sig)) keep(forNoble.special, o, nobleBudget);
			else keep(forNoble.other, o, nobleBudget / 2);
		}
		return [["vouchers: the redeemer's answer", o.verdict, got],
		        ["vouchers: the decoded fields", o.fields, fieldsOf(V.decode(t))],
		        ["vouchers: the short code", o.code ?? null, await V.codeOf(t)]];
	}
	if (o.kind === "keyring") {
		const out = [["keyrings", { verdict: o.verdict, keys: o.keys }, await keyring(V, text(o.input))]];
		// As the page gets the redeemer's keyring: its issuer keys, as it writes them.
		if (o.verdict === "ok" && o.served)
			out.push(["keyrings: the issuer keys served to the page",
			          { verdict: "ok", keys: o.keys.filter((k) => k.role === "issuer") },
			          await keyring(V, text(o.served)), o.served]);
		return out;
	}
	if (o.kind === "revlist") {
		if (o.verdict === "ok" || /bad_signature|unknown_key/.test(o.verdict))
			keep(forNoble.lists, o, nobleBudget / 4);
		return [["revocation lists", o.list ? { verdict: o.verdict, list: o.list } : { verdict: o.verdict },
		         await revlist(V, text(o.input), rings[o.ring], o.now)]];
	}
	if (o.kind === "code") {
		const c = V.parseCode(text(o.input));
		return [["short codes typed", o.verdict, c === null ? "malformed_code" : c]];
	}
	throw new Error(`an unknown record: ${o.kind}`);
}

/* Records judged BATCH at a time (WebCrypto works on other threads), compared in order. */
const BATCH = 32;
let n = 0, batch = [];
async function flush() {
	const results = await Promise.all(batch.map((o) => judge(o).catch((e) =>
		[[`${o.kind} records`, "an answer", threw(e)]])));
	batch.forEach((o, i) => {
		for (const [check, c, page, input] of results[i])
			compare(check, input ? { ...o, input } : o.input ? o : { ...o, input: o.text }, c, page);
	});
	batch = [];
}
for await (const line of createInterface({ input: process.stdin, crlfDelay: Infinity })) {
	if (!line) continue;
	const o = JSON.parse(line);
	n++;
	counts[o.kind] = (counts[o.kind] || 0) + 1;
	batch.push(o);
	if (batch.length === BATCH || o.kind === "ring" || o.kind === "list") await flush();
}
await flush();

// The same inputs with @noble/ed25519, the page's Ed25519 where the browser has none.
{
	const V = engines.noble;
	for (const o of [...forNoble.special, ...forNoble.other]) {
		const got = await V.check(text(o.input), rings[o.ring], o.list >= 0 ? lists[o.list] : null,
		                          o.gallery, o.now).catch(threw);
		compare("vouchers with @noble/ed25519: the redeemer's answer", o, o.verdict, got);
	}
	for (const o of forNoble.lists) {
		const got = await revlist(V, text(o.input), rings[o.ring], o.now);
		compare("revocation lists with @noble/ed25519", o,
		        o.list ? { verdict: o.verdict, list: o.list } : { verdict: o.verdict }, got);
	}
}

for (const [name, k] of checks) {
	const line = `${name}: ${k.n} compared, ${k.bad} disagree`;
	console.log((k.bad ? "not ok - " : "ok - ") + line + (k.bad > SHOW ? ` (the first ${SHOW} above)` : ""));
}
console.log(`# ${n} records: ` + Object.entries(counts).map(([k, v]) => `${v} ${k}`).join(", "));
if (!n) console.log("not ok - no input");
process.exit(failed || !n ? 1 : 0);
