#!/usr/bin/env python3
"""journal_seeds.py DIR: write the seed journals of fuzz_journal and fuzz_reconcile
into DIR.

They are signed as the redeemer signs (docs/FORMAT.md): every receipt a tree
of one, and the head, by the receipt key R-TEST0001 whose seed is RFC 8032
TEST 2's, as the harness's keyring holds it. Signing is `openssl pkeyutl
-rawin`; the seeds only change when this file does (run it by hand, then
commit the corpus).
"""
import base64
import hashlib
import os
import subprocess
import sys
import tempfile

SEED = bytes.fromhex("4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb")
KID = "R-TEST0001"
HEADER = ("seq,time,kind,redemption_id,serial,period,amount,remaining,merchant,gallery,"
          "terminal,receipt,prev_hash,hash")
EXPORTED = "2027-01-06T00:00:00Z"


def b64u(b):
    return base64.urlsafe_b64encode(b).decode().rstrip("=")


class Key:
    def __init__(self, tmp):
        # PKCS#8 of an Ed25519 seed: a fixed prefix, then the seed.
        der = bytes.fromhex("302e020100300506032b657004220420") + SEED
        self.path = os.path.join(tmp, "key.pem")
        subprocess.run(["openssl", "pkey", "-inform", "DER", "-out", self.path],
                       input=der, check=True)
        self.tmp = tmp

    def sign(self, msg):
        m, s = os.path.join(self.tmp, "m"), os.path.join(self.tmp, "s")
        open(m, "wb").write(msg)
        subprocess.run(["openssl", "pkeyutl", "-sign", "-rawin", "-inkey", self.path,
                        "-in", m, "-out", s], check=True)
        return b64u(open(s, "rb").read())


def receipt(key, kind, rid, serial, amount, remaining, merchant, gallery, terminal, time):
    body = "|".join(["URV2" if kind == "void" else "UR2", rid, serial, str(amount),
                     str(remaining), merchant, gallery, str(terminal), time, KID])
    leaf = hashlib.sha256(b"\0UMKM-RECEIPT-v2\0" + body.encode()).digest()
    return body + "||" + key.sign(b"UMKM-RECEIPT-v2\0" + leaf)


def journal(key, entries, edit=None):
    """The export of entries (time, kind, n, serial, amount, remaining,
    merchant, gallery, terminal); edit(fields) may change a line's fields
    after its receipt is signed and before it is chained."""
    prev, lines, redeemed, voided = "0" * 64, [HEADER], 0, 0
    for seq, (time, kind, n, serial, amount, remaining, m, g, t) in enumerate(entries, 1):
        rid = f"{KID}-202612-{n}"
        f = [str(seq), time, kind, rid, serial, "2026-12", str(amount), str(remaining), m, g,
             str(t), receipt(key, kind, rid, serial, amount, remaining, m, g, t, time)]
        if edit:
            f = edit(seq, f)
        h = hashlib.sha256((prev + "," + ",".join(f)).encode()).hexdigest()
        lines.append(",".join(f + [prev, h]))
        prev = h
        redeemed += amount if kind == "redeem" else 0
        voided += amount if kind == "void" else 0
    body = "|".join(["UH2", "2026-12", "1", str(len(entries)), str(len(entries)), prev,
                     str(redeemed), str(voided), EXPORTED, KID])
    head = body + "|" + key.sign(b"UMKM-JOURNAL-HEAD-v2\0" + body.encode())
    lines.append(f",{EXPORTED},head,,,2026-12,,,,,,{head},,")
    return "\n".join(lines) + "\n"


S1, S2, S3, S4, SX = ("1000000000000001", "1000000000000002", "1000000000000003",
                      "1000000000000004", "2000000000000009")
MONTH = [
    ("2026-12-02T03:00:00Z", "redeem", 1, S1, 60000, 40000, "M1", "G1", 1),
    ("2026-12-02T04:00:00Z", "redeem", 2, S1, 40000, 0, "M2", "G2", 2),
    ("2026-12-05T02:00:00Z", "redeem", 3, S2, 30000, 70000, "M1", "G1", 1),
    ("2026-12-11T02:00:00Z", "redeem", 4, S3, 50000, 50000, "M1", "G2", 3),
    ("2026-12-12T02:00:00Z", "redeem", 5, S4, 20000, 30000, "M2", "G2", 2),
    ("2026-12-12T03:00:00Z", "void", 5, S4, 20000, 50000, "M2", "G2", 2),
    ("2026-12-21T02:00:00Z", "redeem", 6, S4, 10000, 40000, "M2", "G2", 2),
]
ANOMALIES = [
    ("2026-12-03T03:00:00Z", "redeem", 1, S1, 100000, 0, "M1", "G1", 1),
    ("2026-12-03T03:05:00Z", "redeem", 2, SX, 5000, 0, "M1", "G1", 1),
    ("2027-01-05T03:00:00Z", "redeem", 4, S3, 150000, 0, "M3", "G9", 4),
    ("2026-12-04T03:00:00Z", "void", 9, S1, 100, 100, "M1", "G1", 1),
]
DUPLICATES = [MONTH[0], MONTH[0], ("2026-12-02T03:00:00Z", "redeem", 1, S1, 70000, 30000,
                                   "M1", "G1", 1)]


def quote_first(seq, f):
    if seq == 1:
        f[8], f[11] = '"' + f[8] + '"', '"' + f[11] + '"'
    return f


def main():
    out = sys.argv[1]
    with tempfile.TemporaryDirectory() as tmp:
        key = Key(tmp)
        month = journal(key, MONTH)
        seeds = {
            "month": month,
            "crlf": month.replace("\n", "\r\n"),
            "quoted": journal(key, MONTH, quote_first),
            "edited": journal(key, MONTH, lambda s, f: f[:6] + ["40001"] + f[7:] if s == 2 else f),
            "anomalies": journal(key, ANOMALIES),
            "duplicates": journal(key, DUPLICATES),
            "header_only": journal(key, []),
            "short_line": "\n".join(month.split("\n")[:2] + [month.split("\n")[2].rsplit(",", 1)[0]]) + "\n",
            "open_quote": HEADER + '\n1,"2026-12-02T03:00:00Z,redeem\n',
        }
        # The month with a pinned head (after three entries) and the receipts
        # merchants hold, after the marker fuzz_reconcile splits at (fuzz_journal
        # refuses what follows the head).
        three = journal(key, MONTH[:3])
        rows = [l.split(",") for l in month.split("\n")[1:-2]]
        seeds["pinned"] = (month + "#--pins--\n" + '{"head": "' + three.split("\n")[-2].split(",")[11]
                           + '"}\n' + "\n".join(r[11] for r in rows) + "\n")
        for name, text in seeds.items():
            with open(os.path.join(out, name), "w", newline="") as f:
                f.write(text)


if __name__ == "__main__":
    main()
