#!/bin/bash
# Every benchmark, each beside a reference measured in the same run, with
# the ratio, and a table of them all at the end. Absolute figures drift on
# shared machines; ratios less so.
#
# Settings (environment):
#   SECTIONS       which to run, of "sig issue reconcile http" (all)
#   N              issuance roster size (20000)
#   DURATION       seconds of each wrk run (10)
#   REPEAT         rounds of reference-then-redeemer runs, of which the best
#                  counts (3): others' work on a shared machine only slows
#   RATE           redemptions/s of the steady-rate latency run (1000)
#   RATE_SECONDS   its length (10)
#   BENCH_MEM=1    also fill a redeemer with two months of MEM_N (1,000,000)
#                  redemptions over HTTP, the first archived, and measure its
#                  memory, throughput and latency (beside LMDB alone): 15 minutes
#   BENCH_PROFILE=1  also profile the redeemer under wrk with perf
set -euo pipefail
cd "$(dirname "$0")/.."
: "${BUILD:=build}" "${BIN:=bin}" "${N:=20000}" "${SECTIONS:=sig issue reconcile http}"
: "${DURATION:=10}" "${RATE:=1000}" "${RATE_SECONDS:=10}" "${BENCH_MEM:=0}" "${MEM_N:=1000000}"
: "${BENCH_PROFILE:=0}" "${REPEAT:=3}"
W=$(mktemp -d)
PIDS=()
cleanup() {
	for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
	wait 2>/dev/null || true
	rm -rf "$W"
}
trap cleanup EXIT
now() { date +%s.%N; }
want() { [[ " $SECTIONS " == *" $1 "* ]]; }

# The table at the end: one row a figure.
TABLE=$W/table
row() { printf '%s\t%s\t%s\t%s\t%s\n' "$@" >>"$TABLE"; } # figure value reference ratio goal
: >"$TABLE"

if want sig; then
echo "== token sign and verify, one core"
"$BUILD/bench/bench_sig" | tee "$W/sig.out"
awk '/^token sign/ {
	printf "token sign + encode, 1 core\t%.0f/s\tbare EVP sign: %.0f/s\t%.2f (cost)\t\n", $(NF-2), $(NF-1), $NF }
/^token decode/ {
	printf "token decode + verify, 1 core\t%.0f/s\tbare EVP verify: %.0f/s\t%.2f (cost)\t<= 1.10\n", $(NF-2), $(NF-1), $NF }' \
	"$W/sig.out" >>"$TABLE"
echo "   (openssl speed ed25519 on this machine, for the record:)"
openssl speed -seconds 1 ed25519 2>/dev/null | grep -E '^ +253 bits' | sed 's/^/   /' || true
fi

if want issue; then
echo
echo "== issuance of a $N-ASN roster (PNG, SVG and PDF sheets) vs bare sign + QR + PNG"
tests/gen_roster.sh "$N" 11 >"$W/roster.csv"
"$BIN/voucher-keys" generate --dir "$W/keys" --kid B1 --valid-from 2026-12-01 >/dev/null
mkdir -p "$W/ref"
t0=$(now)
"$BUILD/bench/bench_issue_ref" "$N" "$W/ref" | sed 's/^/   reference: /'
t1=$(now)
"$BIN/voucher-issuer" issue --ledger "$W/ledger" --keys "$W/keys" --roster "$W/roster.csv" \
	--policy tests/data/policy.ini --period 2026-12 --out "$W/out" >/dev/null
t2=$(now)
awk -v n="$N" -v t0="$t0" -v t1="$t1" -v t2="$t2" -v table="$TABLE" 'BEGIN {
	r = t1 - t0; i = t2 - t1
	printf "   voucher-issuer: %d vouchers in %.2f s: %.0f/s\n", n, i, n / i
	printf "   ratio issuer/reference: %.2f (goal <= 1.50)\n", i / r
	printf "issuance, %d ASN (PNG, SVG, PDF)\t%.1f s, %.0f/s\tsign + QR + PNG: %.1f s\t%.2f\t<= 1.50\n",
		n, i, n / i, r, i / r >>table }'
fi

if want reconcile; then
echo
echo "== reconciliation of 1,000,000 journal entries against a 20,000-voucher ledger"
"$BUILD/bench/bench_reconcile_gen" "$W/rc"
# 600 MB just written: flushed now, not while the runs read them.
sync
# Three rounds, each the reference then reconcile with every output
# (CSVs, report.html, report.xlsx, a letter per OPD, payments.csv): the
# medians, and their ratio.
ref="" rec=""
for round in 1 2 3; do
	t0=$(now)
	cat "$W/rc/j1.csv" "$W/rc/j2.csv" | sha256sum >/dev/null
	t1=$(now)
	"$BIN/voucher-issuer" reconcile --ledger "$W/rc/ledger" --period 2026-12 --journal "$W/rc/j1.csv" \
		--journal "$W/rc/j2.csv" --merchants "$W/rc/merchants.csv" --out "$W/rc/out" >/dev/null
	t2=$(now)
	ref="$ref $(awk -v a="$t0" -v b="$t1" 'BEGIN { print b - a }')"
	rec="$rec $(awk -v a="$t1" -v b="$t2" 'BEGIN { print b - a }')"
