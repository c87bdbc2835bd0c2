#!/bin/bash
# voucher-issuer end to end: a realistic roster, every QR decoded with zbar,
# every short code computed again from its token, the PDF sheets decoded,
# the ';'+BOM+CRLF variant, bad rows, re-issuing, revocation and reissue.
. "$(dirname "$0")/lib.sh"
D=$(cd "$(dirname "$0")" && pwd)
PERIOD=$(date -u +%Y-%m)
L=$T/ledger O=$T/out

make_keys
roster 300 7 >"$T/roster.csv"
# Three ASN who are not active: skipped and counted, never issued.
printf '197001011995031001,Pensiunan Satu,Dinas Kesehatan,pelaksana,3000000,pensiun\n' >>"$T/roster.csv"
printf '197001011995031002,Cuti Dua,Dinas Kesehatan,pelaksana,3000000,CLTN\n' >>"$T/roster.csv"
printf '197001011995031003,Kosong Tiga,Dinas Kesehatan,pelaksana,3000000,\n' >>"$T/roster.csv"

expect_status 0 "issue for 300 active ASN" "$BIN/voucher-issuer" issue --ledger "$L" --keys "$K" \
	--roster "$T/roster.csv" --policy "$D/data/policy.ini" --period "$PERIOD" --out "$O"
cp "$T/last.out" "$T/summary1"
check "the summary counts 300 new vouchers" grep -q 'issued now: 300 vouchers' "$T/summary1"
check "the summary counts 3 rows skipped by status" grep -q 'skipped: 3 by status' "$T/summary1"
check "vouchers.csv has the contract's header" \
	test "$(head -n 1 "$O/vouchers.csv")" = "serial,nip,name,opd,class,amount,period,token,code"
check "deductions.csv has the contract's header" \
	test "$(head -n 1 "$O/deductions.csv")" = "nip,name,opd,period,amount,serial"
check "vouchers.csv has 300 rows" test "$(($(wc -l <"$O/vouchers.csv") - 1))" -eq 300
check "deductions.csv has 300 rows" test "$(($(wc -l <"$O/deductions.csv") - 1))" -eq 300
check "the key is bound to the policy's issuer" grep -q '^K1 issuer PROBOLINGGO ' "$K/keyring"

# Every voucher's PNG decodes to exactly its token (real decoder: zbarimg,
# QR codes only: with every symbology on, zbar once in about 4,000 images
# also read a 4-character 1D code out of the QR's modules).
python3 - "$O" >"$T/tokens.tsv" <<'PY'
import csv, sys
for r in csv.DictReader(open(sys.argv[1] + "/vouchers.csv", newline="")):
    print(r["serial"] + "\t" + r["token"] + "\t" + r["nip"] + "\t" + r["amount"] + "\t" + r["class"])
PY
bad=0 n=0
while IFS=$'\t' read -r serial token nip amount cls; do
	n=$((n + 1))
	got=$(zbarimg --raw -q -Sdisable -Sqrcode.enable "$O/qr/$serial.png" 2>/dev/null | tr -d '\n')
	[ "$got" = "$token" ] || { bad=$((bad + 1)); echo "# $serial: PNG decodes to '${got:0:30}...'"; }
	[ -s "$O/qr/$serial.svg" ] || { bad=$((bad + 1)); echo "# $serial: no SVG"; }
done <"$T/tokens.tsv"
check "all $n PNG QR codes decode to their tokens" test "$bad" -eq 0 -a "$n" -eq 300
check "serials are unique" test "$(cut -f1 "$T/tokens.tsv" | sort -u | wc -l)" -eq 300

# The short code (FORMAT.md, "The short code"), computed here from the
# token as the spec says; the PNG has it in a band under the code (taller
# than wide), the SVG as text, the view grown to fit.
cat >"$T/codes.py" <<'PY'
import csv, re, struct, sys
sys.path.insert(0, sys.argv[3])
from shortcode import code_of as code  # tests/shortcode.py: the spec, written again

what, out = sys.argv[1], sys.argv[2]
bad = 0
for r in csv.DictReader(open(out + "/vouchers.csv", newline="")):
    want = code(r["token"])
    if what == "csv" and r["code"] != want:
        bad += 1
        print("# %s: code %r, its token's is another" % (r["serial"], r["code"]))
    if what == "png":
        w, h = struct.unpack(">II", open("%s/qr/%s.png" % (out, r["serial"]), "rb").read()[16:24])
        if not w < h:
            bad += 1
            print("# %s: PNG %dx%d, no band under the code" % (r["serial"], w, h))
    if what == "svg":
        svg = open("%s/qr/%s.svg" % (out, r["serial"])).read()
        m = re.search(r'viewBox="0 0 ([0-9.]+) ([0-9.]+)"', svg)
        if not (m and float(m[1]) < float(m[2]) and ">" + want + "</text>" in svg):
            bad += 1
            print("# %s: the SVG has no caption of its code" % r["serial"])
    if what == "list":
        print(want)
