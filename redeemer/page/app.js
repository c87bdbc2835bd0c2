/* The scanner page's code (index.html): its own file, so that the page runs
 * under a Content-Security-Policy that allows no inline script. Selling
 * while the link is down is offline.js's; deciding a voucher without the
 * redeemer, voucher.js's. */
"use strict";
const $ = (id) => document.getElementById(id);
const KEY = "voucher.terminalToken";
const MONTHS = ["Januari", "Februari", "Maret", "April", "Mei", "Juni", "Juli", "Agustus",
                "September", "Oktober", "November", "Desember"];
const thousands = (n) => String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ".");
const rupiah = (n) => "Rp" + thousands(n);
const day = (s) => { const [y, m, d] = s.split("-").map(Number); return d + " " + MONTHS[m - 1] + " " + y; };

/* One plain sentence per error code of the API (docs/API.md). */
const MESSAGES = {
  malformed_voucher: "Kode voucher tidak terbaca. Pindai ulang atau ketik kodenya dengan teliti.",
  bad_signature: "Voucher ini palsu atau rusak: tanda tangannya tidak cocok. Jangan terima.",
  unknown_key: "Voucher ditandatangani kunci yang tidak dikenal galeri ini. Jangan terima.",
  wrong_issuer: "Voucher ini diterbitkan daerah lain dan tidak berlaku di sini.",
  not_yet_valid: "Voucher ini belum berlaku. Periksa tanggal berlakunya.",
  expired: "Voucher ini sudah kedaluwarsa.",
  revoked: "Voucher ini sudah dicabut oleh bagian keuangan.",
  not_valid_here: "Voucher ini hanya berlaku di galeri lain.",
  already_spent: "Voucher ini sudah terpakai.",
  insufficient_balance: "Saldo voucher tidak cukup untuk jumlah ini.",
  request_conflict: "Transaksi ini bentrok dengan transaksi sebelumnya. Mulai transaksi baru.",
  void_too_late: "Transaksi hanya bisa dibatalkan pada hari yang sama.",
  unauthorized: "Token terminal salah atau sudah dinonaktifkan. Minta token baru ke petugas.",
  too_many_attempts: "Terlalu banyak token salah dari perangkat ini. Tunggu satu menit.",
  malformed_request: "Permintaan tidak sah. Periksa jumlah belanja.",
  too_large: "Permintaan terlalu besar.",
  not_found: "Voucher atau transaksi tidak ditemukan.",
  unavailable: "Layanan sedang sibuk; belum ada yang tercatat. Tekan Coba lagi.",
  offline_off: "Tidak ada jaringan, dan terminal ini tidak diizinkan menjual tanpa jaringan. " +
               "Sambungkan ke jaringan lalu periksa lagi.",
  offline_stale: "Tidak ada jaringan, dan data untuk menjual tanpa jaringan sudah terlalu lama. " +
                 "Sambungkan ke jaringan dulu.",
  offline_session: "Sesi tanpa jaringan sudah melewati batas waktunya. Sambungkan ke jaringan " +
                   "agar penjualan yang menunggu terunggah.",
  offline_sale_max: "Melebihi batas satu penjualan tanpa jaringan.",
  offline_device_max: "Batas penjualan tanpa jaringan di perangkat ini sudah tercapai. " +
                      "Sambungkan ke jaringan agar penjualan yang menunggu terunggah.",
  malformed_code: "Kode salah ketik. Periksa lagi 12 huruf/angkanya.",
  unknown_code: "Kode tidak dikenal: tidak ada voucher dengan kode ini. Tanyakan ulang kodenya " +
                "atau pindai QR-nya; jika tetap tidak dikenal, jangan terima.",
  too_many_codes: "Terlalu banyak kode yang tidak dikenal dari perangkat ini. Tunggu 15 menit, " +
                  "atau pindai QR vouchernya.",
  offline_no_codes: "Tanpa jaringan, kode ketik belum bisa diperiksa: perangkat ini belum " +
                    "menyimpan daftar kode. Pindai QR-nya, atau sambungkan ke jaringan.",
};
const STATUS_ERROR = { spent: "already_spent", revoked: "revoked", expired: "expired",
                       not_yet_valid: "not_yet_valid" };

