#!/bin/bash
# Every benchmark, each beside a reference measured in the same run, with
# the ratio. Absolute figures drift on shared machines; ratios less so.
set -euo pipefail
cd "$(dirname "$0")/.."
: "${BUILD:=build}" "${BIN:=bin}" "${N:=20000}"
W=$(mktemp -d)
trap 'rm -rf "$W"' EXIT
now() { date +%s.%N; }

echo "== token sign and verify, one core"
"$BUILD/bench/bench_sig"
echo "   (openssl speed ed25519 on this machine, for the record:)"
openssl speed -seconds 1 ed25519 2>/dev/null | grep -E '^ +253 bits' | sed 's/^/   /' || true

echo
echo "== issuance of a $N-ASN roster (PNG, SVG and PDF sheets) vs bare sign + QR + PNG"
tests/gen_roster.sh "$N" 11 >"$W/roster.csv"
"$BIN/voucher-keys" generate --dir "$W/keys" --kid B1 >/dev/null
mkdir -p "$W/ref"
t0=$(now)
"$BUILD/bench/bench_issue_ref" "$N" "$W/ref" | sed 's/^/   reference: /'
t1=$(now)
"$BIN/voucher-issuer" issue --ledger "$W/ledger" --keys "$W/keys" --roster "$W/roster.csv" \
	--policy tests/data/policy.ini --period 2026-12 --out "$W/out" >/dev/null
t2=$(now)
awk -v n="$N" -v t0="$t0" -v t1="$t1" -v t2="$t2" 'BEGIN {
	r = t1 - t0; i = t2 - t1
	printf "   voucher-issuer: %d vouchers in %.2f s: %.0f/s\n", n, i, n / i
	printf "   ratio issuer/reference: %.2f (goal <= 1.50)\n", i / r }'

echo
echo "== reconciliation of 1,000,000 journal entries against a 20,000-voucher ledger"
"$BUILD/bench/bench_reconcile_gen" "$W/rc"
t0=$(now)
cat "$W/rc/j1.csv" "$W/rc/j2.csv" | sha256sum >/dev/null
t1=$(now)
"$BIN/voucher-issuer" reconcile --ledger "$W/rc/ledger" --period 2026-12 --journal "$W/rc/j1.csv" \
	--journal "$W/rc/j2.csv" --out "$W/rc/out" >/dev/null
t2=$(now)
"$BIN/voucher-issuer" reconcile --ledger "$W/rc/ledger" --period 2026-12 --journal "$W/rc/j1.csv" \
	--journal "$W/rc/j2.csv" --keyring "$W/rc/keyring" --out "$W/rc/out2" >/dev/null
t3=$(now)
awk -v t0="$t0" -v t1="$t1" -v t2="$t2" -v t3="$t3" 'BEGIN {
	printf "   reference: sha256sum of the journals: %.2f s\n", t1 - t0
	printf "   reconcile: %.2f s (goal < 3 s); ratio to the reference %.1f\n", t2 - t1, (t2 - t1) / (t1 - t0)
	printf "   reconcile checking all 980,000 receipts too: %.2f s\n", t3 - t2 }'
