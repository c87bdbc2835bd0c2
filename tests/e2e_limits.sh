#!/bin/bash
# The redeemer's limits: a cap on open connections and a share of them per
# client address, idle and slow connections timed out, busy keep-alive
# connections giving way, a lockout that spares valid tokens, /metrics
# behind a token, a configuration file with its errors named by line.
. "$(dirname "$0")/lib.sh"
cd "$T"
make_keys
printf '[redeemer]\ndb = %s/db\nkeyring = %s/keyring\nlisten = 127.0.0.1:0\nmax_connections = 4\ntimeout = 2\n' "$T" "$K" >r.ini
start_redeemer --config r.ini
check "serve takes its settings from --config" curl -fsS "http://127.0.0.1:$PORT/healthz" -o /dev/null

# hold SECONDS [ADDRESS...]: an idle connection from each ADDRESS
# (127.0.0.2-5 if none), "ready" in $T/held once they are made; in
# $T/held.closed, how many the service closed at once.
hold() {
	local secs=$1
	shift
	rm -f "$T/held" "$T/held.closed"
	python3 - "$PORT" "$secs" "$T/held" "${@:-127.0.0.2 127.0.0.3 127.0.0.4 127.0.0.5}" <<'PY' &
import socket, sys, time
port, secs, out, addrs = int(sys.argv[1]), float(sys.argv[2]), sys.argv[3], " ".join(sys.argv[4:]).split()
s = [socket.create_connection(("127.0.0.1", port), source_address=(a, 0)) for a in addrs]
time.sleep(0.3) # for the service to take them
closed = 0
for c in s:
    c.settimeout(0.05)
    try:
        closed += c.recv(1) == b""
    except (socket.timeout, OSError):
        pass
open(out + ".closed", "w").write(str(closed))
open(out, "w").write("ready")
time.sleep(secs)
for c in s: c.close()
PY
	holder=$!
	for _ in $(seq 100); do [ -s "$T/held" ] && break; sleep 0.05; done
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

# One address gets its share of the places (by default a quarter, at least 2).
hold 1.5 127.0.0.6 127.0.0.6 127.0.0.6 127.0.0.6
check "one address's connections beyond its share are closed at once" test "$(cat "$T/held.closed")" = 2
check "and the places stay open for others" curl -fsS --max-time 1 "http://127.0.0.1:$PORT/healthz" -o /dev/null
wait "$holder"

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
check "then a wrong token from that address gets 429" test "$(post "vt_guess11AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")" = 429
check "but the right token from that address still passes (reaches the body check)" test "$(post "$TOK")" = 400
check "another address is not held up either" test "$(post --interface 127.0.0.2 "$TOK")" = 400

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
check "others are served while a slow client dawdles" \
	curl -fsS --max-time 2 --interface 127.0.0.2 "http://127.0.0.1:$PORT/healthz" -o /dev/null
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
stop_redeemer

# No client takes the places from others by keeping its connections busy:
# here one address may hold every place, but a new client is still served,
# for the connection that has idled longest between requests gives way.
printf '[redeemer]\ndb = %s/db\nkeyring = %s/keyring\nlisten = 127.0.0.1:0\nmax_connections = 4\nmax_connections_per_address = 4\n' "$T" "$K" >fair.ini
start_redeemer --config fair.ini
python3 - "$PORT" >keepers.txt <<'PY' &
import http.client, sys, time
port = int(sys.argv[1])
cs = [http.client.HTTPConnection("127.0.0.1", port, source_address=("127.0.0.2", 0)) for _ in range(4)]
answered = 0
end = time.time() + 4
while time.time() < end:
    for c in cs:
        try:
            c.request("GET", "/healthz", headers={"Connection": "keep-alive"})
            c.getresponse().read()
            answered += 1
        except (OSError, http.client.HTTPException):
            c.close() # reconnects on the next request
    time.sleep(0.3)
print(answered)
PY
keepers=$!
sleep 1
check "four busy keep-alive connections from one address do not shut out another client" \
	curl -fsS --max-time 2 --interface 127.0.0.3 "http://127.0.0.1:$PORT/healthz" -o /dev/null
wait "$keepers"
check "while they are served too ($(cat keepers.txt) answers)" test "$(cat keepers.txt)" -gt 10

stop_redeemer

# A connection ends after max_requests_per_connection requests, or once
# max_connection_seconds have passed: its last answer says Connection: close.
printf '[redeemer]\ndb = %s/db\nkeyring = %s/keyring\nlisten = 127.0.0.1:0\nmax_requests_per_connection = 3\nmax_connection_seconds = 2\n' "$T" "$K" >life.ini
start_redeemer --config life.ini
python3 - "$PORT" >lifetime.txt <<'PY'
import http.client, sys, time
c = http.client.HTTPConnection("127.0.0.1", int(sys.argv[1]))
said = []
for i in range(3):
    c.request("GET", "/healthz")
    r = c.getresponse(); r.read()
    said.append(r.getheader("Connection") or "-")
c.close()
c = http.client.HTTPConnection("127.0.0.1", int(sys.argv[1]))
c.request("GET", "/healthz"); r = c.getresponse(); r.read(); said.append(r.getheader("Connection") or "-")
time.sleep(2.2)
c.request("GET", "/healthz"); r = c.getresponse(); r.read(); said.append(r.getheader("Connection") or "-")
print(" ".join(said))
PY
check "the third request's answer closes the connection ($(cat lifetime.txt))" \
	test "$(cut -d' ' -f1-3 lifetime.txt)" = "- - close"
check "and so does the first after 2 s" test "$(cut -d' ' -f4-5 lifetime.txt)" = "- close"
stop_redeemer

# /metrics behind a token.
printf '[redeemer]\ndb = %s/db\nkeyring = %s/keyring\nlisten = 127.0.0.1:0\nmetrics_token = m3tr1cs-token\n' "$T" "$K" >metrics.ini
start_redeemer --config metrics.ini
metrics() { curl -sS -o metrics.out -w '%{http_code}' "$@" "$URL/metrics"; }
check "/metrics without the token is 401" test "$(metrics)" = 401
check "with a wrong token too" test "$(metrics -H 'Authorization: Bearer m3tr1cs-toke')" = 401
check "with the token it answers" test "$(metrics -H 'Authorization: Bearer m3tr1cs-token')" = 200
check "the metrics themselves" grep -q '^voucher_redemptions_total ' metrics.out
check "/healthz needs no token" curl -fsS "$URL/healthz" -o /dev/null
check "the token is not logged" sh -c "! grep -q m3tr1cs '$T/serve.log'"