let voucher = null;     /* { text, serial, info, offline } of the voucher on screen */
let pending = null;     /* the redeem request in flight, resent as is on retry */
let last = JSON.parse(localStorage.getItem("voucher.last") || "null");
let stream = null, scanning = false;

/* Base45 (RFC 9285) decoded just far enough to read the serial. */
const B45 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:";
function base45(s) {
  const out = [];
  for (let i = 0; i < s.length; i += 3) {
    const c = [...s.slice(i, i + 3)].map((ch) => B45.indexOf(ch));
    if (c.includes(-1) || c.length === 1) return null;
    const n = c[0] + c[1] * 45 + (c.length === 3 ? c[2] * 2025 : 0);
    if (c.length === 3) { if (n > 0xffff) return null; out.push(n >> 8, n & 0xff); }
    else { if (n > 0xff) return null; out.push(n); }
  }
  return out;
}
function serialOf(text) {
  const b = /^UV1:/.test(text) && base45(text.slice(4));
  if (!b || b.length !== 100) return null;
  return b.slice(10, 18).map((x) => x.toString(16).padStart(2, "0")).join("").toUpperCase();
}

function showScreens() {
  const token = localStorage.getItem(KEY);
  $("setup").hidden = !!token;
  $("main").hidden = !token;
  $("void-last").hidden = !last;
}

function result(kind, title, big, text, opts = {}) {
  const r = $("result");
  r.className = kind;
  $("r-title").textContent = title;
  $("r-big").textContent = big || "";
  $("r-text").textContent = text || "";
  $("r-retry").hidden = !opts.retry;
  $("r-void").hidden = !opts.void;
  r.hidden = false;
  r.dataset.state = opts.state || kind;
  (opts.retry ? $("r-retry") : $("r-close")).focus();
}

function refuse(code, fallback, extra) {
  Scanner.signal(false);
  result("err", "DITOLAK", "", (MESSAGES[code] || fallback || "Terjadi kesalahan.") + (extra || ""),
         { state: code });
}

async function api(method, path, body) {
  const headers = { "Authorization": "Bearer " + (localStorage.getItem(KEY) || "") };
  if (body) headers["Content-Type"] = "application/json";
  const res = await fetch(path, { method, headers, body: body && JSON.stringify(body),
                                  cache: "no-store" });
  let j = {};
  try { j = await res.json(); } catch (e) { /* an empty or broken body */ }
  if (res.status === 401) { localStorage.removeItem(KEY); showScreens(); }
  return { status: res.status, j };
}

/* The voucher on screen: its face, what is left, its days, its use. */
function showVoucher(v) {
  $("face").textContent = rupiah(v.face_value);
  $("remaining").textContent = rupiah(v.remaining) + (voucher.offline ? " (perangkat ini)" : "");
  $("valid").textContent = day(v.first_day) + " s.d. " + day(v.last_day);
  $("use").textContent = v.use === "multi" ? "Bisa dipakai beberapa kali" :
                         "Sekali pakai: seluruh nilai terpakai";
  $("offline-note").hidden = !voucher.offline;
  setAmount(v.use === "multi" ? "" : String(v.remaining));
  $("info").hidden = false;
  (v.use === "multi" ? $("amount") : $("redeem")).focus();
}

const ymd = (t) => new Date(t * 1000).toISOString().slice(0, 10);

/* No link: decide here, as the redeemer would (offline.js). */
async function lookupOffline(text, serial) {
  setOnline(false);
  const d = await Offline.decide(text);
  if (d.code) return refuse(d.code);
  voucher = { text, serial, offline: true };
  /* The window's last instant is local midnight: its day, in WIB at the latest. */
  showVoucher({ face_value: d.v.face, remaining: d.left, first_day: ymd(d.v.validFrom + 9 * 3600),
                last_day: ymd(d.v.validUntil - 1 + 7 * 3600), use: d.v.multi ? "multi" : "single" });
}

/* What the cashier typed, scanned or pasted: a short code (12 symbols,
 * under the QR) is turned into its voucher first, then looked up as if its
 * QR had been scanned. */
