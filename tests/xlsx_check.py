#!/usr/bin/python3
"""Check a workbook the issuer wrote against its CSVs, with a real reader.

    /usr/bin/python3 tests/xlsx_check.py deductions OUTDIR
    /usr/bin/python3 tests/xlsx_check.py report REPORTDIR yes|no [EARLIERDIR ...]

deductions: OUTDIR/deductions.xlsx against OUTDIR/deductions.csv.
report: REPORTDIR/report.xlsx against per_asn.csv, per_opd.csv,
settlement.csv, payments.csv (when there is one) and anomalies.csv; yes|no
is whether the month balances. Each EARLIERDIR is the report of an earlier
period: its per_opd.csv must be that period's column of "Kepatuhan 12 bulan".

Prints "ok - ..." or "not ok - ..." for each check (tests/lib.sh's form)
and exits 1 if one failed. Runs with Debian's python3-openpyxl, so with
/usr/bin/python3 (a pyenv python3 does not see Debian's packages).
"""
import csv
import re
import sys
import traceback

import openpyxl
from openpyxl.utils import get_column_letter

RUPIAH = "[$Rp-421]#,##0;-[$Rp-421]#,##0"
FORBIDDEN = set('[]:*?/\\')
failed = False


def check(what, fn, *args):
    """Run fn(*args), which returns a list of problems; one TAP line."""
    global failed
    try:
        problems = fn(*args)
    except AssertionError as e:  # a sheet not made as a table: no header row to find
        problems = [str(e)]
    except Exception:  # a crash is a failure of this check, not of the rest
        problems = traceback.format_exc().splitlines()
    if problems:
        failed = True
        print("not ok - " + what)
        for p in problems[:10]:
            print("#   " + str(p))
        if len(problems) > 10:
            print("#   ... and %d more" % (len(problems) - 10))
    else:
        print("ok - " + what)


def undefused(v):
    """A CSV field as written before common/csvw.c defused it ("'=x" is
    "=x"): the workbook holds the text itself, in a cell that is never a
    formula."""
    return v[1:] if len(v) > 1 and v[0] == "'" and v[1] in "=+-@\t\r" else v


def read_csv(path):
    with open(path, newline="", encoding="utf-8") as f:
        return [{k: undefused(v) for k, v in r.items()} for r in csv.DictReader(f)]


def utf16_units(s):
    return len(s.encode("utf-16-le")) // 2


def is_number(v):
    return isinstance(v, (int, float)) and not isinstance(v, bool)


class Table:
    """A sheet of the conventions: title rows, a header row (the row above
    the frozen pane), the data (to the autofilter's last row), totals."""

    def __init__(self, ws):
        self.ws = ws
        m = re.fullmatch(r"A(\d+)", ws.freeze_panes or "")
        if not m or int(m[1]) < 2:
            raise AssertionError("%s: no frozen header row (%r)" % (ws.title, ws.freeze_panes))
        self.header_row = int(m[1]) - 1
        rows = list(ws.iter_rows())
        self.header = [c.value for c in rows[self.header_row - 1]]
        while self.header and self.header[-1] is None:
            self.header.pop()
        self.ncols = len(self.header)
        ref = ws.auto_filter.ref or ""
        m = re.fullmatch(r"A(\d+):([A-Z]+)(\d+)", ref)
        self.filter_ok = bool(m) and int(m[1]) == self.header_row and \
            m[2] == get_column_letter(self.ncols)
        self.data_end = int(m[3]) if m else len(rows)
        self.cells = [r[:self.ncols] for r in rows[self.header_row:self.data_end]]
        self.data = [[c.value for c in r] for r in self.cells]
        self.totals = [[c.value for c in r[:self.ncols]] for r in rows[self.data_end:]]
        self.title = rows[0][0].value if self.header_row > 1 else None

    def column(self, name):
        return self.header.index(name)


