#!/usr/bin/env python3
"""The short code of docs/FORMAT.md, written again from the spec (an oracle
for the tests, independent of common/shortcode.c).

  shortcode.py code TOKEN              the printed code of a voucher's text
  shortcode.py lookup CODE SALT ITER   its lookup value under a manifest's
                                       salt and iterations (Base64url)
  shortcode.py typo CODE               the code with one symbol changed
  shortcode.py unknown SEED            a well-formed code no voucher has
"""
import base64
import hashlib
import sys

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
B45 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:"


def base45_decode(s):
    out = bytearray()
    for i in range(0, len(s), 3):
        chunk = [B45.index(c) for c in s[i:i + 3]]
        n = sum(v * 45 ** k for k, v in enumerate(chunk))
        out += n.to_bytes(2, "big") if len(chunk) == 3 else bytes([n])
    return bytes(out)


def check(values):
    return sum((i + 1) * v for i, v in enumerate(values)) % 31


def printed(symbols):
    return "-".join(symbols[i:i + 4] for i in range(0, 12, 4))


def code_of(token_text):
    assert token_text.startswith("UV1:")
    token = base45_decode(token_text[4:])
    h = hashlib.sha256(b"UMKM-CODE-v1\0" + token).digest()
    bits = int.from_bytes(h[:7], "big") >> 1
    values = [(bits >> (5 * (10 - i))) & 31 for i in range(11)]
    return printed("".join(ALPHABET[v] for v in values) + ALPHABET[check(values)])


def canonical(code):
    return code.replace("-", "")


def lookup(code, salt, iterations):
    salt = base64.urlsafe_b64decode(salt + "=" * (-len(salt) % 4))
    dk = hashlib.pbkdf2_hmac("sha256", canonical(code).encode(), salt, int(iterations), 32)
    v = hashlib.sha256(b"UMKM-CODE-LOOKUP\0" + dk).digest()[:16]
    return base64.urlsafe_b64encode(v).rstrip(b"=").decode()


def typo(code):
    s = list(canonical(code))
    s[3] = ALPHABET[(ALPHABET.index(s[3]) + 2) % 32]
    return printed("".join(s))


def unknown(seed):
    values = [int(b) % 32 for b in hashlib.sha256(seed.encode()).digest()[:11]]
    return printed("".join(ALPHABET[v] for v in values) + ALPHABET[check(values)])


if __name__ == "__main__":
    cmd, args = sys.argv[1], sys.argv[2:]
    print({"code": code_of, "lookup": lookup, "typo": typo, "unknown": unknown}[cmd](*args))