function enter(text) {
  if (!text.trim()) return $("code").focus();
  return Voucher.isCodeInput(text) ? byCode(text) : lookup(text);
}

/* A short code: checked here first (a typo sends nothing), then found by
 * the redeemer (POST /v1/codes), or offline among the codes this device
 * keeps (offline.js). */
async function byCode(typed) {
  $("info").hidden = true;
  voucher = null;
  const code = Voucher.parseCode(typed);
  if (!code) return refuse("malformed_code");
  $("code").value = Voucher.printCode(code);
  let r;
  try {
    r = await api("POST", "/v1/codes", { code: Voucher.printCode(code) });
  } catch (e) {
    setOnline(false);
    const f = await Offline.findCode(code);
    if (f.code) return refuse(f.code);
    return lookupOffline(f.text, Voucher.decode(f.text).serial);
  }
  setOnline(true);
  if (r.status !== 200) {
    if (r.status >= 500 && !r.j.error) return refuse("unavailable");
    return refuse(r.j.error === "too_many_attempts" ? "too_many_codes" : r.j.error, r.j.message);
  }
  return lookup(r.j.voucher);
}

async function lookup(text) {
  text = text.replace(/[\r\n\t]/g, "").toUpperCase();
  const serial = serialOf(text);
  $("info").hidden = true;
  voucher = null;
  if (!serial) return refuse("malformed_voucher");
  let r;
  try {
    r = await api("GET", "/v1/vouchers/" + serial + "?voucher=" + encodeURIComponent(text));
  } catch (e) {
    return lookupOffline(text, serial);
  }
  setOnline(true);
  if (r.status !== 200) return refuse(r.j.error, r.j.message);
  const v = r.j;
  await Offline.saw(serial, v.remaining);
  if (STATUS_ERROR[v.status]) return refuse(STATUS_ERROR[v.status]);
  voucher = { text, serial, info: v, offline: false };
  showVoucher(v);
}

/* Whole rupiah: dots group thousands as typed; a comma starts the sen, which
 * are kept on screen but not counted ("25.000,00" is Rp25.000). */
const rupiahDigits = (text) => text.split(",")[0].replace(/\D/g, "").replace(/^0+/, "").slice(0, 10);
const amountValue = () => Number(rupiahDigits($("amount").value)) || 0;
function setAmount(text) {
  const d = rupiahDigits(text), sen = text.split(",")[1];
  $("amount").value = (d ? thousands(d) : "") +
                      (sen === undefined ? "" : "," + sen.replace(/\D/g, "").slice(0, 2));
  $("redeem").textContent = d ? "Tukarkan " + rupiah(d) : "Tukarkan";
}

function newRequestId() {
  if (crypto.randomUUID) return crypto.randomUUID();
  const b = crypto.getRandomValues(new Uint8Array(16));
  return [...b].map((x) => x.toString(16).padStart(2, "0")).join("");
}

async function redeem() {
  if (!voucher) return;
  const amount = amountValue();
  if (amount < 1) return refuse("malformed_request", null, " Isi jumlah belanja.");
  if (voucher.offline) return redeemOffline(amount);
  pending = { voucher: voucher.text, amount, request_id: newRequestId() };
  await send();
}

/* A sale without the link: within the limits it waits to be uploaded. */
async function redeemOffline(amount) {
  const t = await Offline.take(voucher.text, amount);
  if (t.code) return refuse(t.code);
  $("info").hidden = true;
  $("code").value = "";
  voucher = null;
  await showStatus();
  result("offline", "DITERIMA TANPA JARINGAN", rupiah(amount),
         "Belum tercatat di server: akan diunggah saat jaringan kembali.\nSisa (perangkat ini) " +
         rupiah(t.left), { state: "offline" });
}

/* Sends `pending`; on a network failure keeps it, so "Coba lagi" resends the
 * same request_id and the redeemer answers it at most once. */
