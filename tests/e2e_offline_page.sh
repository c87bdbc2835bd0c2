#!/bin/bash
# The scanner page selling with the link down, in Debian's Chromium,
# headless, driven by playwright-core (tests/browser/offline.mjs) against
# the real redeemer: a service worker and IndexedDB, decisions made by the
# page's own verifier, the limits, the queue kept over a reload and
# uploaded when the link returns, the conflict shown and reconciled.
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
write_policy p.ini use=multi pelaksana:100000
printf 'nip,name,opd,class\n' >roster.csv
for i in 1 2 3 4 5; do printf '19720315199803100%d,ASN %d,Dinas,pelaksana\n' "$i" "$i" >>roster.csv; done
issue L p.ini "$NOW" O
col() { python3 -c "import csv,sys; print(list(csv.DictReader(open('O/vouchers.csv')))[int(sys.argv[1])][sys.argv[2]])" "$1" "$2"; }
TOKEN=$("$BIN/voucher-redeemer" terminal add --db db --merchant BATIK-SARI --name kasir-1 --gallery GAL-1 | tail -n 1)
TOKEN2=$("$BIN/voucher-redeemer" terminal add --db db --merchant KOPI --name kasir-2 --gallery GAL-2 | tail -n 1)
"$BIN/voucher-issuer" revoke --ledger L --keys "$K" --serial "$(col 4 serial)" --reason hilang >/dev/null
"$BIN/voucher-issuer" revocations --ledger L --keys "$K" --out rev.txt >/dev/null
printf '[redeemer]\nrevocations = %s/rev.txt\noffline_sale_max = 50000\noffline_device_max = 100000\noffline_hours = 24\n' "$T" >r.ini
start_redeemer --config r.ini --db db --keyring "$K/keyring" --listen 127.0.0.1:0
export URL TOKEN TOKEN2 OUT CHROMIUM BIN PERIOD=$NOW DB=$T/db MERCHANT=BATIK-SARI REPORT=$T/R
for v in A:0 B:1 C:2 D:3 R:4; do
	export "${v%:*}_TEXT=$(col "${v#*:}" token)" "${v%:*}_SERIAL=$(col "${v#*:}" serial)"
done
export RECONCILE="cd '$T' && '$BIN/voucher-redeemer' export --db db --period $NOW >journal.csv &&
	'$BIN/voucher-redeemer' receipt-key --db db >receipts.keyring &&
	'$BIN/voucher-issuer' reconcile --ledger L --period $NOW --journal journal.csv \
		--keyring receipts.keyring --out R >/dev/null"
node "$D/browser/offline.mjs"