done
t2=$(now)
"$BIN/voucher-issuer" reconcile --ledger "$W/rc/ledger" --period 2026-12 --journal "$W/rc/j1.csv" \
	--journal "$W/rc/j2.csv" --keyring "$W/rc/keyring" --out "$W/rc/out2" >/dev/null
t3=$(now)
median() { printf '%s\n' $1 | sort -g | sed -n 2p; }
awk -v r="$(median "$ref")" -v c="$(median "$rec")" -v rs="$ref" -v cs="$rec" -v t2="$t2" -v t3="$t3" \
	-v table="$TABLE" 'BEGIN {
	printf "   reference: sha256sum of the journals: %.2f s (median of%s)\n", r, rs
	printf "   reconcile with every output (CSVs, report.html, report.xlsx, letters, payments): %.2f s (median of%s); ratio to the reference %.2f (goal <= 1.5)\n", c, cs, c / r
	printf "   reconcile checking all 1,000,000 receipts too: %.2f s\n", t3 - t2
	printf "reconciliation, 1,000,000 entries, every output\t%.2f s\tsha256sum of the journals: %.2f s\t%.2f\t<= 1.5\n",
		c, r, c / r >>table
	printf "the same, checking 1,000,000 receipts\t%.1f s\t\t\t\n", t3 - t2 >>table }'
fi

# ---- redemption over HTTP ----

# start_server NAME COMMAND...: run it in the background, wait for its
# "listening on HOST:PORT" line; sets PID and PORT.
start_server() {
	local name=$1
	shift
	"$@" >"$W/$name.out" 2>"$W/$name.log" &
	PID=$!
	PIDS+=("$PID")
	PORT=
	for _ in $(seq 200); do
		PORT=$(sed -n 's/^listening on [^ ]*:\([0-9][0-9]*\).*/\1/p' "$W/$name.out")
		[ -n "$PORT" ] && return 0
		kill -0 "$PID" 2>/dev/null || break
		sleep 0.05
	done
	echo "   $name did not start:" >&2
	tail -n 5 "$W/$name.log" >&2
	exit 1
}
stop_server() { kill "$1" 2>/dev/null || true; wait "$1" 2>/dev/null || true; }

# A fresh redeemer database in DIR with one terminal; its token in $W/bearer.
new_redeemer_db() {
	"$REDEEMER" terminal add --db "$1" --merchant M1 --name "Kasir bench" \
		--gallery G1 | tail -n 1 >"$W/bearer"
}

# run_wrk TOKENS PORT RUN_ID [EXTRA ENV...]: wrk -t2 -c50 for DURATION s
# with bench/redeem.lua; shows its output and sets RESULT to its last line.
run_wrk() {
	local tokens=$1 port=$2 run=$3
	shift 3
	env TOKENS="$tokens" BEARER_FILE="$W/bearer" WRK_THREADS=2 RUN_ID="$run" "$@" \
		wrk -t2 -c50 -d"${DURATION}s" --latency -s bench/redeem.lua "http://127.0.0.1:$port" \
		>"$W/wrk.out" 2>&1 || { cat "$W/wrk.out" >&2; exit 1; }
	grep -E '^(    Latency |     (50|99)%|201: |warning)' "$W/wrk.out" | sed 's/^ */   /'
	RESULT=$(grep '^RESULT' "$W/wrk.out" | tail -n 1)
}

# run_rate TOKENS PORT: the open-loop generator at RATE/s; sets RESULT.
run_rate() {
	"$BUILD/bench/rate" --target "127.0.0.1:$2" --tokens "$1" --bearer "$(cat "$W/bearer")" \
		--rate "$RATE" --seconds "$RATE_SECONDS" --connections 16 >"$W/rate.out"
	grep -v '^RESULT' "$W/rate.out" | sed 's/^/   /'
	RESULT=$(grep '^RESULT' "$W/rate.out" | tail -n 1)
}

# floor_loaded DB: LMDB alone (lmdb_floor) in DB at RATE/s while the
# reference server serves RATE/s beside it, the cores as busy with HTTP and
# verifying as under the redeemer; sets RESULT to lmdb_floor's.
floor_loaded() {
	"$BUILD/bench/lmdb_floor" "$1" "$RATE" "$RATE_SECONDS" >"$W/floorx.out" &
	local fpid=$!
	run_rate "$W/rate.00" "$FPORT" >/dev/null
	wait "$fpid" || { cat "$W/floorx.out" >&2; exit 1; }
	RESULT=$(grep '^RESULT' "$W/floorx.out")
}

# The value of KEY in a "RESULT k=v k=v" line.
kv() { sed -n "s/.* $1=\([^ ]*\).*/\1/p" <<<"$2"; }

# metric NAME PORT: a sample's value from the redeemer's /metrics.
metric() { curl -s "http://127.0.0.1:$2/metrics" | awk -v n="$1" '$1 == n {print $2}'; }

# mem PID: "VmHWM VmRSS RssAnon data.mdb-Rss" in KiB.
mem() {
	local hwm rss anon mdb
	hwm=$(awk '/^VmHWM:/ {print $2}' "/proc/$1/status")
	rss=$(awk '/^VmRSS:/ {print $2}' "/proc/$1/status")
	anon=$(awk '/^RssAnon:/ {print $2}' "/proc/$1/status")
	mdb=$(awk '/ \/.*\/data\.mdb$/ {m = 1; next} m && /^Rss:/ {print $2; exit}' "/proc/$1/smaps")
	echo "$hwm $rss $anon ${mdb:-0}"
}

