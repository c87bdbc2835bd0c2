// Typed short codes in the scanner page, in a real, headless Chromium
// against the real redeemer with a code manifest (started by
// tests/e2e_codes_page.sh, which passes everything in the environment).
// Online: a code typed loosely finds voucher A (POST /v1/codes), which
// shows and redeems, and A's QR is then spent; B's code with a typo is
// told at once and sends nothing. The page keeps the terminal's codes in
// IndexedDB and fetches them again when a new manifest changes their
// version. Offline: C's code is opened in the page, sold and queued, and
// uploaded when the link returns; C's QR is then spent. Unknown codes are
// limited, offline by the page and online by the redeemer. Prints
// "ok - ..." / "not ok - ..." lines like tests/lib.sh.
import { execFileSync } from "node:child_process";
import { chromium } from "playwright-core";

const env = process.env;
const URL_ = env.URL, OUT = env.OUT;
const UNKNOWN = env.UNKNOWN.trim().split(/\s+/);
let failures = 0;
const ok = (cond, what) => {
	console.log((cond ? "ok - " : "not ok - ") + what);
	if (!cond) failures++;
};
const rp = (n) => "Rp" + String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ".");
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
async function until(what, f, ms = 10000) {
	const end = Date.now() + ms;
	for (;;) {
		const v = await f();
		if (v) return v;
		if (Date.now() > end) throw new Error("timed out waiting for " + what);
		await sleep(100);
	}
}
async function state() {
	const r = await fetch(URL_ + "/v1/offline/state", { headers: { Authorization: "Bearer " + env.TOKEN } });
	return r.json();
}
async function remaining(serial) {
	return (await (await fetch(`${URL_}/v1/vouchers/${serial}`)).json()).remaining;
}

const browser = await chromium.launch({
	executablePath: env.CHROMIUM || "/usr/bin/chromium",
	args: ["--no-sandbox"],
});
const ctx = await browser.newContext({ viewport: { width: 420, height: 800 } });
const jsErrors = [], requests = [], hosts = new Set();
let page;
async function open() {
	page = await ctx.newPage();
	page.on("pageerror", (e) => jsErrors.push(String(e)));
	page.on("request", (r) => {
		hosts.add(new URL(r.url()).origin);
		requests.push(r.method() + " " + new URL(r.url()).pathname);
	});
	page.setDefaultTimeout(15000);
	await page.goto(URL_ + "/");
}
/* The page's offline store: what it keeps under key in "kv" (null: nothing yet). */
const kept = (key) => page.evaluate(async (key) => {
	if (!(await indexedDB.databases()).some((d) => d.name === "voucher-offline")) return null;
	return new Promise((done, fail) => {
		const r = indexedDB.open("voucher-offline");
		r.onerror = () => fail(r.error);
		r.onsuccess = () => {
			const d = r.result;
			if (!d.objectStoreNames.contains("kv")) { d.close(); return done(null); }
			const g = d.transaction("kv").objectStore("kv").get(key);
			g.onsuccess = () => { d.close(); done(g.result === undefined ? null : g.result); };
			g.onerror = () => { d.close(); fail(g.error); };
		};
	});
}, key);
async function shown(state) {
	await page.waitForSelector(`#result:not([hidden])[data-state="${state}"]`);
	const t = (await page.locator("#result").innerText()).replace(/\s+/g, " ");
	await page.click("#r-close");
	await page.waitForSelector("#result", { state: "hidden" });
	return t;
}
async function type(text, keys = false) {
	await page.fill("#code", keys ? "" : text);
	if (keys) await page.type("#code", text);
	await page.press("#code", "Enter");
}
const waiting = async () => Number(await page.getAttribute("#net", "data-waiting"));
const sent = (what) => requests.filter((r) => r === what).length;