sys.exit(bad > 0)
PY
check "every code in vouchers.csv is its token's (FORMAT.md)" python3 "$T/codes.py" csv "$O" "$D"
check "every PNG has a caption band under its QR" python3 "$T/codes.py" png "$O" "$D"
check "every SVG has its code as text under the QR" python3 "$T/codes.py" svg "$O" "$D"
python3 "$T/codes.py" list "$O" "$D" | sort >"$T/codes"
check "the codes are 300, and unique" test "$(sort -u "$T/codes" | wc -l)" -eq 300
check "tokens carry no NIP" bash -c "! grep -q '19[0-9]\{16\}' <(cut -f2 '$T/tokens.tsv')"
check "amounts follow the policy (pelaksana 50000)" \
	sh -c "awk -F'\t' '\$5==\"pelaksana\" && \$4!=50000' '$T/tokens.tsv' | grep -q . && exit 1 || exit 0"
check "fungsional amounts are 2% of TPP within 75000..150000" \
	sh -c "awk -F'\t' '\$5==\"fungsional\" && (\$4<75000 || \$4>150000)' '$T/tokens.tsv' | grep -q . && exit 1 || exit 0"

vsum=$(python3 -c "import csv,sys; print(sum(int(r['amount']) for r in csv.DictReader(open('$O/vouchers.csv'))))")
dsum=$(python3 -c "import csv,sys; print(sum(int(r['amount']) for r in csv.DictReader(open('$O/deductions.csv'))))")
check "the deduction total equals the voucher total ($dsum)" test "$vsum" = "$dsum" -a "$vsum" -gt 0
check "NIPs in the CSV are text of 18 digits" \
	sh -c "cut -d, -f2 '$O/vouchers.csv' | tail -n +2 | grep -vqx '[0-9]\{18\}' && exit 1 || exit 0"

# deductions.xlsx, read back with a real reader (openpyxl, tests/xlsx_check.py):
# the rows of deductions.csv, NIPs and serials as text, amounts as rupiah.
/usr/bin/python3 "$D/xlsx_check.py" deductions "$O" ||
	fail "deductions.xlsx: xlsx_check.py found the problems above, or could not run"
check "no temporary file is left beside the outputs" sh -c "! ls '$O' | grep -q tmp"

# OPD names Excel cannot take as sheet names: longer than 31 characters,
# with '/' and ':', two alike in their first 31, one of case only, the
# summary's name, an apostrophe, a 2-byte character as the 31st, [ ] * ?.
e_acute=$'\xC3\xA9' # é, 2 bytes
cat >"$T/odd.csv" <<CSV
nip,name,opd,class
197203151998031101,Satu,Dinas Koperasi/UMKM: Bidang Usaha Mikro dan Kecil,pelaksana
197203151998031102,Dua,Dinas Koperasi/UMKM: Bidang Usaha Menengah,pelaksana
197203151998031103,Tiga,Dinas Kesehatan,pelaksana
197203151998031104,Empat,DINAS KESEHATAN,pelaksana
197203151998031105,Lima,Ringkasan,pelaksana
197203151998031106,Enam,Kantor Camat Kota's,pelaksana
197203151998031107,Tujuh,Dinas Pariwisata dan Kebudayaa$e_acute Kota Lama,pelaksana
197203151998031108,Delapan,[Sekretariat DPRD]*?,pelaksana
CSV
expect_status 0 "issue for OPDs of odd names" "$BIN/voucher-issuer" issue --ledger "$T/ledger8" \
	--keys "$K" --roster "$T/odd.csv" --policy "$D/data/policy.ini" --period "$PERIOD" --out "$T/out8"
/usr/bin/python3 "$D/xlsx_check.py" deductions "$T/out8" ||
	fail "deductions.xlsx of odd OPD names: xlsx_check.py found the problems above, or could not run"
odd_sheets=(Ringkasan "DINAS KESEHATAN" "Dinas Kesehatan (2)" "Dinas Koperasi-UMKM- Bidang Usa"
	"Dinas Koperasi-UMKM- Bidang (2)" "Dinas Pariwisata dan Kebudayaa$e_acute"
	"Kantor Camat Kota's" "Ringkasan (2)" "(Sekretariat DPRD)__")
check "their sheet names: cut to 31 on a character boundary, numbered when taken" test \
	"$(/usr/bin/python3 -c 'import openpyxl, sys; print("|".join(openpyxl.load_workbook(sys.argv[1]).sheetnames))' \
		"$T/out8/deductions.xlsx")" = "$(IFS='|'; echo "${odd_sheets[*]}")"

