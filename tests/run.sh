#!/bin/bash
# Run the whole suite: every unit test program in $BUILD/tests and every
# end-to-end script tests/e2e_*.sh, counting test cases. Ends with the line
# "N passed, N failed" and exits non-zero if anything failed.
#
# Unit tests are cmocka programs ("[       OK ]" / "[  FAILED  ]" lines);
# end-to-end scripts print "ok - ..." / "not ok - ..." (tests/lib.sh).
# A program that crashes or exits non-zero without reporting a failure
# counts as one failure. ONLY="pattern ..." runs those matching any.
set -u
cd "$(dirname "$0")/.."
: "${BUILD:=$PWD/build}" "${BIN:=$PWD/bin}"
export BIN BUILD
passed=0 failed=0
failures=()
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

# Whether the test named $1 is one ONLY asks for (all if it is unset).
wanted() {
	local p
	[ -z "${ONLY:-}" ] && return 0
	for p in $ONLY; do
		[[ $1 == *$p* ]] && return 0
	done
	return 1
}

run_one() { # name command...
	local name=$1; shift
	local log="$out/$name.log" status p f
	echo "== $name"
	"$@" >"$log" 2>&1
	status=$?
	p=$(grep -cE '^\[       OK \]|^ok ' "$log")
	f=$(grep -cE '^\[  FAILED  \] [^0-9]|^not ok ' "$log")
	if [ "$status" -ne 0 ] && [ "$f" -eq 0 ]; then
		f=1
		echo "   exited with status $status"
	fi
	if [ "$f" -gt 0 ]; then
		failures+=("$name")
		sed 's/^/   | /' "$log" | tail -n 60
	else
		grep -E '^not ok |^ok |^\[  (PASSED|SKIPPED)' "$log" | sed 's/^/   /' | tail -n 3
	fi
	passed=$((passed + p))
	failed=$((failed + f))
}

for t in "$BUILD"/tests/test_*; do
	[ -x "$t" ] || continue
	name=$(basename "$t")
	wanted "$name" || continue
	run_one "$name" "$t"
done
for t in tests/e2e_*.sh; do
	[ -f "$t" ] || continue
	name=$(basename "$t" .sh)
	wanted "$name" || continue
	run_one "$name" bash "$t"
done

[ ${#failures[@]} -gt 0 ] && echo "failed: ${failures[*]}"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ] && [ "$passed" -gt 0 ]
