#!/bin/bash
# Statistics benchmark (issue 10): the statistics model of the national level,
# a province and a district, server time (median, p99) from the server's own
# access log, against the same numbers computed by GROUP BY over the raw rows
# in the same run; and closing a period for all units.
#   1. data: BENCH_ENTRIES entries (default 10,000,000) over every district in
#      the programme (878) and BENCH_PERIODS periods (default 24, ending with
#      2024-12), one or two services each, and BENCH_RESPONSES survey responses
#      (default 2,000,000), written straight into the tables, then the
#      roll-ups from them as the registry and the survey keep them;
#      every period before 2024-11 closed (as the closing job leaves them);
#   2. models: BENCH_REQS requests each (default 200, one keep-alive
#      connection) of /stats/0, /stats/47 and /stats/4701 (Accept: JSON) for
#      the open period 2024-12 (from the roll-ups) and, after step 3, the
#      closed 2024-11 (from its snapshot);
#   3. `osspoint close-period 2024-11` (every unit's snapshot, one transaction);
#   4. the raw GROUP BY (users, transactions, responses and Σ by unit) of the
#      whole period (what the national and a province's rankings need) and of
#      the province's districts, five times each, median.
# Targets (issue 10): national < 20 ms, province < 10 ms, district < 5 ms
# (median; p99 under twice that); closing < 1 s. SQLite, then PostgreSQL 15
# (a throwaway cluster; BENCH_PG=0 skips it). A smoke run:
#   BENCH_ENTRIES=20000 BENCH_RESPONSES=4000 BENCH_REQS=20 BENCH_WRITE=0 bench/stats/run.sh
# Results go to bench/RESULTS.md (BENCH_WRITE=0: don't). BENCH_KEEP=1 keeps
# the data; BENCH_REUSE=that directory measures the models again on it (a new
# binary on the same data: no fill, no closing, no GROUP BY, no check).
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT=$PWD
ENTRIES=${BENCH_ENTRIES:-10000000}
RESPONSES=${BENCH_RESPONSES:-2000000}
PERIODS=${BENCH_PERIODS:-24}
REQS=${BENCH_REQS:-200}
BENCH_PG=${BENCH_PG:-1}
BIN=${OSSPOINT_BIN:-$ROOT/build/osspoint}
# shellcheck source=bench/lib.sh
. bench/lib.sh
for t in curl sqlite3 awk; do command -v $t >/dev/null || { echo "bench: $t missing (make deps)"; exit 1; }; done
[ -x "$BIN" ] || { echo "bench: $BIN missing (make build)"; exit 1; }
REUSE=${BENCH_REUSE:-}
if [ -n "$REUSE" ]; then
	W=$(cd "$REUSE" && pwd)
	BENCH_KEEP=1
	BENCH_WRITE=0
else
	W=$(mktemp -d "${TMPDIR:-/tmp}/osspoint-bench-stats.XXXXXX")
fi
SRV_PID="" PGDIR=""
cleanup() {
	[ -n "$SRV_PID" ] && { kill "$SRV_PID" 2>/dev/null || true; wait "$SRV_PID" 2>/dev/null || true; }
	[ -n "$PGDIR" ] && { scripts/pgtmp.sh stop "$PGDIR" >/dev/null 2>&1 || true; }
	if [ -n "${BENCH_KEEP:-}" ]; then echo "bench: kept $W"; else rm -rf "$W"; fi
}
trap cleanup EXIT
loadavg() { cut -d' ' -f1-3 /proc/loadavg; }
for v in $(compgen -e); do case $v in OSSPOINT_BIN) ;; OSSPOINT_*) unset "$v" ;; esac; done
# The closing job would close the 24 past periods at start: closing is measured by hand.
# The entries are dated 2023-2024, past the shipped retention (730 days): the
# server's purge would spend the whole run erasing their personal fields in
# the background (a freshly loaded old registry's one-time job, not the
# steady state), so the bench keeps them for ten years.
export OSSPOINT_ROOT="$ROOT" OSSPOINT_SECRET_FILE="$W/secret.key" OSSPOINT_CLOSE_JOB=0 OSSPOINT_RETENTION_DAYS=3650

