# Shared helpers for end-to-end tests (bash). Source it; it makes a
# temporary directory $T that is removed at exit with every process
# started through start_bg.
set -u
: "${BIN:?BIN must point at the built programs}"
T=$(mktemp -d "${TMPDIR:-/tmp}/voucher-e2e.XXXXXX")
_pids=()
_cleanup() {
	for p in "${_pids[@]:-}"; do [ -n "$p" ] && kill "$p" 2>/dev/null; done
	wait 2>/dev/null
	rm -rf "$T"
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
