#!/bin/bash
# voucher-redeemer end to end: the real service on 127.0.0.1 with an
# ephemeral port, vouchers from the real issuer, real HTTP through curl.
. "$(dirname "$0")/lib.sh"
DB=$T/db
month() { date -u -d "$(date -u +%Y-%m-15) $1 month" +%Y-%m; }
cd "$T"

make_keys "$T/keys" --valid-from "$(month -2)-01" # it signs the old vouchers too
write_policy multi.ini grace_days=3 use=multi pelaksana:50000 eselon_ii:200000
write_policy single.ini grace_days=3 use=single pelaksana:50000 eselon_ii:200000
write_policy scoped.ini grace_days=3 use=multi gallery=GALERI-A pelaksana:50000 eselon_ii:200000
roster 6 3 pelaksana >roster.csv
issue L1 multi.ini "$NOW" multi && issue L2 single.ini "$NOW" single && issue L3 scoped.ini "$NOW" scoped &&
	issue L4 multi.ini "$(month -2)" old && issue L5 multi.ini "$(month +1)" future
check "vouchers issued for the test" test -s "$T/future/vouchers.csv"
tok() { python3 -c "import csv,sys; print(list(csv.DictReader(open(sys.argv[1])))[int(sys.argv[2])]['token'])" "$T/$1/vouchers.csv" "$2"; }
ser() { python3 -c "import csv,sys; print(list(csv.DictReader(open(sys.argv[1])))[int(sys.argv[2])]['serial'])" "$T/$1/vouchers.csv" "$2"; }

"$BIN/voucher-issuer" revocations --ledger "$T/L1" --keys "$K" --out "$T/revoked.txt" >/dev/null
TA=$("$BIN/voucher-redeemer" terminal add --db "$DB" --merchant M1 --name "Kasir 1" --gallery GALERI-A | tail -n 1)
TB=$("$BIN/voucher-redeemer" terminal add --db "$DB" --merchant M2 --name "Kasir 2" --gallery GALERI-B | tail -n 1)
TC=$("$BIN/voucher-redeemer" terminal add --db "$DB" --merchant M1 --name "Kasir 3" --gallery GALERI-A | tail -n 1)
check "terminal add prints a bearer token" test "${#TA}" -ge 40

start() {
	start_redeemer --db "$DB" --keyring "$K/keyring" --listen 127.0.0.1:0 --revocations "$T/revoked.txt"
}
start
check "the service listens on an ephemeral port" curl -fsS "$URL/healthz" -o /dev/null

