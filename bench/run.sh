#!/bin/sh
# Every benchmark, each with its reference measured in the same run.
set -eu
cd "$(dirname "$0")/.."
: "${BUILD:=build}"
echo "== token sign/verify ($BUILD/bench/bench_sig)"
"$BUILD/bench/bench_sig"
echo
echo "== reference: openssl speed ed25519 (same machine, same run)"
openssl speed -seconds 2 ed25519 2>/dev/null | grep -E 'sign/s|Ed25519' | tail -n 2
