#!/bin/bash
# Short codes (docs/FORMAT.md, "The short code" and "The code manifest"):
# the issuer's signed manifest, which says no NIP, name, token or code; the
# redeemer that loads it finds a voucher by its typed code (POST
# /v1/codes), and a code and its QR are one voucher, spent once; typos are
# told apart from guesses, and guesses are limited per terminal; a changed
# or foreign manifest is refused; a terminal gets its gallery's codes for
# offline use (GET /v1/offline/codes). Codes are computed here from the
# spec by tests/shortcode.py, not by the code under test.
. "$(dirname "$0")/lib.sh"
cd "$T"
SC="$TESTS/shortcode.py"
make_keys
write_policy p.ini use=single pelaksana:50000
roster 6 41 pelaksana >roster.csv
issue L p.ini "$NOW" O
NEXT=$(date -u -d "$(date -u +%Y-%m-15) +1 month" +%Y-%m)
write_policy g.ini use=multi gallery=G2 pelaksana:75000
issue L g.ini "$NEXT" N
col() { python3 -c "import csv,sys; print(list(csv.DictReader(open(sys.argv[1])))[int(sys.argv[2])][sys.argv[3]])" "$@"; }
code_of() { python3 "$SC" code "$(col "$@" token)"; }

mkdir m
expect_status 0 "manifest writes the month's code manifest" \
	"$BIN/voucher-issuer" manifest --ledger L --keys "$K" --period "$NOW" --out m/now.manifest
expect_status 0 "and next month's" \
	"$BIN/voucher-issuer" manifest --ledger L --keys "$K" --period "$NEXT" --out m/next.manifest
check "it has one code line per voucher" \
	test "$(grep -c '^code ' m/now.manifest)" -eq "$(($(wc -l <O/vouchers.csv) - 1))"
leaks=0
for i in 0 1 2 3 4 5; do
	for f in nip name token; do grep -qF -- "$(col O/vouchers.csv $i $f)" m/now.manifest && leaks=1; done
	c=$(code_of O/vouchers.csv $i)
	grep -qF -e "$c" -e "${c//-/}" m/now.manifest && leaks=1
done
check "it holds no NIP, name, token or code in the clear" test $leaks -eq 0
check "a gallery-bound voucher's line names its gallery's tag" \
	sh -c "grep '^code ' m/next.manifest | grep -qv '^code [0-9A-F]* \* '"
expect_status 1 "a period without vouchers has no manifest" \
	"$BIN/voucher-issuer" manifest --ledger L --keys "$K" --period 2030-01 --out m/none.manifest
check "and nothing is written" test ! -e m/none.manifest

TA=$("$BIN/voucher-redeemer" terminal add --db db --merchant BATIK --name A --gallery G1 | tail -n 1)
TB=$("$BIN/voucher-redeemer" terminal add --db db --merchant KOPI --name B --gallery G2 | tail -n 1)
TC=$("$BIN/voucher-redeemer" terminal add --db db --merchant JAMU --name C --gallery G1 | tail -n 1)
"$BIN/voucher-issuer" revocations --ledger L --keys "$K" --out rev.txt >/dev/null
printf '[redeemer]\nmanifests = %s/m\nrevocations = %s/rev.txt\n' "$T" "$T" >r.ini
start_redeemer --config r.ini --db db --keyring "$K/keyring" --listen 127.0.0.1:0
jf() { python3 -c "import json,sys; d = json.load(open(sys.argv[1])); print(d.get(sys.argv[2], ''))" resp "$1"; }
# find TOKEN CODE: the status of POST /v1/codes; the answer in resp
find() {
	curl -sS -o resp -w '%{http_code}' -X POST "$URL/v1/codes" -H "Authorization: Bearer $1" \
		--data-binary "{\"code\":\"$2\"}"
}
sell() {
	curl -sS -o resp -w '%{http_code}' -X POST "$URL/v1/redeem" -H "Authorization: Bearer $1" \
		--data-binary "{\"voucher\":\"$2\",\"amount\":$3,\"request_id\":\"$4\"}"
}

C0=$(code_of O/vouchers.csv 0)
check "a typed code finds its voucher" test "$(find "$TA" "$C0")" = 200
check "the answer is the voucher's token" test "$(jf voucher)" = "$(col O/vouchers.csv 0 token)"
check "and its serial" test "$(jf serial)" = "$(col O/vouchers.csv 0 serial)"
loose=$(echo "${C0//-/ }" | tr 'A-Z' 'a-z' | sed 's/0/o/g; s/1/l/g')
check "typed loosely (lower case, spaces, o for 0, l for 1) it finds the same" \
	sh -c "test \"\$(curl -sS -X POST '$URL/v1/codes' -H 'Authorization: Bearer $TA' \
		--data-binary '{\"code\":\"$loose\"}')\" = \"\$(cat resp)\""