async function send() {
  let r;
  $("redeem").disabled = $("r-retry").disabled = true;
  try {
    r = await api("POST", "/v1/redeem", pending);
  } catch (e) {
    r = null;
  } finally {
    $("redeem").disabled = $("r-retry").disabled = false;
  }
  if (!r || r.status === 503 || (r.status >= 500 && !r.j.error))
    return result("err", "JARINGAN GAGAL", "", "Belum pasti tercatat. Periksa jaringan lalu tekan " +
                  "Coba lagi: voucher tidak akan terpotong dua kali.",
                  { retry: true, state: "network" });
  const sent = pending;
  pending = null;
  setOnline(true);
  if (typeof r.j.remaining === "number") await Offline.saw(serialOf(sent.voucher), r.j.remaining);
  if (r.status === 201) {
    last = { id: r.j.redemption_id, amount: r.j.amount };
    localStorage.setItem("voucher.last", JSON.stringify(last));
    $("info").hidden = true;
    $("code").value = "";
    voucher = null;
    return result("ok", "BERHASIL", rupiah(r.j.amount),
                  "Sisa saldo " + rupiah(r.j.remaining) + "\nNo. transaksi " + r.j.redemption_id,
                  { void: true });
  }
  if (r.j.error === "insufficient_balance") {
    let left = "";
    try {
      const g = await api("GET", "/v1/vouchers/" + serialOf(sent.voucher));
      if (g.status === 200) left = " Sisa saldo " + rupiah(g.j.remaining) + ".";
    } catch (e) { /* the sentence alone */ }
    return refuse("insufficient_balance", null, left);
  }
  refuse(r.j.error, r.j.message);
}

async function voidLast() {
  if (!last) return;
  const b = $("result").hidden ? $("void-last") : $("r-void");
  if (!b.dataset.armed) {
    b.dataset.armed = "1";
    b.textContent = "Yakin? Tekan lagi untuk membatalkan " + last.id;
    return;
  }
  delete b.dataset.armed;
  let r;
  try {
    r = await api("POST", "/v1/redemptions/" + encodeURIComponent(last.id) + "/void");
  } catch (e) {
    return result("err", "JARINGAN GAGAL", "", "Pembatalan belum terkirim. Coba batalkan lagi.",
                  { void: true, state: "network" });
  }
  if (r.status !== 200) return refuse(r.j.error, r.j.message);
  last = null;
  localStorage.removeItem("voucher.last");
  result("void", "DIBATALKAN", rupiah(r.j.amount), "Transaksi " + r.j.redemption_id +
         " dibatalkan. Saldo voucher kembali " + rupiah(r.j.remaining) + ".");
}

/* ---- the camera (scanner.js) ---- */

const SCAN_STATES = {
  searching: "Mencari kode QR voucher... Arahkan kamera ke voucher di dalam bingkai.",
  hint: "Belum terbaca. Dekatkan voucher (sekitar 15 cm), pastikan terang dan tidak silau, " +
        "atau ketik 12 huruf/angka di bawah QR ke kolom kode di bawah.",
  dark: "Terlalu gelap. Nyalakan senter atau tambah cahaya.",
};
const OTHER_CODES = {
  qris: "Itu kode QRIS untuk pembayaran, bukan voucher. Arahkan kamera ke QR voucher saja.",
  url: "Itu kode berisi alamat web, bukan voucher.",
  other: "Itu bukan kode voucher. Arahkan kamera ke QR voucher.",
};

function scanState(text, kind) {
  $("scan-state").textContent = text;
  $("scan-state").dataset.kind = kind;
}

async function startCamera() {
  if (Scanner.running()) return stopCamera();
  $("scanner").hidden = false;
  $("camera").textContent = "Hentikan kamera";
  try {
    await Scanner.start($("video"), {
      voucher: (text) => { $("code").value = text; lookup(text); },
      other: (kind) => scanState(OTHER_CODES[kind], kind),
      state: (s) => scanState(SCAN_STATES[s], s),
      stopped: () => stopCamera(),
    });
  } catch (e) {
    stopCamera();
    return refuse(null, "Kamera tidak bisa dibuka. Ketik 12 huruf/angka di bawah QR ke kolom " +
                  "kode, atau pindai dengan alat pemindai.");
  }
  const c = Scanner.capabilities();
  $("torch").hidden = !c.torch;
  $("zoom").hidden = !c.zoom;
  if (c.zoom) Object.assign($("zoom"), { min: c.zoom.min, max: c.zoom.max, step: c.zoom.step || 0.1,
                                         value: c.zoom.min });
}
function stopCamera() {
  Scanner.stop();
  $("scanner").hidden = true;
  $("torch").hidden = $("zoom").hidden = true;
  $("camera").textContent = "Pindai dengan kamera";
}

