#!/bin/bash
# `make install` into a temporary DESTDIR with another PREFIX: the programs
# run from there, the man pages render cleanly, the systemd unit points at
# the installed redeemer and passes systemd-analyze verify where there is one.
. "$(dirname "$0")/lib.sh"
ROOT=$(cd "$(dirname "$0")/.." && pwd)
D=$T/root P=/opt/voucher
make -s --no-print-directory -C "$ROOT" install DESTDIR="$D" PREFIX="$P" \
	BUILD="${BUILD:-$ROOT/build}" BIN="$BIN" >"$T/install.log" 2>&1
check "make install DESTDIR=... PREFIX=$P succeeds" test $? -eq 0
for p in voucher-keys voucher-issuer voucher-redeemer; do
	check "$p is installed and runs" sh -c "test -x '$D$P/bin/$p' && '$D$P/bin/$p' --help >/dev/null 2>&1"
	page=$D$P/share/man/man1/$p.1
	check "$p.1 is installed" test -f "$page"
	# -ww: every groff warning; a page that warns is a page that renders wrong somewhere.
	warn=$(groff -man -ww -z "$page" 2>&1)
	check "$p.1 renders without warnings${warn:+: $warn}" test -z "$warn"
	check "man -l $p.1 shows its NAME and SYNOPSIS" \
		sh -c "MANWIDTH=80 man -l '$page' 2>/dev/null | grep -q SYNOPSIS && MANWIDTH=80 man -l '$page' 2>/dev/null | grep -q '$p'"
done
unit=$D$P/lib/systemd/system/voucher-redeemer.service
check "the unit runs the installed redeemer" grep -q "^ExecStart=$P/bin/voucher-redeemer serve" "$unit"
for h in NoNewPrivileges=yes ProtectSystem=strict PrivateTmp=yes User=voucher ReadWritePaths=; do
	check "the unit has $h" grep -q "^$h" "$unit"
done
check "sample configuration is installed" test -f "$D$P/share/voucher/redeemer.ini" -a -f "$D$P/share/voucher/policy.ini"
if command -v systemd-analyze >/dev/null; then
	# verify wants the binary at its path: point a copy of the unit at the DESTDIR.
	sed "s|$P/bin/|$D$P/bin/|g" "$unit" >"$T/voucher-redeemer.service"
	out=$(systemd-analyze verify "$T/voucher-redeemer.service" 2>&1 | grep -v -e 'Failed to .*bus' -e 'No such file or directory' -e 'not running')
	check "systemd-analyze verify finds nothing wrong${out:+: $out}" test -z "$out"
else
	echo "# systemd-analyze is not on this machine: the unit was not verified"
fi

# The sample configuration serves as it is, with its paths moved into $T.
mkdir -p "$T/etc/tls" "$T/var"
"$D$P/bin/voucher-keys" generate --dir "$T/keys" --kid K1 --issuer PROBOLINGGO >/dev/null
cp "$T/keys/keyring" "$T/etc/keyring"
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 -subj /CN=127.0.0.1 \
	-addext subjectAltName=IP:127.0.0.1 -keyout "$T/etc/tls/privkey.pem" -out "$T/etc/tls/fullchain.pem" 2>/dev/null
sed -e "s|/var/lib/voucher|$T/var|; s|/etc/voucher|$T/etc|; s|^listen = .*|listen = 127.0.0.1:0|" \
	-e "s|^map_size_mb = .*|map_size_mb = 64|; s|^revocations = |;revocations = |" \
	"$D$P/share/voucher/redeemer.ini" >"$T/redeemer.ini"
# The installed redeemer, not $BIN's: start_bg and serve_url rather than start_redeemer.
start_bg "$D$P/bin/voucher-redeemer" serve --config "$T/redeemer.ini" >"$T/serve.out" 2>"$T/serve.log"
serve_url
check "the sample configuration serves HTTPS" \
	curl -fsS --cacert "$T/etc/tls/fullchain.pem" "https://127.0.0.1:$PORT/healthz" -o /dev/null
