#!/bin/bash
# An issuer key stolen in the middle of the month, and the procedure of
# docs/OPERATIONS.md: a new key, the old one recorded compromised and
# retired, a new revocation list. Afterwards the thief's vouchers are
# refused, every ASN's own voucher still redeems with its balance (nothing
# is paid twice, nothing reissued), and the thief cannot undo it with
# revocation lists of their own: signed by the stolen key, from the future,
# or older.
. "$(dirname "$0")/lib.sh"
cd "$T"
TODAY=$(date -u +%Y-%m-%d)
make_keys "$T/keys" --valid-from "$(date -u -d "$(date -u +%Y-%m-15) -1 month" +%Y-%m)-01" # made last month
write_policy p.ini use=multi pelaksana:50000
roster 3 41 pelaksana >roster.csv
issue L p.ini "$NOW" O
# The thief copies K1 and mints vouchers of their own with it.
cp -r "$K" stolen
roster 2 42 pelaksana >thief.csv
issue THIEF p.ini "$NOW" X thief.csv
col() { python3 -c "import csv,sys; print(list(csv.DictReader(open(sys.argv[1])))[int(sys.argv[2])][sys.argv[3]])" "$1/vouchers.csv" "$2" "$3"; }
"$BIN/voucher-issuer" revocations --ledger L --keys "$K" --out rev.txt >/dev/null
cp "$K/keyring" served.keyring
TOK=$("$BIN/voucher-redeemer" terminal add --db db --merchant M --name K --gallery G | tail -n 1)
start_redeemer --db db --keyring served.keyring --revocations rev.txt --listen 127.0.0.1:0
redeem() { # token amount request_id -> code, body in resp
	curl -sS -o resp -w '%{http_code}' -X POST "$URL/v1/redeem" -H "Authorization: Bearer $TOK" \
		--data-binary "{\"voucher\":\"$1\",\"amount\":$2,\"request_id\":\"$3\"}"
}
field() { python3 -c "import json,sys; print(json.load(open('resp')).get(sys.argv[1]))" "$1"; }

check "before anyone knows, the thief's voucher redeems" test "$(redeem "$(col X 0 token)" 20000 t1)" = 201
check "and so does an ASN's" test "$(redeem "$(col O 0 token)" 20000 a1)" = 201

# The procedure: a new key; the stolen one retired and recorded compromised;
# a new list, signed by the new key; redeemers given both and reloaded.
"$BIN/voucher-keys" generate --dir "$K" --kid K2 >/dev/null
"$BIN/voucher-keys" retire --dir "$K" --kid K1 --after "$TODAY" >/dev/null
expect_status 0 "voucher-issuer compromise records K1" "$BIN/voucher-issuer" compromise --ledger L --keys "$K" --kid K1
expect_status 1 "and only once" "$BIN/voucher-issuer" compromise --ledger L --keys "$K" --kid K1
"$BIN/voucher-issuer" revocations --ledger L --keys "$K" --out rev.txt >/dev/null
check "the new list is signed by K2" grep -q '^kid K2$' rev.txt
check "it names K1 compromised and allows the ledger's three K1 vouchers" \
	test "$(grep -c '^compromised K1 ' rev.txt)/$(grep -c '^allowed ' rev.txt)" = 1/3
cp "$K/keyring" served.keyring
reload_redeemer

code=$(redeem "$(col X 1 token)" 10000 t2)
check "the thief's other voucher is refused as revoked ($code)" test "$code/$(field error)" = "422/revoked"
code=$(redeem "$(col X 0 token)" 10000 t3)
check "and the one they began spending ($code)" test "$code/$(field error)" = "422/revoked"
code=$(redeem "$(col O 0 token)" 30000 a2)
check "the ASN's voucher goes on with its balance ($code)" test "$code/$(field remaining)" = "201/0"
code=$(redeem "$(col O 0 token)" 1 a3)
check "and is spent once only ($code)" test "$code/$(field error)" = "409/already_spent"
check "another ASN's voucher redeems" test "$(redeem "$(col O 1 token)" 50000 b1)" = 201
roster 4 43 pelaksana | sed -n '1p;5p' >late.csv # one more ASN, another than the three
issue L p.ini "$NOW" N late.csv
check "the issuer now signs with K2" grep -q "^K2 issuer PROBOLINGGO " "$K/keyring"
late=$(python3 -c "import csv; n=list(csv.DictReader(open('late.csv')))[0]['nip']; print([r['token'] for r in csv.DictReader(open('N/vouchers.csv')) if r['nip'] == n][0])")
code=$(redeem "$late" 1000 n1)
check "a voucher the issuer makes now redeems ($code)" test "$code" = 201