/* ---- online, offline, and what waits to be uploaded ---- */

let online = navigator.onLine;

function setOnline(on) {
  if (online === on) return;
  online = on;
  showStatus();
  if (on) sync();
}

/* The status line: online or not, and the sales waiting, at all times. */
async function showStatus() {
  const q = await Offline.queued().catch(() => []);
  const waiting = q.reduce((n, s) => n + s.amount, 0);
  $("net").className = online ? "online" : "offline";
  $("net").dataset.waiting = String(q.length);
  $("net").textContent = (online ? "● Terhubung" : "● Tanpa jaringan") +
    (q.length ? " · " + q.length + " penjualan (" + rupiah(waiting) + ") menunggu diunggah" : "");
}

/* Answers to uploaded offline sales that the cashier must see: conflicts
 * (the voucher was spent elsewhere meanwhile: the merchant bears it) and
 * refusals. */
async function showNews() {
  for (const d of await Offline.news()) {
    if (d.status === "ok") continue;
    const li = document.createElement("li");
    li.textContent = (d.status === "conflict" ? "KONFLIK: voucher " : "DITOLAK: voucher ") +
      d.serial + " " + rupiah(d.amount) + " (dijual tanpa jaringan " +
      new Date(d.at).toLocaleString("id-ID") + ")" +
      (d.status === "conflict" ? ": sudah terpakai di tempat lain atau melewati batas. " +
       "Tidak dibayar; ditanggung pedagang." : ": " + (MESSAGES[d.error] || d.error));
    li.className = d.status;
    $("news-list").prepend(li);
    $("news").hidden = false;
  }
}

/* While online: fresh keys, list and limits; the queue uploaded, oldest first. */
let syncing = false;
async function sync() {
  if (syncing || !localStorage.getItem(KEY)) return;
  syncing = true;
  try {
    await Offline.refresh(api);
    const done = await Offline.upload(api);
    setOnline(true);
    if (!done) setTimeout(sync, 5000);
  } catch (e) {
    setOnline(false);
  } finally {
    syncing = false;
    await showStatus();
    await showNews();
  }
}

$("save").onclick = () => {
  const t = $("token").value.trim();
  if (!t) return;
  localStorage.setItem(KEY, t);
  $("token").value = "";
  showScreens();
  sync();
};
$("forget").onclick = (e) => { e.preventDefault(); localStorage.removeItem(KEY); showScreens(); };
$("camera").onclick = startCamera;
let torchOn = false;
$("torch").onclick = () => { torchOn = !torchOn; Scanner.torch(torchOn); };
$("zoom").oninput = () => Scanner.zoom(Number($("zoom").value));
$("check").onclick = () => enter($("code").value);
/* Enter's default kept back: a refusal shown at once focuses its button,
 * which the same key would then press, closing it unseen. */
$("code").onkeydown = (e) => { if (e.key === "Enter") { e.preventDefault(); enter($("code").value); } };
$("amount").oninput = () => setAmount($("amount").value);
$("amount").onkeydown = (e) => { if (e.key === "Enter") { e.preventDefault(); redeem(); } };
$("redeem").onclick = redeem;
$("r-retry").onclick = send;
$("r-void").onclick = voidLast;
$("void-last").onclick = voidLast;
$("r-close").onclick = () => {
  $("result").hidden = true;
  pending = null;
  for (const b of [$("r-void"), $("void-last")]) { delete b.dataset.armed; }
  $("r-void").textContent = "Batalkan transaksi ini";
  $("void-last").textContent = "Batalkan transaksi terakhir";
  showScreens();
};
$("news-close").onclick = () => { $("news-list").textContent = ""; $("news").hidden = true; };
window.addEventListener("online", () => sync());
window.addEventListener("offline", () => setOnline(false));
setInterval(sync, 30000);
if ("serviceWorker" in navigator) navigator.serviceWorker.register("/sw.js").catch(() => {});
showScreens();
showStatus();
sync();
