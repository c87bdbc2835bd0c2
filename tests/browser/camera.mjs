// The camera-conditions suite: the scanner page in headless Chromium, fed
// each condition of tests/camera/frames.py as its fake camera, against the
// real redeemer (tests/e2e_camera.sh passes everything in the
// environment, with zbarimg's reading of the same frames). The page must
// read the voucher in every condition in which zbarimg reads it, an
// inverted code too, and name a QRIS code that is not a voucher.
// Prints "ok - ..." / "not ok - ..." lines like tests/lib.sh.
import { chromium } from "playwright-core";

const env = process.env;
const URL_ = env.URL, DIR = env.FRAMES;
const zbar = JSON.parse(env.ZBAR); /* condition -> zbarimg read the voucher */
let failures = 0;
const ok = (cond, what) => {
	console.log((cond ? "ok - " : "not ok - ") + what);
	if (!cond) failures++;
};

/* Whether the page, with this camera, looks the voucher up (and what it says otherwise). */
async function scan(condition) {
	const browser = await chromium.launch({
		executablePath: env.CHROMIUM || "/usr/bin/chromium",
		args: ["--no-sandbox", "--use-fake-ui-for-media-stream", "--use-fake-device-for-media-stream",
		       `--use-file-for-fake-video-capture=${DIR}/${condition}.y4m`],
	});
	try {
		const ctx = await browser.newContext({ viewport: { width: 420, height: 800 } });
		await ctx.grantPermissions(["camera"], { origin: URL_ });
		const page = await ctx.newPage();
		let looked = false;
		page.on("request", (r) => { if (r.url().includes("/v1/vouchers/" + env.SERIAL)) looked = true; });
		await page.goto(URL_ + "/");
		await page.fill("#token", env.TOKEN);
		await page.click("#save");
		await page.click("#camera");
		const end = Date.now() + 12000;
		let state = "";
		while (!looked && Date.now() < end) {
			await page.waitForTimeout(200);
			state = (await page.getAttribute("#scan-state", "data-kind").catch(() => "")) || state;
			if (condition === "qris_only" && state === "qris") break;
		}
		const said = await page.innerText("#scan-state").catch(() => "");
		await page.screenshot({ path: `${env.OUT}/camera-${condition}.png` });
		return { looked, state, said };
	} finally {
		await browser.close();
	}
}

try {
	for (const condition of Object.keys(zbar)) {
		const r = await scan(condition);
		if (condition === "qris_only") {
			ok(!r.looked && r.state === "qris" && r.said.includes("QRIS"),
			   `qris_only: the page says it is a QRIS code, not a voucher (${r.said})`);
		} else if (zbar[condition] || condition === "inverted") {
			ok(r.looked, `${condition}: the page reads the voucher` +
			   (zbar[condition] ? " (zbarimg does)" : " (zbarimg does not; a phone in dark mode)"));
		} else {
			console.log(`# ${condition}: zbarimg does not read it; the page ${r.looked ? "does" : "does not either"}`);
		}
	}
} catch (e) {
	ok(false, "the camera run: " + (e.stack || e));
}
process.exit(failures ? 1 : 0);
