#!/bin/bash
# Typed short codes in the scanner page (docs/FORMAT.md, "The short code"),
# in Debian's Chromium, headless, driven by playwright-core
# (tests/browser/codes.mjs) against the real redeemer with a code manifest:
# a code typed online finds its voucher (POST /v1/codes) and redeems; a
# typo is told in the page and sends nothing; the page keeps the
# terminal's codes and fetches them again when their version changes;
# offline it opens a typed code itself, sells it and queues the sale, which
# is uploaded when the link returns, after which the voucher's QR is spent;
# unknown codes are limited offline (by the page) and online (by the
# redeemer). Codes come from vouchers.csv, typo and unknown codes from
# tests/shortcode.py (written from the spec).
. "$(dirname "$0")/lib.sh"
D=$(cd "$(dirname "$0")" && pwd)
CHROMIUM=${CHROMIUM:-$(command -v chromium || true)}
if [ -z "$CHROMIUM" ] || ! command -v node >/dev/null; then
	fail "the browser test needs chromium and node (make deps installs them)"
	exit 1
fi
if [ ! -d "$D/browser/node_modules/playwright-core" ]; then
	echo "# installing playwright-core from the npm registry (tests/browser/package-lock.json)"
	(cd "$D/browser" && npm ci --no-audit --no-fund --loglevel=error) ||
		{ fail "npm ci in tests/browser"; exit 1; }
fi
OUT=${BUILD:-$D/../build}/browser
mkdir -p "$OUT"
cd "$T"
make_keys
write_policy p.ini use=single pelaksana:50000
printf 'nip,name,opd,class\n' >roster.csv
for i in 1 2 3 4; do printf '19720315199803100%d,ASN %d,Dinas,pelaksana\n' "$i" "$i" >>roster.csv; done
issue L p.ini "$NOW" O
mkdir m
_setup "voucher-issuer manifest" "$BIN/voucher-issuer" manifest --ledger L --keys "$K" --period "$NOW" --out m/x.manifest
TOKEN=$("$BIN/voucher-redeemer" terminal add --db db --merchant BATIK-SARI --name kasir-1 --gallery GAL-1 | tail -n 1)
printf '[redeemer]\nmanifests = %s/m\noffline_sale_max = 50000\noffline_device_max = 100000\noffline_hours = 24\n' "$T" >r.ini
start_redeemer --config r.ini --db db --keyring "$K/keyring" --listen 127.0.0.1:0
export URL TOKEN OUT CHROMIUM BIN SERVER PERIOD=$NOW DB=$T/db
# Vouchers A, B, C, D: their text, serial and printed code; B's code with a
# typo; ten well-formed codes of no voucher.
eval "$(python3 - "$TESTS" <<'PY'
import csv, shlex, sys
sys.path.insert(0, sys.argv[1])
import shortcode
rows = list(csv.DictReader(open("O/vouchers.csv")))
for name, r in zip("ABCD", rows):
    for key, col in (("TEXT", "token"), ("SERIAL", "serial"), ("CODE", "code")):
        print(f"export {name}_{key}={shlex.quote(r[col])}")
print("export B_TYPO=" + shlex.quote(shortcode.typo(rows[1]["code"])))
print("export UNKNOWN=" + shlex.quote(" ".join(shortcode.unknown(f"page{i}") for i in range(1, 11))))
PY
)"
# A new manifest of the period (a new salt): the page must fetch the codes again.
export NEW_MANIFEST="cd '$T' && rm m/x.manifest &&
	'$BIN/voucher-issuer' manifest --ledger L --keys '$K' --period $NOW --out m/y.manifest >/dev/null &&
	sed -n 's/^salt //p' m/y.manifest"
node "$D/browser/codes.mjs"
