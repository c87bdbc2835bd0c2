#!/bin/bash
# HTTPS: the redeemer with a certificate from a test CA, checked by curl.
. "$(dirname "$0")/lib.sh"
cd "$T"
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 -subj /CN=test-ca \
	-keyout ca.key -out ca.crt 2>/dev/null
openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj /CN=localhost \
	-keyout server.key -out server.csr 2>/dev/null
printf 'subjectAltName=DNS:localhost,IP:127.0.0.1\n' >ext
openssl x509 -req -in server.csr -CA ca.crt -CAkey ca.key -CAcreateserial -days 2 \
	-extfile ext -out server.crt 2>/dev/null
check "a test CA and a server certificate" test -s server.crt

make_keys
roster 2 1 >roster.csv
issue L "$TESTS/data/policy.ini" "$NOW" O
TOK=$("$BIN/voucher-redeemer" terminal add --db db --merchant M --name K --gallery G | tail -n 1)
start_redeemer --db db --keyring "$K/keyring" --listen 127.0.0.1:0 --tls-cert server.crt --tls-key server.key
check "it says it serves https" grep -q '(https)' serve.out
check "healthz over HTTPS, verified against the CA" \
	curl -fsS --cacert ca.crt "https://127.0.0.1:$PORT/healthz" -o /dev/null
V=$(python3 -c "import csv; print(list(csv.DictReader(open('O/vouchers.csv')))[0]['token'])")
code=$(curl -sS --cacert ca.crt -o resp -w '%{http_code}' -X POST "https://127.0.0.1:$PORT/v1/redeem" \
	-H "Authorization: Bearer $TOK" --data-binary "{\"voucher\":\"$V\",\"amount\":1000,\"request_id\":\"t1\"}")
check "a redemption over HTTPS" test "$code" = 201
check "plain HTTP is not answered as HTTP" sh -c "! curl -fsS --max-time 3 'http://127.0.0.1:$PORT/healthz' -o /dev/null 2>/dev/null"
check "the service survives the plain-HTTP attempt" \
	curl -fsS --cacert ca.crt "https://127.0.0.1:$PORT/healthz" -o /dev/null
expect_status 2 "--tls-cert without --tls-key is a usage error" "$BIN/voucher-redeemer" serve --db db \
	--keyring "$K/keyring" --listen 127.0.0.1:0 --tls-cert server.crt
