#!/bin/sh
# Run each libFuzzer harness for FUZZ_SECONDS on its seed corpus (copied, so
# the repository's corpus only changes by hand). A crash fails the run and
# leaves its input in build/fuzz/crashes/ to be kept as a test.
set -eu
dir=$1; shift
: "${FUZZ_SECONDS:=60}"
mkdir -p build/fuzz/crashes
status=0
for t in "$@"; do
	name=${t#fuzz_}
	work=build/fuzz/corpus/$name
	mkdir -p "$work"
	[ -d "tests/fuzz/corpus/$name" ] && cp -r "tests/fuzz/corpus/$name/." "$work/"
	echo "fuzz $name: ${FUZZ_SECONDS}s"
	if ! "$dir/$t" -max_total_time="$FUZZ_SECONDS" -artifact_prefix=build/fuzz/crashes/"$name"- \
		-print_final_stats=1 "$work" 2>build/fuzz/"$name".log; then
		status=1
		tail -n 30 build/fuzz/"$name".log
	fi
	grep -E 'stat::number_of_executed_units|stat::peak_rss' build/fuzz/"$name".log | sed "s/^/  $name /"
done
exit $status