# The first day of the first period: BENCH_PERIODS periods ending 2024-12-25.
FIRST=$(date -u -d "2024-12-26 -$PERIODS months" +%Y-%m-%d)
LAST=2024-12-25

sql() { # url sql
	case $1 in sqlite:*) sqlite3 "${1#sqlite:}" "$2" ;; *) psql -X -Atq -d "$1" -c "$2" ;; esac
}
pct() { # file -> "median p99 max" in ms (lines of microseconds)
	sort -n "$1" | awk '{ a[NR] = $1 } END { if (!NR) { print "n/a n/a n/a"; exit }
		i = int(NR * 0.99 + 0.999); if (i > NR) i = NR;
		printf "%.2f %.2f %.2f", a[int((NR + 1) / 2)] / 1000, a[i] / 1000, a[NR] / 1000 }'
}
median() { sort -n | awk '{ a[NR] = $1 } END { if (!NR) print "n/a"; else printf "%.2f", a[int((NR + 1) / 2)] }'; }

fill_sqlite() { # path
	sqlite3 "$1" <<SQL
PRAGMA journal_mode = WAL;
PRAGMA synchronous = OFF;
BEGIN;
CREATE TEMP TABLE d (k INTEGER PRIMARY KEY, code TEXT);
INSERT INTO d SELECT ROW_NUMBER() OVER (ORDER BY code) - 1, code FROM units WHERE level = 2 AND in_programme = 1;
CREATE TEMP TABLE sv (k INTEGER PRIMARY KEY, code TEXT);
INSERT INTO sv SELECT ROW_NUMBER() OVER (ORDER BY code) - 1, code FROM eservices WHERE status = 'active';
CREATE TEMP TABLE g AS WITH RECURSIVE s(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM s WHERE i < $ENTRIES)
  SELECT i, (SELECT code FROM d WHERE k = i % (SELECT COUNT(*) FROM d)) AS unit,
    date('$FIRST', '+' || ((i * 7919) % (julianday('$LAST') - julianday('$FIRST') + 1)) || ' days') AS day FROM s;
INSERT INTO visits (id, unit_code, year_be, seq, visited_at, visit_day, period, visitor_name, sex, age_band, channel,
    officer_id, created_at, updated_at)
  SELECT i, unit, CAST(strftime('%Y', day) AS INTEGER) + 543, i, CAST(strftime('%s', day) AS INTEGER) + 10800, day,
    CASE WHEN CAST(strftime('%d', day) AS INTEGER) > 25 THEN strftime('%Y-%m', day, 'start of month', '+1 month')
      ELSE strftime('%Y-%m', day) END,
    '', CASE i % 3 WHEN 0 THEN 'male' WHEN 1 THEN 'female' ELSE '' END,
    CASE i % 5 WHEN 0 THEN 'under_20' WHEN 1 THEN '20_39' WHEN 2 THEN '40_59' WHEN 3 THEN '60_plus' ELSE '' END,
    CASE i % 4 WHEN 0 THEN 'tangrat' WHEN 1 THEN 'web' WHEN 2 THEN 'line' ELSE 'other' END,
    (SELECT MIN(id) FROM users), 0, 0 FROM g;
INSERT INTO visit_services (visit_id, service_code, outcome)
  SELECT id, (SELECT code FROM sv WHERE k = id % (SELECT COUNT(*) FROM sv)), 'completed' FROM visits;
INSERT INTO visit_services (visit_id, service_code, outcome)
  SELECT id, (SELECT code FROM sv WHERE k = (id + 7) % (SELECT COUNT(*) FROM sv)), 'referred' FROM visits
  WHERE id % 3 = 0 AND (id + 7) % (SELECT COUNT(*) FROM sv) <> id % (SELECT COUNT(*) FROM sv);
INSERT INTO visit_counters (unit_code, year_be, last_seq) SELECT unit_code, year_be, MAX(seq) FROM visits GROUP BY unit_code, year_be;
INSERT INTO survey_responses (id, unit_code, day, period, source, mode, qset_version, overall)
  WITH RECURSIVE s(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM s WHERE i < $RESPONSES)
  SELECT printf('%032x', i), v.unit_code, v.visit_day, v.period, CASE WHEN i % 5 = 0 THEN 'point' ELSE 'visit' END,
    'online', 1, (i * 7) % 11 FROM s JOIN visits v ON v.id = 1 + (i * 4999) % $ENTRIES;
COMMIT;
SQL
}