# sched PID: "LOOP_RUN LOOP_WAIT WRITER_RUN WRITER_WAIT OTHERS_RUN OTHERS_WAIT
# NOTHERS", nanoseconds so far that the redeemer's threads ran and waited
# runnable for a core (/proc/PID/task/TID/schedstat): the event loop (the
# main thread), the writer (the first thread it starts) and any others.
sched() {
	local t c q n=0 tids
	local -a v=(0 0 0 0 0 0)
	tids=$(ls "/proc/$1/task" | sort -n)
	for t in $tids; do
		read -r c q _ <"/proc/$1/task/$t/schedstat"
		if [ "$t" = "$1" ]; then v[0]=$c v[1]=$q
		elif [ "$n" = 0 ]; then v[2]=$c v[3]=$q n=1
		else v[4]=$((v[4] + c)) v[5]=$((v[5] + q)) n=$((n + 1)); fi
	done
	echo "${v[*]} $((n > 0 ? n - 1 : 0))"
}

if want http; then
echo
echo "== redemption over HTTP: voucher-redeemer (fsync on) vs the reference evhttp server"
echo "   (one event loop, one Ed25519 verify per POST, no database), 127.0.0.1"
if ! command -v wrk >/dev/null; then
	echo "   wrk is missing (Debian package wrk; scripts/deps.sh installs it)" >&2
	exit 1
fi
nproc_=$(nproc)
echo "   $nproc_ cores, load average $(cut -d' ' -f1-3 /proc/loadavg) before the runs: the load"
echo "   generator shares the cores with the server, so others' work shows in the figures"
# A copy, so that a rebuild of $BIN during the runs changes nothing here.
cp "$BIN/voucher-redeemer" "$W/voucher-redeemer"
REDEEMER=$W/voucher-redeemer
echo "   voucher-redeemer: $BIN/voucher-redeemer of $(date -r "$BIN/voucher-redeemer" '+%F %T')"
# Valid from 40 days back: BENCH_MEM signs a month before last too.
"$BIN/voucher-keys" generate --dir "$W/rkeys" --kid R1 --valid-from "$(date -u -d "-40 days" +%F)" >/dev/null
# Fresh vouchers for each redeemer run, enough for 15,000/s (the
# reference consumes none: it uses round 1's).
"$BUILD/bench/bench_mint" "$W/rkeys" $((REPEAT * DURATION * 15000)) "$W/tp.txt" 2>&1 | sed 's/^/   /'
split -n "l/$REPEAT" -d -a 2 "$W/tp.txt" "$W/tp."
"$BUILD/bench/bench_mint" "$W/rkeys" $((REPEAT * RATE * RATE_SECONDS)) "$W/rate.txt" 2>/dev/null
split -n "l/$REPEAT" -d -a 2 "$W/rate.txt" "$W/rate."
# Those files are 100+ MB of dirty pages: flushed now, not by the
# redeemer's first commits (an fdatasync on ext4 takes the file system's
# journal with it, and the first round stalled 0.3-0.4 s paying for them).
sync
KEYRING=$W/rkeys/keyring
new_redeemer_db "$W/rdb"
start_server ref "$BUILD/bench/ref_server" --keyring "$KEYRING" --listen 127.0.0.1:0
REF=$PID FPORT=$PORT
start_server redeemer "$REDEEMER" serve ${REDEEMER_CONFIG:+--config "$REDEEMER_CONFIG"} --db "$W/rdb" --keyring "$KEYRING" --listen 127.0.0.1:0
RED=$PID RPORT=$PORT

echo "-- throughput: wrk -t2 -c50 -d${DURATION}s, a different voucher every request;"
echo "   $REPEAT rounds of the reference then the redeemer, the best of each counts"
: >"$W/tp.res"
tm=0 tq=0 twc=0 twq=0 toc=0 toq=0 others=0
for r in $(seq 0 $((REPEAT - 1))); do
	echo "   round $((r + 1)), reference server:"
	run_wrk "$W/tp.00" "$FPORT" "ref$r" # bearer: the redeemer's; the reference checks none
	echo "ref $RESULT" >>"$W/tp.res"
	echo "   round $((r + 1)), voucher-redeemer:"
	read -r mc0 mq0 wc0 wq0 oc0 oq0 _ <<<"$(sched "$RED")"
	run_wrk "$W/tp.$(printf %02d "$r")" "$RPORT" "tp$r"
	read -r mc1 mq1 wc1 wq1 oc1 oq1 others <<<"$(sched "$RED")"
	echo "red $RESULT" >>"$W/tp.res"
	tm=$((tm + mc1 - mc0)) tq=$((tq + mq1 - mq0)) twc=$((twc + wc1 - wc0)) twq=$((twq + wq1 - wq0))
	toc=$((toc + oc1 - oc0)) toq=$((toq + oq1 - oq0))