try {
	// Online: the token; the page's worker and its copy of the terminal's codes.
	await open();
	ok((await page.getAttribute("#code", "placeholder")).includes("-") &&
	   (await page.innerText("label[for=code]")).includes("12 huruf/angka"),
	   "the code field says a 12-character code can be typed");
	await page.fill("#token", env.TOKEN);
	await page.click("#save");
	await page.evaluate(() => navigator.serviceWorker.ready);
	await page.reload(); /* now controlled by the worker, its cache filled */
	const v1 = (await state()).codes;
	let codes = await until("the page's codes", async () => {
		const c = await kept("codes");
		return c && c.version === v1 && c;
	});
	ok(v1 && codes.manifests.length === 1 && codes.manifests[0].codes.split("\n").filter((l) => l).length === 4,
	   "the page keeps the terminal's codes, of the version the state names");

	// 1. A's code, typed loosely: found by the redeemer, shown, redeemed.
	await type(env.A_CODE.toLowerCase().replace(/-/g, " ").replace(/0/g, "o").replace(/1/g, "l"), true);
	await page.waitForSelector("#info:not([hidden])");
	ok(sent("POST /v1/codes") === 1, "a typed code is sent to POST /v1/codes");
	ok((await page.inputValue("#code")) === env.A_CODE, `the field shows the code as printed (${env.A_CODE})`);
	ok((await page.innerText("#face")) === rp(50000), "the voucher it finds shows, with its face value");
	await page.click("#redeem");
	let t = await shown("ok");
	ok(t.includes("BERHASIL") && t.includes(rp(50000)), "and redeems: the green screen");
	ok((await remaining(env.A_SERIAL)) === 0, "the redeemer has voucher A spent");
	await page.fill("#code", env.A_TEXT);
	await page.click("#check");
	t = await shown("already_spent");
	ok(t.includes("sudah terpakai"), "A's QR afterwards: already spent (a code and its QR are one voucher)");

	// 2. B's code with a typo: told at once, nothing sent.
	const before = requests.length;
	await type(env.B_TYPO);
	t = await shown("malformed_code");
	ok(t.includes("salah ketik"), `a typo (${env.B_TYPO} for ${env.B_CODE}) gets the typo sentence`);
	ok(!requests.slice(before).some((r) => r.includes("/v1/codes") || r.includes("/v1/vouchers")),
	   "and no request is sent for it");
	await type(UNKNOWN[0]);
	t = await shown("unknown_code");
	ok(t.includes("tidak dikenal"), "a well-formed code of no voucher: not known");

	// 3. A new manifest of the period (a new salt): the page fetches the codes again.
	const salt = execFileSync("bash", ["-c", env.NEW_MANIFEST]).toString().trim();
	process.kill(Number(env.SERVER), "SIGHUP");
	const v2 = await until("the new codes' version", async () => {
		const v = (await state()).codes;
		return v !== v1 && v;
	});
	const fetchesBefore = sent("GET /v1/offline/codes");
	await page.reload();
	codes = await until("the page's new codes", async () => {
		const c = await kept("codes");
		return c && c.version === v2 && c;
	});
	ok(codes.manifests[0].salt === salt && sent("GET /v1/offline/codes") > fetchesBefore,
	   "a new version of the codes: the page fetches them again (the new manifest's salt)");
	const fetched = sent("GET /v1/offline/codes");
	const stateRead = page.waitForResponse((r) => r.url().endsWith("/v1/offline/state"));
	await page.reload();
	await stateRead;
	await sleep(500);
	ok(sent("GET /v1/offline/codes") === fetched, "the same version: not fetched again");

	// 4. Offline: C's code is opened in the page, sold and queued.
	await ctx.setOffline(true);
	await page.reload();
	await page.waitForFunction(() => document.getElementById("net").className === "offline");
	ok(true, "offline, the page reloads from its service worker");
	await type(env.C_CODE);
	await page.waitForSelector("#info:not([hidden])");
	ok(await page.isVisible("#offline-note"), "offline, C's typed code finds its voucher in the page");
	ok((await page.innerText("#face")) === rp(50000), "which shows with its face value");
	await page.click("#redeem");
	t = await shown("offline");
	ok(t.includes("DITERIMA TANPA JARINGAN") && t.includes(rp(50000)), "and is sold offline");
	ok(await waiting() === 1, "the sale waits to be uploaded");
	const fromQueue = await page.evaluate(() => Offline.queued());
	ok(fromQueue.length === 1 && fromQueue[0].voucher === env.C_TEXT && fromQueue[0].serial === env.C_SERIAL,
	   "what waits is C's voucher, its text as the QR holds it");

	// Offline typos and guesses.
	await type(env.B_TYPO);
	t = await shown("malformed_code");
	ok(t.includes("salah ketik"), "offline, a typo gets the typo sentence");
	for (let i = 1; i <= 5; i++) {
		await type(UNKNOWN[i]);
		t = await shown("unknown_code");
	}
	ok(t.includes("tidak dikenal"), "offline, an unknown code is not known");
	await type(env.D_CODE);
	t = await shown("too_many_codes");
	ok(t.includes("15 menit"), "after 5 unknown codes offline the device refuses codes, even a real one");
	ok(await waiting() === 1, "refusals queue nothing");

	// 5. Back online: the sale is uploaded, and C's QR is spent.
	await ctx.setOffline(false);
	await page.evaluate(() => window.dispatchEvent(new Event("online")));
	await page.waitForFunction(() => document.getElementById("net").dataset.waiting === "0", null,
	                           { timeout: 30000 });
	ok(true, "back online, the sale is uploaded");
	const journal = execFileSync(env.BIN + "/voucher-redeemer", ["export", "--db", env.DB, "--period", env.PERIOD])
	    .toString().split("\n");
	const kinds = (serial) => journal.filter((l) => l.includes("," + serial + ",")).map((l) => l.split(",")[2]);
	ok(kinds(env.C_SERIAL).join() === "offline", "C is an offline redemption in the journal");
	ok(kinds(env.A_SERIAL).join() === "redeem", "A is a redemption in the journal, once");
	await page.fill("#code", env.C_TEXT);
	await page.click("#check");
	t = await shown("already_spent");
	ok(t.includes("sudah terpakai"), "C's QR afterwards: already spent");

	// 6. Online guesses: the redeemer's limit, in the page's words.
	for (const c of UNKNOWN.slice(6, 10)) { /* the redeemer has seen UNKNOWN[0] */
		await type(c);
		t = await shown("unknown_code");
	}
	await type(env.D_CODE);
	t = await shown("too_many_codes");
	ok(t.includes("15 menit"), "online, after 5 unknown codes the redeemer's refusal is told");

	ok(jsErrors.length === 0, "no script errors" + (jsErrors.length ? ": " + jsErrors.join("; ") : ""));
	ok([...hosts].every((h) => h === URL_), "the page requests nothing but the redeemer");
} catch (e) {
	ok(false, "the browser run: " + (e.stack || e) + (jsErrors.length ? "; script errors: " + jsErrors.join("; ") : ""));
	if (page) await page.screenshot({ path: `${OUT}/codes-failure.png` }).catch(() => {});
} finally {
	await browser.close();
}
process.exit(failures ? 1 : 0);
