-- wrk script: POST /v1/redeem, a different voucher on every request.
--
--   TOKENS=FILE BEARER=TOKEN WRK_THREADS=2 wrk -t2 -c50 -d10s --latency \
--       -s bench/redeem.lua http://127.0.0.1:PORT
--
-- TOKENS: one voucher a line (bench_mint); thread k of WRK_THREADS (must
-- match -t) takes lines k+1, k+1+WRK_THREADS, ..., so no two requests carry
-- the same voucher. BEARER (or BEARER_FILE, whose last line is the token):
-- the terminal's bearer token. RUN_ID (default: the Unix time): a word put
-- in every request_id, which must be new for each run against one terminal
-- (a request_id sent again with another voucher is a request_conflict).
--
-- Each thread reads its next voucher from the file as it sends: wrk lets a
-- thread send as soon as it is made, before the next thread's init() and
-- before the run's clock starts, so init() must be quick or the first
-- thread's early requests inflate the rate (building 100,000 requests in
-- init() took a second).
--
-- A thread that has used up its vouchers stops (with STOP_AT_END=1, to fill
-- a database) or goes on sending its last voucher under new request_ids,
-- which the redeemer refuses (409 already_spent) and which counts as
-- non-201. done() prints the 201s and the rest, and a last line
--   RESULT ok=N other=N errors=N seconds=S ok_per_s=R p50_ms=X p99_ms=X ran_out=N

local threads = {}
local counter = 0

function setup(thread)
	thread:set("id", counter)
	counter = counter + 1
	table.insert(threads, thread)
end

ok, other, ran_out = 0, 0, 0
local stop_at_end = os.getenv("STOP_AT_END") == "1"
local lines, nthreads, head, last, run
local sent, again = 0, 0

local function bearer()
	local b = os.getenv("BEARER")
	if b and b ~= "" then return b end
	local path = os.getenv("BEARER_FILE")
	if not path then error("set BEARER or BEARER_FILE") end
	for line in io.lines(path) do
		if line ~= "" then b = line end
	end
	return b
end

-- The body has a fixed length (154-character vouchers, 12-digit request
-- numbers), so the request line and headers are made once.
local function body(tok, rid)
	return '{"voucher": "' .. tok .. '", "amount": 25000, "request_id": "wrk-' .. run ..
		'-' .. id .. '-' .. rid .. '"}'
end

-- The next line, or nil for ever after the end.
local function line()
	local l = lines and lines()
	if not l then lines = nil end
	return l
end

local function next_voucher()
	local tok = line()
	for _ = 2, nthreads do line() end
	if tok == "" then tok = nil end
	return tok
end

function init(args)
	local path = os.getenv("TOKENS") or error("set TOKENS to the vouchers file")
	nthreads = tonumber(os.getenv("WRK_THREADS") or "2")
	run = os.getenv("RUN_ID") or tostring(os.time())
	lines = io.lines(path)
	for _ = 1, id do line() end -- this thread's first line is line id + 1
	local sample = body(string.rep("x", 154), string.format("%012d", 0))
	local req = wrk.format("POST", "/v1/redeem", {
		["Authorization"] = "Bearer " .. bearer(),
		["Content-Type"] = "application/json",
	}, sample)
	head = req:sub(1, #req - #sample)
end

function request()
	local tok = next_voucher()
	if tok and #tok ~= 154 then error("vouchers are 154 characters, not: " .. tok) end
	if tok then
		last = tok
		sent = sent + 1
		return head .. body(tok, string.format("%012d", sent))
	end
	-- Out of vouchers: the last one again under a new request_id (a replay
	-- of the same request_id would rightly get its 201 again).
	ran_out = 1
	again = again + 1
	return head .. body(last, string.format("again%07d", again))
end

function response(status, headers, body)
	if status == 201 then ok = ok + 1 else other = other + 1 end
	if ran_out == 1 and stop_at_end then wrk.thread:stop() end
end

function done(summary, latency, requests)
	local ok_all, other_all, out = 0, 0, 0
	for _, t in ipairs(threads) do
		ok_all = ok_all + t:get("ok")
		other_all = other_all + t:get("other")
		out = out + t:get("ran_out")
	end
	local e = summary.errors
	local errors = e.connect + e.read + e.write + e.timeout
	local s = summary.duration / 1e6
	io.write(string.format("201: %d, other: %d, socket errors: %d, in %.2f s: %.0f redemptions/s\n",
		ok_all, other_all, errors, s, ok_all / s))
	if out > 0 then
		io.write(string.format("warning: %d thread(s) ran out of vouchers\n", out))
	end
	io.write(string.format("RESULT ok=%d other=%d errors=%d seconds=%.3f ok_per_s=%.1f " ..
		"p50_ms=%.3f p99_ms=%.3f ran_out=%d\n", ok_all, other_all, errors, s, ok_all / s,
		latency:percentile(50) / 1e3, latency:percentile(99) / 1e3, out))
end