done
bs=$(metric voucher_commit_batch_size_sum "$RPORT")
bc=$(metric voucher_commit_batch_size_count "$RPORT")
cs=$(metric voucher_commit_seconds_sum "$RPORT")
awk -v bs="$bs" -v bc="$bc" -v cs="$cs" -v mc="$tm" -v mq="$tq" -v wc="$twc" -v wq="$twq" \
	-v oc="$toc" -v oq="$toq" -v others="$others" -v table="$TABLE" '
function kv(s, k,   i, n, f) { n = split(s, f, " "); for (i = 1; i <= n; i++) if (index(f[i], k "=") == 1) return substr(f[i], length(k) + 2); return 0 }
{ v = kv($0, "ok_per_s") + 0; all[$1] = all[$1] sprintf(" %.0f", v)
  if (v > best[$1]) { best[$1] = v; line[$1] = $0 }
  if ($1 == "red") { s += kv($0, "seconds"); o += kv($0, "other") } }
END {
	r = best["red"]; f = best["ref"]
	printf "   redemptions/s: reference%s; redeemer%s\n", all["ref"], all["red"]
	printf "   ratio of the best, redeemer/reference: %.2f (goal >= 0.85)%s\n", r / f,
		(o > 0 ? "; the redeemer refused " o " requests" : "")
	printf "   group commit: %d commits of %d redemptions: %.1f a commit, %.2f ms a commit\n",
		bc, bs, bs / bc, cs / bc * 1000
	printf "   event loop thread: ran %.0f%% of the runs, waited for a core %.0f%%\n",
		mc / 1e7 / s, mq / 1e7 / s
	printf "   writer thread: in batches %.0f%% of the runs: ran %.0f%%, waited for a core %.0f%%,\n",
		cs / s * 100, wc / 1e7 / s, wq / 1e7 / s
	printf "     so blocked (the disk) about %.0f%%\n", (cs - (wc + wq) / 1e9) / s * 100
	if (others > 0)
		printf "   %d other threads: ran %.0f%% of the runs, waited for a core %.0f%% (added up)\n",
			others, oc / 1e7 / s, oq / 1e7 / s
	printf "redemptions/s, wrk -c50, fsync on (best)\t%.0f/s\treference server: %.0f/s\t%.2f\t>= 0.85\n",
		r, f, r / f >>table
	printf "  latency p50 / p99 (wrk, the best runs)\t%.1f / %.1f ms\t%.1f / %.1f ms\t\t\n",
		kv(line["red"], "p50_ms"), kv(line["red"], "p99_ms"), kv(line["ref"], "p50_ms"),
		kv(line["ref"], "p99_ms") >>table
	printf "  group commit: per commit\t%.1f redemptions, %.2f ms\t\t\t\n", bs / bc, cs / bc * 1000 >>table }' \
	"$W/tp.res"

echo "-- the disk under the database: pwrite of 4 pages + fdatasync (an LMDB commit syncs twice)"
"$BUILD/bench/bench_fsync" "$W/rdb" 2 >"$W/fsync.out"
grep -v '^RESULT' "$W/fsync.out" | sed 's/^/   /'
fs=$(grep '^RESULT' "$W/fsync.out")

# The throughput runs left tens of MB of the redeemer's log dirty: flushed
# now, not during the steady runs (which log and flush their own).
sync
echo "-- latency at a steady $RATE redemptions/s for $RATE_SECONDS s (open loop, 16 connections);"
echo "   $REPEAT rounds of the reference, the redeemer, then LMDB alone (lmdb_floor: a"
echo "   redemption's writes in the redeemer's database, group commits, no HTTP or signature);"
echo "   the best p99 of each counts"
: >"$W/rate.res"
for r in $(seq 0 $((REPEAT - 1))); do
	echo "   round $((r + 1)), reference server:"
	run_rate "$W/rate.00" "$FPORT"
	echo "ref $RESULT" >>"$W/rate.res"
	echo "   round $((r + 1)), voucher-redeemer:"
	cs0=$(metric voucher_commit_seconds_sum "$RPORT") cn0=$(metric voucher_commit_seconds_count "$RPORT")
	run_rate "$W/rate.$(printf %02d "$r")" "$RPORT"
	cs1=$(metric voucher_commit_seconds_sum "$RPORT") cn1=$(metric voucher_commit_seconds_count "$RPORT")
	echo "red $RESULT commits=$((cn1 - cn0)) commit_ms=$(awk -v a="$cs0" -v b="$cs1" -v n="$((cn1 - cn0))" 'BEGIN { printf "%.3f", (b - a) / n * 1000 }')" >>"$W/rate.res"
	echo "   round $((r + 1)), LMDB alone:"
	"$BUILD/bench/lmdb_floor" "$W/rdb" "$RATE" "$RATE_SECONDS" >"$W/floor.out"
	grep -v '^RESULT' "$W/floor.out" | sed 's/^/   /'
	echo "flo $(grep '^RESULT' "$W/floor.out")" >>"$W/rate.res"
	echo "   round $((r + 1)), LMDB alone while the reference server serves $RATE/s:"
	floor_loaded "$W/rdb"
	echo "   $(grep -v '^RESULT' "$W/floorx.out")"
	echo "flx $RESULT" >>"$W/rate.res"