fill_pg() { # url
	psql -X -q -v ON_ERROR_STOP=1 -d "$1" <<SQL
BEGIN;
CREATE TEMP TABLE d AS SELECT (ROW_NUMBER() OVER (ORDER BY code) - 1)::int AS k, code FROM units WHERE level = 2 AND in_programme = 1;
CREATE TEMP TABLE sv AS SELECT (ROW_NUMBER() OVER (ORDER BY code) - 1)::int AS k, code FROM eservices WHERE status = 'active';
ANALYZE d;
ANALYZE sv;
INSERT INTO visits (id, unit_code, year_be, seq, visited_at, visit_day, period, visitor_name, sex, age_band, channel,
    officer_id, created_at, updated_at)
  SELECT i, d.code, EXTRACT(YEAR FROM x.day)::int + 543, i, EXTRACT(EPOCH FROM x.day)::bigint + 10800, x.day::text,
    to_char(CASE WHEN EXTRACT(DAY FROM x.day) > 25 THEN x.day + interval '1 month' ELSE x.day END, 'YYYY-MM'),
    '', CASE i % 3 WHEN 0 THEN 'male' WHEN 1 THEN 'female' ELSE '' END,
    CASE i % 5 WHEN 0 THEN 'under_20' WHEN 1 THEN '20_39' WHEN 2 THEN '40_59' WHEN 3 THEN '60_plus' ELSE '' END,
    CASE i % 4 WHEN 0 THEN 'tangrat' WHEN 1 THEN 'web' WHEN 2 THEN 'line' ELSE 'other' END,
    (SELECT MIN(id) FROM users), 0, 0
  FROM generate_series(1, $ENTRIES) AS i
  JOIN d ON d.k = i % (SELECT COUNT(*) FROM d)
  CROSS JOIN LATERAL (SELECT date '$FIRST' + ((i::bigint * 7919) % (date '$LAST' - date '$FIRST' + 1))::int AS day) x;
INSERT INTO visit_services (visit_id, service_code, outcome)
  SELECT v.id, sv.code, 'completed' FROM visits v JOIN sv ON sv.k = v.id % (SELECT COUNT(*) FROM sv);
INSERT INTO visit_services (visit_id, service_code, outcome)
  SELECT v.id, sv.code, 'referred' FROM visits v JOIN sv ON sv.k = (v.id + 7) % (SELECT COUNT(*) FROM sv)
  WHERE v.id % 3 = 0 AND (v.id + 7) % (SELECT COUNT(*) FROM sv) <> v.id % (SELECT COUNT(*) FROM sv);
INSERT INTO visit_counters (unit_code, year_be, last_seq) SELECT unit_code, year_be, MAX(seq) FROM visits GROUP BY unit_code, year_be;
SELECT setval(pg_get_serial_sequence('visits', 'id'), (SELECT MAX(id) FROM visits));
INSERT INTO survey_responses (id, unit_code, day, period, source, mode, qset_version, overall)
  SELECT lpad(to_hex(i), 32, '0'), v.unit_code, v.visit_day, v.period, CASE WHEN i % 5 = 0 THEN 'point' ELSE 'visit' END,
    'online', 1, (i * 7) % 11 FROM generate_series(1, $RESPONSES) AS i JOIN visits v ON v.id = 1 + (i::bigint * 4999) % $ENTRIES;
COMMIT;
SQL
}

