#!/bin/bash
# Operations: hot backups of the redeemer and the ledger, restored and
# found whole; status and stats at a glance.
. "$(dirname "$0")/lib.sh"
cd "$T"
make_keys
roster 30 2 >roster.csv
issue L "$TESTS/data/policy.ini" "$NOW" O
TOK=$("$BIN/voucher-redeemer" terminal add --db db --merchant M --name K --gallery G | tail -n 1)
start_redeemer --db db --keyring "$K/keyring" --listen 127.0.0.1:0
python3 - "$URL" "$TOK" >acked.txt <<'PY' &
import csv, json, sys, urllib.request
url, tok = sys.argv[1:]
for i, r in enumerate(csv.DictReader(open("O/vouchers.csv"))):
    req = urllib.request.Request(url + "/v1/redeem", method="POST", headers={"Authorization": "Bearer " + tok},
        data=json.dumps({"voucher": r["token"], "amount": 1000, "request_id": f"o{i}"}).encode())
    print(json.load(urllib.request.urlopen(req))["redemption_id"], flush=True)
PY
load=$!
for _ in $(seq 100); do [ "$(wc -l <acked.txt)" -ge 5 ] && break; sleep 0.02; done
expect_status 0 "a backup of the redeemer while it serves" "$BIN/voucher-redeemer" backup --db db --out db.backup
wait "$load"
expect_status 1 "a backup never overwrites a file" "$BIN/voucher-redeemer" backup --db db --out db.backup
check "the backup is mode 0600" test "$(stat -c %a db.backup)" = 600
"$BIN/voucher-redeemer" backup --db db --out db.final >/dev/null
stop_redeemer
mkdir restored && cp db.final restored/data.mdb && cp db/receipt.key restored/
# The entries, not the head line: it is signed at the time of each export.
check "the restored copy has every redemption" cmp -s \
	<("$BIN/voucher-redeemer" export --db db --period "$NOW" | head -n -1) \
	<("$BIN/voucher-redeemer" export --db restored --period "$NOW" | head -n -1)
check "the restored copy has the same receipt key" test "$("$BIN/voucher-redeemer" receipt-key --db restored)" = "$("$BIN/voucher-redeemer" receipt-key --db db)"
mkdir mid && cp db.backup mid/data.mdb
n=$("$BIN/voucher-redeemer" export --db mid --period "$NOW" | tail -n +2 | head -n -1 | wc -l)
check "the backup taken mid-load is a consistent prefix ($n of 30)" python3 - "$n" <<'PY'
import subprocess, sys
n = int(sys.argv[1])
rows = subprocess.run(["sh", "-c", '"$BIN/voucher-redeemer" export --db mid --period "$(date -u +%Y-%m)"'],
                      capture_output=True, text=True).stdout.splitlines()[1:-1]
full = subprocess.run(["sh", "-c", '"$BIN/voucher-redeemer" export --db db --period "$(date -u +%Y-%m)"'],
                      capture_output=True, text=True).stdout.splitlines()[1:]
assert rows == full[:n], "not a prefix"
PY
"$BIN/voucher-redeemer" stats --db db >stats.txt
check "stats counts the redemptions" grep -q '^redemptions  *30 ' stats.txt
check "stats shows the rupiah redeemed" grep -q '^redeemed  *Rp30.000$' stats.txt
expect_status 1 "stats of a folder that is no redeemer" "$BIN/voucher-redeemer" stats --db nowhere
expect_status 2 "an option the command does not take is a usage error" "$BIN/voucher-redeemer" export --db db --period 2026-11 --listen 127.0.0.1:1
check "and it made nothing there" test ! -e nowhere

expect_status 0 "a backup of the ledger" "$BIN/voucher-issuer" backup --ledger L --out ledger.backup
mkdir L2 && cp ledger.backup L2/data.mdb
check "the restored ledger shows the same status" cmp -s \
	<("$BIN/voucher-issuer" status --ledger L --period "$NOW") <("$BIN/voucher-issuer" status --ledger L2 --period "$NOW")
"$BIN/voucher-issuer" status --ledger L --period "$NOW" >status.txt
check "status counts the period's vouchers" grep -q ": 30 vouchers, Rp" status.txt
