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

# ---- The finance office's month: payees, payments, workbooks, letters ----
# BATIK is in the merchants file (Excel's ';' and BOM), KOPI is not.
printf '\xEF\xBB\xBFid;name;owner;bank;account_number;account_name\r\nBATIK;Batik Sari;Siti Aminah;Bank Jatim;0011-2233-4455;CV Batik Sari\r\n' >merchants.csv
expect_status 0 "reconcile with a merchants file lacking KOPI" "$BIN/voucher-issuer" reconcile \
	--ledger L --period "$NOW" --journal journal.csv --keyring receipts.keyring \
	--merchants merchants.csv --region "KABUPATEN PROBOLINGGO" --out RM
check "settlement.csv names BATIK's payee and account" test \
	"$(row RM/settlement.csv merchant BATIK amount,name,bank,account_number,account_name)" = \
	"20000,Batik Sari,Bank Jatim,001122334455,CV Batik Sari"
check "payments.csv pays BATIK alone, 20000" test \
	"$(tail -n +2 RM/payments.csv)" = "BATIK,Batik Sari,Siti Aminah,Bank Jatim,001122334455,CV Batik Sari,20000"
check "KOPI, owed 95000 and not in the file, is the finding no_payee" \
	grep -q '^no_payee,.*merchant KOPI is owed Rp95.000' RM/anomalies.csv
check "report.html shows the payee and the unpaid merchant" \
	sh -c "grep -q 'Batik Sari, Bank Jatim' RM/report.html && grep -q 'tidak ada di daftar pedagang' RM/report.html"
/usr/bin/python3 "$TESTS/xlsx_check.py" report RM yes ||
	fail "report.xlsx with payees: xlsx_check.py found the problems above, or could not run"

printf 'KOPI;Kopi Tengger;Budi;BRI;0123-01-000456-50-3;Budi\r\n' >>merchants.csv
expect_status 0 "reconcile with both merchants" "$BIN/voucher-issuer" reconcile --ledger L \
	--period "$NOW" --journal journal.csv --keyring receipts.keyring --merchants merchants.csv --out RM2
check "payments.csv: one line per payee, adding up to the settlement" test \
	"$(python3 -c "import csv; r=list(csv.DictReader(open('RM2/payments.csv'))); print(len(r), sum(int(x['amount']) for x in r))")" = "2 115000"
check "and no anomaly" test "$(wc -l <RM2/anomalies.csv)" -eq 1

# A bad line: refused by its line number, nothing written.
printf 'id,name,owner,bank,account_number,account_name\nBATIK,Batik Sari,Siti,Bank Jatim,0011223344,Siti\nKOPI,Kopi,Budi,BRI,1.23457E+13,Budi\n' >badm.csv
expect_status 1 "a merchants file with a bad line is refused" "$BIN/voucher-issuer" reconcile \
	--ledger L --period "$NOW" --journal journal.csv --merchants badm.csv --out RB
check "by its line" grep -q '^badm.csv:3: ' "$T/last.err"
check "and nothing written" test ! -e RB
expect_status 2 "a region that is not text is refused" "$BIN/voucher-issuer" reconcile --ledger L \
	--period "$NOW" --journal journal.csv --region "$(printf 'KAB\tX')" --out RB
check "and nothing written for it either" test ! -e RB

# The letters: one per OPD, each renders, with its OPD's figures and no whole NIP.
check "a letter per OPD" test "$(ls RM/letters/*.pdf | wc -l)" -eq 2
letter=$(grep -l . RM/letters/*Kesehatan*.pdf)
pdftotext -enc UTF-8 "$letter" letter.txt 2>/dev/null
for want in "Dinas Kesehatan" "KABUPATEN PROBOLINGGO" "Rp200.000" "Rp115.000" "Rp85.000" "33,3%" \
	Budi Citra "1972**********1002"; do
	check "the Dinas Kesehatan letter says $want" grep -qF "$want" letter.txt
done
check "and never a whole NIP" sh -c "! grep -q '197203151998031' letter.txt"
check "every page of every letter renders" sh -c \
	'for f in RM/letters/*.pdf; do pdftoppm -r 30 -png "$f" page || exit 1; done; ls page*.png >/dev/null'

# ---- Compliance over the year: two months, the first reconciled again ----
# This month and the next (the keys are valid from today on), then this
# month again; a third month's report shows what the history holds.
next_period() { python3 -c "import sys; y,m=map(int,sys.argv[1].split('-')); y,m=(y,m+1) if m<12 else (y+1,1); print('%04d-%02d'%(y,m))" "$1"; }
NEXT=$(next_period "$NOW")
NEXT2=$(next_period "$NEXT")
issue L p.ini "$NEXT" ON
issue L p.ini "$NEXT2" ON2
"$BIN/voucher-redeemer" export --db db --period "$NEXT" >jnext.csv
"$BIN/voucher-redeemer" export --db db --period "$NEXT2" >jnext2.csv
recon() { # period journal out
	expect_status 0 "reconcile $1 into $3" "$BIN/voucher-issuer" reconcile --ledger L --period "$1" \
		--journal "$2" --keyring receipts.keyring --out "$3"
}
recon "$NOW" journal.csv HN
recon "$NEXT" jnext.csv HX
/usr/bin/python3 "$TESTS/xlsx_check.py" report HX yes HN ||
	fail "the history of two months: xlsx_check.py found the problems above, or could not run"
check "who missed in both months is listed as repeating (all but Ani)" test \
	"$(/usr/bin/python3 -c "import openpyxl,sys; ws=openpyxl.load_workbook(sys.argv[1])['ASN berulang']; print(' '.join(sorted(str(r[2]) for r in ws.iter_rows(min_row=3, values_only=True))))" HX/report.xlsx)" = "Budi Citra Dedi Eka"
check "report.html lists them too" sh -c "grep -q 'ASN yang berulang' HX/report.html && grep -q '1972\*\*\*\*\*\*\*\*\*\*1005' HX/report.html"
recon "$NOW" journal.csv HN2
recon "$NEXT2" jnext2.csv HY
/usr/bin/python3 "$TESTS/xlsx_check.py" report HY yes HN2 HX ||
	fail "reconciling the first month again left the second: xlsx_check.py found the problems above"
