# shellcheck shell=bash disable=SC2034 # sets variables for the caller (SRV_PID, URL, NPORT, NGINX_PID)
# Shared by the benchmarks (bench/run.sh, bench/portal/run.sh,
# bench/registry/run.sh); sourced, not run. The caller sets ROOT (the
# checkout), W (its work directory), SECS and CONNS where it uses
# bench_serve, bench_nginx or bench_rps.

# Each district's period totals (rollup_period_units, migration 015) rebuilt
# from the entries and responses a benchmark wrote straight into the tables
# (the migration's own statement; src/db/visits.h VISIT_PERIOD_UNITS_SQL).
BENCH_PERIOD_UNITS_SQL="DELETE FROM rollup_period_units;
INSERT INTO rollup_period_units (unit_code, period, users, transactions, survey_n, survey_point_n,
		survey_visit_n, survey_sum, active_days)
	SELECT unit_code, period, SUM(users), SUM(transactions), SUM(survey_n), SUM(survey_point_n),
		SUM(survey_visit_n), SUM(survey_sum), SUM(active_days) FROM (
	SELECT unit_code, period, COUNT(*) AS users, 0 AS transactions, 0 AS survey_n, 0 AS survey_point_n,
		0 AS survey_visit_n, 0 AS survey_sum, 0 AS active_days FROM visits WHERE status = 'active'
		GROUP BY unit_code, period
	UNION ALL SELECT v.unit_code, v.period, 0, COUNT(*), 0, 0, 0, 0, 0 FROM visit_services s
		JOIN visits v ON v.id = s.visit_id WHERE v.status = 'active' GROUP BY v.unit_code, v.period
	UNION ALL SELECT unit_code, period, 0, 0, COUNT(*), SUM(CASE WHEN source = 'point' THEN 1 ELSE 0 END),
		SUM(CASE WHEN source = 'visit' THEN 1 ELSE 0 END), SUM(overall), 0 FROM survey_responses
		GROUP BY unit_code, period
	UNION ALL SELECT unit_code, period, 0, 0, 0, 0, 0, 0, SUM(b) FROM (SELECT DISTINCT unit_code, period,
		CAST(1 AS BIGINT) << (CAST(substr(visit_day, 9, 2) AS INTEGER) - 1) AS b FROM visits
		WHERE status = 'active') d GROUP BY unit_code, period
	) x GROUP BY unit_code, period;"

# A private root in $W/root: the real templates and data (plus any extra
# top-level directories named, e.g. docs) linked, and a copy of static/.
bench_root() { # [extra dir...]
	mkdir -p "$W/root"
	local d
	for d in templates data "$@"; do ln -s "$ROOT/$d" "$W/root/$d"; done
	cp -r "$ROOT/static" "$W/root/static"
}

# Migrates and seeds a SQLite database in $W (demo data), starts `$BIN serve`
# on a free port of 127.0.0.1 with the root of bench_root; sets SRV_PID and URL.
# The server runs with the settings it ships with: only the database, root,
# listen address and secret file are given, and every other OSSPOINT_ variable
# of the caller's environment is dropped first. So the access log is on, as
# shipped; it goes to standard error, $W/serve.err.
bench_serve() {
	local v
	for v in $(compgen -e); do
		case $v in OSSPOINT_BIN) ;; OSSPOINT_*) unset "$v" ;; esac
	done
	export OSSPOINT_ROOT="$W/root" OSSPOINT_DB="sqlite:$W/bench.db" OSSPOINT_LISTEN=127.0.0.1:0 \
		OSSPOINT_SECRET_FILE="$W/secret.key"
	"$BIN" migrate >/dev/null 2>&1
	"$BIN" seed --demo >/dev/null 2>&1
	"$BIN" serve >"$W/serve.out" 2>"$W/serve.err" &
	SRV_PID=$!
	for _ in $(seq 100); do grep -q 'listening on' "$W/serve.out" 2>/dev/null && break; sleep 0.1; done
	URL=$(grep -o 'http://127.0.0.1:[0-9]*' "$W/serve.out" | head -1)
	[ -n "$URL" ] || { cat "$W/serve.err"; exit 1; }
}

# Prints a TCP port of 127.0.0.1 that nothing listens on (20000-39999, below
# the kernel's ephemeral range).
bench_free_port() {
	local p
	for _ in $(seq 200); do
		p=$((20000 + RANDOM % 20000))
		if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then
			echo "$p"
			return 0
		fi
	done
	echo "bench: no free port found" >&2
	return 1
}

# Our own nginx (never the system service: its own configuration, pid file and
# logs in $W, on a free port), one worker, static files from $W/www,
# keep-alive, and its own access log on, buffered (buffer=64k), one line per
# request with the fields osspoint's log has (time, method, path, status,
# duration) in $W/nginx.access.log. Sets NPORT and NGINX_PID and waits until
# it serves $W/www/<probe>.
bench_nginx() { # probe
	mkdir -p "$W/tmp"
	# nginx's workers run as an unprivileged user: let them read the pages.
	chmod -R a+rX "$W"
	local try
	for try in 1 2 3; do
		NPORT=$(bench_free_port)
		cat >"$W/nginx.conf" <<NGX
worker_processes 1;
pid $W/nginx.pid;
error_log $W/nginx.err;
events { worker_connections 4096; }
http {
  log_format bench '\$time_iso8601 info \$request_method \$uri \$status \$request_time';
  access_log $W/nginx.access.log bench buffer=64k;
  keepalive_requests 1000000;
  client_body_temp_path $W/tmp; proxy_temp_path $W/tmp; fastcgi_temp_path $W/tmp;
  uwsgi_temp_path $W/tmp; scgi_temp_path $W/tmp;
  server { listen 127.0.0.1:$NPORT; root $W/www; default_type text/html; }
}
NGX
		nginx -c "$W/nginx.conf" -g 'daemon off;' &
		NGINX_PID=$!
		for _ in $(seq 50); do
			kill -0 "$NGINX_PID" 2>/dev/null || break
			curl -sf "http://127.0.0.1:$NPORT/$1" -o /dev/null && return 0
			sleep 0.1
		done
		kill "$NGINX_PID" 2>/dev/null || true
		wait "$NGINX_PID" 2>/dev/null || true
		echo "bench: nginx did not start on port $NPORT (try $try): $(tail -1 "$W/nginx.err" 2>/dev/null)" >&2
	done
	exit 1
}