check "the voucher found by its code redeems" test "$(sell "$TA" "$(jf voucher)" 50000 c1)" = 201
check "and its QR is then spent: one voucher" \
	test "$(sell "$TC" "$(col O/vouchers.csv 0 token)" 50000 q1)" = 409
check "already_spent" test "$(jf error)" = already_spent
check "its code still finds it (the page then shows it spent)" test "$(find "$TA" "$C0")" = 200

typos=0
for i in 1 2 3 4 5 6 7 8; do
	[ "$(find "$TA" "$(python3 "$SC" typo "$(code_of O/vouchers.csv 1)")")" = 400 ] || typos=1
done
check "a code with a typo is malformed_code, every time" test $typos -eq 0
check "typos are not guesses: the terminal still finds codes" \
	test "$(find "$TA" "$(code_of O/vouchers.csv 1)")" = 200
check "a well-formed code no voucher has is unknown_code" \
	test "$(find "$TA" "$(python3 "$SC" unknown a0)")" = 404
check "unknown_code" test "$(jf error)" = unknown_code
for i in 1 2 3 4; do find "$TA" "$(python3 "$SC" unknown a$i)" >/dev/null; done
check "after 5 unknown codes the terminal must wait, even with a real code" \
	test "$(find "$TA" "$(code_of O/vouchers.csv 2)")" = 429
check "too_many_attempts" test "$(jf error)" = too_many_attempts
check "another terminal still finds codes" test "$(find "$TC" "$(code_of O/vouchers.csv 2)")" = 200
# Guesses sent at once: the limit holds for lookups still running.
burst=()
for i in $(seq 1 12); do
	curl -sS -o /dev/null -w '%{http_code}\n' -X POST "$URL/v1/codes" -H "Authorization: Bearer $TC" \
		--data-binary "{\"code\":\"$(python3 "$SC" unknown b$i)\"}" >>burst &
	burst+=($!)
done
wait "${burst[@]}"
check "of 12 guesses sent at once, at most 5 are looked up" test "$(grep -c 404 burst)" -le 5
check "the rest are refused" test "$(grep -c 429 burst)" -ge 7
check "without a terminal token, 401" \
	test "$(curl -sS -o /dev/null -w '%{http_code}' -X POST "$URL/v1/codes" --data-binary "{\"code\":\"$C0\"}")" = 401
check "a body without code is malformed_request" \
	test "$(curl -sS -o /dev/null -w '%{http_code}' -X POST "$URL/v1/codes" -H "Authorization: Bearer $TB" --data-binary '[1]')" = 400
check "GET is refused" \
	test "$(curl -sS -o /dev/null -w '%{http_code}' "$URL/v1/codes" -H "Authorization: Bearer $TB")" = 405

"$BIN/voucher-issuer" revoke --ledger L --keys "$K" --serial "$(col O/vouchers.csv 3 serial)" --reason lost >/dev/null
"$BIN/voucher-issuer" revocations --ledger L --keys "$K" --out rev.txt >/dev/null
reload_redeemer
C3=$(code_of O/vouchers.csv 3)
check "a revoked voucher's code is found" test "$(find "$TB" "$C3")" = 200
check "and the voucher it finds is refused as revoked" \
	sh -c "test \"\$(curl -sS -X POST '$URL/v1/redeem' -H 'Authorization: Bearer $TB' \
		--data-binary '{\"voucher\":\"$(jf voucher)\",\"amount\":50000,\"request_id\":\"r3\"}' |
		python3 -c 'import json,sys; print(json.load(sys.stdin)[\"error\"])')\" = revoked"

# A next month's, gallery-bound voucher: found by anyone, redeemed as its token says.
CN=$(code_of N/vouchers.csv 0)
check "next month's code is found too" test "$(find "$TB" "$CN")" = 200
check "and it is not valid yet" test "$(sell "$TB" "$(jf voucher)" 1000 n1)" = 422

