// The scanner page in a real, headless Chromium against the real redeemer
// (started by tests/e2e_browser.sh, which passes everything in the
// environment). Prints "ok - ..." / "not ok - ..." lines like tests/lib.sh.
import { execFileSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { inflateSync } from "node:zlib";
import { chromium } from "playwright-core";

const env = process.env;
const URL_ = env.URL, OUT = env.OUT;
let failures = 0;
const ok = (cond, what) => {
	console.log((cond ? "ok - " : "not ok - ") + what);
	if (!cond) failures++;
};

// ---- the fake camera: the issued QR PNG as a Y4M video ----

// Gray PNGs of bit depth 1 or 8 (what the issuer writes), unfiltered.
function decodePng(buf) {
	let off = 8, w, h, depth, type;
	const idat = [];
	while (off < buf.length) {
		const len = buf.readUInt32BE(off), kind = buf.toString("latin1", off + 4, off + 8);
		const data = buf.subarray(off + 8, off + 8 + len);
		if (kind === "IHDR") {
			w = data.readUInt32BE(0); h = data.readUInt32BE(4); depth = data[8]; type = data[9];
		} else if (kind === "IDAT") idat.push(data);
		off += 12 + len;
	}
	if (type !== 0 || (depth !== 1 && depth !== 8)) throw new Error("not a gray PNG");
	const raw = inflateSync(Buffer.concat(idat)), stride = Math.ceil((w * depth) / 8);
	const bpp = Math.max(1, depth / 8), px = new Uint8Array(w * h);
	let prev = new Uint8Array(stride);
	for (let y = 0; y < h; y++) {
		const f = raw[y * (stride + 1)], row = Uint8Array.from(raw.subarray(y * (stride + 1) + 1, (y + 1) * (stride + 1)));
		for (let i = 0; i < stride; i++) {
			const a = i >= bpp ? row[i - bpp] : 0, b = prev[i], c = i >= bpp ? prev[i - bpp] : 0;
			const p = a + b - c, pa = Math.abs(p - a), pb = Math.abs(p - b), pc = Math.abs(p - c);
			const pred = [0, a, b, (a + b) >> 1, pa <= pb && pa <= pc ? a : pb <= pc ? b : c][f];
			row[i] = (row[i] + pred) & 0xff;
		}
		for (let x = 0; x < w; x++)
			px[y * w + x] = depth === 8 ? row[x] : (row[x >> 3] >> (7 - (x & 7))) & 1 ? 255 : 0;
		prev = row;
	}
	return { w, h, px };
}

// 640x480 4:2:0 frames: the issued PNG 360 px wide (the QR and the caption
// under it, in proportion) on a gray table, slightly dimmed.
function y4m(png, file) {
	const W = 640, H = 480, S = 360, SH = Math.min(H, Math.round((S * png.h) / png.w));
	const x0 = (W - S) >> 1, y0 = (H - SH) >> 1;
	const y = new Uint8Array(W * H).fill(150);
	for (let j = 0; j < SH; j++)
		for (let i = 0; i < S; i++) {
			const v = png.px[Math.floor((j * png.h) / SH) * png.w + Math.floor((i * png.w) / S)];
			y[(y0 + j) * W + x0 + i] = v ? 235 : 30;
		}
	const chroma = new Uint8Array((W / 2) * (H / 2) * 2).fill(128);
	const frame = Buffer.concat([Buffer.from("FRAME\n"), y, chroma]);
	const frames = Array(10).fill(frame);
	writeFileSync(file, Buffer.concat([Buffer.from(`YUV4MPEG2 W${W} H${H} F10:1 Ip A1:1 C420jpeg\n`), ...frames]));
}

const cam = `${OUT}/camera.y4m`;
y4m(decodePng(readFileSync(env.QR_PNG)), cam);

// ---- the browser ----

const browser = await chromium.launch({
	executablePath: env.CHROMIUM || "/usr/bin/chromium",
	args: ["--no-sandbox", "--use-fake-ui-for-media-stream", "--use-fake-device-for-media-stream",
	       `--use-file-for-fake-video-capture=${cam}`],
});
const ctx = await browser.newContext({ viewport: { width: 420, height: 800 } });
await ctx.grantPermissions(["camera"], { origin: URL_ });
const page = await ctx.newPage();
// Console errors until the test provokes failures (a lost answer, a wrong
// token: Chromium logs those as failed loads); script errors throughout.
const errors = [], jsErrors = [], hosts = new Set();
page.on("console", (m) => m.type() === "error" && errors.push(m.text()));
page.on("pageerror", (e) => jsErrors.push(String(e)));
page.on("request", (r) => hosts.add(new URL(r.url()).origin));
page.setDefaultTimeout(15000);

const screen = () => page.locator("#result");
async function shown(state) {
	await page.waitForSelector(`#result:not([hidden])[data-state="${state}"]`);
	return (await screen().innerText()).replace(/\s+/g, " ");
}
async function close() {
	await page.click("#r-close");
	await page.waitForSelector("#result", { state: "hidden" });
}
async function lookupManual(text) {
	await page.fill("#code", text);
	await page.click("#check");
	await page.waitForSelector("#info:not([hidden])");
}
async function remaining(serial) {
	const r = await fetch(`${URL_}/v1/vouchers/${serial}`);
	return (await r.json()).remaining;
}
const rp = (n) => "Rp" + String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ".");

