#!/bin/bash
# A month end to end: issue, redeem through the real redeemer (partial,
# full, voids, a revoked voucher, two merchants at two galleries), export,
# reconcile, and check every total against what this test did.
. "$(dirname "$0")/lib.sh"
cd "$T"
make_keys
write_policy p.ini grace_days=3 unspent=refund pelaksana:50000 eselon_iii:100000
cat >roster.csv <<'CSV'
nip,name,opd,class
197203151998031001,Ani,Dinas Kesehatan,pelaksana
197203151998031002,Budi,Dinas Kesehatan,pelaksana
197203151998031003,Citra,Dinas Kesehatan,eselon_iii
197203151998031004,Dedi,Dinas Koperasi & UMKM,pelaksana
197203151998031005,Eka,Dinas Koperasi & UMKM,eselon_iii
CSV
issue L p.ini "$NOW" O
col() { python3 -c "import csv,sys; print({r['nip'][-1]: r[sys.argv[2]] for r in csv.DictReader(open('O/vouchers.csv'))}[sys.argv[1]])" "$1" "$2"; }
TA=$("$BIN/voucher-redeemer" terminal add --db db --merchant BATIK --name A --gallery GAL-1 | tail -n 1)
TB=$("$BIN/voucher-redeemer" terminal add --db db --merchant KOPI --name B --gallery GAL-2 | tail -n 1)
"$BIN/voucher-issuer" revoke --ledger L --keys "$K" --serial "$(col 5 serial)" --reason pindah >/dev/null
"$BIN/voucher-issuer" revocations --ledger L --keys "$K" --out rev.txt >/dev/null
start_redeemer --db db --keyring "$K/keyring" --revocations rev.txt --listen 127.0.0.1:0
redeem() { # terminal nip-digit amount request_id -> prints HTTP code, response in resp
	curl -sS -o resp -w '%{http_code}' -X POST "$URL/v1/redeem" -H "Authorization: Bearer $1" \
		--data-binary "{\"voucher\":\"$(col "$2" token)\",\"amount\":$3,\"request_id\":\"$4\"}"
}
# Ani 50000: 20000 at BATIK + 30000 at KOPI = full.  Budi: 10000 at BATIK, voided; 5000 at KOPI.
# Citra 100000: 60000 at KOPI.  Dedi: nothing.  Eka: revoked, refused.
codes="$(redeem "$TA" 1 20000 a1) $(redeem "$TB" 1 30000 a2) $(redeem "$TA" 2 10000 b1)"
VOID=$(python3 -c "import json; print(json.load(open('resp'))['redemption_id'])")
codes="$codes $(curl -sS -o /dev/null -w '%{http_code}' -X POST "$URL/v1/redemptions/$VOID/void" -H "Authorization: Bearer $TA")"
codes="$codes $(redeem "$TB" 2 5000 b2) $(redeem "$TB" 3 60000 c1) $(redeem "$TA" 5 1000 e1)"
check "the month's requests were answered as planned ($codes)" test "$codes" = "201 201 201 200 201 201 422"
stop_redeemer

"$BIN/voucher-redeemer" export --db db --period "$NOW" >journal.csv
"$BIN/voucher-redeemer" receipt-key --db db >receipts.keyring
# What reconcile must not change: the ledger's vouchers (it only adds the
# period's results to its history) and the journal.
untouched() { "$BIN/voucher-issuer" status --ledger L --period "$NOW"; sha256sum journal.csv; }
before=$(untouched)
expect_status 0 "reconcile" "$BIN/voucher-issuer" reconcile --ledger L --period "$NOW" \
	--journal journal.csv --keyring receipts.keyring --out R
