-- wrk script for bench/registry/run.sh: every request POSTs a new registry
-- entry as JSON, with a unique idempotency key and visitor name, as a
-- logged-in officer (session cookie + CSRF token).
-- Environment: BENCH_COOKIE ("osspoint_session=..."), BENCH_CSRF,
-- BENCH_VISITED_AT (Bangkok "YYYY-MM-DDTHH:MM"), BENCH_RUN (a unique prefix).
-- At the end it prints "created N other M" (201 answers vs anything else) and
-- the first few other answers.

local threads = {}
local nthreads = 0

function setup(thread)
	nthreads = nthreads + 1
	thread:set("tid", nthreads)
	table.insert(threads, thread)
end

local cookie = os.getenv("BENCH_COOKIE") or ""
local csrf = os.getenv("BENCH_CSRF") or ""
local visited = os.getenv("BENCH_VISITED_AT") or ""
local run = os.getenv("BENCH_RUN") or "run"
local n = 0
created = 0
other = 0
samples = ""

function init(args)
	wrk.method = "POST"
	wrk.path = "/registry"
	wrk.headers["Content-Type"] = "application/json"
	wrk.headers["Accept"] = "application/json"
	wrk.headers["Cookie"] = cookie
	wrk.headers["X-CSRF-Token"] = csrf
end

function request()
	n = n + 1
	local key = string.format("%s-%d-%08d", run, tid, n) -- 8..80 chars of [A-Za-z0-9_.:-]
	local body = '{"visited_at":"' .. visited .. '","visitor_name":"ผู้ทดสอบ ' .. key ..
		'","channel":"tangrat","idempotency_key":"' .. key ..
		'","services":[{"code":"tangrat_signup","outcome":"completed"}]}'
	return wrk.format(nil, nil, nil, body)
end

function response(status, headers, body)
	if status == 201 then
		created = created + 1
	else
		other = other + 1
		if other <= 3 then
			samples = samples .. status .. " " .. string.sub(body or "", 1, 200) .. "\n"
		end
	end
end

function done(summary, latency, requests)
	local c, o, s = 0, 0, ""
	for _, t in ipairs(threads) do
		c = c + t:get("created")
		o = o + t:get("other")
		s = s .. t:get("samples")
	end
	io.write(string.format("created %d other %d\n", c, o))
	if s ~= "" then
		io.write("other answers (first few):\n" .. s)
	end
end