done
ref_hwm=$(mem "$REF" | cut -d' ' -f1)
stop_server "$REF"
awk -v fs="$fs" -v rate="$RATE" -v table="$TABLE" '
function kv(s, k,   i, n, f) { n = split(s, f, " "); for (i = 1; i <= n; i++) if (index(f[i], k "=") == 1) return substr(f[i], length(k) + 2); return 0 }
function median(a, k,   i, j, t) { for (i = 1; i <= k; i++) for (j = i + 1; j <= k; j++) if (a[j] < a[i]) { t = a[i]; a[i] = a[j]; a[j] = t } return k % 2 ? a[(k + 1) / 2] : (a[k / 2] + a[k / 2 + 1]) / 2 }
$1 == "ref" { refp = kv($0, "p99_ms") }
$1 == "red" { redp = kv($0, "p99_ms") }
$1 == "flo" { ratio[++nr] = redp / kv($0, "p99_ms"); sum[nr] = redp / (kv($0, "p99_ms") + refp) }
$1 == "flx" { loaded[++nx] = redp / kv($0, "p99_ms") }
{ v = kv($0, "p99_ms") + 0; all[$1] = all[$1] sprintf(" %.2f", v)
  # A run with answers other than 201 counts only if all did so.
  if (kv($0, "ok") != kv($0, "sent")) { all[$1] = all[$1] " (" kv($0, "ok") " of " kv($0, "sent") " 201)"; v += 1e9 }
  if (!($1 in best) || v < best[$1]) { best[$1] = v; line[$1] = $0 } }
END {
	a = line["red"]; b = line["ref"]; c = line["flo"]
	printf "   p99 ms: reference%s; redeemer%s; LMDB alone%s; LMDB alone beside the reference%s\n",
		all["ref"], all["red"], all["flo"], all["flx"]
	printf "   best p99 redeemer/reference: %.1f, redeemer/LMDB alone: %.1f (goal: p99 < 5 ms)\n",
		kv(a, "p99_ms") / kv(b, "p99_ms"), kv(a, "p99_ms") / kv(c, "p99_ms")
	med = median(ratio, nr); meds = median(sum, nr); medx = median(loaded, nx)
	printf "   p99 redeemer/LMDB alone, median of the ratios of %d rounds: %.2f (goal <= 1.5)\n", nr, med
	printf "   p99 redeemer/(LMDB alone + reference), median of the ratios: %.2f\n", meds
	printf "   p99 redeemer/(LMDB alone beside the reference), median of the ratios: %.2f\n", medx
	printf "  p99 redeemer/LMDB alone, fresh database\tmedian of %d rounds\t\t%.2f\t<= 1.5\n", nr, med >>table
	printf "  p99 redeemer/(LMDB alone + reference)\tmedian of %d rounds\t\t%.2f\t\n", nr, meds >>table
	printf "  p99 redeemer/(LMDB alone beside the reference)\tmedian of %d rounds\t\t%.2f\t\n", nx, medx >>table
	printf "latency at %d/s: p50 / p99 / max (best)\t%.2f / %.2f / %.1f ms, %d of %d 201\treference server: %.2f / %.2f / %.1f ms\t%.1f (p99)\tp99 < 5 ms\n",
		rate, kv(a, "p50_ms"), kv(a, "p99_ms"), kv(a, "max_ms"), kv(a, "ok"), kv(a, "sent"),
		kv(b, "p50_ms"), kv(b, "p99_ms"), kv(b, "max_ms"), kv(a, "p99_ms") / kv(b, "p99_ms") >>table
	printf "  its group commit\t%.1f redemptions a commit of %.2f ms\t\t\t\n",
		kv(a, "ok") / kv(a, "commits"), kv(a, "commit_ms") >>table
	printf "  the same writes, LMDB alone (lmdb_floor)\t%.2f / %.2f / %.1f ms, %.1f a commit of %.2f ms\t\t%.1f (redeemer p99)\t\n",
		kv(c, "p50_ms"), kv(c, "p99_ms"), kv(c, "max_ms"), kv(c, "n") / kv(c, "commits"),
		kv(c, "commit_ms"),
		kv(a, "p99_ms") / kv(c, "p99_ms") >>table
	printf "  the disk: pwrite + fdatasync p50 / p99\t%.2f / %.2f ms\t\t\t\n", kv(fs, "p50_ms"), kv(fs, "p99_ms") >>table }' \
	"$W/rate.res"

n_red=$(metric voucher_redemptions_total "$RPORT")
read -r hwm rss anon mdb <<<"$(mem "$RED")"
stop_server "$RED"
awk -v n="$n_red" -v hwm="$hwm" -v rss="$rss" -v anon="$anon" -v mdb="$mdb" \
	-v flo="$((REPEAT * RATE * RATE_SECONDS))" \
	-v size="$(stat -c %s "$W/rdb/data.mdb")" -v ref="$ref_hwm" -v table="$TABLE" 'BEGIN {
	printf "-- memory after these runs (%d redemptions and lmdb_floor'"'"'s %d, data.mdb %.0f MiB,\n",
		n, flo, size / 1048576
	printf "   %.0f bytes a redemption)\n", size / (n + flo)
	printf "   VmHWM %.1f MiB, of which data.mdb pages %.1f MiB: %.1f MiB beyond LMDB (RssAnon %.1f MiB)\n",
		hwm / 1024, mdb / 1024, (hwm - mdb) / 1024, anon / 1024
	printf "   (the reference server: VmHWM %.1f MiB)\n", ref / 1024
	printf "redeemer memory beyond LMDB, %d redemptions\t%.1f MiB\treference server VmHWM: %.1f MiB\t\t< 64 MiB\n",
		n, (hwm - mdb) / 1024, ref / 1024 >>table }'

