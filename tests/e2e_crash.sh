#!/bin/bash
# Crash consistency: clients redeem while the redeemer is killed with
# SIGKILL at random moments (KILLS times, 20 by default; `make crash-test`
# runs more) and restarted. Afterwards every 201 any client received must be
# in the journal and in the balances, no voucher may be spent beyond its face
# value, and the journal's hash chain must be intact.
. "$(dirname "$0")/lib.sh"
cd "$T"
make_keys
# Every class, for the issuer runs at the end (big.csv); the 200 ASN served
# are all pelaksana, so every voucher is 50000.
write_policy p.ini pelaksana:50000 fungsional:75000 eselon_iv:75000 eselon_iii:100000 \
	kepala_opd:150000 eselon_ii:200000
roster 200 9 pelaksana >roster.csv
issue L p.ini "$NOW" O
TOK=$("$BIN/voucher-redeemer" terminal add --db db --merchant M --name K --gallery G | tail -n 1)

# The journal is left in journal.csv for check_chain.
python3 - "$BIN" "$K/keyring" "$TOK" "${KILLS:-20}" "$NOW" >crash.txt 2>crash.err <<'PY'
import csv, json, random, subprocess, sys, threading, time, urllib.request, urllib.error
bin_, keyring, tok, kills, period = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]), sys.argv[5]
random.seed(20261122)
vouchers = [(r["serial"], r["token"]) for r in csv.DictReader(open("O/vouchers.csv"))]
acked = {}          # rid -> (serial, amount)
lock = threading.Lock()
sent = [0]

def start():
    p = subprocess.Popen([bin_ + "/voucher-redeemer", "serve", "--db", "db", "--keyring", keyring,
                          "--listen", "127.0.0.1:0"], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    line = p.stdout.readline()
    assert line.startswith("listening on "), line
    return p, "http://" + line.split()[2]

def client(url, stop, seed):
    rnd = random.Random(seed)
    while not stop.is_set():
        serial, token = rnd.choice(vouchers)
        body = {"voucher": token, "amount": rnd.randint(100, 1000), "request_id": f"{seed}-{rnd.random()}"}
        req = urllib.request.Request(url + "/v1/redeem", data=json.dumps(body).encode(), method="POST",
                                     headers={"Authorization": "Bearer " + tok})
        try:
            with urllib.request.urlopen(req, timeout=2) as r:
                a = json.load(r)
                with lock:
                    acked[a["redemption_id"]] = (a["serial"], a["amount"])
        except urllib.error.HTTPError:
            pass
        except Exception:
            time.sleep(0.02)   # the service is down: try again soon
        with lock:
            sent[0] += 1

restarts = 0
for k in range(kills):
    p, url = start()
    restarts += 1
    stop = threading.Event()
    ts = [threading.Thread(target=client, args=(url, stop, k * 10 + i)) for i in range(6)]
    for t in ts: t.start()
    time.sleep(random.uniform(0.15, 0.7))
    p.kill()                                 # SIGKILL, mid-flight
    p.wait()
    stop.set()
    for t in ts: t.join()

p, url = start()
health = urllib.request.urlopen(url + "/healthz").status
remaining = {}
for serial, token in vouchers:
    try:
        remaining[serial] = json.load(urllib.request.urlopen(url + "/v1/vouchers/" + serial))["remaining"]
    except urllib.error.HTTPError:
        remaining[serial] = 50000
p.terminate(); p.wait()

with open("journal.csv", "wb") as f:
    subprocess.run([bin_ + "/voucher-redeemer", "export", "--db", "db", "--period", period], stdout=f)
rows = [r for r in csv.reader(open("journal.csv", newline=""))][1:-1]  # not the header nor the head
journal = {}
spent = {}
for r in rows:
    journal[r[3]] = (r[4], int(r[6]))
    spent[r[4]] = spent.get(r[4], 0) + int(r[6])
missing = [rid for rid, v in acked.items() if journal.get(rid) != v]
over = [s for s, n in spent.items() if n > 50000]
mismatch = [s for s, _ in vouchers if 50000 - spent.get(s, 0) != remaining[s]]
print(len(acked), sent[0], restarts, len(rows), len(missing), len(over), len(mismatch), health)
PY
read -r acked sent restarts entries missing over mismatch health <crash.txt || true
cat crash.err >&2
check "the redeemer was killed and restarted ${restarts:-0} times while $sent requests ran" test "${restarts:-0}" -ge "${KILLS:-20}"
check "clients got $acked acknowledgements" test "${acked:-0}" -gt 0
check "every acknowledged redemption is in the journal" test "${missing:-1}" -eq 0
check "no voucher is spent beyond its face value" test "${over:-1}" -eq 0
check "balances agree with the journal" test "${mismatch:-1}" -eq 0
check_chain "the journal's hash chain is intact ($entries entries)" journal.csv
check "the service comes back after the last kill" test "${health:-0}" = 200

# The issuer killed mid-run leaves all of that run's vouchers or none.
roster 1000 4 >big.csv
allornone=0
for delay in 0.02 0.05 0.1 0.2 0.4; do
	rm -rf LK OK
	"$BIN/voucher-issuer" issue --ledger LK --keys "$K" --roster big.csv --policy p.ini \
		--period 2030-01 --out OK >/dev/null 2>&1 &
	pid=$!
	sleep "$delay"
	kill -9 "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
	before=$("$BIN/voucher-issuer" issue --ledger LK --keys "$K" --roster big.csv --policy p.ini \
		--period 2030-01 --out OK2 2>/dev/null | sed -n 's/^already issued before: //p')
	case "$before" in 0|1000) ;; *) allornone=1; echo "# killed after ${delay}s: $before vouchers" ;; esac
done
check "an issuer killed mid-run leaves all of its vouchers or none" test "$allornone" -eq 0
