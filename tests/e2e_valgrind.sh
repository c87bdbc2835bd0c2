#!/bin/bash
# The tools that run briefly, under Valgrind's memcheck: no invalid read or
# write, no use of uninitialised memory, no definite leak. A month in
# miniature: keys, issue, status, revoke, revocations, terminals, a served
# redemption, export, reconcile, backup. Skipped in the sanitizer pass
# (Valgrind cannot run AddressSanitizer's binaries); that pass covers them.
. "$(dirname "$0")/lib.sh"
if [[ $BIN == */asan/* ]]; then
	ok "valgrind: run in the plain pass only"
	exit 0
fi
if ! command -v valgrind >/dev/null; then
	fail "valgrind is missing (make deps installs it)"
	exit 1
fi
K=$T/keys
cd "$T"
vg() { # description program args...: ok if memcheck finds nothing
	local d=$1; shift
	valgrind -q --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite \
		--log-file="$T/vg.log" "$@" >"$T/vg.out" 2>"$T/vg.err"
	local rc=$?
	if [ "$rc" -ne 99 ] && [ ! -s "$T/vg.log" ]; then ok "valgrind: $d"; else
		fail "valgrind: $d (exit $rc)"
		head -n 40 "$T/vg.log" | sed 's/^/#   /'
	fi
}
vg "voucher-keys generate" "$BIN/voucher-keys" generate --dir "$K" --kid K1 --issuer PROBOLINGGO
vg "voucher-keys list" "$BIN/voucher-keys" list --dir "$K"
write_policy p.ini pelaksana:50000
cat >roster.csv <<'CSV'
nip,name,opd,class
197203151998031001,Ani,Dinas Kesehatan,pelaksana
197203151998031002,Budi Santoso,Dinas Koperasi & UMKM,pelaksana
197203151998031003,"Citra, S.E.",Sekretariat Daerah,pelaksana
CSV
vg "voucher-issuer issue (QR, sheets, deductions)" "$BIN/voucher-issuer" issue --ledger L --keys "$K" \
	--roster roster.csv --policy p.ini --period "$NOW" --out O
vg "voucher-issuer status" "$BIN/voucher-issuer" status --ledger L --period "$NOW"
S=$(python3 -c "import csv; print(list(csv.DictReader(open('O/vouchers.csv')))[2]['serial'])")
V=$(python3 -c "import csv; print(list(csv.DictReader(open('O/vouchers.csv')))[0]['token'])")
vg "voucher-issuer revoke" "$BIN/voucher-issuer" revoke --ledger L --keys "$K" --serial "$S" --reason pindah
vg "voucher-issuer revocations" "$BIN/voucher-issuer" revocations --ledger L --keys "$K" --out rev.txt
vg "voucher-redeemer terminal add" "$BIN/voucher-redeemer" terminal add --db db --merchant M --name K --gallery G
TOK=$(tail -n 1 "$T/vg.out")
vg "voucher-redeemer terminal list" "$BIN/voucher-redeemer" terminal list --db db
# One redemption through the real service, so the export has something to carry.
start_redeemer --db db --keyring "$K/keyring" --revocations rev.txt --listen 127.0.0.1:0
code=$(curl -sS -o /dev/null -w '%{http_code}' -X POST "$URL/v1/redeem" -H "Authorization: Bearer $TOK" \
	--data-binary "{\"voucher\":\"$V\",\"amount\":20000,\"request_id\":\"vg1\"}")
check "a redemption for the export ($code)" test "$code" = 201
stop_redeemer
vg "voucher-redeemer export" "$BIN/voucher-redeemer" export --db db --period "$NOW"
cp "$T/vg.out" journal.csv
vg "voucher-redeemer receipt-key" "$BIN/voucher-redeemer" receipt-key --db db
cp "$T/vg.out" receipts.keyring
vg "voucher-redeemer stats" "$BIN/voucher-redeemer" stats --db db
vg "voucher-redeemer backup" "$BIN/voucher-redeemer" backup --db db --out db.bak
vg "voucher-issuer reconcile" "$BIN/voucher-issuer" reconcile --ledger L --period "$NOW" \
	--journal journal.csv --keyring receipts.keyring --out R
check "the reconciliation under valgrind wrote its report" test -s R/report.html
