#!/bin/bash
# The redeemer's limits: a cap on open connections, idle connections timed
# out, a configuration file with its errors named by line.
. "$(dirname "$0")/lib.sh"
cd "$T"
make_keys
printf '[redeemer]\ndb = %s/db\nkeyring = %s/keyring\nlisten = 127.0.0.1:0\nmax_connections = 4\ntimeout = 2\n' "$T" "$K" >r.ini
start_redeemer --config r.ini
check "serve takes its settings from --config" curl -fsS "http://127.0.0.1:$PORT/healthz" -o /dev/null

# Hold 4 idle connections open: the 5th waits; once they go, it is answered.
# hold SECONDS: 4 idle connections, "ready" in $T/held once they are made.
hold() {
	rm -f "$T/held"
	python3 - "$PORT" "$1" "$T/held" <<'PY' &
import socket, sys, time
s = [socket.create_connection(("127.0.0.1", int(sys.argv[1]))) for _ in range(4)]
open(sys.argv[3], "w").write("ready")
time.sleep(float(sys.argv[2]))
for c in s: c.close()
PY
	holder=$!
	for _ in $(seq 100); do [ -s "$T/held" ] && break; sleep 0.05; done
	sleep 0.3 # for the service to take them
}
hold 1.5
check "at the cap a new connection is not served" \
	sh -c "! curl -fsS --max-time 0.6 'http://127.0.0.1:$PORT/healthz' -o /dev/null 2>/dev/null"
wait "$holder"
check "when the others close, it is" curl -fsS --max-time 3 "http://127.0.0.1:$PORT/healthz" -o /dev/null

# Idle connections are closed after the timeout, freeing their places.
hold 8
check "four idle connections fill the cap" \
	sh -c "! curl -fsS --max-time 0.6 'http://127.0.0.1:$PORT/healthz' -o /dev/null 2>/dev/null"
check "until the server times them out (2 s)" curl -fsS --max-time 5 "http://127.0.0.1:$PORT/healthz" -o /dev/null
kill "$holder" 2>/dev/null

printf '[redeemer]\nlisten = 127.0.0.1:0\nmax_connections = lots\n' >bad.ini
expect_status 1 "a bad configuration is refused" "$BIN/voucher-redeemer" serve --config bad.ini --db db2 --keyring "$K/keyring"
check "naming its line" grep -q 'bad.ini:3: ' "$T/last.err"
printf '[redeemer]\ntimeout = 5\ntimeout = 6\n' >twice.ini
expect_status 1 "a number given twice is refused like any other setting" "$BIN/voucher-redeemer" serve \
	--config twice.ini --db db2 --keyring "$K/keyring"
check "naming the second line" grep -q 'twice.ini:3: timeout given twice' "$T/last.err"

# Guessing terminal tokens: after 10 misses an address must wait; others not.
TOK=$("$BIN/voucher-redeemer" terminal add --db "$T/db" --merchant M --name K --gallery G | tail -n 1)
post() { # [curl options...] token -> HTTP code
	local tok=${*: -1}
	curl -sS -o /dev/null -w '%{http_code}' "${@:1:$#-1}" -X POST "http://127.0.0.1:$PORT/v1/redeem" \
		-H "Authorization: Bearer $tok" --data-binary '{}'
}
codes=""
for i in $(seq 10); do codes="$codes$(post "vt_guess${i}AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")"; done
check "ten wrong tokens get 401" test "$codes" = "$(printf '401%.0s' $(seq 10))"
check "then even the right token from that address gets 429" test "$(post "$TOK")" = 429
check "another address is not held up (reaches the body check)" \
	test "$(post --interface 127.0.0.2 "$TOK")" = 400

# A slow client (slowloris) is cut off after the timeout; others are served meanwhile.
python3 - "$PORT" >slow.txt <<'PY' &
import socket, sys, time
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
s.sendall(b"POST /v1/redeem HTTP/1.1\r\nHost: x\r\n")
start = time.time()
try:
    for i in range(40):
        s.sendall(b"X")
        time.sleep(0.25)
    print("never cut off")
except OSError:
    print("cut off after %.0f s" % (time.time() - start))
PY
slow=$!
sleep 0.5
check "others are served while a slow client dawdles" curl -fsS --max-time 2 "http://127.0.0.1:$PORT/healthz" -o /dev/null
wait "$slow"
check "the slow client is cut off ($(cat slow.txt))" grep -q '^cut off after [0-9] s$' slow.txt

# A flood of headers, invalid UTF-8: refused, and the service stays up.
code=$(python3 - "$PORT" <<'PY'
import socket, sys
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
try:
    s.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n" + b"X-Flood: aaaaaaaaaaaaaaaa\r\n" * 5000 + b"\r\n")
    print(s.recv(100).split(b" ")[1].decode())
except (OSError, IndexError):
    print("closed")
PY
)
check "a header flood is refused ($code)" sh -c "case '$code' in 4??|closed) exit 0;; *) exit 1;; esac"
code=$(printf '{"voucher":"\xff\xfe","amount":1,"request_id":"u"}' | curl -sS -o resp -w '%{http_code}' -X POST \
	--interface 127.0.0.2 "http://127.0.0.1:$PORT/v1/redeem" -H "Authorization: Bearer $TOK" --data-binary @-)
check "invalid UTF-8 in JSON is a malformed request" test "$code/$(python3 -c "import json; print(json.load(open('resp'))['error'])")" = 400/malformed_request
check "the service is still up after all this" curl -fsS --interface 127.0.0.2 "http://127.0.0.1:$PORT/healthz" -o /dev/null
