#!/bin/bash
# Offline sales on the redeemer's side: what a terminal keeps to decide
# offline (GET /v1/offline/state), and uploads with their own time
# (offline_at): taken as offline redemptions, or recorded as conflicts
# (spent meanwhile, over a limit, too late, revoked since), each exactly
# once; a conflict is never paid and reconcile lists it against its
# merchant and gallery.
. "$(dirname "$0")/lib.sh"
cd "$T"
make_keys
write_policy p.ini use=multi pelaksana:100000
printf 'nip,name,opd,class\n' >roster.csv
for i in 1 2 3 4 5; do printf '19720315199803100%d,ASN %d,Dinas,pelaksana\n' "$i" "$i" >>roster.csv; done
issue L p.ini "$NOW" O
col() { python3 -c "import csv,sys; print(list(csv.DictReader(open('O/vouchers.csv')))[int(sys.argv[1])][sys.argv[2]])" "$1" "$2"; }
TA=$("$BIN/voucher-redeemer" terminal add --db db --merchant BATIK --name A --gallery G1 | tail -n 1)
TB=$("$BIN/voucher-redeemer" terminal add --db db --merchant KOPI --name B --gallery G2 | tail -n 1)
TC=$("$BIN/voucher-redeemer" terminal add --db db --merchant JAMU --name C --gallery G3 | tail -n 1)
"$BIN/voucher-issuer" revocations --ledger L --keys "$K" --out rev.txt >/dev/null
cat >r.ini <<EOF
[redeemer]
revocations = $T/rev.txt
offline_sale_max = 60000
offline_device_max = 200000
offline_hours = 24
[gallery.G2]
offline_sale_max = 30000
[gallery.G3]
offline_hours = 1
EOF
start_redeemer --config r.ini --db db --keyring "$K/keyring" --listen 127.0.0.1:0
ago() { date -u -d "-$1" +%Y-%m-%dT%H:%M:%SZ; }
jf() { python3 -c "import json,sys; d = json.load(open(sys.argv[1])); print(d.get(sys.argv[2], ''))" resp "$1"; }
# sell TOKEN VOUCHER AMOUNT ID [OFFLINE_AT]: the status; the answer in resp
sell() {
	local at=${5:+,\"offline_at\":\"$5\"}
	curl -sS -o resp -w '%{http_code}' -X POST "$URL/v1/redeem" -H "Authorization: Bearer $1" \
		--data-binary "{\"voucher\":\"$(col "$2" token)\",\"amount\":$3,\"request_id\":\"$4\"$at}"
}

code=$(curl -sS -o state.json -w '%{http_code}' "$URL/v1/offline/state")
check "GET /v1/offline/state needs a terminal token" test "$code" = 401
curl -fsS -H "Authorization: Bearer $TB" "$URL/v1/offline/state" >state.json
st() { python3 -c "import json,sys; d = json.load(open('state.json')); print(eval(sys.argv[1], {}, d))" "$1"; }
check "it gives the terminal's gallery's limits" test "$(st 'limits["sale_max"], limits["device_max"], limits["session_seconds"]')" = "(30000, 200000, 86400)"
check "the issuer keys as keyring lines" sh -c "python3 -c \"import json; print(json.load(open('state.json'))['keyring'])\" | grep -q '^K1 issuer PROBOLINGGO '"
check "the signed revocation list as loaded" test "$(st 'revocations')" = "$(cat rev.txt)"
check "and the service's clock" test "$(( $(st time) - $(date +%s) ))" -le 5
check "no personal data in it" sh -c "! grep -q '19720315' state.json"

# A sale made offline 10 minutes ago, uploaded now.
AT=$(ago '10 min')
code=$(sell "$TA" 0 30000 off-a "$AT")
check "an offline sale is taken on upload (201)" test "$code" = 201
check "as an offline redemption (URO2), at its own time" sh -c "case '$(jf receipt)' in URO2*'|$AT|'*) exit 0;; *) exit 1;; esac"
check "and says so" test "$(jf offline)" = True
FIRST=$(cat resp)
sell "$TA" 0 30000 off-a "$AT" >/dev/null
check "its upload again gets the first answer" test "$(cat resp)" = "$FIRST"

# During the outage the voucher was spent online elsewhere: a conflict.
check "meanwhile the voucher is spent online" test "$(sell "$TB" 1 100000 on-b)" = 201
code=$(sell "$TA" 1 20000 off-b "$AT")
check "the offline sale of a voucher spent meanwhile is a conflict (409)" test "$code/$(jf error)" = 409/offline_conflict
check "with its own receipt (URC2), its serial and amount" sh -c "case '$(jf receipt)' in URC2*) exit 0;; *) exit 1;; esac && test '$(jf serial)/$(jf amount)' = '$(col 1 serial)/20000'"
CONFLICT=$(jf redemption_id) FIRST=$(cat resp)
sell "$TA" 1 20000 off-b "$AT" >/dev/null
check "its upload again gets the first answer" test "$(cat resp)" = "$FIRST"
code=$(curl -sS -o resp -w '%{http_code}' -X POST "$URL/v1/redemptions/$CONFLICT/void" -H "Authorization: Bearer $TA")
check "a conflict is no redemption to void" test "$code" = 404

# Over a limit, too late, revoked since, or not allowed at all: conflicts too.
check "over the gallery's sale limit: a conflict" test "$(sell "$TB" 2 40000 off-c "$AT")/$(jf error)" = 409/offline_conflict
check "within it: taken" test "$(sell "$TB" 2 30000 off-d "$AT")" = 201
check "uploaded after the offline session's limit: a conflict" test "$(sell "$TC" 3 1000 off-e "$(ago '2 hours')")/$(jf error)" = 409/offline_conflict
check "and says why" grep -q "uploaded after the offline session" resp
"$BIN/voucher-issuer" revoke --ledger L --keys "$K" --serial "$(col 4 serial)" --reason hilang >/dev/null
"$BIN/voucher-issuer" revocations --ledger L --keys "$K" --out rev.txt >/dev/null
reload_redeemer
check "revoked since the sale: a conflict" test "$(sell "$TA" 4 1000 off-f "$AT")/$(jf error)" = 409/offline_conflict
check "a sale dated ahead of the service's clock is refused (400)" test "$(sell "$TA" 3 1000 off-g "$(date -u -d '+1 hour' +%Y-%m-%dT%H:%M:%SZ)")" = 400
check "online, the same voucher is still refused as revoked" test "$(sell "$TA" 4 1000 on-f)/$(jf error)" = 422/revoked
curl -fsS "$URL/metrics" >metrics
check "metrics count offline redemptions and conflicts" sh -c "grep -q '^voucher_offline_redemptions_total 2$' metrics && grep -q '^voucher_offline_conflicts_total 4$' metrics"
stop_redeemer

"$BIN/voucher-redeemer" export --db db --period "$NOW" >journal.csv
"$BIN/voucher-redeemer" receipt-key --db db >receipts.keyring
check_chain "the journal chains, conflicts and all" journal.csv 7
check "offline sales and conflicts are kinds of their own" test "$(cut -d, -f3 journal.csv | sort | uniq -c | tr -s ' ' | tr '\n' ';')" = " 4 conflict; 1 head; 1 kind; 2 offline; 1 redeem;"
expect_status 0 "reconcile: conflicts are not failures" "$BIN/voucher-issuer" reconcile --ledger L \
	--period "$NOW" --journal journal.csv --keyring receipts.keyring --out R
check "the summary counts them" grep -q '^offline: *2 redemptions made offline (Rp60.000); 4 conflicts (Rp62.000), not paid' "$T/last.out"
row() { python3 -c "
import csv,sys
print(';'.join(','.join(r[c] for c in sys.argv[2].split(',')) for r in csv.DictReader(open(sys.argv[1]))))" "$@"; }
check "settlement pays the offline redemptions, not the conflicts" test "$(row R/settlement.csv merchant,redemptions,amount)" = "BATIK,1,30000;KOPI,2,130000"
check "offline.csv lists each against its merchant and gallery" test "$(row R/offline.csv merchant,gallery,kind,amount,status)" = \
	"BATIK,G1,offline,30000,paid;BATIK,G1,conflict,20000,conflict;BATIK,G1,conflict,1000,conflict;JAMU,G3,conflict,1000,conflict;KOPI,G2,conflict,40000,conflict;KOPI,G2,offline,30000,paid"
check "report.html shows them" grep -q 'Penjualan luring' R/report.html
check "stats counts the conflicts apart" sh -c "'$BIN/voucher-redeemer' stats --db db | grep -q '^offline conflicts *4$'"