try {
	await page.goto(URL_ + "/");
	ok(await page.isVisible("#token"), "a new device asks for the terminal token");
	await page.fill("#token", env.TOKEN);
	await page.click("#save");
	ok(await page.isVisible("#camera"), "with the token kept, the scanner shows");
	await page.reload();
	ok(await page.isVisible("#camera") && !(await page.isVisible("#token")),
	   "the token is kept on the device across reloads");

	// 1. The camera: the fake video carries voucher A's issued QR.
	await page.click("#camera");
	await page.waitForSelector("#info:not([hidden])");
	ok((await page.inputValue("#code")) === env.A_TEXT, "the camera's QR decodes to voucher A's text");
	ok((await page.innerText("#face")) === rp(env.A_FACE), `voucher A's face value shows (${rp(env.A_FACE)})`);
	ok(/s\.d\./.test(await page.innerText("#valid")), "its validity shows");
	await page.click("#redeem");
	let t = await shown("ok");
	ok(t.includes("BERHASIL") && t.includes(rp(env.A_FACE)) && /R-[0-9A-Z]+-\d+/.test(t),
	   "redeeming shows the green screen with the amount and the receipt number");
	ok((await remaining(env.A_SERIAL)) === 0, "the redeemer has voucher A spent");
	await page.screenshot({ path: `${OUT}/green.png` });
	await close();
	await page.click("#camera");
	t = await shown("already_spent");
	ok(t.includes("sudah terpakai"), "scanning voucher A again: the red already-spent screen");
	await close();

	// 2. Manual entry, then the same single-use voucher again.
	await lookupManual(env.B_TEXT);
	await page.fill("#amount", "");
	await page.type("#amount", "1234567");
	ok((await page.inputValue("#amount")) === "1.234.567", "the amount field formats rupiah as typed");
	await page.fill("#amount", "");
	await page.type("#amount", "25.000,00");
	ok((await page.innerText("#redeem")) === "Tukarkan Rp25.000", "25.000,00 typed is Rp25.000, not Rp2.500.000");
	await page.fill("#amount", String(env.B_FACE));
	await page.click("#redeem");
	t = await shown("ok");
	ok(t.includes(rp(env.B_FACE)), "a typed code redeems");
	await close();
	await page.fill("#code", env.B_TEXT);
	await page.click("#check");
	t = await shown("already_spent");
	ok(t.includes("sudah terpakai"), "the same single-use voucher again: the red already-spent screen");
	ok(await page.evaluate(() => getComputedStyle(document.getElementById("result")).backgroundColor) ===
	   "rgb(198, 40, 40)", "the refusal screen is red");
	await page.screenshot({ path: `${OUT}/red.png` });
	await close();

	ok(errors.length === 0, "the page logs no console errors" + (errors.length ? ": " + errors.join("; ") : ""));

	// 3. A torn code is refused before anything is sent.
	await page.fill("#code", env.C_TEXT.slice(0, 100));
	await page.click("#check");
	t = await shown("malformed_voucher");
	ok(t.includes("tidak terbaca"), "a torn code gets a plain sentence");
	await close();

	// 4. The network fails after the redeemer recorded the redemption: the
	// retry reuses the request_id and the voucher is debited once.
	let cut = true;
	const ids = [];
	await page.route("**/v1/redeem", async (route) => {
		ids.push(JSON.parse(route.request().postData()).request_id);
		if (!cut) return route.continue();
		cut = false;
		await route.fetch();		// it reaches the redeemer ...
		return route.abort("failed");	// ... but the answer is lost
	});
	await lookupManual(env.C_TEXT);
	await page.click("#redeem");
	t = await shown("network");
	ok(t.includes("Coba lagi") && (await page.isVisible("#r-retry")), "a lost answer offers a retry");
	await page.click("#r-retry");
	t = await shown("ok");
	ok(t.includes(rp(env.C_FACE)), "the retry answers with the first redemption");
	ok(ids.length === 2 && ids[0] === ids[1], "the retry reuses the same request_id");
	await page.unroute("**/v1/redeem");
	const journal = execFileSync(env.BIN + "/voucher-redeemer",
				     ["export", "--db", env.DB, "--period", env.PERIOD]).toString();
	ok(journal.split("\n").filter((l) => l.includes(env.C_SERIAL)).length === 1,
	   "the journal holds voucher C's redemption once");

	// 5. Void the last redemption from its green screen.
	await page.click("#r-void");
	ok((await page.innerText("#r-void")).includes("Yakin"), "voiding asks to press again");
	await page.click("#r-void");
	t = await shown("void");
	ok(t.includes("DIBATALKAN") && t.includes(rp(env.C_FACE)), "the void screen shows the amount restored");
	ok((await remaining(env.C_SERIAL)) === Number(env.C_FACE), "the redeemer has voucher C's balance back");
	await close();

	// 6. A multi-use voucher: a part, then more than is left.
	await lookupManual(env.D_TEXT);
	ok((await page.inputValue("#amount")) === "", "a multi-use voucher asks for the amount");
	await page.fill("#amount", "20000");
	ok((await page.innerText("#redeem")) === "Tukarkan Rp20.000", "the button says what it will redeem");
	await page.click("#redeem");
	t = await shown("ok");
	ok(t.includes("Rp20.000") && t.includes("Sisa saldo Rp30.000"), "a partial redemption shows the balance left");
	await close();
	await lookupManual(env.D_TEXT);
	ok((await page.innerText("#remaining")) === "Rp30.000", "looking it up again shows Rp30.000 left");
	await page.fill("#amount", "45000");
	await page.click("#redeem");
	t = await shown("insufficient_balance");
	ok(t.includes("Saldo voucher tidak cukup") && t.includes("Sisa saldo Rp30.000"),
	   "more than is left: the red screen says how much is left");
	await close();

	// 7. A wrong token is refused and asked for again.
	await page.evaluate(() => localStorage.setItem("voucher.terminalToken", "wrong"));
	await lookupManual(env.C_TEXT);
	await page.click("#redeem");
	t = await shown("unauthorized");
	ok(t.includes("Token terminal salah"), "a wrong token gets the red screen");
	await close();
	ok(await page.isVisible("#token"), "and the page asks for the token again");

	ok(jsErrors.length === 0, "the page's script throws nothing" + (jsErrors.length ? ": " + jsErrors.join("; ") : ""));
	ok([...hosts].every((h) => h === URL_), "the page requests nothing but the redeemer (" + [...hosts].join(" ") + ")");

	// 8. The reconciliation report in the same browser.
	execFileSync("bash", ["-c", env.RECONCILE], { stdio: "inherit" });
	const rep = await ctx.newPage();
	const repErrors = [];
	rep.on("console", (m) => m.type() === "error" && repErrors.push(m.text()));
	rep.on("pageerror", (e) => repErrors.push(String(e)));
	await rep.goto("file://" + env.REPORT);
	const body = await rep.innerText("body");
	ok(body.length > 200 && body.includes(env.MERCHANT), "report.html renders with the merchant");
	ok(repErrors.length === 0, "report.html logs no console errors" + (repErrors.length ? ": " + repErrors.join("; ") : ""));
	await rep.screenshot({ path: `${OUT}/report.png`, fullPage: true });
} catch (e) {
	ok(false, "the browser run: " + (e.stack || e));
	await page.screenshot({ path: `${OUT}/failure.png` }).catch(() => {});
} finally {
	await browser.close();
}
console.log(`# screenshots in ${OUT}`);
process.exit(failures ? 1 : 0);