# Sheets: one PDF per OPD; a rendered page decodes.
check "one PDF per OPD" test "$(ls "$O/sheets" | grep -c '\.pdf$')" -eq 6
pdf=$(ls "$O"/sheets/*.pdf | head -n 1)
pdftoppm -r 150 -png -f 1 -l 1 "$pdf" "$T/page" 2>/dev/null
page=$(ls "$T"/page*.png | head -n 1)
zbarimg --raw -q -Sdisable -Sqrcode.enable "$page" 2>/dev/null | sort >"$T/page.codes"
check "a rendered PDF page decodes to issued tokens" \
	bash -c "test -s '$T/page.codes' && ! grep -vxF -f <(cut -f2 '$T/tokens.tsv') '$T/page.codes'"
check "the sheets mask NIPs" sh -c "pdftotext '$pdf' - 2>/dev/null | grep -q '[0-9]\{4\}\*\{10\}[0-9]\{4\}'"
check "the sheets do not print a whole NIP" sh -c "! pdftotext '$pdf' - 2>/dev/null | grep -q '[0-9]\{18\}'"
for f in "$O"/sheets/*.pdf; do pdftotext "$f" - 2>/dev/null; done |
	grep -o '[0-9A-Z]\{4\}-[0-9A-Z]\{4\}-[0-9A-Z]\{4\}' | sort >"$T/sheet.codes"
check "the sheets print each card's code, once" cmp -s "$T/codes" "$T/sheet.codes"

# Issuing again: nothing new, and it says how many were already issued.
expect_status 0 "issuing again for the same period" "$BIN/voucher-issuer" issue --ledger "$L" --keys "$K" \
	--roster "$T/roster.csv" --policy "$D/data/policy.ini" --period "$PERIOD" --out "$T/out2"
check "the second run issues nothing" grep -q 'issued now: 0 vouchers' "$T/last.out"
check "and reports 300 already issued" grep -q 'already issued before: 300' "$T/last.out"
check "the second run's lists are the same vouchers" \
	cmp -s <(sort "$O/vouchers.csv") <(sort "$T/out2/vouchers.csv")

# The Indonesian Excel form: ';', a BOM, CRLF, columns in another order.
python3 - "$T/roster.csv" "$T/roster-excel.csv" <<'PY'
import csv, sys
rows = list(csv.reader(open(sys.argv[1], newline="")))
order = [3, 5, 0, 2, 4, 1]
with open(sys.argv[2], "w", newline="", encoding="utf-8-sig") as f:
    w = csv.writer(f, delimiter=";", lineterminator="\r\n")
    for r in rows:
        w.writerow([r[i] for i in order])
PY
expect_status 0 "the ';' + BOM + CRLF roster issues" "$BIN/voucher-issuer" issue --ledger "$T/ledger2" \
	--keys "$K" --roster "$T/roster-excel.csv" --policy "$D/data/policy.ini" --period "$PERIOD" --out "$T/out3"
strip() { python3 -c "import csv,sys; [print(r['nip'],r['name'],r['opd'],r['class'],r['amount'],r['period'],sep='|') for r in csv.DictReader(open(sys.argv[1]))]" "$1" | sort; }
check "and gives the same vouchers (but for serials)" cmp -s <(strip "$O/vouchers.csv") <(strip "$T/out3/vouchers.csv")

# Bad rows: each reported as FILE:LINE, nothing issued, exit 1.
{
	echo "nip,name,opd,class,tpp"
	echo "197203151998031039,Baik Satu,Dinas Kesehatan,pelaksana,3000000"        # 2 good
	echo "19720315199803103,Pendek,Dinas Kesehatan,pelaksana,3000000"            # 3 bad NIP
	echo "197203151998031039,Ganda,Dinas Kesehatan,pelaksana,3000000"            # 4 duplicate
	echo "197203151998031040,Kelas,Dinas Kesehatan,direktur,3000000"             # 5 unknown class
	echo "197203151998031041,,Dinas Kesehatan,pelaksana,3000000"                 # 6 no name
	echo "197203151998031042,Tanpa OPD,,pelaksana,3000000"                       # 7 no OPD
	echo "197203151998031043,TPP Rusak,Dinas Kesehatan,fungsional,tiga juta"     # 8 bad TPP
	echo "1.97203E+17,Excel,Dinas Kesehatan,pelaksana,3000000"                   # 9 Excel mangled
} >"$T/bad.csv"
expect_status 1 "a roster with bad rows is refused" "$BIN/voucher-issuer" issue --ledger "$T/ledger3" \
	--keys "$K" --roster "$T/bad.csv" --policy "$D/data/policy.ini" --period "$PERIOD" --out "$T/out4"
for line in 3 4 5 6 7 8 9; do
	check "bad row at line $line is reported as FILE:LINE" grep -q "bad.csv:$line: " "$T/last.err"
done
check "the good line 2 is not reported" sh -c "! grep -q 'bad.csv:2: ' '$T/last.err'"
check "nothing was written" test ! -e "$T/out4/vouchers.csv"
check "no NIP or name is printed in the problems" sh -c "! grep -Eq '197203151998031039|Ganda' '$T/last.err'"
expect_status 0 "--skip-invalid issues the good rows" "$BIN/voucher-issuer" issue --ledger "$T/ledger3" \
	--keys "$K" --roster "$T/bad.csv" --policy "$D/data/policy.ini" --period "$PERIOD" --out "$T/out4" --skip-invalid
check "exactly the one good row" test "$(($(wc -l <"$T/out4/vouchers.csv") - 1))" -eq 1

# A roster with nobody active (the month everyone on it retired): nothing is
# issued, and the lists payroll takes are there, with their headers only.
{ head -n 1 "$T/roster.csv"; tail -n 3 "$T/roster.csv"; } >"$T/inactive.csv"
expect_status 0 "a roster with nobody active issues nothing" "$BIN/voucher-issuer" issue \
	--ledger "$T/ledger7" --keys "$K" --roster "$T/inactive.csv" --policy "$D/data/policy.ini" \
	--period "$PERIOD" --out "$T/out7"
check "and says so" grep -q 'issued now: 0 vouchers' "$T/last.out"
check "deductions.csv is its header alone" \
	test "$(cat "$T/out7/deductions.csv")" = "nip,name,opd,period,amount,serial"

# A bad policy names its line.
printf '[scheme]\nissuer = X\ntimezone = Asia/Jakarta\n[class.a]\namount = lima\n' >"$T/bad.ini"
expect_status 1 "a bad policy is refused" "$BIN/voucher-issuer" issue --ledger "$T/ledger5" --keys "$K" \
	--roster "$T/roster.csv" --policy "$T/bad.ini" --period "$PERIOD" --out "$T/out5"
check "with FILE:LINE" grep -q "bad.ini:5: " "$T/last.err"

# A private key others can read is refused, as ssh does.
chmod 644 "$K/K1.key"
expect_status 1 "a world-readable key is refused" "$BIN/voucher-issuer" issue --ledger "$T/ledger6" --keys "$K" \
	--roster "$T/roster.csv" --policy "$D/data/policy.ini" --period "$PERIOD" --out "$T/out6"
check "nothing issued with it" test ! -e "$T/out6/vouchers.csv"
chmod 600 "$K/K1.key"

# Revoke, reissue, revocation list.
s1=$(sed -n 1p "$T/tokens.tsv" | cut -f1) s2=$(sed -n 2p "$T/tokens.tsv" | cut -f1)
expect_status 0 "revoke a voucher" "$BIN/voucher-issuer" revoke --ledger "$L" --keys "$K" --serial "$s1" --reason "ASN pensiun"
expect_status 1 "revoking it twice is refused" "$BIN/voucher-issuer" revoke --ledger "$L" --keys "$K" --serial "$s1" --reason x
expect_status 1 "revoking an unknown serial is refused" "$BIN/voucher-issuer" revoke --ledger "$L" --keys "$K" --serial 0123456789ABCDEF --reason x
expect_status 0 "reissue a lost voucher" "$BIN/voucher-issuer" reissue --ledger "$L" --keys "$K" \
	--policy "$D/data/policy.ini" --serial "$s2" --out "$T/out7"
new=$(grep -o 'replaced by [0-9A-F]*' "$T/last.out" | cut -d' ' -f3)
check "the replacement is in the new lists, the lost one is not" \
	sh -c "grep -q '^$new,' '$T/out7/vouchers.csv' && ! grep -q '^$s2,' '$T/out7/vouchers.csv'"
check "one voucher per NIP still" test "$(cut -d, -f2 "$T/out7/vouchers.csv" | sort | uniq -d | wc -l)" -eq 0
check "the reissue's lists have every voucher's code, the replacement's too" \
	python3 "$T/codes.py" csv "$T/out7" "$D"
expect_status 0 "write the signed revocation list" "$BIN/voucher-issuer" revocations --ledger "$L" --keys "$K" --out "$T/revoked.txt"
check "it lists both revoked serials" sh -c "grep -q 'revoked $s1' '$T/revoked.txt' && grep -q 'revoked $s2' '$T/revoked.txt'"
check "it is signed" grep -q '^signature ' "$T/revoked.txt"