# What a terminal keeps for offline use: its gallery's codes and any gallery's.
curl -sS "$URL/v1/offline/codes" -H "Authorization: Bearer $TA" >codesA.json
curl -sS "$URL/v1/offline/codes" -H "Authorization: Bearer $TB" >codesB.json
curl -sS "$URL/v1/offline/state" -H "Authorization: Bearer $TA" >state.json
count() { python3 -c "import json,sys; d = json.load(open(sys.argv[1])); print(sum(len(m['codes'].splitlines()) for m in d['manifests'] if m['period'] == sys.argv[2]))" "$@"; }
check "gallery G1's terminal gets this month's codes (any gallery)" test "$(count codesA.json "$NOW")" -eq 6
check "but not next month's (gallery G2 only)" test "$(count codesA.json "$NEXT")" -eq 0
check "gallery G2's terminal gets both" test "$(count codesB.json "$NEXT")" -eq 6
has_lookup() { # FILE CODE: the code's lookup value (computed from the spec) is among the file's
	python3 - "$@" "$SC" <<'EOF'
import json, subprocess, sys
d = json.load(open(sys.argv[1]))
for m in d["manifests"]:
    lk = subprocess.check_output([sys.executable, sys.argv[3], "lookup", sys.argv[2], m["salt"], str(m["iterations"])], text=True).strip()
    if any(line.split(" ")[0] == lk for line in m["codes"].splitlines()):
        sys.exit(0)
sys.exit(1)
EOF
}
check "a code's lookup value, made as FORMAT.md says, is among them" has_lookup codesA.json "$C0"
check "the state names the codes' version" \
	python3 -c "import json,sys; a = json.load(open('state.json')); b = json.load(open('codesA.json')); sys.exit(a['codes'] != b['version'] or not a['codes'])"
check "the codes are not for anyone" \
	test "$(curl -sS -o /dev/null -w '%{http_code}' "$URL/v1/offline/codes")" = 401

# A new manifest (a new salt) on SIGHUP: the same codes, another version.
"$BIN/voucher-issuer" manifest --ledger L --keys "$K" --period "$NOW" --out m/now2.manifest >/dev/null
reload_redeemer
curl -sS "$URL/v1/offline/state" -H "Authorization: Bearer $TA" >state2.json
check "after SIGHUP with a newer manifest the version changes" \
	python3 -c "import json,sys; sys.exit(json.load(open('state.json'))['codes'] == json.load(open('state2.json'))['codes'])"
check "and codes are found as before" test "$(find "$TB" "$(code_of O/vouchers.csv 4)")" = 200

# Changed manifests: a sealed token, the key, another issuer's key.
cp m/now2.manifest keep.manifest
python3 - m/now2.manifest <<'EOF'
import sys
p = sys.argv[1]
lines = open(p).read().split("\n")
for i, l in enumerate(lines):
    if l.startswith("code "):
        f = l.split(" ")
        f[4] = ("B" if f[4][0] == "A" else "A") + f[4][1:]
        lines[i] = " ".join(f)
        break
open(p, "w").write("\n".join(lines))
EOF
reload_redeemer
check "a changed manifest is refused on SIGHUP" grep -q 'code manifests not loaded: .*now2.manifest:[0-9]*: the signature does not verify' serve.log
check "and the loaded ones stay" test "$(find "$TB" "$(code_of O/vouchers.csv 5)")" = 200
stop_redeemer
start_bg "$BIN/voucher-redeemer" serve --config r.ini --db db --keyring "$K/keyring" --listen 127.0.0.1:0 >serve.out 2>>serve.log
wait "${_pids[-1]}"
check "the service does not start with a changed manifest" test $? -ne 0
rm m/now2.manifest
K0=$K
make_keys "$T/other"
write_policy o.ini use=single pelaksana:50000
sed -i 's/PROBOLINGGO/MALANG/' o.ini
issue LO o.ini "$NOW" OO
"$BIN/voucher-issuer" manifest --ledger LO --keys "$K" --period "$NOW" --out m/other.manifest >/dev/null
K=$K0
start_bg "$BIN/voucher-redeemer" serve --config r.ini --db db --keyring "$K/keyring" --listen 127.0.0.1:0 >serve.out 2>>serve.log
wait "${_pids[-1]}"
check "nor with a manifest signed by a key it does not know" test $? -ne 0
check "which it names" grep -q 'other.manifest:3: signed by K1 of MALANG, which is not in the keyring' serve.log
rm m/other.manifest
check "no code or token is logged" \
	sh -c "! grep -qF -e '$C0' -e '${C0//-/}' -e '$(col O/vouchers.csv 0 token)' serve.log"