def conventions(ws):
    """Frozen and filtered header in bold, A4 with the header repeated, fit
    to one page wide."""
    p = []
    t = Table(ws)
    if not t.filter_ok:
        p.append("%s: the autofilter %r is not over the header row %d and its %d columns" %
                 (ws.title, ws.auto_filter.ref, t.header_row, t.ncols))
    hdr = list(ws.iter_rows(min_row=t.header_row, max_row=t.header_row))[0][:t.ncols]
    if not all(c.font.b for c in hdr):
        p.append("%s: the header row is not bold" % ws.title)
    if str(ws.page_setup.paperSize) != "9":
        p.append("%s: paper %r, not A4 (9)" % (ws.title, ws.page_setup.paperSize))
    m = re.fullmatch(r"\$?(\d+):\$?(\d+)", ws.print_title_rows or "")
    if not m or int(m[1]) > t.header_row or int(m[2]) != t.header_row:
        p.append("%s: printed pages repeat rows %r, not the header (row %d)" %
                 (ws.title, ws.print_title_rows, t.header_row))
    ps = ws.page_setup
    if not (ws.sheet_properties.pageSetUpPr and ws.sheet_properties.pageSetUpPr.fitToPage):
        p.append("%s: not fit to a page" % ws.title)
    if ps.fitToWidth not in (None, 1) or ps.fitToHeight not in (0, "0"):
        p.append("%s: fit to %r wide, %r tall; wanted 1 wide" % (ws.title, ps.fitToWidth,
                                                                  ps.fitToHeight))
    return p


def sheet_names_valid(names):
    p = []
    seen = set()
    for n in names:
        if not 1 <= utf16_units(n) <= 31:
            p.append("%r: %d UTF-16 units" % (n, utf16_units(n)))
        if FORBIDDEN & set(n):
            p.append("%r: a character Excel refuses" % n)
        if n.startswith("'") or n.endswith("'"):
            p.append("%r: an apostrophe at an end" % n)
        if n.casefold() in seen or n.casefold() == "history":
            p.append("%r: not unique (case aside) or reserved" % n)
        seen.add(n.casefold())
    return p


def text_cell(c, want, what):
    """c holds want as a string cell."""
    if not isinstance(c.value, str) or c.value != want:
        return ["%s %s: %r (%s), not the text %r" % (what, c.coordinate, c.value,
                                                   type(c.value).__name__, want)]
    return []


def money_cell(c, want, what):
    if not is_number(c.value) or c.value != int(want):
        return ["%s %s: %r, not the number %s" % (what, c.coordinate, c.value, want)]
    if c.number_format != RUPIAH:
        return ["%s %s: number format %r, not rupiah" % (what, c.coordinate, c.number_format)]
    return []


def count_cell(c, want, what):
    if not is_number(c.value) or c.value != int(want):
        return ["%s %s: %r, not the number %s" % (what, c.coordinate, c.value, want)]
    return []


def nip_cell(c, want, what):
    p = text_cell(c, want, what)
    if not p and not re.fullmatch(r"[0-9]{18}", c.value):
        p.append("%s %s: %r is not 18 digits" % (what, c.coordinate, c.value))
    return p


def serial_cell(c, want, what):
    p = text_cell(c, want, what)
    if not p and not re.fullmatch(r"[0-9A-F]{16}", c.value):
        p.append("%s %s: %r is not a serial" % (what, c.coordinate, c.value))
    return p


def plain_cell(c, want, what):
    got = "" if c.value is None else c.value
    if got != want:
        return ["%s %s: %r, not %r" % (what, c.coordinate, c.value, want)]
    return []


# ---- deductions.xlsx ----

