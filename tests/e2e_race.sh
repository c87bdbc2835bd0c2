#!/bin/bash
# Races: 12 clients on 6 terminals of 2 merchants hit 30 multi-use vouchers
# at once with new redemptions, replays, conflicting replays, voids and
# another merchant's voids. Afterwards: every 201 is in the journal once,
# replays were answered byte for byte, conflicts were refused, nothing was
# voided twice, no voucher went below zero, balances equal the journal, the
# hash chain is intact.
. "$(dirname "$0")/lib.sh"
cd "$T"
make_keys
write_policy p.ini use=multi pelaksana:50000
roster 30 5 pelaksana >roster.csv
issue L p.ini "$NOW" O
for m in BATIK KOPI; do
	for i in 1 2 3; do
		echo "$m $("$BIN/voucher-redeemer" terminal add --db db --merchant $m --name "$m-$i" --gallery G | tail -n 1)"
	done
done >terminals.txt
start_redeemer --db db --keyring "$K/keyring" --listen 127.0.0.1:0

# The journal is left in journal.csv for check_chain.
python3 - "$URL" "$BIN" "$NOW" >race.txt 2>race.err <<'PY'
import csv, json, random, subprocess, sys, threading, time, urllib.request, urllib.error
url, bin_, period = sys.argv[1:]
terms = [l.split() for l in open("terminals.txt")]
vouchers = [(r["serial"], r["token"]) for r in csv.DictReader(open("O/vouchers.csv"))]
lock = threading.Lock()
acked = {}            # rid -> (serial, amount, merchant)
voided = set()        # rids a void answered 200 for
bad = {"replay": 0, "conflict": 0, "foreign_void": 0, "status": 0}
count = {"redeem": 0, "replay": 0, "conflict": 0, "void": 0, "foreign_void": 0}

def call(path, tok, body=None):
    req = urllib.request.Request(url + path, method="POST", headers={"Authorization": "Bearer " + tok},
                                 data=json.dumps(body).encode() if body is not None else b"")
    try:
        with urllib.request.urlopen(req, timeout=10) as r:
            return r.status, r.read()
    except urllib.error.HTTPError as e:
        return e.code, e.read()

def client(seed, deadline):
    rnd = random.Random(seed)
    merchant, tok = terms[seed % len(terms)]
    mine = []         # (body, answer bytes) of this client's 201s
    while time.time() < deadline:
        x = rnd.random()
        if x < 0.6 or not mine:
            serial, token = rnd.choice(vouchers)
            body = {"voucher": token, "amount": rnd.randint(1000, 15000), "request_id": f"c{seed}-{rnd.getrandbits(48)}"}
            st, ans = call("/v1/redeem", tok, body)
            kind = "redeem"
            if st == 201:
                a = json.loads(ans)
                mine.append((body, ans))
                with lock:
                    acked[a["redemption_id"]] = (a["serial"], a["amount"], merchant)
            elif st != 409:
                with lock: bad["status"] += 1
        elif x < 0.75:
            body, ans = rnd.choice(mine)
            st, again = call("/v1/redeem", tok, body)
            kind = "replay"
            if st != 201 or again != ans:
                with lock: bad["replay"] += 1
        elif x < 0.85:
            body, _ = rnd.choice(mine)
            st, ans = call("/v1/redeem", tok, dict(body, amount=body["amount"] + 1))
            kind = "conflict"
            if st != 409 or json.loads(ans)["error"] != "request_conflict":
                with lock: bad["conflict"] += 1
        else:
            rid = json.loads(rnd.choice(mine)[1])["redemption_id"]
            foreign = rnd.random() < 0.2
            t = next(tk for m, tk in terms if m != merchant) if foreign else tok
            st, ans = call(f"/v1/redemptions/{rid}/void", t)
            kind = "foreign_void" if foreign else "void"
            with lock:
                if foreign and st != 404: bad["foreign_void"] += 1
                if not foreign and st == 200: voided.add(rid)
                if not foreign and st != 200: bad["status"] += 1
        with lock:
            count[kind] += 1

deadline = time.time() + 4
ts = [threading.Thread(target=client, args=(i, deadline)) for i in range(12)]
for t in ts: t.start()
for t in ts: t.join()

remaining = {s: json.load(urllib.request.urlopen(f"{url}/v1/vouchers/{s}"))["remaining"]
             for s, _ in vouchers if True}
with open("journal.csv", "wb") as f:
    subprocess.run([bin_ + "/voucher-redeemer", "export", "--db", "db", "--period", period], stdout=f)
rows = [r for r in csv.reader(open("journal.csv", newline=""))][1:-1]  # not the header nor the head
redeems, voids, net = {}, {}, {}
for r in rows:
    rid, serial, amount = r[3], r[4], int(r[6])
    if r[2] == "redeem":
        redeems.setdefault(rid, []).append((serial, amount, r[8]))
        net[serial] = net.get(serial, 0) + amount
    else:
        voids[rid] = voids.get(rid, 0) + 1
        net[serial] = net.get(serial, 0) - amount
missing = sum(1 for rid, v in acked.items() if redeems.get(rid) != [v])
extra = sum(1 for rid in redeems if rid not in acked)
twice = sum(1 for n in voids.values() if n > 1)
unvoided = sum(1 for rid in voided if voids.get(rid) != 1)
mismatch = sum(1 for s, _ in vouchers if not 0 <= 50000 - net.get(s, 0) == remaining[s])
print(sum(count.values()), len(acked), count["replay"], count["conflict"], count["void"], count["foreign_void"],
      missing, extra, twice, unvoided, mismatch, bad["replay"], bad["conflict"],
      bad["foreign_void"], bad["status"])
PY
cat race.err >&2
read -r total acked replays conflicts voids foreign missing extra twice unvoided mismatch \
	bad_replay bad_conflict bad_foreign bad_status <race.txt || true
check "12 clients on 6 terminals sent ${total:-0} requests ($acked redeemed, $replays replays, $conflicts conflicts, $voids voids, $foreign foreign voids)" \
	test "${acked:-0}" -gt 50 -a "${replays:-0}" -gt 0 -a "${voids:-0}" -gt 0 -a "${foreign:-0}" -gt 0
check "every 201 is in the journal once, with its voucher, amount and merchant" test "${missing:-1}" -eq 0
check "the journal holds no redemption nobody was told of" test "${extra:-1}" -eq 0
check "replays were answered byte for byte" test "${bad_replay:-1}" -eq 0
check "conflicting replays were refused with request_conflict" test "${bad_conflict:-1}" -eq 0
check "another merchant's voids were refused with 404" test "${bad_foreign:-1}" -eq 0
check "no redemption was voided twice, every answered void is in the journal" test "${twice:-1}" -eq 0 -a "${unvoided:-1}" -eq 0
check "no unexpected status" test "${bad_status:-1}" -eq 0
check "balances equal the journal and never go below zero" test "${mismatch:-1}" -eq 0
check_chain "the journal's hash chain is intact" journal.csv
check "the service is still up" curl -fsS "$URL/healthz" -o /dev/null