# The month's reconcile: the thief's one redemption is an anomaly, not paid.
"$BIN/voucher-redeemer" export --db db --period "$NOW" >journal.csv
"$BIN/voucher-redeemer" receipt-key --db db >receipts.keyring
"$BIN/voucher-issuer" reconcile --ledger L --period "$NOW" --journal journal.csv --keyring receipts.keyring --out R >/dev/null
check "reconcile exits 1: the month does not balance until it is explained" test $? -eq 1
check "reconcile lists the thief's redemption as unknown_serial" grep -q "^unknown_serial,$(col X 0 serial)," R/anomalies.csv
check "and pays the merchant for the ASN's alone (20000 + 30000 + 50000 + 1000)" \
	sh -c "grep -q '^M,G,4,0,101000$' '$T/R/settlement.csv'"

# The thief's answers: lists of their own. Each is refused, the good list kept.
python3 - "$T" <<'PY'
import re, sys
t = open(sys.argv[1] + "/rev.txt").read()
body = t[:t.index("signature ")]
# No compromise, a later time: as the thief would write it (signed below).
import datetime
later = (datetime.datetime.utcnow() + datetime.timedelta(seconds=120)).strftime("%Y-%m-%dT%H:%M:%SZ")
body = re.sub(r"(?m)^(compromised|allowed) .*\n", "", body).replace("kid K2", "kid K1")
open(sys.argv[1] + "/thief.body", "w").write(re.sub(r"(?m)^time .*$", "time " + later, body))
PY
sign_list() { # body file, key file -> list on stdout
	cat "$1"
	printf 'signature %s\n' "$(openssl pkeyutl -sign -inkey "$2" -rawin -in "$1" | base64 -w0)"
}
sign_list thief.body stolen/K1.key >thief1.txt
cp thief1.txt rev.txt
reload_redeemer
check "a list signed by the stolen key is refused" grep -q "revocation list not loaded: .*thief\|rev.txt:3: key K1" serve.log
code=$(redeem "$(col X 1 token)" 10000 t4)
check "and the thief's voucher stays refused ($code)" test "$code/$(field error)" = "422/revoked"
sed "s/^time .*/time 2099-01-01T00:00:00Z/" thief.body >pin.body
sign_list pin.body stolen/K1.key >rev.txt
reload_redeemer
check "nor can the stolen key pin the redeemer with a list from 2099" grep -q "rev.txt:3: key K1" serve.log
stop_redeemer
start_bg "$BIN/voucher-redeemer" serve --db db --keyring served.keyring --revocations rev.txt --listen 127.0.0.1:0 >serve2.out 2>serve2.log
sleep 1
check "after a restart the stolen key's list still is not taken" grep -q "rev.txt:3: key K1" serve2.log

# Versions say, they do not order: a list with the largest version does not
# pin the redeemer, and the next list of a later time is taken.
"$BIN/voucher-issuer" revocations --ledger L --keys "$K" --out good.txt >/dev/null
cp good.txt rev.txt
start_redeemer --db db --keyring served.keyring --revocations rev.txt --listen 127.0.0.1:0
python3 - <<'PY'
t = open("good.txt").read()
open("big.body", "w").write(t[:t.index("signature ")].replace("\nversion 0\n", "\nversion 18446744073709551615\n"))
PY
sign_list big.body "$K/K2.key" >rev.txt
reload_redeemer
check "a list of version 2^64-1 is taken" sh -c "! tail -n 1 '$T/serve.log' | grep -q 'not loaded'"
sleep 1
"$BIN/voucher-issuer" revocations --ledger L --keys "$K" --out rev.txt >/dev/null
reload_redeemer
check "and the issuer's next list after it" sh -c "tail -n 1 '$T/serve.log' | grep -q 'loaded keyring'"

# A key stolen before it signed anything (made for next month, say): the list
# names it compromised and allows none of its vouchers.
issue L3 p.ini "$NOW" O3 late.csv
"$BIN/voucher-keys" generate --dir "$K" --kid K3 >/dev/null
expect_status 0 "a key that signed nothing is recorded compromised" \
	"$BIN/voucher-issuer" compromise --ledger L3 --keys "$K" --kid K3
expect_status 0 "and its list is written" "$BIN/voucher-issuer" revocations --ledger L3 --keys "$K" --out rev3.txt
check "it names K3 compromised and allows nothing" \
	test "$(grep -c '^compromised K3 ' rev3.txt)/$(grep -c '^allowed ' rev3.txt)" = 1/0
