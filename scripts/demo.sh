#!/bin/bash
# A whole month on sample data: keys, issue, redeem over HTTP, export,
# reconcile. Everything goes into ./demo (made afresh). With SERVE=1 the
# redeemer is left running for the scanner page; LISTEN=0.0.0.0:8080 makes
# it reachable from a phone on the same network.
set -euo pipefail
cd "$(dirname "$0")/.."
: "${BIN:=$PWD/bin}"
D=$PWD/demo
PERIOD=$(date -u +%Y-%m)
rm -rf "$D"
mkdir -p "$D"
say() { printf '\n== %s\n' "$*"; }

say "1. The finance office makes its signing key"
"$BIN/voucher-keys" generate --dir "$D/keys" --kid K1

say "2. Issue $PERIOD's vouchers from the HR roster (60 ASN) and the policy"
tests/gen_roster.sh 60 2026 >"$D/roster.csv"
cp tests/data/policy.ini "$D/policy.ini"
"$BIN/voucher-issuer" issue --ledger "$D/ledger" --keys "$D/keys" --roster "$D/roster.csv" \
	--policy "$D/policy.ini" --period "$PERIOD" --out "$D/issued"
"$BIN/voucher-issuer" revocations --ledger "$D/ledger" --keys "$D/keys" --out "$D/revocations.txt"
mkdir -p "$D/manifests"
"$BIN/voucher-issuer" manifest --ledger "$D/ledger" --keys "$D/keys" --period "$PERIOD" \
	--out "$D/manifests/$PERIOD.manifest"
printf '[redeemer]\nmanifests = %s/manifests\n' "$D" >"$D/redeemer.ini"

say "3. The galleries' redeemer: two merchants' terminals, then the service"
T1=$("$BIN/voucher-redeemer" terminal add --db "$D/redeemer" --merchant BATIK-SARI \
	--name "Kasir Batik Sari" --gallery DEKRANASDA | tail -n 1)
T2=$("$BIN/voucher-redeemer" terminal add --db "$D/redeemer" --merchant KOPI-TENGGER \
	--name "Kasir Kopi Tengger" --gallery PUSAT-UMKM | tail -n 1)
"$BIN/voucher-redeemer" serve --db "$D/redeemer" --keyring "$D/keys/keyring" \
	--revocations "$D/revocations.txt" --config "$D/redeemer.ini" --listen "${LISTEN:-127.0.0.1:0}" >"$D/serve.out" 2>"$D/serve.log" &
PID=$!
trap '[ -z "${SERVE:-}" ] && kill $PID 2>/dev/null; true' EXIT
for _ in $(seq 100); do grep -q '^listening' "$D/serve.out" && break; sleep 0.05; done
URL="http://$(sed -n 's/^listening on //p' "$D/serve.out")"
echo "redeemer at $URL"

say "4. ASN shop through the month (redemptions over HTTP)"
# Each merchant keeps the receipts it is given; halfway through the month
# the finance office pins the journal's signed head (GET /v1/journal/head).
python3 - "$D/issued/vouchers.csv" "$URL" "$D" "$PERIOD" "$T1" "$T2" <<'PY'
import csv, json, sys, urllib.request
rows = list(csv.DictReader(open(sys.argv[1], newline="")))
url, d, period, terms = sys.argv[2], sys.argv[3], sys.argv[4], sys.argv[5:]
receipts = open(d + "/merchant-receipts.txt", "w")
def post(path, term, body):
    req = urllib.request.Request(url + path, data=json.dumps(body).encode() if body else b"",
                                 headers={"Authorization": "Bearer " + term,
                                          "Content-Type": "application/json"}, method="POST")
    try:
        with urllib.request.urlopen(req) as r:
            ans = json.load(r)
            if "receipt" in ans:
                receipts.write(ans["receipt"] + "\n")
            return r.status, ans
    except urllib.error.HTTPError as e:
        return e.code, json.load(e)
ok = typed = 0
for i, r in enumerate(rows[:45]):
    if i % 9 == 8:
        # No camera at hand: the cashier types the short code printed under the QR.
        status, ans = post("/v1/codes", terms[i % 2], {"code": r["code"].lower()})
        typed += status == 200 and ans["voucher"] == r["token"]
    if i == 20:
        with urllib.request.urlopen(url + "/v1/journal/head?period=" + period) as h:
            open(d + "/pinned-heads.txt", "w").write(h.read().decode())
    face = int(r["amount"])
    # Most spend it all in one or two purchases; some spend part; a few nothing.
    parts = [face] if i % 3 == 0 else [face // 2, face - face // 2] if i % 3 == 1 else [face // 3]
    for j, amount in enumerate(parts):
        status, ans = post("/v1/redeem", terms[(i + j) % 2],
                           {"voucher": r["token"], "amount": amount, "request_id": f"demo-{i}-{j}"})
        ok += status == 201
last = ans
status, ans = post(f"/v1/redemptions/{last['redemption_id']}/void", terms[(44 + len(parts) - 1) % 2], None)
print(f"{ok} redemptions accepted ({typed} vouchers found by their typed short code); "
      f"voided {last['redemption_id']}: {status}")
PY

say "5. After the period: export the journal, collect the receipt key"
"$BIN/voucher-redeemer" export --db "$D/redeemer" --period "$PERIOD" >"$D/journal.csv"
"$BIN/voucher-redeemer" receipt-key --db "$D/redeemer" >"$D/receipt-keyring"
echo "$(($(wc -l <"$D/journal.csv") - 2)) journal entries and the signed head in $D/journal.csv"

say "6. The finance office reconciles"
# The merchants to pay and their accounts, as the office keeps them in Excel.
cat >"$D/merchants.csv" <<'CSV'
id;name;owner;bank;account_number;account_name
BATIK-SARI;Batik Sari Kraksaan;Siti Aminah;Bank Jatim;0011-2233-4455;CV Batik Sari
KOPI-TENGGER;Kopi Tengger;Budi Santoso;BRI;0123-01-000456-50-3;Budi Santoso
CSV
# Against the head pinned during the month and the receipts the merchants
# hold: the export must extend the one and hold the other.
"$BIN/voucher-issuer" reconcile --ledger "$D/ledger" --period "$PERIOD" --journal "$D/journal.csv" \
	--keyring "$D/receipt-keyring" --head "$D/pinned-heads.txt" \
	--receipts "$D/merchant-receipts.txt" --merchants "$D/merchants.csv" \
	--region "KABUPATEN PROBOLINGGO" --out "$D/report"

say "Where everything is"
cat <<EOT
vouchers and QR codes   $D/issued/vouchers.csv, $D/issued/qr/
printable sheets        $D/issued/sheets/
TPP deductions          $D/issued/deductions.csv, for Excel $D/issued/deductions.xlsx
journal                 $D/journal.csv
reconciliation          $D/report/ (per_asn.csv, per_opd.csv, settlement.csv, anomalies.csv)
transfers for the bank  $D/report/payments.csv
report to open          file://$D/report/report.html, for Excel $D/report/report.xlsx
letters to the OPDs     $D/report/letters/
EOT
if [ -n "${SERVE:-}" ]; then
	echo
	echo "The redeemer keeps running (pid $PID): scanner page $URL/"
	echo "terminal token for the page: $T1"
	trap - EXIT
fi
