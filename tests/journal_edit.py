#!/usr/bin/env python3
"""journal_edit.py IN OUT [--drop RID:KIND ...] [--add-void RID] [--resign KEYFILE]

Edit an exported journal as an attacker would, then make it look whole
again: the hash chain recomputed (seq, prev_hash, hash) and the head's
fields (count, last seq and hash, totals) rewritten to match the lines.

  --drop RID:KIND   remove the entry of that redemption id and kind (redeem or void)
  --add-void RID    add a void of that redemption, with the redemption's receipt
                    (a courier has no key to sign one of its own)
  --resign KEYFILE  sign the head again with that key (PKCS#8 PEM: the redeemer's
                    receipt.key), as the redeemer's operator could; without it the
                    head keeps its old signature, as anyone else must

The head's signature is made with `openssl pkeyutl -rawin` over the domain, a
zero byte and the head's body (docs/FORMAT.md, "The journal").
"""
import argparse
import base64
import hashlib
import subprocess
import tempfile


def rechain(entries):
    prev = "0" * 64
    out = []
    for seq, f in enumerate(entries, 1):
        f = f[:12]
        f[0] = str(seq)
        core = ",".join(f)
        h = hashlib.sha256((prev + "," + core).encode()).hexdigest()
        out.append(f + [prev, h])
        prev = h
    return out, prev


def sign(keyfile, body):
    with tempfile.NamedTemporaryFile() as msg, tempfile.NamedTemporaryFile() as sig:
        msg.write(b"UMKM-JOURNAL-HEAD-v2\0" + body.encode())
        msg.flush()
        subprocess.run(["openssl", "pkeyutl", "-sign", "-rawin", "-inkey", keyfile,
                        "-in", msg.name, "-out", sig.name], check=True)
        return base64.urlsafe_b64encode(open(sig.name, "rb").read()).decode().rstrip("=")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("src")
    ap.add_argument("dst")
    ap.add_argument("--drop", action="append", default=[])
    ap.add_argument("--add-void")
    ap.add_argument("--resign")
    a = ap.parse_args()

    lines = open(a.src, newline="").read().split("\n")
    if lines[-1] == "":
        lines.pop()
    header, head = lines[0], lines[-1].split(",")
    entries = [l.split(",") for l in lines[1:-1]]
    for d in a.drop:
        rid, kind = d.split(":")
        entries = [f for f in entries if not (f[3] == rid and f[2] == kind)]
    if a.add_void:
        red = next(f for f in entries if f[3] == a.add_void and f[2] == "redeem")
        void = list(red)
        void[2] = "void"
        void[7] = str(int(red[7]) + int(red[6]))
        entries.append(void)
    entries, last = rechain(entries)

    parts = head[11].split("|")
    parts[2:8] = ["1", str(len(entries)), str(len(entries)), last,
                  str(sum(int(f[6]) for f in entries if f[2] == "redeem")),
                  str(sum(int(f[6]) for f in entries if f[2] == "void"))]
    if a.resign:
        parts[10] = sign(a.resign, "|".join(parts[:10]))
    head[11] = "|".join(parts)
    with open(a.dst, "w", newline="") as f:
        f.write("\n".join([header] + [",".join(e) for e in entries] + [",".join(head)]) + "\n")


if __name__ == "__main__":
    main()
