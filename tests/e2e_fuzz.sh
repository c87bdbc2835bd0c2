#!/bin/bash
# The libFuzzer harnesses of tests/fuzz, briefly: each runs for FUZZ_BRIEF
# seconds (2 by default), one per CPU at a time, on a copy of its corpus
# (the last campaign's, minimized: tests/fuzz/corpus/) with its dictionary,
# so that `make check` sees each still build, start, and find nothing
# quickly; `make fuzz` runs them for longer, `make fuzz-long` is a campaign.
# A crash's input is left in build/fuzz/crashes/ (keep it as a unit test
# before the fix).
#
# Run once per `make check`: the sanitizer pass (BUILD .../build/asan) skips
# it, the harnesses carrying AddressSanitizer and UBSan already.
. "$(dirname "$0")/lib.sh"
root=$(cd "$(dirname "$0")/.." && pwd)
: "${FUZZ_BRIEF:=2}"

case $BUILD in
*/asan*)
	ok "fuzz skipped under sanitizer pass"
	exit 0
	;;
esac
if ! command -v "${CLANG:-clang}" >/dev/null; then
	fail "fuzz: ${CLANG:-clang} not found; libFuzzer comes with clang (scripts/deps.sh installs it)"
	exit 0
fi
if ! make --no-print-directory -C "$root" fuzz-build >"$T/build.log" 2>&1; then
	fail "fuzz: make fuzz-build failed"
	tail -n 20 "$T/build.log" | sed 's/^/#   /'
	exit 0
fi

crashes=$root/build/fuzz/crashes
mkdir -p "$crashes"
# As many at once as there are CPUs: each gets a whole one for its seconds.
ncpu=$(nproc 2>/dev/null || echo 2)
names=()
# The slowest first (reconcile runs the whole command per input: loading its
# corpus takes longer than the others' whole turn), so it overlaps them.
for src in "$root"/tests/fuzz/fuzz_reconcile.c $(ls "$root"/tests/fuzz/fuzz_*.c | grep -v /fuzz_reconcile.c); do
	name=${src##*/fuzz_}
	name=${name%.c}
	names+=("$name")
	mkdir -p "$T/corpus/$name"
	[ -d "$root/tests/fuzz/corpus/$name" ] && cp -r "$root/tests/fuzz/corpus/$name/." "$T/corpus/$name/"
	while [ "$(jobs -rp | wc -l)" -ge "$ncpu" ]; do
		wait -n
	done
	dict=
	[ -f "$root/tests/fuzz/$name.dict" ] && dict=-dict=$root/tests/fuzz/$name.dict
	(
		"$root/build/fuzz/fuzz/fuzz_$name" -max_total_time="$FUZZ_BRIEF" -print_final_stats=1 \
			$dict -artifact_prefix="$crashes/$name-" "$T/corpus/$name" >"$T/$name.log" 2>&1
		echo $? >"$T/$name.status"
	) &
	_pids+=($!)
done
wait

for name in "${names[@]}"; do
	status=$(cat "$T/$name.status" 2>/dev/null || echo "?")
	execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$T/$name.log")
	rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$T/$name.log")
	if [ "$status" = 0 ] && [ -n "$execs" ]; then
		ok "fuzz $name: $execs execs ($rate a second)"
	else
		input=$(grep -o "$crashes/[^ ]*" "$T/$name.log" | tail -n 1)
		fail "fuzz $name: exit $status${input:+; its input is $input}"
		grep -v '^#[0-9]' "$T/$name.log" | tail -n 30 | sed 's/^/#   /'
	fi
done
