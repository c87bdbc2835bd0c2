#!/bin/bash
# Key rotation without downtime: a new issuer key, the keyring given to the
# redeemer, SIGHUP, vouchers of both keys redeem; retiring the old key stops
# its vouchers of later periods.
. "$(dirname "$0")/lib.sh"
NEXT=$(date -u -d "$(date -u +%Y-%m-15) +1 month" +%Y-%m)
LAST=$(date -u -d "$(date -u +%Y-%m-01) +1 month -1 day" +%Y-%m-%d)
POLICY=$TESTS/data/policy.ini
cd "$T"
make_keys
printf 'nip,name,opd,class\n197203151998031001,Ani,Dinas,pelaksana\n' >a.csv
printf 'nip,name,opd,class\n197203151998031002,Budi,Dinas,pelaksana\n' >b.csv
# tok DIR: the token of the last ASN issued into DIR's lists (Budi in "new").
tok() { python3 -c "import csv,sys; print(sorted(csv.DictReader(open(sys.argv[1])), key=lambda r: r['nip'])[-1]['token'])" "$1/vouchers.csv"; }
issue L "$POLICY" "$NOW" old a.csv        # K1, this month
issue LN "$POLICY" "$NEXT" oldnext a.csv  # K1, next month (made in advance)
cp "$K/keyring" served.keyring
TOK=$("$BIN/voucher-redeemer" terminal add --db db --merchant M --name K --gallery G | tail -n 1)
start_redeemer --db db --keyring served.keyring --listen 127.0.0.1:0
redeem() { curl -sS -o resp -w '%{http_code}' -X POST "$URL/v1/redeem" -H "Authorization: Bearer $TOK" \
	--data-binary "{\"voucher\":\"$1\",\"amount\":1000,\"request_id\":\"$2\"}"; }
err() { python3 -c "import json; print(json.load(open('resp')).get('error', 'ok'))"; }

"$BIN/voucher-keys" generate --dir "$K" --kid K2 >/dev/null
issue L "$POLICY" "$NOW" new b.csv        # the newest key signs: K2
check "the new vouchers are signed by K2" grep -q '^K2 issuer PROBOLINGGO ' "$K/keyring"
code=$(redeem "$(tok new)" r1)
check "before the redeemer has the new keyring, K2's voucher is unknown" test "$code/$(err)" = "422/unknown_key"
cp "$K/keyring" served.keyring
kill -HUP "$SERVER"; sleep 0.3
check "after SIGHUP K2's voucher redeems" test "$(redeem "$(tok new)" r2)" = 201
check "and K1's still does" test "$(redeem "$(tok old)" r3)" = 201

"$BIN/voucher-keys" retire --dir "$K" --kid K1 --after "$LAST" >/dev/null
cp "$K/keyring" served.keyring
kill -HUP "$SERVER"; sleep 0.3
check "K1 retired after this month: its voucher of this month still redeems" test "$(redeem "$(tok old)" r4)" = 201
code=$(redeem "$(tok oldnext)" r5)
check "its voucher of next month is refused as unknown_key" test "$code/$(err)" = "422/unknown_key"

# A key signs only from the month of its VALID_FROM: one made for next month
# signs nothing this month.
"$BIN/voucher-keys" generate --dir "$T/k3" --kid K3 --valid-from "$NEXT-01" >/dev/null
expect_status 1 "a key valid from next month does not issue this month's vouchers" \
	"$BIN/voucher-issuer" issue --ledger L3 --keys "$T/k3" --roster a.csv --policy "$POLICY" --period "$NOW" --out o3
check "and says why" grep -q "valid in the period" "$T/last.err"
expect_status 0 "it issues next month's" \
	"$BIN/voucher-issuer" issue --ledger L3 --keys "$T/k3" --roster a.csv --policy "$POLICY" --period "$NEXT" --out o3
check "the service never stopped" test "$(curl -sS -o /dev/null -w '%{http_code}' "$URL/healthz")" = 200
