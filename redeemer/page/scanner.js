/*
 * The camera at a real counter: the standard BarcodeDetector where the
 * browser has one for QR codes (Android's Chrome), else ZXing-C++ compiled
 * to WebAssembly (zxing-wasm, vendored). Every code of a frame is read and
 * the voucher picked among them (a QRIS sticker beside it does not hide
 * it), inverted codes too (a phone in dark mode); the camera is asked for
 * 1280x720 or more with continuous focus. The cashier is told what is
 * happening: searching, a code that is not a voucher (QRIS named), too
 * dark, a hint when nothing reads; torch and zoom where the camera has
 * them; a sound and a vibration on success; the camera stops after a
 * minute of nothing.
 *
 *   Scanner.start(video, {voucher(text), other(kind), state(text), stopped()})
 *   Scanner.stop()
 *   Scanner.torch(on), Scanner.zoom(value), Scanner.capabilities()
 *   Scanner.signal(ok)       the success or refusal sound and vibration
 */
"use strict";
const Scanner = (() => {
	const HINT_AFTER = 5000, GIVE_UP_AFTER = 60000, EVERY = 150, MAX_SIDE = 1920;
	let stream = null, track = null, running = false, detect = null, hooks = null;
	let started = 0, lastCode = 0, frames = 0;
	const canvas = document.createElement("canvas");
	const ctx = canvas.getContext("2d", { willReadFrequently: true });

	/* What reads the codes of a frame: the browser's, or zxing-wasm's. */
	async function decoder() {
		if ("BarcodeDetector" in window) {
			try {
				if ((await BarcodeDetector.getSupportedFormats()).includes("qr_code")) {
					const d = new BarcodeDetector({ formats: ["qr_code"] });
					return async (img) => (await d.detect(img)).map((c) => c.rawValue);
				}
			} catch (e) { /* fall through to zxing-wasm */ }
		}
		ZXingWASM.prepareZXingModule({
			overrides: { locateFile: (path) => "/" + path }, /* never the CDN */
			fireImmediately: true,
		});
		return async (img) => (await ZXingWASM.readBarcodes(img, {
			formats: ["QRCode"], tryHarder: true, tryRotate: true, tryInvert: true,
			tryDownscale: true, maxNumberOfSymbols: 8,
		})).filter((r) => r.isValid).map((r) => r.text);
	}

	/* The frame, at most MAX_SIDE wide, as ImageData; and its mean brightness. */
	function grab(video) {
		const s = Math.min(1, MAX_SIDE / video.videoWidth);
		canvas.width = Math.round(video.videoWidth * s);
		canvas.height = Math.round(video.videoHeight * s);
		ctx.filter = "none";
		ctx.drawImage(video, 0, 0, canvas.width, canvas.height);
		const img = ctx.getImageData(0, 0, canvas.width, canvas.height);
		let sum = 0, n = 0;
		for (let i = 0; i < img.data.length; i += 4 * 97, n++)
			sum += img.data[i] * 0.3 + img.data[i + 1] * 0.59 + img.data[i + 2] * 0.11;
		return { img, light: n ? sum / n : 255 };
	}

	/* The same frame inverted, for a native detector that does not try it. */
	function inverted(video) {
		ctx.filter = "invert(1)";
		ctx.drawImage(video, 0, 0, canvas.width, canvas.height);
		ctx.filter = "none";
		return ctx.getImageData(0, 0, canvas.width, canvas.height);
	}

	/* What a code that is not a voucher is. */
	function kindOf(text) {
		if (/^000201/.test(text) && /ID\.CO\.QRIS|A000000602/i.test(text)) return "qris";
		if (/^https?:\/\//i.test(text)) return "url";
		return "other";
	}

	async function tick(video) {
		if (!running) return;
		const now = Date.now();
		if (now - started > GIVE_UP_AFTER && now - lastCode > GIVE_UP_AFTER) {
			stop();
			return;
		}
		if (video.readyState >= 2 && video.videoWidth) {
			const { img, light } = grab(video);
			let codes = await detect(img).catch(() => []);
			if (!codes.length && "BarcodeDetector" in window && frames++ % 2)
				codes = await detect(inverted(video)).catch(() => []);
			const v = codes.find((c) => /^UV\d:/.test(c));
			if (v) {
				signal(true);
				stop();
				hooks.voucher(v);
				return;
			}
			if (codes.length) {
				lastCode = now;
				hooks.other(kindOf(codes[0]));
			} else if (light < 40) {
				hooks.state("dark");
			} else if (now - started > HINT_AFTER) {
				hooks.state("hint");
			}
		}
		setTimeout(() => tick(video), EVERY);
	}

	/* 1280x720 or more, continuous focus; what the camera can give if not. */
	async function open() {
		const want = { facingMode: "environment", width: { min: 1280, ideal: 1920 },
		               height: { min: 720, ideal: 1080 } };
		try {
			return await navigator.mediaDevices.getUserMedia({ video: want });
		} catch (e) {
			if (e.name !== "OverconstrainedError" && e.name !== "ConstraintNotSatisfiedError") throw e;
			return navigator.mediaDevices.getUserMedia({
				video: { facingMode: "environment", width: { ideal: 1920 }, height: { ideal: 1080 } },
			});
		}
	}

	async function start(video, h) {
		hooks = h;
		stream = await open();
		track = stream.getVideoTracks()[0];
		try { await track.applyConstraints({ advanced: [{ focusMode: "continuous" }] }); }
		catch (e) { /* not every camera focuses */ }
		video.srcObject = stream;
		await video.play();
		detect = detect || await decoder();
		running = true;
		started = Date.now();
		lastCode = 0;
		hooks.state("searching");
		tick(video);
	}

	function stop() {
		const was = running;
		running = false;
		if (stream) stream.getTracks().forEach((t) => t.stop());
		stream = track = null;
		if (was && hooks) hooks.stopped();
	}

	/* What the camera offers beyond a picture. */
	function capabilities() {
		const c = track && track.getCapabilities ? track.getCapabilities() : {};
		return { torch: !!c.torch, zoom: c.zoom || null };
	}
	const torch = (on) => track && track.applyConstraints({ advanced: [{ torch: on }] });
	const zoom = (z) => track && track.applyConstraints({ advanced: [{ zoom: z }] });

	/* A short high beep and a buzz for a voucher read; a low double one for a refusal. */
	function signal(ok) {
		try {
			const a = new (window.AudioContext || window.webkitAudioContext)();
			const o = a.createOscillator(), g = a.createGain();
			o.frequency.value = ok ? 1320 : 220;
			g.gain.value = 0.2;
			o.connect(g).connect(a.destination);
			o.start();
			o.stop(a.currentTime + (ok ? 0.12 : 0.35));
			o.onended = () => a.close();
		} catch (e) { /* no sound here */ }
		if (navigator.vibrate) navigator.vibrate(ok ? 80 : [120, 60, 120]);
	}

	return { start, stop, capabilities, torch, zoom, signal, running: () => running, kindOf };
})();