if [ "$BENCH_PROFILE" = 1 ] && ! command -v perf >/dev/null; then
	echo "-- profile skipped: perf is missing (Debian package linux-perf)"
elif [ "$BENCH_PROFILE" = 1 ]; then
	echo "-- profile: perf record --call-graph dwarf of the redeemer during a wrk run"
	"$BUILD/bench/bench_mint" "$W/rkeys" $((DURATION * 20000)) "$W/prof.txt" 2>/dev/null
	sync
	start_server redeemer "$REDEEMER" serve --db "$W/rdb" --keyring "$KEYRING" \
		--listen 127.0.0.1:0
	RED=$PID
	perf record -q -F 499 --call-graph dwarf,16384 -p "$RED" -o "$W/perf.data" \
		-- sleep "$((DURATION - 1))" >/dev/null 2>&1 &
	PERF=$!
	run_wrk "$W/prof.txt" "$PORT" prof
	wait "$PERF" || true
	stop_server "$RED"
	perf report -i "$W/perf.data" --no-children --sort pid --stdio 2>/dev/null |
		awk '/^ +[0-9.]+%/ {printf "   thread %s: %s of the samples\n", $2, $1}' | head -n 8
	# Inclusive shares (callees included) of the functions that tell where
	# the time goes, and the self time of each library.
	perf report -i "$W/perf.data" --children --sort sym --stdio -g none 2>/dev/null >"$W/perf.sym" || true
	perf report -i "$W/perf.data" --no-children --sort dso --stdio -g none 2>/dev/null >"$W/perf.dso" || true
	echo "   share of the redeemer's CPU samples, callees included:"
	awk 'BEGIN {
		d["event_base_loop"] = "the event loop thread (libevent, sockets, all it calls)"
		d["http_redeem"] = "POST /v1/redeem handler, before the commit"
		d["voucher_verify"] = "voucher verify (Ed25519)"
		d["store_terminal_auth"] = "terminal lookup (LMDB read, SHA-256, JSON)"
		d["store_request_get"] = "replay lookup (LMDB read)"
		d["redeemed"] = "answer after the commit (JSON, send)"
		d["writer_main"] = "the writer thread"
		d["receipt_sign_tree"] = "receipt signatures (a Merkle tree, one Ed25519 a tree)"
		d["journal_append"] = "journal entry (SHA-256)"
		d["mdb_txn_commit"] = "LMDB commit (page writes, fdatasync)"
		d["__x64_sys_fdatasync"] = "fdatasync (CPU in the kernel)"
		d["log_write"] = "logging"
		n = split("event_base_loop http_redeem voucher_verify store_terminal_auth store_request_get redeemed writer_main receipt_sign_tree journal_append mdb_txn_commit __x64_sys_fdatasync log_write", order, " ")
	}
	/^ +[0-9.]+%/ && ($4 in d) && !($4 in seen) { seen[$4] = $1 }
	END { for (i = 1; i <= n; i++) printf "     %-58s %7s\n", d[order[i]], (order[i] in seen ? seen[order[i]] : "-") }' \
		"$W/perf.sym"
	echo "   self time by library:"
	awk '/^ +[0-9.]+%/ {printf "     %7s %s\n", $1, $2}' "$W/perf.dso" | head -n 8
fi