# post TOKEN BEARER JSON -> sets CODE and BODY
post() {
	BODY=$(curl -sS -o - -w '\n%{http_code}' -X POST "$URL$1" -H "Authorization: Bearer $2" \
		-H 'Content-Type: application/json' --data-binary "$3")
	CODE=${BODY##*$'\n'}
	BODY=${BODY%$'\n'*}
}
redeem() { post /v1/redeem "$1" "{\"voucher\":\"$2\",\"amount\":$3,\"request_id\":\"$4\"}"; }
jf() { python3 -c "import json,sys; print(json.loads(sys.argv[1])[sys.argv[2]])" "$BODY" "$1"; }
expect() { # DESCRIPTION CODE [ERROR]
	if [ "$CODE" = "$2" ] && { [ -z "${3:-}" ] || [ "$(jf error)" = "$3" ]; }; then ok "$1"; else
		fail "$1 (got $CODE $BODY)"; fi
}

V=$(tok multi 0)
redeem "$TA" "$V" 20000 r1
expect "a partial redemption is accepted" 201
check "it leaves 30000" test "$(jf remaining)" = 30000
RID=$(jf redemption_id) FIRST=$BODY
check "it carries a signed receipt" sh -c "case '$(jf receipt)' in UR2\|*) exit 0;; *) exit 1;; esac"
redeem "$TA" "$V" 20000 r1
expect "replaying the request_id" 201
check "returns the first answer" test "$BODY" = "$FIRST"
redeem "$TA" "$V" 25000 r1
expect "the same request_id with another amount" 409 request_conflict
redeem "$TA" "$V" 40000 r2
expect "more than the balance" 409 insufficient_balance
redeem "$TA" "$V" 30000 r3
expect "the rest of the balance" 201
check "leaves 0" test "$(jf remaining)" = 0
redeem "$TA" "$V" 1 r4
expect "a spent voucher" 409 already_spent
BODY=$(curl -sS "$URL/v1/vouchers/$(ser multi 0)")
check "GET /v1/vouchers shows it spent" test "$(jf status)/$(jf remaining)/$(jf face_value)" = "spent/0/50000"

S=$(tok single 0)
redeem "$TA" "$S" 10000 s1
expect "a single-use voucher" 201
check "takes all on first use" test "$(jf amount)/$(jf remaining)" = "50000/0"
redeem "$TA" "$S" 10000 s2
expect "and is then spent" 409 already_spent

T2=$(tok multi 1)
bad="${T2:0:40}$([ "${T2:40:1}" = A ] && echo B || echo A)${T2:41}"
redeem "$TA" "$bad" 1000 t1
expect "a tampered voucher" 422
check "is refused as a bad signature or malformed" sh -c "case '$(jf error)' in bad_signature|malformed_voucher) exit 0;; *) exit 1;; esac"
redeem "$TA" "${T2:0:100}" 1000 t2
expect "a torn (truncated) voucher" 422 malformed_voucher
redeem "$TA" "$(tok old 0)" 1000 t3
expect "a voucher of an old period" 422 expired
redeem "$TA" "$(tok future 0)" 1000 t4
expect "a voucher of next month" 422 not_yet_valid
redeem "$TB" "$(tok scoped 0)" 1000 t5
expect "a gallery-scoped voucher at another gallery" 422 not_valid_here
redeem "$TA" "$(tok scoped 0)" 1000 t6
expect "and at its own gallery" 201

redeem "" "$T2" 1000 a1
expect "no bearer token" 401 unauthorized
redeem "vt_${TA:3:10}wrongwrongwrongwrongwrongwrongw" "$T2" 1000 a2
expect "a wrong bearer token" 401 unauthorized

# Void: the same merchant (any of its terminals), the same day.
redeem "$TA" "$T2" 15000 v1
VID=$(jf redemption_id)
post "/v1/redemptions/$VID/void" "$TB" ''
expect "another merchant cannot void it" 404
post "/v1/redemptions/$VID/void" "$TC" ''
expect "the same merchant voids it" 200
check "and the balance is restored" test "$(jf remaining)" = 50000

# Revocation reaches the service on SIGHUP.
R=$(tok multi 2)
cp "$T/revoked.txt" "$T/revoked-old.txt"
"$BIN/voucher-issuer" revoke --ledger "$T/L1" --keys "$K" --serial "$(ser multi 2)" --reason hilang >/dev/null
"$BIN/voucher-issuer" revocations --ledger "$T/L1" --keys "$K" --out "$T/revoked.txt" >/dev/null
kill -HUP "$SERVER"
sleep 0.3
redeem "$TA" "$R" 1000 h1
expect "a voucher revoked after SIGHUP" 422 revoked
# The older list, signed and valid, must not bring the voucher back, not even after a restart.
expect_status 1 "a second redeemer refuses the older revocation list" "$BIN/voucher-redeemer" serve \
	--db "$T/db" --keyring "$K/keyring" --revocations "$T/revoked-old.txt" --listen 127.0.0.1:0
check "and says why" grep -q "older than the list" "$T/last.err"
cp "$T/revoked-old.txt" "$T/revoked.txt"
kill -HUP "$SERVER"
sleep 0.3
redeem "$TA" "$R" 1000 h2
expect "SIGHUP with the older list keeps the newer" 422 revoked
"$BIN/voucher-issuer" revocations --ledger "$T/L1" --keys "$K" --out "$T/revoked.txt" >/dev/null

# Limits and hostile requests.
post /v1/redeem "$TA" "$(head -c 9000 /dev/zero | tr '\0' 'x')"
expect "a body over 8 KiB is 413 too_large, in JSON" 413 too_large
post /v1/redeem "$TA" "$(head -c 60000 /dev/zero | tr '\0' 'x')"
expect "so is one of 60 KB" 413 too_large
post /v1/redeem "$TA" '{"voucher":'
expect "broken JSON" 400 malformed_request
post /v1/redeem "$TA" "{\"voucher\":\"$T2\",\"amount\":-5,\"request_id\":\"n1\"}"
expect "a negative amount" 400 malformed_request
post /v1/redeem "$TA" "{\"voucher\":\"$T2\",\"amount\":1.5,\"request_id\":\"n2\"}"
expect "a fractional amount" 400 malformed_request
post /v1/redeem "$TA" "{\"voucher\":\"$T2\",\"amount\":99999999999999999999,\"request_id\":\"n3\"}"
expect "an amount beyond int64" 400 malformed_request
post /v1/redeem "$TA" "{\"voucher\":\"$T2\",\"amount\":1,\"request_id\":\"$(head -c 300 /dev/zero | tr '\0' r)\"}"
expect "a huge request_id" 400 malformed_request
post "/v1/re%64eem" "$TA" "{\"voucher\":\"$T2\",\"amount\":1,\"request_id\":\"esc1\"}"
expect "a path with escapes names no endpoint" 404 not_found
post "/v1/redemptions/$RID/void/" "$TA" ""
expect "nor a void's path with more after it" 404 not_found
# Each endpoint with a method it does not take, and no token: 405, with
# the methods it takes, before anything else is looked at.
while read -r method path allow; do
	curl -sS -o "$T/m.body" -D "$T/m.head" -X "$method" "$URL$path"
	check "$method $path is 405" grep -qx "HTTP/1.1 405 Method Not Allowed"$'\r' "$T/m.head"
	check "  with Allow: $allow" grep -qix "allow: $allow"$'\r' "$T/m.head"
	check "  and method_not_allowed" grep -q '"error":"method_not_allowed"' "$T/m.body"
done <<EOF2
GET /v1/redeem POST
GET /v1/codes POST
POST /v1/offline/state GET
POST /v1/offline/codes GET
POST /v1/journal/head GET, HEAD
POST /v1/vouchers/0123456789ABCDEF GET
GET /v1/redemptions/$RID/void POST
POST /app.js GET
EOF2
check "the service is still up" curl -fsS "$URL/healthz" -o /dev/null

# A race: 120 concurrent requests on one voucher of 50000, 1000 each.
RV=$(tok multi 3)
seq 120 | xargs -P 120 -I{} curl -sS -o /dev/null -w '%{http_code}\n' -X POST "$URL/v1/redeem" \
	-H "Authorization: Bearer $TA" --data-binary "{\"voucher\":\"$RV\",\"amount\":1000,\"request_id\":\"race-{}\"}" >"$T/race"
check "the race: exactly 50 of 120 accepted" test "$(grep -c '^201$' "$T/race")" -eq 50
check "the race: the other 70 refused with 409" test "$(grep -c '^409$' "$T/race")" -eq 70
BODY=$(curl -sS "$URL/v1/vouchers/$(ser multi 3)")
check "the race: never more than the face value" test "$(jf remaining)" = 0

curl -fsS "$URL/metrics" >"$T/metrics"
check "metrics count redemptions" grep -q '^voucher_redemptions_total [1-9]' "$T/metrics"
check "metrics show commit batches" grep -q '^voucher_commit_batch_size_count [1-9]' "$T/metrics"
check "the page is served" sh -c "curl -fsS '$URL/' | grep -q '<html'"
curl -fsS -D "$T/page.h" -o "$T/page" "$URL/"
check "the page carries no inline script" sh -c "! grep -q '<script>' '$T/page'"
check "the page may run only its own scripts (no unsafe-inline)" \
	sh -c "grep -i '^content-security-policy:' '$T/page.h' | tr ';' '\\n' |
		grep -x \" *script-src 'self' 'wasm-unsafe-eval'\""
check "the page's script is served as JavaScript" \
	sh -c "curl -fsS -D - -o /dev/null '$URL/app.js' | grep -qi '^content-type: text/javascript'"

# Restart keeps everything.
stop_redeemer
check "SIGTERM stops it with status 0" test $? -eq 0
start
redeem "$TA" "$V" 20000 r1
check "after a restart a replay still gets the first answer" test "$BODY" = "$FIRST"
BODY=$(curl -sS "$URL/v1/vouchers/$(ser multi 1)")
check "after a restart balances are kept" test "$(jf remaining)" = 50000
redeem "$TA" "$(tok multi 0)" 1 r9
expect "after a restart a spent voucher stays spent" 409 already_spent

# Terminals can be disabled.
ID=$("$BIN/voucher-redeemer" terminal list --db "$DB" | awk -F'\t' '$2=="M2"{print $1}')
"$BIN/voucher-redeemer" terminal disable --db "$DB" --id "$ID" >/dev/null
redeem "$TB" "$(tok multi 4)" 1000 d1
expect "a disabled terminal" 401 unauthorized

# The journal: exported, hash-chained, with receipts.
"$BIN/voucher-redeemer" export --db "$DB" --period "$NOW" >"$T/journal.csv"
check "the journal has the documented header" test "$(head -n 1 "$T/journal.csv")" = \
	"seq,time,kind,redemption_id,serial,period,amount,remaining,merchant,gallery,terminal,receipt,prev_hash,hash"
# 56 entries: r1 r3 s1 t6 v1 and its void, 50 of the race.
check_chain "the journal chain verifies" "$T/journal.csv" 56
check "logs carry no bearer token and no voucher" sh -c "! grep -qF -e '$TA' -e '${V:0:40}' '$T/serve.log'"
# The redeemer cannot sign a voucher or a revocation list: it links no libsign.
# The issuer, built the same way, does: so a missing nm, or stripped
# binaries, fail this check rather than pass it.
if command -v nm >/dev/null; then
	nm "$BIN/voucher-redeemer" >"$T/redeemer.nm" 2>&1 && nm "$BIN/voucher-issuer" >"$T/issuer.nm" 2>&1
	check "nm reads the issuer's signing code (the check below can see it)" \
		sh -c "grep -qw voucher_sign '$T/issuer.nm' && grep -qw revlist_sign '$T/issuer.nm'"
	check "the redeemer links no voucher or revocation list signing code" \
		sh -c "! grep -qw -e voucher_sign -e revlist_sign '$T/redeemer.nm'"
else
	fail "nm (binutils) is needed to check that the redeemer links no signing code"
fi
