#!/bin/bash
# Archiving a closed period with the real binaries: refused while the
# period is open; six weeks later (faketime moves the archive command's
# clock) the period's journal goes to a file that reconcile reads as the
# export and that export prints again, the period leaves the database,
# and the running service refuses a late offline sale of it.
. "$(dirname "$0")/lib.sh"
cd "$T"
if ! command -v faketime >/dev/null; then
	fail "the archive test needs faketime (make deps installs it)"
	exit 1
fi
# faketime preloads its library, which AddressSanitizer would have come
# first: in the sanitizer pass, let it come second.
export ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0
make_keys
write_policy p.ini use=multi grace_days=0 pelaksana:100000
cat >roster.csv <<'CSV'
nip,name,opd,class
197203151998031001,Ani,Dinas Kesehatan,pelaksana
197203151998031002,Budi,Dinas Kesehatan,pelaksana
197203151998031003,Citra,Dinas Pendidikan,pelaksana
CSV
issue L p.ini "$NOW" O
col() { python3 -c "import csv,sys; print(list(csv.DictReader(open('O/vouchers.csv')))[int(sys.argv[1])][sys.argv[2]])" "$1" "$2"; }
TA=$("$BIN/voucher-redeemer" terminal add --db db --merchant BATIK --name A --gallery G1 | tail -n 1)
printf '[redeemer]\noffline_sale_max = 60000\noffline_device_max = 200000\noffline_hours = 24\n' >r.ini
start_redeemer --config r.ini --db db --keyring "$K/keyring" --listen 127.0.0.1:0
# sell VOUCHER AMOUNT ID [OFFLINE_AT]: the status; the answer in resp
sell() {
	local at=${4:+,\"offline_at\":\"$4\"}
	curl -sS -o resp -w '%{http_code}' -X POST "$URL/v1/redeem" -H "Authorization: Bearer $TA" \
		--data-binary "{\"voucher\":\"$(col "$1" token)\",\"amount\":$2,\"request_id\":\"$3\"$at}"
}
codes="$(sell 0 20000 a) $(sell 1 30000 b) $(sell 2 10000 c)"
check "three sales ($codes)" test "$codes" = "201 201 201"
"$BIN/voucher-redeemer" export --db db --period "$NOW" >before.csv
"$BIN/voucher-redeemer" receipt-key --db db >receipts.keyring

# Open: refused, saying from when; nothing written or marked.
expect_status 1 "archiving the open period is refused" "$BIN/voucher-redeemer" archive --db db \
	--period "$NOW" --out A.csv
check "saying from when it can be" grep -q 'not closed.*archive it from' "$T/last.err"
check "and writing nothing" test ! -e A.csv
check "the period still exports" cmp -s <("$BIN/voucher-redeemer" export --db db --period "$NOW" | head -n -1) \
	<(head -n -1 before.csv)

# Six weeks on, an --out that exists, or a database whose disk is full (a
# file size limit, its signal ignored, fails LMDB's first write with
# EFBIG): refused, the period left in the database as it was, nothing
# recorded of the attempt.
echo taken >taken.csv
expect_status 1 "archiving over a file that exists is refused" faketime -f +42d \
	"$BIN/voucher-redeemer" archive --db db --period "$NOW" --out taken.csv
check "saying so once" grep -qx "voucher-redeemer: $NOW: $T/taken.csv exists already" "$T/last.err"
check "the file left as it was" test "$(cat taken.csv)" = taken
expect_status 1 "archiving with the database's disk full is refused" bash -c 'trap "" XFSZ
	ulimit -f 1; exec faketime -f +42d "$0" archive --db db --period "$1" --out full.csv' \
	"$BIN/voucher-redeemer" "$NOW"
check "saying what to do" grep -q "$NOW: the database's disk or map is full: make room and run it again" "$T/last.err"
check "writing no file" test ! -e full.csv
check "and leaving the period in the database" cmp -s <("$BIN/voucher-redeemer" export --db db --period "$NOW" | head -n -1) \
	<(head -n -1 before.csv)

# Six weeks on, while the service runs.
expect_status 0 "archived six weeks later" faketime -f +42d "$BIN/voucher-redeemer" archive \
	--db db --period "$NOW" --out A.csv
check "it says how many entries went where" grep -q "3 journal entries in $T/A.csv (sha256 $(sha256sum A.csv | cut -c1-64))" "$T/last.out"
check "the archive is the export (all but the head's time)" cmp -s <(head -n -1 A.csv) <(head -n -1 before.csv)
check "readable by its owner only" test "$(stat -c %a A.csv)" = 600
check "export now prints the archive" cmp -s A.csv <("$BIN/voucher-redeemer" export --db db --period "$NOW")
check "the database has none of the period's redemptions left" \
	grep -q '^redemptions  *0 ' <("$BIN/voucher-redeemer" stats --db db)
expect_status 0 "archiving again says it is done" faketime -f +42d "$BIN/voucher-redeemer" archive \
	--db db --period "$NOW" --out A.csv
check "with nothing more removed" grep -q '; 0 records removed' "$T/last.out"
expect_status 1 "archiving it to another file is refused" faketime -f +42d "$BIN/voucher-redeemer" \
	archive --db db --period "$NOW" --out B.csv
check "naming the first" grep -q "being archived to $T/A.csv" "$T/last.err"

# reconcile reads the archive as the export.
expect_status 0 "reconcile of the archive" "$BIN/voucher-issuer" reconcile --ledger L --period "$NOW" \
	--journal A.csv --keyring receipts.keyring --out R
check "it balances with the three sales" grep -q 'redeemed:   Rp60.000' "$T/last.out"

# The service, at today's clock: a late offline sale of the archived period is refused.
code=$(sell 0 5000 late "$(date -u -d '-10 min' +%Y-%m-%dT%H:%M:%SZ)")
check "a late offline sale of the archived period is refused ($code)" test "$code" = 422
check "as expired" grep -q '"error":"expired"' resp
check "and the database took nothing" grep -q '^journal entries  *0$' <("$BIN/voucher-redeemer" stats --db db)
stop_redeemer

# The archive moved or changed: export says which file it needs.
mv A.csv moved.csv
expect_status 1 "export without the archive file" "$BIN/voucher-redeemer" export --db db --period "$NOW"
check "names it and its sha256" grep -q "archived to $T/A.csv (sha256 $(sha256sum moved.csv | cut -c1-64))" "$T/last.err"
sed 's/,20000,/,2000,/' moved.csv >A.csv
expect_status 1 "export of a changed archive" "$BIN/voucher-redeemer" export --db db --period "$NOW"
check "refuses it" grep -q 'not the archive of' "$T/last.err"