# The roll-ups from the rows, as the registry and the survey keep them.
ROLLUPS="
INSERT INTO rollup_visits (unit_code, day, visits) SELECT unit_code, visit_day, COUNT(*) FROM visits WHERE status = 'active' GROUP BY unit_code, visit_day;
INSERT INTO rollup_services (unit_code, day, service_code, outcome, n) SELECT v.unit_code, v.visit_day, s.service_code, s.outcome, COUNT(*) FROM visits v JOIN visit_services s ON s.visit_id = v.id WHERE v.status = 'active' GROUP BY v.unit_code, v.visit_day, s.service_code, s.outcome;
INSERT INTO rollup_visit_attrs (unit_code, period, channel, sex, age_band, n) SELECT unit_code, period, channel, sex, age_band, COUNT(*) FROM visits WHERE status = 'active' GROUP BY unit_code, period, channel, sex, age_band;
INSERT INTO rollup_period_services (unit_code, period, service_code, outcome, n) SELECT v.unit_code, v.period, s.service_code, s.outcome, COUNT(*) FROM visits v JOIN visit_services s ON s.visit_id = v.id WHERE v.status = 'active' GROUP BY v.unit_code, v.period, s.service_code, s.outcome;
INSERT INTO rollup_survey (unit_code, day, source, n, sum_overall) SELECT unit_code, day, source, COUNT(*), SUM(overall) FROM survey_responses GROUP BY unit_code, day, source;
$BENCH_PERIOD_UNITS_SQL
"

# The raw GROUP BY of one period (optionally one province's districts).
raw_sql() { # period [lo hi]
	local u="" uv=""
	if [ $# -gt 1 ]; then
		u=" AND unit_code >= '$2' AND unit_code < '$3'"
		uv=" AND v.unit_code >= '$2' AND v.unit_code < '$3'"
	fi
	echo "SELECT unit_code, COUNT(*) FROM visits WHERE status = 'active' AND period = '$1'$u GROUP BY unit_code;"
	echo "SELECT v.unit_code, COUNT(*) FROM visits v JOIN visit_services s ON s.visit_id = v.id WHERE v.status = 'active' AND v.period = '$1'$uv GROUP BY v.unit_code;"
	echo "SELECT unit_code, source, COUNT(*), SUM(overall) FROM survey_responses WHERE period = '$1'$u GROUP BY unit_code, source;"
}
raw_ms() { # db period [lo hi] -> median ms of 5 runs of the three statements together
	local db=$1
	shift
	local q
	q=$(raw_sql "$@")
	for _ in 1 2 3 4 5; do
		case $db in
		sqlite:*) { echo ".timer on"; echo "$q"; } | sqlite3 "${db#sqlite:}" | awk '/^Run Time/ { s += $4 } END { printf "%.2f\n", s * 1000 }' ;;
		*) { printf '%s\n' '\timing on'; echo "$q"; } | psql -X -Atq -d "$db" | awk '/^Time:/ { s += $2 } END { printf "%.2f\n", s }' ;;
		esac
	done | median
}

serve() {
	"$BIN" serve --listen 127.0.0.1:0 >"$W/serve.out" 2>"$W/serve.err" &
	SRV_PID=$!
	URL=""
	for _ in $(seq 150); do
		URL=$(grep -o 'http://127.0.0.1:[0-9]*' "$W/serve.out" 2>/dev/null | head -1 || true)
		[ -n "$URL" ] && break
		sleep 0.1
	done
	[ -n "$URL" ] || { echo "bench: server did not start"; cat "$W/serve.err"; exit 1; }
}
stop() {
	kill "$SRV_PID"
	local st=0
	wait "$SRV_PID" || st=$?
	SRV_PID=""
	[ "$st" = 0 ] || echo "bench: WARNING: the server exited with status $st"
}

