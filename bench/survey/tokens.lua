-- wrk script for bench/survey/run.sh, phase 1: POSTs new registry entries (as
-- bench/registry/post.lua does) and writes each new entry's survey path
-- ("/survey/<token>") to BENCH_TOKENS, one per line.
-- Environment: BENCH_COOKIE, BENCH_CSRF, BENCH_VISITED_AT, BENCH_RUN, BENCH_TOKENS.
local cookie = os.getenv("BENCH_COOKIE") or ""
local csrf = os.getenv("BENCH_CSRF") or ""
local visited = os.getenv("BENCH_VISITED_AT") or ""
local run = os.getenv("BENCH_RUN") or "run"
local path = os.getenv("BENCH_TOKENS") or "tokens.txt"
local n = 0
local out

function init(args)
	wrk.method = "POST"
	wrk.path = "/registry"
	wrk.headers["Content-Type"] = "application/json"
	wrk.headers["Accept"] = "application/json"
	wrk.headers["Cookie"] = cookie
	wrk.headers["X-CSRF-Token"] = csrf
	out = io.open(path, "a")
end

function request()
	n = n + 1
	local key = string.format("%s-%08d", run, n)
	local body = '{"visited_at":"' .. visited .. '","visitor_name":"ผู้ทดสอบ ' .. key ..
		'","channel":"tangrat","idempotency_key":"' .. key ..
		'","services":[{"code":"tangrat_signup","outcome":"completed"}]}'
	return wrk.format(nil, nil, nil, body)
end

function response(status, headers, body)
	if status == 201 then
		local url = string.match(body or "", '"survey_url"%s*:%s*"([^"]+)"')
		if url then
			out:write(url, "\n")
			out:flush()
		end
	end
end
