#!/bin/bash
# The differential test of docs/FORMAT.md's two verifiers, the C one and the
# scanner page's voucher.js: tests/diff/ (diff_gen) makes DIFF_INPUTS inputs
# (20,000 by default) from valid tokens, keyrings, revocation lists and
# short codes, mostly changed, each with the C verifier's answer, and
# tests/js/differential.mjs gives each to voucher.js (with WebCrypto, and a
# share of them with @noble/ed25519) and compares. An input one accepts and
# the other refuses, or answers otherwise, is a "not ok" line with the input
# in hex. A long run: DIFF_INPUTS=1000000; another stream: DIFF_SEED=N.
. "$(dirname "$0")/lib.sh"
gen=${BUILD:-$TESTS/../build}/tests/diff_gen
n=${DIFF_INPUTS:-20000}
if ! command -v node >/dev/null; then
	fail "the differential test needs node (make deps installs it)"
	exit 1
fi
if [ ! -x "$gen" ]; then
	fail "no $gen (make tests builds it)"
	exit 1
fi
# The noble pass is slow: a share of the inputs, at least 200.
noble=$((n / 100 > 200 ? n / 100 : 200))
"$gen" --seed "${DIFF_SEED:-1}" "$n" 2>"$T/gen.err" |
	node "$TESTS/js/differential.mjs" --noble "$noble"
status=("${PIPESTATUS[@]}")
if [ "${status[0]}" -ne 0 ]; then
	fail "diff_gen exited with status ${status[0]}"
	sed 's/^/#   /' "$T/gen.err"
fi
[ "${status[0]}" -eq 0 ] && [ "${status[1]}" -eq 0 ]