COOKIE=""
login() {
	curl -s -D "$W/login.h" -o /dev/null -H 'Content-Type: application/json' -H 'Accept: application/json' \
		-d '{"username":"officer4701","password":"osspoint-demo"}' "$URL/login"
	COOKIE=$(grep -io 'osspoint_session=[^;]*' "$W/login.h" | head -1 || true)
	[ -n "$COOKIE" ] || { echo "bench: login failed"; exit 1; }
}

# REQS requests of one path on one keep-alive connection; prints "median p99 max"
# of the server's own times (access log, microseconds).
model_times() { # path-with-query
	local path=$1 from args=()
	for _ in $(seq "$REQS"); do args+=("$URL$path"); done
	curl -s -H 'Accept: application/json' -H "Cookie: $COOKIE" "${args[@]}" >/dev/null
	sleep 1.2 # the access log is written in batches, at least once a second
	from=${2:-0}
	local p=${path%%\?*}
	tail -n +"$((from + 1))" "$W/serve.err" | grep " GET $p " | grep -oE '[0-9]+us$' | tr -d 'us' >"$W/model.server" || true
	pct "$W/model.server"
	[ -z "${BENCH_MIN:-}" ] || echo "      (fastest $(sort -n "$W/model.server" | head -1) us)" >&2
}

ROWS=""
# BENCH_REUSE: the six models of data filled and closed by an earlier run.
models_again() { # label db-url
	export OSSPOINT_DB="$2"
	serve
	login
	local path from m p x
	for path in "/stats/0?period=2024-12" "/stats/47?period=2024-12" "/stats/4701?period=2024-12" \
		"/stats/0?period=2024-11" "/stats/47?period=2024-11" "/stats/4701?period=2024-11"; do
		from=$(wc -l <"$W/serve.err")
		read -r m p x <<<"$(model_times "$path" "$from")"
		echo "   $1 $path: server median $m ms, p99 $p ms, slowest $x ms"
	done
	stop
}

