#!/bin/bash
# A growing database: the redeemer grows a full map by itself up to
# map_size_max_mb; at that ceiling, or on a full disk, it answers 503
# unavailable, /healthz says it cannot record, it loses nothing it
# acknowledged, and it carries on once it has room.
. "$(dirname "$0")/lib.sh"
cd "$T"
make_keys
write_policy p.ini pelaksana:4000000000
printf 'nip,name,opd,class\n197203151998031001,Ani,Dinas,pelaksana\n' >roster.csv
issue L p.ini "$NOW" O
V=$(python3 -c "import csv; print(list(csv.DictReader(open('O/vouchers.csv')))[0]['token'])")
S=$(python3 -c "import csv; print(list(csv.DictReader(open('O/vouchers.csv')))[0]['serial'])")
TOK=$("$BIN/voucher-redeemer" terminal add --db db --merchant M --name K --gallery G | tail -n 1)
config() { # MAP_MB MAX_MB
	printf '[redeemer]\nmap_size_mb = %s\nmap_size_max_mb = %s\n' "$1" "$2" >r.ini
}
serve() { # MAP_MB MAX_MB
	config "$@"
	start_redeemer --config r.ini --db db --keyring "$K/keyring" --listen 127.0.0.1:0
}
# Redeem 1 rupiah at a time (request ids PREFIX0...) until a refusal; print
# how many were acknowledged, the refusal's status and code, and the last
# remaining balance acknowledged.
redeem_until_refused() { # PREFIX
	python3 - "$URL" "$TOK" "$V" "$1" <<'PY'
import json, sys, urllib.request, urllib.error
url, tok, v, prefix = sys.argv[1:]
ok, last = 0, None
for i in range(40000):
    req = urllib.request.Request(url + "/v1/redeem", method="POST",
        data=json.dumps({"voucher": v, "amount": 1, "request_id": f"{prefix}{i}"}).encode(),
        headers={"Authorization": "Bearer " + tok})
    try:
        with urllib.request.urlopen(req) as r:
            ok += 1
            last = json.load(r)["remaining"]
    except urllib.error.HTTPError as e:
        print(ok, e.code, json.load(e)["error"], last)
        break
PY
}
remaining() { curl -sS "$URL/v1/vouchers/$S" | python3 -c "import json,sys; print(json.load(sys.stdin)['remaining'])"; }
health() { curl -sS -o health.json -w '%{http_code}' "$URL/healthz"; }

# A 1 MiB map grows to its 4 MiB ceiling, then refuses.
serve 1 4
redeem_until_refused a >run.txt
read -r acked code error last <run.txt
check "a full map grows by itself: every redemption goes through until the ceiling" \
	grep -q 'database map grown from 2 to 4 MiB' serve.log
check "at map_size_max_mb it answers 503 unavailable (after $acked redemptions)" \
	test "$code/$error" = "503/unavailable"
check "the database reached its ceiling, not its first size" test "$(stat -c %s db/data.mdb)" -gt $((2 << 20))
check "/healthz then says it cannot record" test "$(health)" = 503
check "and why" grep -q 'map_size_max_mb' health.json
stop_redeemer
total=$acked

# A higher ceiling: room again, nothing lost.
serve 1 64
check "with a higher ceiling /healthz is ok" test "$(health)" = 200
check "every acknowledged redemption is kept ($total)" test "$(remaining)" -eq $((4000000000 - total)) -a "$(remaining)" -eq "$last"
stop_redeemer

# A full disk (a file size limit stands in for it: writes fail with EFBIG,
# as they would with ENOSPC): 503, nothing recorded, and room again after.
config 64 64
size=$(($(stat -c %s db/data.mdb) / 1024 + 64))
rm -f serve.out
start_bg bash -c 'ulimit -f "$0" && trap "" XFSZ && exec "$@"' "$size" \
	"$BIN/voucher-redeemer" serve --config r.ini --db db --keyring "$K/keyring" \
	--listen 127.0.0.1:0 >serve.out 2>>serve.log
SERVER=${_pids[-1]}
serve_url
redeem_until_refused d >run.txt
read -r acked code error last <run.txt
check "a full disk answers 503 unavailable, not 500 (after $acked redemptions)" \
	test "$code/$error" = "503/unavailable"
check "/healthz then says it cannot record" test "$(health)" = 503
check "the service is still up" test "$(curl -sS -o /dev/null -w '%{http_code}' "$URL/v1/vouchers/$S")" = 200
stop_redeemer
total=$((total + acked))

serve 64 64
check "with room again every acknowledged redemption is kept ($total)" test "$(remaining)" -eq $((4000000000 - total)) -a "$(remaining)" -eq "$last"
code=$(curl -sS -o /dev/null -w '%{http_code}' -X POST "$URL/v1/redeem" -H "Authorization: Bearer $TOK" \
	--data-binary "{\"voucher\":\"$V\",\"amount\":1,\"request_id\":\"after\"}")
check "with room again it redeems" test "$code" = 201
"$BIN/voucher-redeemer" export --db db --period "$NOW" >journal.csv
check "the journal holds every acknowledged redemption and no other" test "$(($(wc -l <journal.csv) - 2))" -eq $((total + 1))
check_chain "the journal's hash chain is intact" journal.csv
