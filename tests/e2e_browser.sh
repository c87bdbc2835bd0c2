#!/bin/bash
# The merchant's scanner page in Debian's Chromium, headless, driven by
# playwright-core (tests/browser/scanner.mjs) against the real redeemer:
# a fake camera showing an issued voucher's QR, manual entry, the red
# already-spent screen, a lost answer retried, a void, a wrong token, no
# request to any other host, and the reconciliation report. Screenshots go
# to $BUILD/browser/.
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
rm -f "$OUT"/*.png
cd "$T"
make_keys
write_policy p.ini use=single pelaksana:50000 eselon_iii:100000
cat >roster.csv <<'CSV'
nip,name,opd,class
197203151998031001,Ani,Dinas Kesehatan,pelaksana
197203151998031002,Budi,Dinas Kesehatan,eselon_iii
197203151998031003,Citra,Dinas Koperasi & UMKM,pelaksana
CSV
issue L p.ini "$NOW" O
# A multi-use voucher from another ledger, for the partial-balance screens.
write_policy pm.ini use=multi pelaksana:50000 eselon_iii:100000
head -n 2 roster.csv >roster-multi.csv
issue LM pm.ini "$NOW" OM roster-multi.csv
export D_TEXT=$(python3 -c "import csv; print(next(csv.DictReader(open('OM/vouchers.csv')))['token'])")
col() { python3 -c "import csv,sys; print({r['nip'][-1]: r[sys.argv[2]] for r in csv.DictReader(open('O/vouchers.csv'))}[sys.argv[1]])" "$1" "$2"; }
TOKEN=$("$BIN/voucher-redeemer" terminal add --db db --merchant BATIK-SARI --name kasir-1 --gallery GAL-1 | tail -n 1)
start_redeemer --db db --keyring "$K/keyring" --listen 127.0.0.1:0

export URL TOKEN OUT CHROMIUM BIN PERIOD=$NOW DB=$T/db MERCHANT=BATIK-SARI REPORT=$T/R/report.html
export QR_PNG=$T/O/qr/$(col 1 serial).png
for v in A:1 B:2 C:3; do
	export "${v%:*}_TEXT=$(col "${v#*:}" token)" "${v%:*}_SERIAL=$(col "${v#*:}" serial)" \
		"${v%:*}_FACE=$(col "${v#*:}" amount)"
done
# Voucher D is not of ledger L: an unknown serial, so the month does not
# balance (exit 1) and the report, written all the same, says so.
export RECONCILE="cd '$T' && '$BIN/voucher-redeemer' export --db db --period $NOW >journal.csv &&
	'$BIN/voucher-redeemer' receipt-key --db db >receipts.keyring &&
	{ '$BIN/voucher-issuer' reconcile --ledger L --period $NOW --journal journal.csv \
		--keyring receipts.keyring --out R >/dev/null; test \$? -eq 1; } &&
	grep -q 'TIDAK SEIMBANG' R/report.html"
node "$D/browser/scanner.mjs"