one_run() { # label db-url
	local label=$1 db=$2
	[ -z "$REUSE" ] || { models_again "$@"; return; }
	export OSSPOINT_DB="$db"
	"$BIN" migrate >/dev/null 2>&1
	"$BIN" seed --demo >/dev/null 2>&1
	local t0 t1
	t0=$(date +%s.%N)
	case $db in sqlite:*) fill_sqlite "${db#sqlite:}" >/dev/null ;; *) fill_pg "$db" >/dev/null ;; esac
	sql "$db" "$ROLLUPS" >/dev/null
	# Rows built by SQL carry version 0 and are never held in memory; every
	# write gives its district's row a new random version (src/db/visits.c):
	# so do that here, as if each row had been written by the registry.
	case $db in
	postgresql:*) sql "$db" "UPDATE rollup_period_units SET version = 1 + (random() * 1e15)::bigint" >/dev/null ;;
	*) sql "$db" "UPDATE rollup_period_units SET version = 1 + abs(random() / 2)" >/dev/null ;;
	esac
	case $db in postgresql:*) sql "$db" "VACUUM ANALYZE" >/dev/null ;; *) sql "$db" "ANALYZE" >/dev/null ;; esac
	t1=$(date +%s.%N)
	local n
	n=$(sql "$db" "SELECT COUNT(*) FROM visits")
	echo "$label: $n entries, $(sql "$db" "SELECT COUNT(*) FROM survey_responses") responses, filled in $(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.0f", b - a }') s"
	# The closing job would have closed every earlier period: 2024-11 is
	# left for step 3, 2024-12 is the open one.
	local k
	for k in $(seq "$PERIODS" -1 3); do
		"$BIN" close-period "$(date -u -d "2024-12-15 -$((k - 1)) months" +%Y-%m)" >/dev/null 2>&1
	done
	serve
	login
	local row="| $label |"
	for path in "/stats/0?period=2024-12" "/stats/47?period=2024-12" "/stats/4701?period=2024-12"; do
		local from
		from=$(wc -l <"$W/serve.err")
		read -r m p x <<<"$(model_times "$path" "$from")"
		echo "   open   $path: server median $m ms, p99 $p ms, slowest $x ms"
		row+=" $m / $p |"
	done
	stop
	local out close_ms
	out=$("$BIN" close-period 2024-11 2>&1)
	close_ms=$(grep -oE '[0-9]+ มิลลิวินาที' <<<"$out" | grep -oE '[0-9]+' || echo "?")
	echo "   close-period 2024-11: $close_ms ms ($(grep -oE 'สถิติของ [0-9]+' <<<"$out" | grep -oE '[0-9]+') units)"
	serve
	login
	for path in "/stats/0?period=2024-11" "/stats/47?period=2024-11" "/stats/4701?period=2024-11"; do
		local from
		from=$(wc -l <"$W/serve.err")
		read -r m p x <<<"$(model_times "$path" "$from")"
		echo "   closed $path: server median $m ms, p99 $p ms, slowest $x ms"
		row+=" $m / $p |"
	done
	stop
	local rn rp
	rn=$(raw_ms "$db" 2024-12)
	rp=$(raw_ms "$db" 2024-12 47 48)
	echo "   raw GROUP BY of the period: $rn ms (national and a province's rankings); of province 47's districts: $rp ms"
	local ck=ok
	"$BIN" check >/dev/null 2>&1 || ck=FAILED
	row+=" $close_ms | $rn | $rp | $n, check $ck |"
	ROWS+="$row"$'\n'
}

LOAD_START=$(loadavg)
echo "bench: $ENTRIES entries, $RESPONSES responses, $PERIODS periods, $REQS requests per model, $(nproc) cores, load average $LOAD_START"
one_run "SQLite" "sqlite:$W/stats.db"
if [ "$BENCH_PG" = 1 ]; then
	chmod 711 "$W"
	PGDIR="$W/pg"
	if [ -n "$REUSE" ]; then
		PG=$(scripts/pgtmp.sh resume "$PGDIR" 2>"$W/pgtmp.err") || { cat "$W/pgtmp.err"; exit 1; }
	else
		PG=$(scripts/pgtmp.sh start "$PGDIR" 2>"$W/pgtmp.err") || { cat "$W/pgtmp.err"; exit 1; }
	fi
	one_run "PostgreSQL 15" "$PG"
fi
LOAD_END=$(loadavg)
echo "load average: start $LOAD_START, end $LOAD_END"

if [ "${BENCH_WRITE:-1}" = 1 ]; then
	{
		echo
		echo "## Statistics benchmark (issue 10) — $(date -u +%F) on $(nproc) cores"
		echo
		echo "\`bench/stats/run.sh\`: $ENTRIES entries and $RESPONSES responses over $PERIODS periods and every district, shipped settings (access log on), $REQS requests per model on one keep-alive connection; server time from the access log."
		echo "Load average at the start **$LOAD_START**, at the end $LOAD_END."
		echo
		echo "| database | national open (median / p99 ms) | province open | district open | national closed | province closed | district closed | close-period (ms) | raw GROUP BY, period (ms) | raw GROUP BY, province (ms) | entries |"
		echo "|---|---|---|---|---|---|---|---:|---:|---:|---|"
		printf '%s' "$ROWS"
		echo
		echo "Targets: national < 20 ms, province < 10 ms, district < 5 ms (median; p99 under twice that); closing < 1 s."
	} >>bench/RESULTS.md
fi
