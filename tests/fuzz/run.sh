#!/bin/sh
# Run each libFuzzer harness for FUZZ_SECONDS on its seed corpus (copied, so
# the repository's corpus only changes through `make fuzz-long`), with its
# dictionary (tests/fuzz/NAME.dict), one after the other; then print what
# each did: inputs, inputs a second, coverage (edges) and crashes. A crash
# fails the run and leaves its input in build/fuzz/crashes/ to be kept as a
# test.
set -eu
dir=$1; shift
: "${FUZZ_SECONDS:=60}"
mkdir -p build/fuzz/crashes
status=0
table=build/fuzz/rates.txt
printf '%-10s %10s %9s %6s %7s\n' harness inputs exec/s edges crashes >"$table"
for t in "$@"; do
	name=${t#fuzz_}
	work=build/fuzz/corpus/$name
	log=build/fuzz/$name.log
	rm -rf "$work"
	mkdir -p "$work"
	[ -d "tests/fuzz/corpus/$name" ] && cp -r "tests/fuzz/corpus/$name/." "$work/"
	dict=
	[ -f "tests/fuzz/$name.dict" ] && dict=-dict=tests/fuzz/$name.dict
	echo "fuzz $name: ${FUZZ_SECONDS}s"
	crashes=0
	if ! "$dir/$t" -max_total_time="$FUZZ_SECONDS" -artifact_prefix=build/fuzz/crashes/"$name"- \
		-print_final_stats=1 $dict "$work" >"$log" 2>&1; then
		status=1
		crashes=1
		tail -n 30 "$log"
	fi
	inputs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
	rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log")
	edges=$(grep -o 'cov: [0-9]*' "$log" | tail -n 1 | cut -d' ' -f2)
	printf '%-10s %10s %9s %6s %7s\n' "$name" "${inputs:-?}" "${rate:-?}" "${edges:-?}" \
		"$crashes" >>"$table"
done
echo
cat "$table"
exit $status