cp "$T/last.out" summary
check "the summary shows the balance holds" grep -q 'balance: .*OK' summary
row() { python3 -c "
import csv,sys
for r in csv.DictReader(open(sys.argv[1])):
    if r[sys.argv[2]].endswith(sys.argv[3]): print(','.join(r[c] for c in sys.argv[4].split(','))); break" "$@"; }
check "Ani: 50000 issued, 50000 redeemed, met" test "$(row R/per_asn.csv nip 1 issued,redeemed,unspent,met_minimum)" = "50000,50000,0,yes"
check "Budi: the void does not count" test "$(row R/per_asn.csv nip 2 issued,redeemed,unspent,met_minimum)" = "50000,5000,45000,no"
check "Citra: 60000 of 100000" test "$(row R/per_asn.csv nip 3 issued,redeemed,unspent)" = "100000,60000,40000"
check "Dedi: nothing spent" test "$(row R/per_asn.csv nip 4 issued,redeemed,unspent)" = "50000,0,50000"
check "Eka: revoked, still deducted, nothing spent" test "$(row R/per_asn.csv nip 5 issued,redeemed)" = "100000,0"
check "per OPD: Dinas Kesehatan" test "$(row R/per_opd.csv opd Kesehatan asn,issued,redeemed,unspent,met_minimum)" = "3,200000,115000,85000,1"
check "per OPD: Dinas Koperasi & UMKM" test "$(row R/per_opd.csv opd UMKM asn,issued,redeemed,unspent,met_minimum)" = "2,150000,0,150000,0"
check "settlement: BATIK is owed 20000 (1 void)" test "$(row R/settlement.csv merchant BATIK redemptions,voids,amount)" = "2,1,20000"
check "settlement: KOPI is owed 95000" test "$(row R/settlement.csv merchant KOPI gallery,redemptions,voids,amount)" = "GAL-2,3,0,95000"
check "refunds list the unspent (refund policy)" test "$(python3 -c "import csv; print(sum(int(r['amount']) for r in csv.DictReader(open('R/refunds.csv'))))")" = 235000
check "no anomalies in an honest month" test "$(wc -l <R/anomalies.csv)" -eq 1
check "report.html is one page with no outside references" sh -c "grep -q '<svg' R/report.html && ! grep -Eq 'https?://[^w]' R/report.html"
# report.xlsx, read back with a real reader (tests/xlsx_check.py): each sheet
# is its CSV's rows, NIPs and serials as text, amounts rupiah numbers, and
# the summary's figures the CSVs' sums.
/usr/bin/python3 "$TESTS/xlsx_check.py" report R yes ||
	fail "report.xlsx: xlsx_check.py found the problems above, or could not run"
check "report.xlsx is readable by its owner only" test "$(stat -c %a R/report.xlsx)" = 600
check "no temporary file is left in the report folder" sh -c "! ls R | grep -q tmp"

# The same journal twice counts once.
expect_status 0 "the same journal given twice" "$BIN/voucher-issuer" reconcile --ledger L --period "$NOW" \
	--journal journal.csv --journal journal.csv --keyring receipts.keyring --out R2
check "counts each entry once" cmp -s R/per_asn.csv R2/per_asn.csv

# An edited line breaks the chain.
sed '2s/,20000,30000,/,2000,48000,/' journal.csv >edited.csv
check "the edit changed a line" sh -c "! cmp -s journal.csv edited.csv"
"$BIN/voucher-issuer" reconcile --ledger L --period "$NOW" --journal edited.csv --keyring receipts.keyring --out R3 >/dev/null 2>&1
check "an edited journal exits 1" test $? -eq 1
check "an edited journal line is reported as a chain break" grep -q '^chain_break,' R3/anomalies.csv
check "and nothing of that journal is paid" test "$(tail -n +2 R3/settlement.csv | wc -l)" -eq 0
/usr/bin/python3 "$TESTS/xlsx_check.py" report R3 no ||
	fail "report.xlsx of the edited journal: xlsx_check.py found the problems above, or could not run"

# A receipt signed by a key the finance office does not know.
"$BIN/voucher-keys" generate --dir other --kid X --role receipt >/dev/null
sed 's/ receipt / receipt /' other/keyring | grep -v '^#' >other.keyring
"$BIN/voucher-issuer" reconcile --ledger L --period "$NOW" --journal journal.csv --keyring other.keyring --out R4 >/dev/null 2>&1
check "a journal whose receipts no key given signed exits 1" test $? -eq 1
check "receipts from an unknown key are reported" grep -q '^bad_receipt,' R4/anomalies.csv
check "and are not paid" test "$(tail -n +2 R4/settlement.csv | wc -l)" -eq 0

# Not a journal at all.
printf 'nip,name\n1,2\n' >notjournal.csv
expect_status 1 "a file that is not a journal is refused" "$BIN/voucher-issuer" reconcile --ledger L \
	--period "$NOW" --journal notjournal.csv --out R5
check "with its file and line" grep -q 'notjournal.csv:1: ' "$T/last.err"
check "and nothing written" test ! -e R5/per_asn.csv -a ! -e R5/report.xlsx
check "reconciliation changed neither the ledger's vouchers nor the journal" test "$(untouched)" = "$before"
