// The scanner page selling with its link down, in a real, headless Chromium
// against the real redeemer (started by tests/e2e_offline_page.sh, which
// passes everything in the environment): one online visit, then the
// browser context offline; the page reloads from its service worker, sells
// three vouchers within the limits (one of them also spent online at
// another terminal during the outage), refuses a fourth over the device's
// cap and a revoked one, keeps its queue over a close and reopen, and once
// back online uploads: two redemptions and one conflict, shown with its
// serial. Prints "ok - ..." / "not ok - ..." lines like tests/lib.sh.
import { execFileSync } from "node:child_process";
import { chromium } from "playwright-core";

const env = process.env;
const URL_ = env.URL, OUT = env.OUT;
let failures = 0;
const ok = (cond, what) => {
	console.log((cond ? "ok - " : "not ok - ") + what);
	if (!cond) failures++;
};
const rp = (n) => "Rp" + String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ".");

const browser = await chromium.launch({
	executablePath: env.CHROMIUM || "/usr/bin/chromium",
	args: ["--no-sandbox"],
});
const ctx = await browser.newContext({ viewport: { width: 420, height: 800 } });
const jsErrors = [];
let page;
async function open() {
	page = await ctx.newPage();
	page.on("pageerror", (e) => jsErrors.push(String(e)));
	page.setDefaultTimeout(15000);
	await page.goto(URL_ + "/");
}
async function shown(state) {
	await page.waitForSelector(`#result:not([hidden])[data-state="${state}"]`);
	const t = (await page.locator("#result").innerText()).replace(/\s+/g, " ");
	await page.click("#r-close");
	await page.waitForSelector("#result", { state: "hidden" });
	return t;
}
async function sell(text, amount, state) {
	await page.fill("#code", text);
	await page.click("#check");
	if (amount !== null) {
		await page.waitForSelector("#info:not([hidden])");
		await page.fill("#amount", String(amount));
		await page.click("#redeem");
	}
	return shown(state);
}
const waiting = async () => Number(await page.getAttribute("#net", "data-waiting"));
const statusText = async () => (await page.innerText("#net")).trim();

try {
	// Online, once: the token, then what deciding offline needs, and the service worker.
	await open();
	await page.fill("#token", env.TOKEN);
	await page.click("#save");
	await page.waitForFunction(() => navigator.serviceWorker.controller !== null ||
	                                 navigator.serviceWorker.ready.then(() => true), null);
	await page.evaluate(() => navigator.serviceWorker.ready);
	await page.reload(); /* now controlled by the worker, its cache filled */
	await page.waitForFunction(() => document.getElementById("net").textContent.includes("Terhubung"));
	ok(true, "online: the page says so");
	const manifest = await page.evaluate(() => fetch("/manifest.webmanifest").then((r) => r.json()));
	ok(manifest.start_url === "/" && manifest.display === "standalone", "the page is installable (a web app manifest)");

	// The link drops; the page still opens.
	await ctx.setOffline(true);
	await page.reload();
	ok(await page.isVisible("#code"), "offline, the page reloads from its service worker");
	await page.waitForFunction(() => document.getElementById("net").className === "offline");
	ok((await statusText()).includes("Tanpa jaringan"), "and says it is offline");

	// Three sales offline: A (part of it), B, C.
	let t = await sell(env.A_TEXT, 20000, "offline");
	ok(t.includes("DITERIMA TANPA JARINGAN") && t.includes(rp(20000)), "an offline sale gets its own acceptance screen");
	t = await sell(env.B_TEXT, 30000, "offline");
	t = await sell(env.C_TEXT, 40000, "offline");
	ok(await waiting() === 3, "three sales wait to be uploaded");
	ok((await statusText()).includes("3 penjualan") && (await statusText()).includes(rp(90000)),
	   `the status says how many and how much (${await statusText()})`);

	// Over the device's cap (100000 here: 90000 waits), and a revoked voucher.
	t = await sell(env.D_TEXT, 20000, "offline_device_max");
	ok(t.includes("Batas penjualan tanpa jaringan"), "a fourth sale over the device's cap is refused");
	t = await sell(env.R_TEXT, null, "revoked");
	ok(t.includes("dicabut"), "a revoked voucher is refused offline");
	t = await sell(env.A_TEXT.slice(0, 90), null, "malformed_voucher");
	ok(await waiting() === 3, "refusals queue nothing");

	// Meanwhile voucher B is spent online at another terminal.
	const other = execFileSync("curl", ["-sS", "-o", "/dev/null", "-w", "%{http_code}", "-X", "POST",
	                                    `${URL_}/v1/redeem`, "-H", `Authorization: Bearer ${env.TOKEN2}`,
	                                    "--data-binary", JSON.stringify({ voucher: env.B_TEXT, amount: 100000,
	                                                                    request_id: "elsewhere" })]).toString();
	ok(other === "201", "during the outage voucher B is spent online elsewhere");

	// Closed and opened again, still offline: the queue is kept.
	await page.close();
	await open();
	await page.waitForFunction(() => document.getElementById("net").dataset.waiting === "3");
	ok(true, "closed and reopened offline, the three sales still wait");

	// Back online: the queue is uploaded.
	await ctx.setOffline(false);
	await page.evaluate(() => window.dispatchEvent(new Event("online")));
	await page.waitForFunction(() => document.getElementById("net").dataset.waiting === "0", null,
	                           { timeout: 30000 });
	ok((await statusText()).includes("Terhubung"), "back online, everything is uploaded");
	await page.waitForSelector("#news:not([hidden])");
	const news = await page.innerText("#news");
	ok(news.includes("KONFLIK") && news.includes(env.B_SERIAL), "the conflict is shown, with voucher B's serial");
	ok(!news.includes(env.A_SERIAL) && !news.includes(env.C_SERIAL), "and only it");
	await page.screenshot({ path: `${OUT}/offline-conflict.png` });

	const journal = execFileSync(env.BIN + "/voucher-redeemer", ["export", "--db", env.DB, "--period", env.PERIOD])
	    .toString().split("\n");
	const kinds = (serial) => journal.filter((l) => l.includes("," + serial + ",")).map((l) => l.split(",")[2]);
	ok(kinds(env.A_SERIAL).join() === "offline" && kinds(env.C_SERIAL).join() === "offline",
	   "A and C are offline redemptions in the journal");
	ok(kinds(env.B_SERIAL).join() === "redeem,conflict", "B: the online sale, then the offline conflict");
	execFileSync("bash", ["-c", env.RECONCILE], { stdio: "inherit" });
	const offline = execFileSync("cat", [env.REPORT + "/offline.csv"]).toString();
	ok(offline.split("\n").some((l) => l.startsWith(env.MERCHANT + ",") && l.includes("," + env.B_SERIAL + ",") &&
	                                   l.includes(",conflict,") && l.endsWith(",conflict")),
	   "reconcile lists the conflict against the merchant who sold offline");
	ok(jsErrors.length === 0, "no script errors" + (jsErrors.length ? ": " + jsErrors.join("; ") : ""));
} catch (e) {
	ok(false, "the browser run: " + (e.stack || e));
	if (page) await page.screenshot({ path: `${OUT}/offline-failure.png` }).catch(() => {});
} finally {
	await browser.close();
}
process.exit(failures ? 1 : 0);
