#!/bin/bash
# make fuzz-long: a campaign. Each harness runs until it has done
# FUZZ_INPUTS inputs (default 10,000,000) or for FUZZ_LONG_SECONDS (if set),
# FUZZ_JOBS at a time (default 2: one per core), on a copy of its corpus in
# tests/fuzz/corpus/NAME with its dictionary; then what it found is merged
# back into tests/fuzz/corpus/NAME (libFuzzer -merge=1: only inputs that add
# an edge are kept, so the committed corpus stays small and the next
# campaign starts where this one stopped; FUZZ_INPUTS=0 only merges again). Seeds with names (not a SHA-1)
# are kept as they are. FUZZ_HARNESSES (names, blank-separated) limits it to
# some harnesses.
#
# It prints, per harness: inputs, time, inputs a second, coverage (edges, from
# libFuzzer's last status line), corpus files before and after, crashes
# (a crash stops that harness; its input is in build/fuzz/crashes/, to be
# kept as a unit test before the fix). Then the same as a Markdown table,
# with the command and the date, for docs/RELIABILITY.md.
set -u
dir=$1
root=$(pwd)
: "${FUZZ_INPUTS:=10000000}"
: "${FUZZ_LONG_SECONDS:=0}"
: "${FUZZ_JOBS:=2}"
names=${FUZZ_HARNESSES:-$(cd tests/fuzz && ls fuzz_*.c | sed 's/^fuzz_//; s/\.c$//')}
out=build/fuzz/long
mkdir -p "$out" build/fuzz/crashes
started=$(date -u '+%Y-%m-%d %H:%M UTC')

campaign() {
	local name=$1 work=$out/$name/work dict=
	rm -rf "${out:?}/$name"
	mkdir -p "$work"
	cp -r "tests/fuzz/corpus/$name/." "$work/" 2>/dev/null
	[ -f "tests/fuzz/$name.dict" ] && dict=-dict=tests/fuzz/$name.dict
	date +%s >"$out/$name/start"
	"$dir/fuzz_$name" -runs="$FUZZ_INPUTS" -max_total_time="$FUZZ_LONG_SECONDS" \
		-timeout=10 -print_final_stats=1 -print_pcs=0 $dict \
		-artifact_prefix=build/fuzz/crashes/"$name"- "$work" >"$out/$name/fuzz.log" 2>&1
	echo $? >"$out/$name/status"
	date +%s >"$out/$name/end"
}

# Merge: the named seeds, then whatever of the old corpus and this run adds
# an edge (-use_counters=0: not merely a new count of an edge already
# covered, which kept ten times as many files), into a fresh directory that
# replaces the corpus. The brief pass of make check loads all of it.
merge() {
	local name=$1 new=$out/$name/new old=$out/$name/old
	rm -rf "$new" "$old"
	mkdir -p "$new" "$old"
	for f in tests/fuzz/corpus/"$name"/*; do
		[ -e "$f" ] || continue
		if [[ ${f##*/} =~ ^[0-9a-f]{40}$ ]]; then
			cp "$f" "$old/"
		else
			cp "$f" "$new/"
		fi
	done
	if "$dir/fuzz_$name" -merge=1 -use_counters=0 -timeout=10 "$new" "$old" "$out/$name/work" \
		>"$out/$name/merge.log" 2>&1; then
		rm -rf "tests/fuzz/corpus/$name"
		cp -r "$new" "tests/fuzz/corpus/$name"
	else
		echo "fuzz-long $name: merge failed, corpus left as it was (see $out/$name/merge.log)"
	fi
}

stat_of() { sed -n "s/^stat::$2: *//p" "$out/$1/fuzz.log"; }

cap=
[ "$FUZZ_LONG_SECONDS" != 0 ] && cap=" or ${FUZZ_LONG_SECONDS} s"
for name in $names; do
	while [ "$(jobs -rp | wc -l)" -ge "$FUZZ_JOBS" ]; do
		wait -n
	done
	echo "fuzz-long $name: $FUZZ_INPUTS inputs$cap"
	find "tests/fuzz/corpus/$name" -type f 2>/dev/null | wc -l >"$out/$name.before"
	campaign "$name" &
done
wait

status=0
rows=
printf '%-10s %11s %6s %8s %6s %14s %7s\n' harness inputs time exec/s edges corpus crashes
for name in $names; do
	before=$(cat "$out/$name.before" 2>/dev/null || echo 0)
	inputs=$(stat_of "$name" number_of_executed_units)
	seconds=$(($(cat "$out/$name/end") - $(cat "$out/$name/start")))
	rate=$((${inputs:-0} / (seconds > 0 ? seconds : 1)))
	edges=$(grep -o 'cov: [0-9]*' "$out/$name/fuzz.log" | tail -n 1 | cut -d' ' -f2)
	rc=$(cat "$out/$name/status" 2>/dev/null || echo '?')
	crashes=0
	if [ "$rc" != 0 ]; then
		crashes=1
		status=1
		input=$(grep -o 'build/fuzz/crashes/[^ ]*' "$out/$name/fuzz.log" | tail -n 1)
		echo "fuzz-long $name: exit $rc${input:+; its input is $input}"
	fi
	merge "$name" # what it found before a crash is kept too
	after=$(ls "tests/fuzz/corpus/$name" | wc -l)
	printf '%-10s %11s %5ss %8s %6s %6s -> %4s %7s\n' "$name" "${inputs:-?}" "$seconds" \
		"$rate" "${edges:-?}" "$before" "$after" "$crashes"
	rows+="| $name | ${inputs:-?} | $seconds s | $rate | ${edges:-?} | $before -> $after | $crashes |"$'\n'
done

echo
echo "Campaign of $started: FUZZ_INPUTS=$FUZZ_INPUTS FUZZ_LONG_SECONDS=$FUZZ_LONG_SECONDS" \
	"FUZZ_JOBS=$FUZZ_JOBS make fuzz-long"
echo
echo "| harness | inputs | time | exec/s | edges | corpus files | crashes |"
echo "|---|---:|---:|---:|---:|---:|---:|"
printf '%s' "$rows"
exit $status