# One wrk run (HTML, as a browser asks) of $SECS s at $CONNS connections;
# prints "req/s p99 errors" (errors: wrk's Non-2xx / Socket errors lines, if any).
bench_rps() { # url [extra header]
	local out
	if [ -n "${2:-}" ]; then
		out=$(wrk -t2 -c"$CONNS" -d"${SECS}s" --latency -H "$2" -H 'Accept: text/html' "$1")
	else
		out=$(wrk -t2 -c"$CONNS" -d"${SECS}s" --latency -H 'Accept: text/html' "$1")
	fi
	echo "$out" >>"$W/wrk.log"
	local r p99 errs
	r=$(echo "$out" | awk '/Requests\/sec/ {print $2}')
	p99=$(echo "$out" | awk '$1=="99%" {print $2}')
	errs=$(echo "$out" | grep -E 'Non-2xx|Socket errors' | tr '\n' ' ' || true)
	echo "$r $p99 ${errs:-}"
}

# Puts $W/section.md at the top of bench/RESULTS.md (newest run first,
# earlier runs kept below). Run from the checkout's root.
bench_write_results() {
	{
		echo "# Benchmark results"
		echo
		echo "Ratios are measured against a reference in the same run (never absolute targets)."
		echo
		cat "$W/section.md"
		[ -f bench/RESULTS.md ] && sed -n '/^## /,$p' bench/RESULTS.md
	} >"$W/RESULTS.md"
	cp "$W/RESULTS.md" bench/RESULTS.md
	echo "bench: wrote bench/RESULTS.md"
}

# PostgreSQL only (bench/registry, bench/survey): PG_PRELOAD entries (default 100000) of a day 400 days back,
# with their services, history and roll-ups, then VACUUM ANALYZE and a
# CHECKPOINT, as a national database holds (its pages written out, its
# statistics current, not 100,000 rows just inserted and dirty). On tables that start empty, the plans a session caches (the
# foreign-key checks' among them) were made for a few rows and stay sequential
# scans while the tables grow during the run (measured: 960 entries/s falling,
# against 2,900/s on analysed tables). Both D.A and D.B start from this state.
bench_pg_preload() { # url
	local n=${PG_PRELOAD:-100000} off pday pat pper py
	[ "$n" -gt 0 ] || return 0
	off=$(psql -X -Atq -d "$1" -c "SELECT id FROM users WHERE username = 'officer4701'")
	pday=$(TZ=Asia/Bangkok date -d '-400 days' +%F)
	pat=$(TZ=Asia/Bangkok date -d "$pday 12:00" +%s)
	pper=$(awk -v d="$pday" 'BEGIN { split(d, p, "-"); y = p[1] + 0; m = p[2] + 0;
		if (p[3] + 0 > 25) { m++; if (m > 12) { m = 1; y++ } } printf "%04d-%02d", y, m }')
	py=$((${pday%%-*} + 543))
	psql -X -q -v ON_ERROR_STOP=1 -d "$1" >/dev/null <<-SQL
	BEGIN;
	INSERT INTO visits (unit_code, year_be, seq, visited_at, visit_day, period, visitor_name, channel,
	  officer_id, idempotency_key, created_at, updated_at)
	  SELECT '4701', $py, i, $pat, '$pday', '$pper', 'preload ' || i, 'tangrat', $off, 'preload-' || i, $pat, $pat
	  FROM generate_series(1, $n) AS i;
	INSERT INTO visit_counters (unit_code, year_be, last_seq) VALUES ('4701', $py, $n);
	INSERT INTO visit_services (visit_id, service_code, outcome)
	  SELECT id, 'tangrat_signup', 'completed' FROM visits WHERE visit_day = '$pday';
	INSERT INTO visit_history (visit_id, at, user_id, action, before_json, after_json)
	  SELECT id, $pat, $off, 'create', '', '{}' FROM visits WHERE visit_day = '$pday';
	INSERT INTO rollup_visits (unit_code, day, visits) VALUES ('4701', '$pday', $n);
	INSERT INTO rollup_services (unit_code, day, service_code, outcome, n)
	  VALUES ('4701', '$pday', 'tangrat_signup', 'completed', $n);
	INSERT INTO rollup_visit_attrs (unit_code, period, channel, sex, age_band, n)
	  VALUES ('4701', '$pper', 'tangrat', '', '', $n);
	INSERT INTO rollup_period_services (unit_code, period, service_code, outcome, n)
	  VALUES ('4701', '$pper', 'tangrat_signup', 'completed', $n);
	$BENCH_PERIOD_UNITS_SQL
	COMMIT;
	VACUUM ANALYZE;
	CHECKPOINT;
	SQL
}