def deductions(out):
    wb = openpyxl.load_workbook(out + "/deductions.xlsx")
    rows = read_csv(out + "/deductions.csv")
    opds = list(dict.fromkeys(r["opd"] for r in rows))
    names = wb.sheetnames
    period = rows[0]["period"] if rows else None

    def sheets():
        if names[0] != "Ringkasan" or len(names) != 1 + len(opds):
            return ["sheets %r: wanted Ringkasan and one per OPD (%d)" % (names, len(opds))]
        p = []
        for name, opd in zip(names[1:], opds):
            t = Table(wb[name])
            got = {r[2] for r in t.data}
            if got != {opd}:
                p.append("sheet %r holds OPD %r, wanted %r (deductions.csv's order)" %
                         (name, got, opd))
            plain = utf16_units(opd) <= 31 and not FORBIDDEN & set(opd) and \
                opd.strip(" '") == opd and \
                sum(o.casefold() == opd.casefold() for o in opds + ["Ringkasan"]) == 1
            if plain and name != opd:
                p.append("sheet %r: OPD %r is a valid name as it is" % (name, opd))
        return p

    def rows_equal():
        p = []
        at = 0
        for name in names[1:]:
            t = Table(wb[name])
            if t.header != ["NIP", "Nama", "OPD", "Periode", "Potongan", "Serial voucher"]:
                p.append("%s: header %r" % (name, t.header))
            for cells in t.cells:
                if at >= len(rows):
                    p.append("%s: more rows than deductions.csv" % name)
                    break
                r = rows[at]
                at += 1
                w = "%s row of %s" % (name, r["serial"])
                p += nip_cell(cells[0], r["nip"], w)
                p += text_cell(cells[1], r["name"], w)
                p += text_cell(cells[2], r["opd"], w)
                p += text_cell(cells[3], r["period"], w)
                p += money_cell(cells[4], r["amount"], w)
                p += serial_cell(cells[5], r["serial"], w)
        if at != len(rows):
            p.append("%d rows in the OPD sheets, %d in deductions.csv" % (at, len(rows)))
        return p

    def summary():
        t = Table(wb["Ringkasan"])
        p = []
        if t.header != ["OPD", "Jumlah ASN", "Jumlah potongan"]:
            p.append("header %r" % t.header)
        if not t.title or period not in t.title:
            p.append("the title %r does not name the period %s" % (t.title, period))
        want = [[o, sum(r["opd"] == o for r in rows), sum(int(r["amount"]) for r in rows
                                                          if r["opd"] == o)] for o in opds]
        if t.data != want:
            p.append("per OPD %r, wanted %r" % (t.data, want))
        for cells in t.cells:
            p += money_cell(cells[2], cells[2].value, "Ringkasan")
        grand = ["Jumlah seluruh OPD", len(rows), sum(int(r["amount"]) for r in rows)]
        if t.totals != [grand]:
            p.append("total row %r, wanted %r" % (t.totals, grand))
        sheets_sum = sum(r[4] for n in names[1:] for r in Table(wb[n]).data)
        if sheets_sum != grand[2]:
            p.append("the OPD sheets add up to %r, the CSV to %d" % (sheets_sum, grand[2]))
        return p

    check("deductions.xlsx: Ringkasan, then a sheet per OPD in deductions.csv's order", sheets)
    check("deductions.xlsx: sheet names are valid for Excel and unique", sheet_names_valid,
          names)
    check("deductions.xlsx: every row is deductions.csv's; NIPs are 18-digit text, serials "
          "text, amounts rupiah numbers", rows_equal)
    check("deductions.xlsx: Ringkasan has the period, each OPD's ASN and total, and the "
          "grand total, equal to the CSV's to the rupiah", summary)
    check("deductions.xlsx: every sheet's header is bold, frozen and filtered; A4, the header "
          "repeated, one page wide", lambda: sum((conventions(ws) for ws in wb.worksheets), []))


# ---- report.xlsx ----

MONTHS = ["Jan", "Feb", "Mar", "Apr", "Mei", "Jun", "Jul", "Agu", "Sep", "Okt", "Nov", "Des"]


def month_label(period):
    """"2026-12" as the report labels it: "Des 26"."""
    y, m = period.split("-")
    return "%s %s" % (MONTHS[int(m) - 1], y[2:])


