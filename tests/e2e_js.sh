#!/bin/bash
# The scanner page's own voucher verifier (redeemer/page/voucher.js), which
# decides sales while a gallery's link is down: a second implementation of
# docs/FORMAT.md, run in Node.js against FORMAT.md's vectors (tokens,
# keyrings, revocation lists), with WebCrypto's Ed25519 and with the
# vendored @noble/ed25519 that the page falls back to.
. "$(dirname "$0")/lib.sh"
if ! command -v node >/dev/null; then
	fail "the verifier test needs node (make deps installs it)"
	exit 1
fi
node "$TESTS/js/format_vectors.mjs"
