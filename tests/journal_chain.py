#!/usr/bin/env python3
"""journal_chain.py JOURNAL.csv [ENTRIES]: check the hash chain of a journal
written by `voucher-redeemer export`, and that its last line is a head that
says what the entries are. Exits 0 if so (and, if ENTRIES is given, it holds
that many entries); otherwise says on stderr where it first breaks and
exits 1. tests/lib.sh's check_chain runs it. The head's signature is not
checked here: reconcile does that.

The chain, as redeemer/store_journal.c writes it: seq counts from 1;
prev_hash is the previous entry's hash (64 zeros for the first); hash is the
lowercase hex SHA-256 of prev_hash + "," + the entry's first 12 fields as
written. The head line: ",TIME,head,,,PERIOD,,,,,,UH2|PERIOD|1|LAST|COUNT|
LAST_HASH|REDEEMED|VOIDED|TIME|KID|SIG,," (docs/FORMAT.md).
"""
import hashlib
import sys

HEADER = ("seq,time,kind,redemption_id,serial,period,amount,remaining,"
          "merchant,gallery,terminal,receipt,prev_hash,hash")


def problem(lines):
    """What is wrong with the journal whose text lines (header first, without
    line ends) are given, or None if its chain is intact."""
    if not lines or lines[0] != HEADER:
        return "not a journal: the first line is not the journal's header"
    if len(lines) < 2 or lines[-1].split(",")[2:3] != ["head"]:
        return "the last line is not the journal's head"
    prev = "0" * 64
    totals = {"redeem": 0, "void": 0}
    for seq, line in enumerate(lines[1:-1], 1):
        # The hash covers the fields as written, so take them from the line
        # itself rather than from a CSV parser's reading of it.
        fields = line.split(",")
        if len(fields) != 14:
            return f"entry {seq}: {len(fields)} fields, not 14"
        core, prev_hash, hash_ = line.rsplit(",", 2)
        if fields[0] != str(seq):
            return f"entry {seq}: its seq is {fields[0]!r}"
        if prev_hash != prev:
            return f"entry {seq}: its prev_hash is not the hash of the entry before it"
        if hash_ != hashlib.sha256((prev + "," + core).encode()).hexdigest():
            return f"entry {seq}: its hash is not the SHA-256 of its line"
        prev = hash_
        kind = {"offline": "redeem"}.get(fields[2], fields[2])  # a conflict moves no money
        totals[kind] = totals.get(kind, 0) + int(fields[6])
    head = lines[-1].split(",")
    parts = head[11].split("|") if len(head) == 14 else []
    count = len(lines) - 2
    want = ["UH2", head[5] if parts else "", "1", str(count), str(count), prev,
            str(totals["redeem"]), str(totals["void"])]
    if len(parts) != 11 or parts[:8] != want:
        return f"the head {head[11] if len(head) == 14 else lines[-1]!r} does not say {want}"
    return None


def main(argv):
    if len(argv) not in (2, 3):
        sys.exit(__doc__.split("\n\n")[0])
    try:
        with open(argv[1], newline="") as f:
            lines = f.read().split("\n")
    except (OSError, UnicodeDecodeError) as e:
        print(f"{argv[1]}: {e}", file=sys.stderr)
        return 1
    if lines and lines[-1] == "":
        lines.pop()  # the end of the last line
    why = problem(lines)
    if why is None and len(argv) == 3 and len(lines) - 2 != int(argv[2]):
        why = f"{len(lines) - 2} entries, not {argv[2]}"
    if why is not None:
        print(f"{argv[1]}: {why}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