def report(out, balanced, earlier):
    wb = openpyxl.load_workbook(out + "/report.xlsx")
    asn = read_csv(out + "/per_asn.csv")
    opd = read_csv(out + "/per_opd.csv")
    settle = read_csv(out + "/settlement.csv")
    anomalies = read_csv(out + "/anomalies.csv")
    try:
        pay = read_csv(out + "/payments.csv")
    except FileNotFoundError:
        pay = None
    sheets = ["Ringkasan", "Per OPD", "Kepatuhan 12 bulan", "Per ASN", "Belum memenuhi",
              "ASN berulang", "Pembayaran"] + (["Transfer bank"] if pay is not None else []) + \
        ["Anomali"]

    def names():
        return [] if wb.sheetnames == sheets else ["sheets %r, wanted %r" % (wb.sheetnames,
                                                                              sheets)]

    def per_asn(sheet, rows, cols):
        t = Table(wb[sheet])
        p = []
        if len(t.cells) != len(rows):
            p.append("%s: %d rows, per_asn.csv %d" % (sheet, len(t.cells), len(rows)))
        for cells, r in zip(t.cells, rows):
            w = "%s row of %s" % (sheet, r["serial"])
            for c, col in zip(cells, cols):
                if col == "nip":
                    p += nip_cell(c, r["nip"], w)
                elif col == "serial":
                    p += serial_cell(c, r["serial"], w)
                elif col in ("issued", "redeemed", "unspent"):
                    p += money_cell(c, r[col], w)
                elif col == "met_minimum":
                    p += text_cell(c, {"yes": "Ya", "no": "Tidak"}[r[col]], w)
                else:
                    p += text_cell(c, r[col], w)
        return p

    def per_opd():
        t = Table(wb["Per OPD"])
        p = []
        if len(t.cells) != len(opd):
            p.append("%d rows, per_opd.csv %d" % (len(t.cells), len(opd)))
        for cells, r in zip(t.cells, opd):
            w = "Per OPD row of %r" % r["opd"]
            p += text_cell(cells[0], r["opd"], w)
            p += count_cell(cells[1], r["asn"], w)
            for c, col in zip(cells[2:5], ("issued", "redeemed", "unspent")):
                p += money_cell(c, r[col], w)
            p += count_cell(cells[5], r["met_minimum"], w)
            v = cells[6].value
            if not is_number(v) or abs(v * 100 - float(r["compliance_pct"])) > 0.05 + 1e-9 or \
                    "%" not in cells[6].number_format:
                p.append("%s: compliance %r (%s), per_opd.csv %s%%" %
                         (w, v, cells[6].number_format, r["compliance_pct"]))
        return p

    def not_met():
        rows = [r for r in asn if r["met_minimum"] == "no"]
        t = Table(wb["Belum memenuhi"])
        p = per_asn("Belum memenuhi", rows,
                    ["opd", "nip", "name", "class", "serial", "issued", "redeemed", "unspent"])
        col = [r[0] for r in t.data]
        if col != sorted(col):
            p.append("the OPD column is not sorted: %r" % col)
        return p

    def payments():
        t = Table(wb["Pembayaran"])
        p = []
        if t.header[:5] != ["Pedagang", "Galeri", "Penukaran", "Pembatalan", "Jumlah dibayar"]:
            p.append("header %r" % t.header)
        if len(t.cells) != len(settle):
            p.append("%d rows, settlement.csv %d" % (len(t.cells), len(settle)))
        for cells, r in zip(t.cells, settle):
            w = "Pembayaran row of %s/%s" % (r["merchant"], r["gallery"])
            p += text_cell(cells[0], r["merchant"], w)
            p += text_cell(cells[1], r["gallery"], w)
            p += count_cell(cells[2], r["redemptions"], w)
            p += count_cell(cells[3], r["voids"], w)
            p += money_cell(cells[4], r["amount"], w)
        want = ["Jumlah", None] + [sum(int(r[c]) for r in settle)
                                   for c in ("redemptions", "voids", "amount")]
        if [r[:5] for r in t.totals] != [want]:
            p.append("total row %r, wanted %r" % (t.totals, want))
        # With a merchants file, the payee beside each merchant, as settlement.csv has it.
        if pay is None:
            return p + (["payee columns %r without --merchants" % t.header[5:]]
                        if len(t.header) != 5 else [])
        if t.header[5:] != ["Nama usaha", "Bank", "Nomor rekening", "Atas nama"]:
            p.append("payee header %r" % t.header[5:])
        for cells, r in zip(t.cells, settle):
            w = "Pembayaran row of %s/%s" % (r["merchant"], r["gallery"])
            for c, col in zip(cells[5:9], ("name", "bank", "account_number", "account_name")):
                p += text_cell(c, r[col] or "(tidak ada di daftar pedagang)", w)
        return p

    def transfers():
        t = Table(wb["Transfer bank"])
        cols = ["merchant", "name", "owner", "bank", "account_number", "account_name"]
        p = []
        if len(t.cells) != len(pay):
            p.append("%d rows, payments.csv %d" % (len(t.cells), len(pay)))
        for cells, r in zip(t.cells, pay):
            w = "Transfer bank row of %s" % r["merchant"]
            for c, col in zip(cells, cols):
                p += text_cell(c, r[col], w)
            p += money_cell(cells[6], r["amount"], w)
        total = sum(int(r["amount"]) for r in pay)
        if len(t.totals) != 1 or t.totals[0][0] != "Jumlah" or t.totals[0][6] != total:
            p.append("total row %r, wanted Jumlah ... %d" % (t.totals, total))
        return p

    def compliance_year():
        t = Table(wb["Kepatuhan 12 bulan"])
        p = []
        labels = t.header[2:]
        if t.header[:2] != ["Peringkat", "OPD"] or len(labels) != 12:
            return ["header %r" % t.header]
        if [r[0] for r in t.data] != list(range(1, len(opd) + 1)):
            p.append("ranks %r, wanted 1..%d" % ([r[0] for r in t.data], len(opd)))
        this = {r["opd"]: float(r["compliance_pct"]) for r in opd}
        if sorted(r[1] for r in t.data) != sorted(this):
            p.append("OPDs %r, per_opd.csv %r" % ([r[1] for r in t.data], sorted(this)))
        ranked = [this.get(r[1], -1) for r in t.data]
        if ranked != sorted(ranked, reverse=True):
            p.append("not ranked by this period's compliance: %r" % ranked)
        # Each earlier report given, and this one: its column is its per_opd.csv.
        for d in earlier + [out]:
            per = read_csv(d + "/per_opd.csv")
            with open(d + "/report.html", encoding="utf-8") as f:
                m = re.search(r"\((\d{4}-\d{2})\)", f.read())
            label = month_label(m[1])
            if label not in labels:
                p.append("no column %s for %s" % (label, d))
                continue
            k = 2 + labels.index(label)
            pct = {r["opd"]: float(r["compliance_pct"]) for r in per}
            for row in t.data:
                v = row[k]
                if row[1] in pct and (not is_number(v) or abs(v * 100 - pct[row[1]]) > 0.05 + 1e-9):
                    p.append("%s %s: %r, its per_opd.csv %s%%" % (row[1], label, v, pct[row[1]]))
        return p

    def repeated():
        t = Table(wb["ASN berulang"])
        p = []
        if t.header != ["OPD", "NIP", "Nama", "Tidak memenuhi", "Bulan ini"]:
            p.append("header %r" % t.header)
        by_nip = {r["nip"]: r for r in asn}
        for cells in t.cells:
            p += nip_cell(cells[1], str(cells[1].value), "ASN berulang")
            r = by_nip.get(cells[1].value)
            if r and cells[4].value != ("Tidak memenuhi" if r["met_minimum"] == "no"
                                        else "Memenuhi"):
                p.append("%s: this month %r, per_asn.csv met_minimum %s" %
                         (cells[1].value, cells[4].value, r["met_minimum"]))
        return p

    def anomaly_rows():
        t = Table(wb["Anomali"])
        p = []
        if len(t.cells) != len(anomalies):
            p.append("%d rows, anomalies.csv %d" % (len(t.cells), len(anomalies)))
        for cells, r in zip(t.cells, anomalies):
            p += text_cell(cells[0], r["kind"], "Anomali")
            p += serial_cell(cells[1], r["serial"], "Anomali")
            p += plain_cell(cells[2], r["detail"], "Anomali")
        return p

    def summary():
        t = Table(wb["Ringkasan"])
        got = {r[0]: r[1] for r in t.data}
        refund = sum(max(int(r["unspent"]), 0) for r in asn)
        want = {
            "Jumlah ASN": len(asn),
            "Total diterbitkan": sum(int(r["issued"]) for r in asn),
            "Total ditukarkan": sum(int(r["redeemed"]) for r in asn),
            "Tidak terpakai": sum(int(r["unspent"]) for r in asn),
            "Dibayarkan ke pedagang": sum(int(r["amount"]) for r in settle),
            "ASN memenuhi minimum": sum(r["met_minimum"] == "yes" for r in asn),
            "ASN belum memenuhi minimum": sum(r["met_minimum"] == "no" for r in asn),
            "Anomali": len(anomalies),
            "Seimbang": "Ya" if balanced == "yes" else "TIDAK",
        }
        label = [k for k in got if k.startswith(("Dikembalikan", "Hangus"))]
        p = ["%s: %r, wanted %r" % (k, got.get(k), v) for k, v in want.items()
             if got.get(k) != v or (is_number(v) and not is_number(got.get(k)))]
        if len(label) != 1 or got[label[0]] != refund:
            p.append("refund or forfeit %r, wanted %d" % ({k: got[k] for k in label}, refund))
        if got.get("Periode") not in (t.title or "") or not got.get("Periode"):
            p.append("the period %r is not in the title %r" % (got.get("Periode"), t.title))
        return p

    check("report.xlsx: the sheets " + ", ".join(sheets) + ", in order", names)
    check("report.xlsx: Ringkasan's figures equal the CSVs' to the rupiah", summary)
    check("report.xlsx: Per OPD is per_opd.csv", per_opd)
    check("report.xlsx: Per ASN is per_asn.csv; NIPs are 18-digit text, serials text, "
          "amounts rupiah numbers", per_asn, "Per ASN", asn,
          ["nip", "name", "opd", "class", "serial", "issued", "redeemed", "unspent",
           "met_minimum"])
    check("report.xlsx: Belum memenuhi is per_asn.csv's ASN who did not meet it, OPD sorted",
          not_met)
    check("report.xlsx: Pembayaran is settlement.csv, with its total", payments)
    if pay is not None:
        check("report.xlsx: Transfer bank is payments.csv, with its total", transfers)
    check("report.xlsx: Kepatuhan 12 bulan ranks per_opd.csv's OPDs, each earlier period's "
          "column its per_opd.csv", compliance_year)
    check("report.xlsx: ASN berulang has 18-digit text NIPs and this month's result",
          repeated)
    check("report.xlsx: Anomali is anomalies.csv", anomaly_rows)
    check("report.xlsx: every sheet's header is bold, frozen and filtered; A4, the header "
          "repeated, one page wide", lambda: sum((conventions(ws) for ws in wb.worksheets), []))


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "deductions":
        deductions(sys.argv[2])
    elif len(sys.argv) >= 4 and sys.argv[1] == "report" and sys.argv[3] in ("yes", "no"):
        report(sys.argv[2], sys.argv[3], sys.argv[4:])
    else:
        sys.exit(__doc__)
    sys.exit(1 if failed else 0)
