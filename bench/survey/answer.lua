-- wrk script for bench/survey/run.sh, phase 2: every request answers the
-- survey of one entry (a token from BENCH_TOKENS, each used once, in order),
-- as a citizen's phone does: POST /survey/<token> with JSON, no login.
-- Prints "stored N used M other K" at the end (201, 409 survey-used once the
-- tokens run out, anything else).
local path = os.getenv("BENCH_TOKENS") or "tokens.txt"
local tokens, next_i = {}, 0
local threads = {}
stored, used, other, samples = 0, 0, 0, ""

function setup(thread)
	table.insert(threads, thread)
end

function init(args)
	for line in io.lines(path) do
		tokens[#tokens + 1] = line
	end
	wrk.method = "POST"
	wrk.headers["Content-Type"] = "application/json"
	wrk.headers["Accept"] = "application/json"
end

function request()
	next_i = next_i + 1
	local t = tokens[((next_i - 1) % #tokens) + 1]
	local score = next_i % 11
	local body = '{"overall":' .. score .. ',"speed":' .. ((score + 3) % 11) .. ',"courtesy":10}'
	return wrk.format("POST", t, nil, body)
end

function response(status, headers, body)
	if status == 201 then
		stored = stored + 1
	elseif status == 409 then
		used = used + 1
	else
		other = other + 1
		if other <= 3 then
			samples = samples .. status .. " " .. string.sub(body or "", 1, 200) .. "\n"
		end
	end
end

function done(summary, latency, requests)
	local s, u, o, m = 0, 0, 0, ""
	for _, t in ipairs(threads) do
		s = s + t:get("stored")
		u = u + t:get("used")
		o = o + t:get("other")
		m = m .. t:get("samples")
	end
	io.write(string.format("stored %d used %d other %d\n", s, u, o))
	if m ~= "" then
		io.write("other answers (first few):\n" .. m)
	end
end