if [ "$BENCH_MEM" = 1 ]; then
	echo "-- a province's two months: $MEM_N redemptions of the month before last (the clock"
	echo "   set back 31 days by libfaketime), that month archived, then $MEM_N of this month;"
	echo "   then $REPEAT rounds of: the reference and the redeemer under wrk, the redeemer at"
	echo "   $RATE/s and LMDB alone at $RATE/s in the same database"
	FAKE="LD_PRELOAD=/usr/lib/x86_64-linux-gnu/faketime/libfaketimeMT.so.1 FAKETIME=-31d"
	env $FAKE "$BUILD/bench/bench_mint" "$W/rkeys" "$MEM_N" "$W/old.txt" 2>&1 | sed 's/^/   /'
	"$BUILD/bench/bench_mint" "$W/rkeys" "$MEM_N" "$W/fill.txt" 2>&1 | sed 's/^/   /'
	"$BUILD/bench/bench_mint" "$W/rkeys" $((REPEAT * RATE * RATE_SECONDS)) "$W/rate2.txt" 2>/dev/null
	split -n "l/$REPEAT" -d -a 2 "$W/rate2.txt" "$W/rate2."
	"$BUILD/bench/bench_mint" "$W/rkeys" $((REPEAT * DURATION * 15000)) "$W/tp2.txt" 2>/dev/null
	split -n "l/$REPEAT" -d -a 2 "$W/tp2.txt" "$W/tp2."
	sync
	# A month of a province is about 0.5 GB: past the default 1 GiB map
	# with two.
	printf '[redeemer]\nmap_size_mb = 4096\n' >"$W/big.ini"
	new_redeemer_db "$W/bigdb"

	# fill TOKENS [ENV...]: the redeemer on bigdb, filled over HTTP by wrk
	# with every voucher of TOKENS; leaves it running (RED, RPORT).
	fill() {
		local tokens=$1 t0 t1 n last=-1
		shift
		start_server redeemer env "$@" "$REDEEMER" serve --db "$W/bigdb" --keyring "$KEYRING" \
			--listen 127.0.0.1:0 --config "$W/big.ini"
		RED=$PID RPORT=$PORT
		# Sample memory beyond LMDB and the heap every 2 s while it
		# fills (a sample that found no data.mdb mapping is left out).
		(
			max=0 maxa=0
			while kill -0 "$RED" 2>/dev/null; do
				read -r _ rss anon mdb <<<"$(mem "$RED" 2>/dev/null || echo "0 0 0 0")"
				if [ "${mdb:-0}" -gt 0 ]; then
					[ $((rss - mdb)) -gt "$max" ] && max=$((rss - mdb))
					[ "$anon" -gt "$maxa" ] && maxa=$anon
					echo "$max $maxa" >"$W/maxbeyond"
				fi
				sleep 2
			done
		) &
		PIDS+=($!)
		t0=$(now)
		env TOKENS="$tokens" BEARER_FILE="$W/bearer" WRK_THREADS=2 RUN_ID=fill STOP_AT_END=1 \
			wrk -t2 -c50 -d3600s -s bench/redeem.lua "http://127.0.0.1:$RPORT" >"$W/fill.out" 2>&1 &
		WRK=$!
		PIDS+=("$WRK")
		# wrk runs for its whole -d even when its threads have stopped:
		# stop it when the count of redemptions stops growing.
		while sleep 3; do
			n=$(metric voucher_redemptions_total "$RPORT")
			[ "$n" = "$last" ] && break
			last=$n
		done
		kill -INT "$WRK" 2>/dev/null || true
		wait "$WRK" 2>/dev/null || true
		t1=$(now)
		awk -v n="$n" -v t0="$t0" -v t1="$t1" 'BEGIN {
			printf "   filled: %d redemptions in %.0f s (%.0f/s, with 3 s of waiting for the end)\n",
				n, t1 - t0, n / (t1 - t0) }'
	}
	fill "$W/old.txt" $FAKE
	stop_server "$RED"
	# Archived as an operator would, a week and more after its vouchers
	# expired (the clock moved on 12 days: today may be early in a month).
	old_period=$(env $FAKE date -u -d "+7 hours" +%Y-%m) # the month in WIB, as bench_mint
	size_full=$(stat -c %s "$W/bigdb/data.mdb")
	t0=$(now)
	env LD_PRELOAD=/usr/lib/x86_64-linux-gnu/faketime/libfaketimeMT.so.1 FAKETIME=+12d \
		"$REDEEMER" archive --db "$W/bigdb" --period "$old_period" --out "$W/old.csv" |
		sed 's/^/   /'
	awk -v t0="$t0" -v t1="$(now)" -v p="$old_period" -v s="$(stat -c %s "$W/old.csv")" 'BEGIN {
		printf "   archived %s in %.0f s: %.0f MiB of journal in its file\n", p, t1 - t0, s / 1048576 }'
	fill "$W/fill.txt"
	# The fill's log lines are 150-200 MB of dirty pages: flushed before
	# the measured runs, which they stalled for up to 120 ms at a time.
	sync
	read -r hwm rss anon mdb <<<"$(mem "$RED")"
	start_server ref "$BUILD/bench/ref_server" --keyring "$KEYRING" --listen 127.0.0.1:0
	REF=$PID FPORT=$PORT
	: >"$W/big.res"
	for r in $(seq 0 $((REPEAT - 1))); do
		echo "   round $((r + 1)): reference under wrk, redeemer under wrk, redeemer at $RATE/s, LMDB alone, LMDB alone beside the reference at $RATE/s"
		run_wrk "$W/tp.00" "$FPORT" "bref$r" >/dev/null
		echo "ref $RESULT" >>"$W/big.res"
		run_wrk "$W/tp2.$(printf %02d "$r")" "$RPORT" "btp$r" >/dev/null
		echo "red $RESULT" >>"$W/big.res"
		sync
		run_rate "$W/rate2.$(printf %02d "$r")" "$RPORT" >/dev/null
		echo "rate $RESULT" >>"$W/big.res"
		run_rate "$W/rate.00" "$FPORT" >/dev/null
		echo "rref $RESULT" >>"$W/big.res"
		# LMDB alone needs the database to itself: the redeemer stopped
		# (its pages stay in the page cache), then started again.
		stop_server "$RED"
		"$BUILD/bench/lmdb_floor" "$W/bigdb" "$RATE" "$RATE_SECONDS" >"$W/floor.out"
		echo "flo $(grep '^RESULT' "$W/floor.out")" >>"$W/big.res"
		floor_loaded "$W/bigdb"
		echo "flx $RESULT" >>"$W/big.res"
		start_server redeemer "$REDEEMER" serve --db "$W/bigdb" --keyring "$KEYRING" \
			--listen 127.0.0.1:0 --config "$W/big.ini"
		RED=$PID RPORT=$PORT
		tail -n 6 "$W/big.res" | awk '{ printf "     %s", $1; for (i = 2; i <= NF; i++) if ($i ~ /^(ok_per_s|p99_ms)=/) printf " %s", $i; print "" }'
	done
	stop_server "$RED"
	stop_server "$REF"
	awk -v n="$MEM_N" -v hwm="$hwm" -v rss="$rss" -v anon="$anon" -v mdb="$mdb" -v rate="$RATE" \
		-v maxb="$(cut -d' ' -f1 "$W/maxbeyond" 2>/dev/null || echo 0)" \
		-v maxa="$(cut -d' ' -f2 "$W/maxbeyond" 2>/dev/null || echo 0)" \
		-v full="$size_full" -v size="$(stat -c %s "$W/bigdb/data.mdb")" -v table="$TABLE" '
	function kv(s, k,   i, m, f) { m = split(s, f, " "); for (i = 1; i <= m; i++) if (index(f[i], k "=") == 1) return substr(f[i], length(k) + 2); return 0 }
	function median(a, k,   i, j, t) { for (i = 1; i <= k; i++) for (j = i + 1; j <= k; j++) if (a[j] < a[i]) { t = a[i]; a[i] = a[j]; a[j] = t } return k % 2 ? a[(k + 1) / 2] : (a[k / 2] + a[k / 2 + 1]) / 2 }
	{ r[$1, ++c[$1]] = $0 }
	END {
		for (i = 1; i <= c["red"]; i++) {
			tp[i] = kv(r["red", i], "ok_per_s") / kv(r["ref", i], "ok_per_s")
			lp[i] = kv(r["rate", i], "p99_ms") / kv(r["flo", i], "p99_ms")
			sp[i] = kv(r["rate", i], "p99_ms") / (kv(r["flo", i], "p99_ms") + kv(r["rref", i], "p99_ms"))
			qp[i] = kv(r["rref", i], "p99_ms")
			rp[i] = kv(r["rate", i], "p99_ms"); fp[i] = kv(r["flo", i], "p99_ms")
			xp[i] = kv(r["rate", i], "p99_ms") / kv(r["flx", i], "p99_ms"); xf[i] = kv(r["flx", i], "p99_ms")
			ok = ok && kv(r["rate", i], "ok") == kv(r["rate", i], "sent")
		}
		k = c["red"]
		printf "   one month: data.mdb %.0f MiB for %d redemptions (%.0f bytes a redemption)\n",
			full / 1048576, n, full / n
		printf "   then that month archived and another of %d: data.mdb %.0f MiB\n", n, size / 1048576
		printf "   throughput redeemer/reference, median of %d rounds: %.2f (goal >= 0.85)\n", k, median(tp, k)
		printf "   p99 at %d/s: redeemer %.2f ms, LMDB alone %.2f ms (medians); median of the ratios of its rounds %.2f (goal <= 1.5)\n",
			rate, median(rp, k), median(fp, k), median(lp, k)
		printf "   the reference server at %d/s: p99 %.2f ms; redeemer/(LMDB alone + reference), median %.2f\n",
			rate, median(qp, k), median(sp, k)
		printf "   LMDB alone beside the reference at %d/s: p99 %.2f ms; redeemer/that, median %.2f\n",
			rate, median(xf, k), median(xp, k)
		printf "   VmHWM %.1f MiB, of which data.mdb pages %.1f MiB: %.1f MiB beyond LMDB (goal < 64 MiB)\n",
			hwm / 1024, mdb / 1024, (hwm - mdb) / 1024
		printf "   RssAnon %.1f MiB; sampled every 2 s while filling: RSS beyond data.mdb\n", anon / 1024
		printf "   at most %.1f MiB, RssAnon at most %.1f MiB\n", maxb / 1024, maxa / 1024
		printf "redeemer memory beyond LMDB, %d redemptions\t%.1f MiB (VmHWM %.0f MiB)\t\t\t< 64 MiB\n",
			n, (hwm - mdb) / 1024, hwm / 1024 >>table
		printf "database a redemption, a month of %d\t%.0f bytes\t\t\t<= 600\n", n, full / n >>table
		printf "  two months (one archived): throughput\tmedian %.2f of the reference\t\t%.2f\t>= 0.85\n",
			median(tp, k), median(tp, k) >>table
		printf "  two months (one archived): p99 at %d/s\t%.2f ms\tLMDB alone: %.2f ms\t%.2f\t<= 1.5\n",
			rate, median(rp, k), median(fp, k), median(lp, k) >>table
		printf "  the same against LMDB alone + the reference server\t\t%.2f ms\t%.2f\t\n",
			median(fp, k) + median(qp, k), median(sp, k) >>table
		printf "  the same against LMDB alone beside the reference\t\t%.2f ms\t%.2f\t\n",
			median(xf, k), median(xp, k) >>table }' \
		"$W/big.res"
fi
fi

echo
echo "== summary"
{
	printf 'figure\tvalue\treference (same run)\tratio\tgoal\n'
	cat "$TABLE"
} | awk -F'\t' '{ for (i = 1; i <= 5; i++) { c[NR, i] = $i; if (length($i) > w[i]) w[i] = length($i) } }
END { for (r = 1; r <= NR; r++) {
	line = ""
	for (i = 1; i <= 5; i++) line = line sprintf("%-" w[i] "s", c[r, i]) (i < 5 ? " | " : "")
	sub(/ +$/, "", line)
	print line } }'
