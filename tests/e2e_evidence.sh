#!/bin/bash
# The journal as evidence, attacked as issue 16 found it: an export edited
# between the redeemer and the finance office (a void deleted, a
# redemption deleted, a void added, each with the chain recomputed; the
# head deleted), and the redeemer's operator, who holds the receipt key,
# rewriting a month (an older backup exported, a line removed and the head
# signed again). Each must be seen by reconcile, which withholds what fails
# and exits 1; the honest month reconciles with exit 0.
. "$(dirname "$0")/lib.sh"
cd "$T"
make_keys
write_policy p.ini use=multi pelaksana:100000
printf 'nip,name,opd,class\n' >roster.csv
for i in 1 2 3 4; do printf '19720315199803100%d,ASN %d,Dinas,pelaksana\n' "$i" "$i" >>roster.csv; done
issue L p.ini "$NOW" O
tok() { python3 -c "import csv,sys; print(list(csv.DictReader(open('O/vouchers.csv')))[int(sys.argv[1])]['token'])" "$1"; }
TA=$("$BIN/voucher-redeemer" terminal add --db db --merchant BATIK --name A --gallery G1 | tail -n 1)
TB=$("$BIN/voucher-redeemer" terminal add --db db --merchant KOPI --name B --gallery G2 | tail -n 1)
start_redeemer --db db --keyring "$K/keyring" --listen 127.0.0.1:0
# redeem TOKEN VOUCHER AMOUNT ID: the merchant keeps the receipt (receipts.txt); prints the id.
redeem() {
	curl -sS -X POST "$URL/v1/redeem" -H "Authorization: Bearer $1" \
		--data-binary "{\"voucher\":\"$(tok "$2")\",\"amount\":$3,\"request_id\":\"$4\"}" >resp.json
	python3 -c "import json; r = json.load(open('resp.json')); print(r['receipt'], file=open('receipts.txt', 'a')); print(r['redemption_id'])"
}
R1=$(redeem "$TA" 0 30000 a1)
R2=$(redeem "$TB" 0 20000 a2)
R3=$(redeem "$TA" 1 50000 b1)
curl -sS -X POST "$URL/v1/redemptions/$R3/void" -H "Authorization: Bearer $TA" >void.json
python3 -c "import json; print(json.load(open('void.json'))['receipt'], file=open('receipts.txt', 'a'))"
check "a void answers with its own signed receipt" grep -q '^URV2|' receipts.txt
check "redemption ids are numbered within the period: $R1" test "${R1##*-}/${R1%-*}" = "1/${R1%-*-*}-${NOW/-/}"
# The finance office pins the head, then the month goes on.
curl -fsS "$URL/v1/journal/head?period=$NOW" >pinned.json
check "GET /v1/journal/head answers the signed head" grep -q '"head": *"UH2|' pinned.json
check "it counts the entries so far" python3 -c "import json,sys; h = json.load(open('pinned.json')); sys.exit(h['count'] != 4 or h['redeemed'] != 100000 or h['voided'] != 50000)"
# The operator's older copy, taken here (restored as the backup says).
"$BIN/voucher-redeemer" backup --db db --out early.mdb >/dev/null
mkdir db-early && mv early.mdb db-early/data.mdb && cp db/receipt.key db-early/
R4=$(redeem "$TB" 2 40000 c1)
R5=$(redeem "$TA" 3 10000 d1)
curl -fsS "$URL/v1/journal/head?period=$NOW" >pinned-late.json
stop_redeemer
"$BIN/voucher-redeemer" export --db db --period "$NOW" >journal.csv
"$BIN/voucher-redeemer" receipt-key --db db >receipts.keyring
check_chain "the export chains, and its head says what it holds" journal.csv 6

