#!/bin/bash
# A full database: the redeemer answers 503 unavailable, loses nothing it
# acknowledged, and carries on once it has room (a larger map on restart).
. "$(dirname "$0")/lib.sh"
cd "$T"
make_keys
write_policy p.ini pelaksana:4000000000
printf 'nip,name,opd,class\n197203151998031001,Ani,Dinas,pelaksana\n' >roster.csv
issue L p.ini "$NOW" O
V=$(python3 -c "import csv; print(list(csv.DictReader(open('O/vouchers.csv')))[0]['token'])")
TOK=$("$BIN/voucher-redeemer" terminal add --db db --merchant M --name K --gallery G | tail -n 1)
serve() { # map size in MiB
	printf '[redeemer]\nmap_size_mb = %s\n' "$1" >r.ini
	start_redeemer --config r.ini --db db --keyring "$K/keyring" --listen 127.0.0.1:0
}
serve 1
# Redeem 1 rupiah at a time until the 1 MiB map is full.
python3 - "$URL" "$TOK" "$V" >run.txt <<'PY'
import json, sys, urllib.request, urllib.error
url, tok, v = sys.argv[1:]
ok = 0
for i in range(20000):
    req = urllib.request.Request(url + "/v1/redeem", method="POST",
        data=json.dumps({"voucher": v, "amount": 1, "request_id": f"f{i}"}).encode(),
        headers={"Authorization": "Bearer " + tok})
    try:
        with urllib.request.urlopen(req) as r:
            ok += 1
            last = json.load(r)["remaining"]
    except urllib.error.HTTPError as e:
        print(ok, e.code, json.load(e)["error"], last)
        break
PY
read -r acked code error remaining <run.txt
check "a full database answers 503 unavailable (after $acked redemptions)" test "$code/$error" = "503/unavailable"
check "the service is still up" curl -fsS "$URL/healthz" -o /dev/null
stop_redeemer
serve 64
BODY=$(curl -sS "$URL/v1/vouchers/$(python3 -c "import csv; print(list(csv.DictReader(open('O/vouchers.csv')))[0]['serial'])")")
left=$(python3 -c "import json,sys; print(json.loads(sys.argv[1])['remaining'])" "$BODY")
check "every acknowledged redemption is kept ($acked)" test "$left" -eq $((4000000000 - acked)) -a "$left" -eq "$remaining"
code=$(curl -sS -o /dev/null -w '%{http_code}' -X POST "$URL/v1/redeem" -H "Authorization: Bearer $TOK" \
	--data-binary "{\"voucher\":\"$V\",\"amount\":1,\"request_id\":\"after\"}")
check "with room again it redeems" test "$code" = 201
"$BIN/voucher-redeemer" export --db db --period "$NOW" >journal.csv
check "the journal holds every acknowledged redemption and no other" test "$(($(wc -l <journal.csv) - 1))" -eq $((acked + 1))
