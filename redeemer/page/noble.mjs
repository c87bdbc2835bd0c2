// Makes the vendored @noble/ed25519 (MIT) the scanner page's Ed25519 where
// the browser's WebCrypto has none (voucher.js falls back to it).
import * as ed from "/noble-ed25519.mjs";
globalThis.nobleEd25519 = ed;