reconcile() { # OUT JOURNAL [FLAG...]: voucher-issuer reconcile, the status checked by the caller
	local out=$1 j=$2
	shift 2
	"$BIN/voucher-issuer" reconcile --ledger L --period "$NOW" --journal "$j" \
		--keyring receipts.keyring --out "$out" "$@" >"$out.txt" 2>&1
}
paid() { python3 -c "import csv,sys; print(sum(int(r['amount']) for r in csv.DictReader(open(sys.argv[1]))))" "$1/settlement.csv"; }

expect_status 0 "the honest month reconciles, with the heads pinned and the merchants' receipts" \
	reconcile R journal.csv --head pinned.json --head pinned-late.json --receipts receipts.txt
check "no anomaly" test "$(wc -l <R/anomalies.csv)" -eq 1
check "the merchants are owed Rp100.000" test "$(paid R)" = 100000

# A courier edits the export and recomputes the chain; the head's fields
# are rewritten too, but its signature cannot be.
for edit in "--drop $R3:void" "--drop $R2:redeem" "--add-void $R1"; do
	# shellcheck disable=SC2086
	python3 "$TESTS/journal_edit.py" journal.csv edited.csv $edit
	check_chain "($edit) the chain of the edited journal is whole again" edited.csv
	reconcile E edited.csv
	check "($edit) reconcile exits 1" test $? -eq 1
	check "($edit) the head's signature does not verify" grep -q '^bad_head,.*signature' E/anomalies.csv
	check "($edit) nothing of the edited journal is paid" test "$(paid E)" = 0
	check "($edit) the summary says the month does not balance" grep -q 'the month does not balance' E.txt
	rm -rf E E.txt
done
head -n -1 journal.csv >headless.csv
reconcile E headless.csv
check "without its head line the journal is refused (exit 1)" test $? -eq 1
check "naming the file" grep -q 'headless.csv: no head line' E.txt
check "and nothing is written" test ! -e E

# The operator holds the receipt key. An older copy of the database,
# exported: a whole, signed journal that lacks the later redemptions.
"$BIN/voucher-redeemer" export --db db-early --period "$NOW" >early.csv
expect_status 0 "the older copy alone reconciles" reconcile O early.csv
reconcile O2 early.csv --head pinned-late.json --receipts receipts.txt
check "against the head pinned later, reconcile exits 1" test $? -eq 1
check "the pinned head is not extended" grep -q '^head_not_extended,.*no journal of redeemer' O2/anomalies.csv
check "the merchants' receipts of the missing redemptions are named" \
	test "$(grep -c "^receipt_not_in_journal,.*\($R4\|$R5\): the redeemer signed this redemption" O2/anomalies.csv)" = 2
# The operator removes a redemption, recomputes the chain and signs the head again.
python3 "$TESTS/journal_edit.py" journal.csv resigned.csv --drop "$R4:redeem" --resign db/receipt.key
reconcile S resigned.csv
check "a journal re-signed without a redemption exits 1" test $? -eq 1
check "its redemption number is missing" grep -q "^missing_redemption,.*${R4}: a redemption number missing" S/anomalies.csv
check "the head itself verifies: only the gap tells" sh -c "! grep -q '^bad_head' S/anomalies.csv"
reconcile S2 resigned.csv --head pinned-late.json --receipts receipts.txt
check "the head pinned later is not extended by it" grep -q '^head_not_extended,' S2/anomalies.csv
check "the merchant's receipt of it is not in it" grep -q "^receipt_not_in_journal,.*$R4" S2/anomalies.csv
# A receipt a merchant forged is named, and pays nothing.
sed "s/|30000|70000|/|90000|10000|/" receipts.txt >forged.txt
reconcile F journal.csv --receipts forged.txt
check "a forged receipt is named" grep -q "^forged_receipt,.*$R1: the receipt does not verify" F/anomalies.csv
check "and does not change what is paid" test "$(paid F)" = 100000
expect_status 2 "--head needs --keyring" "$BIN/voucher-issuer" reconcile --ledger L --period "$NOW" \
	--journal journal.csv --head pinned.json --out X
