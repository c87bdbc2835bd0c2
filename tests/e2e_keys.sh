#!/bin/bash
# voucher-keys end to end: generate, list, retire, and the refusals.
. "$(dirname "$0")/lib.sh"
K=$T/keys

expect_status 0 "generate writes a key and a keyring" "$BIN/voucher-keys" generate --dir "$K" --kid K1
check "the private key has mode 0600" test "$(stat -c %a "$K/K1.key")" = 600
check "the private key is PKCS#8 PEM" grep -q '^-----BEGIN PRIVATE KEY-----$' "$K/K1.key"
check "the keyring has K1 as an unbound issuer key" \
	grep -Eq '^K1 issuer - [0-9]{4}-[0-9]{2}-[0-9]{2} - [A-Za-z0-9+/]{43}=$' "$K/keyring"
check "openssl reads the key as ED25519" sh -c "openssl pkey -in '$K/K1.key' -noout -text 2>/dev/null | grep -q ED25519"
pub_openssl=$(openssl pkey -in "$K/K1.key" -pubout -outform DER 2>/dev/null | tail -c 32 | base64)
check "the keyring's public key is the private key's" grep -q " $pub_openssl\$" "$K/keyring"

expect_status 1 "generate refuses an existing key id" "$BIN/voucher-keys" generate --dir "$K" --kid K1
check "the refusal names the key id" grep -q 'K1' "$T/last.err"
expect_status 0 "generate with --issuer binds the key" "$BIN/voucher-keys" generate --dir "$K" --kid K2 --issuer PROBOLINGGO
check "K2 is bound to PROBOLINGGO" grep -q '^K2 issuer PROBOLINGGO ' "$K/keyring"
check "the first key is still there" grep -q '^K1 ' "$K/keyring"

expect_status 0 "list" "$BIN/voucher-keys" list --dir "$K"
check "list shows both keys as active" sh -c "grep -c ' active\$' '$T/last.out' | grep -qx 2"
check "list prints no private key material" sh -c "! grep -q 'PRIVATE' '$T/last.out'"

expect_status 0 "retire" "$BIN/voucher-keys" retire --dir "$K" --kid K1 --after 2030-01-31
check "the keyring records the retirement" grep -q '^K1 issuer - [0-9-]* 2030-01-31 ' "$K/keyring"
expect_status 1 "retire of an unknown key is refused" "$BIN/voucher-keys" retire --dir "$K" --kid K9 --after 2030-01-31

expect_status 2 "a bad key id is a usage error" "$BIN/voucher-keys" generate --dir "$K" --kid 'a/b'
expect_status 2 "a repeated flag is a usage error" "$BIN/voucher-keys" generate --dir "$K" --kid K3 --kid K4
expect_status 2 "a bad date is a usage error" "$BIN/voucher-keys" retire --dir "$K" --kid K2 --after 2030-02-30
expect_status 2 "an unknown command is a usage error" "$BIN/voucher-keys" frobnicate --dir "$K"
expect_status 2 "a missing --dir is a usage error" "$BIN/voucher-keys" list
check "nothing was made by the refused commands" test ! -e "$K/K3.key" -a ! -e "$K/a"

# A private key that others can read is refused, as ssh does: via the issuer
# later; here the keyring itself must still load after all of the above.
echo "K5 issuer - 2026-13-01 - AAAA" >>"$K/keyring"
expect_status 1 "a malformed keyring line is refused" "$BIN/voucher-keys" list --dir "$K"
check "with the file and line" grep -q "keyring:4: " "$T/last.err"
