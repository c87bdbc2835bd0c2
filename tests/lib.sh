# Shared helpers for end-to-end tests (bash). Source it; it makes a
# temporary directory $T that is removed at exit with every process
# started through start_bg.
set -u
: "${BIN:?BIN must point at the built programs}"
T=$(mktemp -d "${TMPDIR:-/tmp}/voucher-e2e.XXXXXX")
TESTS=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd) # this folder: gen_roster.sh, data/
NOW=$(date -u +%Y-%m)                                # this month, the period most tests issue for
_pids=()
_cleanup() {
	for p in "${_pids[@]:-}"; do [ -n "$p" ] && kill "$p" 2>/dev/null; done
	wait 2>/dev/null
	[ -n "${KEEP_T:-}" ] && echo "# kept $T" >&2 || rm -rf "$T" # KEEP_T=1: kept, to look into
}
trap _cleanup EXIT

ok() { echo "ok - $*"; }
fail() { echo "not ok - $*"; }

# check DESCRIPTION COMMAND...: ok if the command succeeds.
check() {
	local d=$1; shift
	if "$@"; then ok "$d"; else fail "$d"; fi
}

# expect_status N DESCRIPTION COMMAND...: ok if the command exits with N.
expect_status() {
	local want=$1 d=$2 got; shift 2
	"$@" >"$T/last.out" 2>"$T/last.err"
	got=$?
	if [ "$got" -eq "$want" ]; then ok "$d"; else
		fail "$d (exit $got, wanted $want)"
		sed 's/^/#   /' "$T/last.err" | head -n 20
	fi
}

start_bg() { "$@" & _pids+=($!); }

# ---- Set-up: keys, policy, roster, vouchers ----
# A set-up step that fails is reported as a failed test and ends the script:
# every test after it would only fail for it, far from the cause.
_setup() { # DESCRIPTION COMMAND...: run COMMAND, its output dropped
	local d=$1; shift
	"$@" >/dev/null || {
		fail "set-up: $d (exit $?)"
		exit 1
	}
}

# make_keys [DIR [FLAG...]]: an issuer key K1 (bound to no issuer yet) in
# DIR, $T/keys if not given, with these further flags of generate (such as
# --valid-from); sets K to DIR.
make_keys() {
	K=${1:-$T/keys}
	shift $(($# > 0))
	_setup "voucher-keys generate --dir $K" "$BIN/voucher-keys" generate --dir "$K" --kid K1 "$@"
}

# write_policy FILE [SETTING=VALUE...] [CLASS:AMOUNT...]: a policy of issuer
# PROBOLINGGO in Asia/Jakarta, with these further [scheme] settings (e.g.
# use=multi) and these classes of fixed amount, in the order given.
write_policy() {
	local file=$1 a
	shift
	{
		printf '[scheme]\nissuer = PROBOLINGGO\ntimezone = Asia/Jakarta\n'
		for a; do [[ $a == *=* ]] && printf '%s = %s\n' "${a%%=*}" "${a#*=}"; done
		for a; do [[ $a == *=* ]] || printf '[class.%s]\namount = %s\n' "${a%%:*}" "${a#*:}"; done
	} >"$file"
}

# roster N SEED [CLASS]: tests/gen_roster.sh's roster of N active ASN on
# stdout; with CLASS every one of them is of that class (so that every
# voucher has the same face value).
roster() {
	if [ -n "${3:-}" ]; then
		"$TESTS/gen_roster.sh" "$1" "$2" | sed "s/,[a-z_]*,\([0-9]*\),aktif\$/,$3,\1,aktif/"
	else
		"$TESTS/gen_roster.sh" "$1" "$2"
	fi
}

# issue LEDGER POLICY PERIOD OUT [ROSTER]: issue PERIOD's vouchers for ROSTER
# (roster.csv if not given) with the keys in $K into LEDGER, lists into OUT.
issue() {
	_setup "voucher-issuer issue --ledger $1 --period $3 --out $4" "$BIN/voucher-issuer" issue \
		--ledger "$1" --keys "$K" --roster "${5:-roster.csv}" --policy "$2" --period "$3" --out "$4"
}

# ---- The redeemer as a service ----
# start_redeemer ARGS...: `voucher-redeemer serve ARGS` in the background,
# stdout to $T/serve.out, stderr added to $T/serve.log; sets SERVER to its
# pid, then waits for it to listen (serve_url sets URL and PORT).
start_redeemer() {
	rm -f "$T/serve.out" # an earlier run's "listening" line must not be taken for this one's
	start_bg "$BIN/voucher-redeemer" serve "$@" >"$T/serve.out" 2>>"$T/serve.log"
	SERVER=${_pids[-1]}
	serve_url
}

# serve_url: wait until the redeemer last started with start_bg, its stdout
# to $T/serve.out and its stderr to $T/serve.log, prints "listening on
# HOST:PORT", then set URL (http:// or https://HOST:PORT) and PORT. If it
# exits first, or does not listen within $SERVE_TIMEOUT seconds (20: slow
# machines, AddressSanitizer), report a failed test with the end of its log
# and end the script: every test after would fail for it.
serve_url() {
	local out=$T/serve.out log=$T/serve.log pid=${_pids[-1]} line="" why=""
	local end=$((SECONDS + ${SERVE_TIMEOUT:-20}))
	while :; do
		line=$(grep -m 1 '^listening on ' "$out" 2>/dev/null) && break
		if ! kill -0 "$pid" 2>/dev/null; then
			# It may have written the line just before it ended: look once more.
			line=$(grep -m 1 '^listening on ' "$out" 2>/dev/null) && break
			wait "$pid" 2>/dev/null
			why="it exited with status $?"
			break
		fi
		if ((SECONDS >= end)); then
			why="it did not listen within ${SERVE_TIMEOUT:-20} s"
			break
		fi
		sleep 0.05
	done
	if [ -z "$line" ]; then
		fail "the redeemer never listened"
		echo "#   $why; the end of $log:"
		tail -n 20 "$log" 2>/dev/null | sed 's/^/#   /'
		exit 1
	fi
	line=${line#listening on }
	URL=http://${line%% *}
	[[ $line == *"(https)"* ]] && URL=https://${line%% *}
	PORT=${line%% *}
	PORT=${PORT##*:}
}

# reload_redeemer: SIGHUP to the service start_redeemer started, and wait
# until its log says it loaded (or kept) its keyring and revocation list.
reload_redeemer() {
	local log=$T/serve.log before end=$((SECONDS + 10))
	before=$(grep -c -e 'loaded keyring' -e 'not loaded' "$log" 2>/dev/null)
	kill -HUP "$SERVER"
	while (($(grep -c -e 'loaded keyring' -e 'not loaded' "$log" 2>/dev/null) == before)); do
		((SECONDS < end)) || break
		sleep 0.05
	done
}

# stop_redeemer: SIGTERM to the service start_redeemer started; returns its
# exit status.
stop_redeemer() {
	kill -TERM "$SERVER" 2>/dev/null
	wait "$SERVER" 2>/dev/null
}

# ---- The journal ----
# check_chain DESCRIPTION JOURNAL.csv [ENTRIES]: ok if the exported journal's
# hash chain is intact (and it holds ENTRIES entries); see journal_chain.py.
check_chain() {
	local d=$1 why
	shift
	if why=$(python3 "$TESTS/journal_chain.py" "$@" 2>&1); then ok "$d"; else
		fail "$d"
		echo "$why" | sed 's/^/#   /'
	fi
}
