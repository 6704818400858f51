#!/bin/bash
# Registry benchmark (issues 3 and 9), all in one run, on 127.0.0.1 and the
# same disk, with the server's shipped settings (access log on, default HTTP
# threads):
#   A  reference: the registry's own inserts (counter, entry, service, two
#      roll-ups, history), one entry per transaction, straight into SQLite
#      (WAL, synchronous=FULL) through the sqlite3 shell: one fsync per entry.
#      Also build/bench_commit (one ~200-byte row per transaction: db_tx with 1
#      and N threads, db_write with N threads) for the storage layer alone.
#   B  osspoint: logged-in POST /registry of new entries (JSON, unique
#      idempotency key and name per request) with wrk -t1 at N connections;
#      then again with threads = N. Latency from wrk (median, p99, max) and
#      the server's own time per request from its access log (median, p99,
#      slowest). Every entry answered 201 is counted in the database afterwards.
#   C  the district's month at 1,000,000 entries (100 districts x 10,000 over
#      365 days): GET /registry?period=P as officer4701, Accept: application/json,
#      sequential requests on one connection; server time from the access log
#      (microseconds) and curl's time_total.
#   D  PostgreSQL 15, a throwaway cluster (scripts/pgtmp.sh) made durable for
#      the run (fsync, synchronous_commit and full_page_writes on): A's inserts
#      one entry per COMMIT through psql (libpq), bench_commit on it, and B
#      against it.
# Targets: B >= 3x A with full durability, p99 < 50 ms and the server's slowest
# request < 100 ms at 64 connections; D's B >= 3x D's reference, p99 < 50 ms;
# C under 20 ms. Results go to the top of bench/RESULTS.md (BENCH_WRITE=0: don't).
#   bench/registry/run.sh [seconds per run, default 10] [connections, default 64]
# Environment: ENTRIES (default 1000000; 0 skips C), DISTRICTS (100),
# LIST_REQUESTS (200), BENCH_PG (1; 0 skips D), PG_COMMIT_DELAY (microseconds,
# default 0 = PostgreSQL's default), BENCH_DB_POOL (the server's pool on D,
# default its own), WRK_THREADS (1), OSSPOINT_BIN, TMPDIR (must be the disk
# under test, not tmpfs).
set -euo pipefail
cd "$(dirname "$0")/../.."
# shellcheck source=bench/lib.sh
. bench/lib.sh
ROOT=$PWD
SECS=${1:-10}
CONNS=${2:-64}
ENTRIES=${ENTRIES:-1000000}
DISTRICTS=${DISTRICTS:-100}
LIST_REQUESTS=${LIST_REQUESTS:-200}
BENCH_PG=${BENCH_PG:-1}
WRK_THREADS=${WRK_THREADS:-1}
BIN=${OSSPOINT_BIN:-$ROOT/build/osspoint}
COMMIT_BIN=${BENCH_COMMIT_BIN:-$ROOT/build/bench_commit}
for t in wrk curl sqlite3 awk timeout; do command -v $t >/dev/null || { echo "bench: $t missing (make deps)"; exit 1; }; done
[ -x "$BIN" ] || { echo "bench: $BIN missing (make build)"; exit 1; }
if [ "$BENCH_PG" = 1 ] && ! command -v psql >/dev/null; then echo "bench: psql missing (make deps), or BENCH_PG=0"; exit 1; fi

W=$(mktemp -d "${TMPDIR:-/tmp}/osspoint-bench-registry.XXXXXX")
SRV_PID=""
PGDIR=""
stop_server() {
	if [ -n "$SRV_PID" ]; then
		kill "$SRV_PID" 2>/dev/null || true
		wait "$SRV_PID" 2>/dev/null || true
		SRV_PID=""
	fi
}
cleanup() {
	stop_server
	if [ -n "$PGDIR" ]; then scripts/pgtmp.sh stop "$PGDIR" >/dev/null 2>&1 || true; fi
	rm -rf "$W"
}
trap cleanup EXIT
FS=$(df --output=fstype "$W" | tail -1)
loadavg() { cut -d' ' -f1-3 /proc/loadavg; }
LOAD_START=$(loadavg)
echo "bench: in $W ($FS), ${SECS}s per run, $CONNS connections, $(nproc) cores, load average $LOAD_START"
[ "$FS" = tmpfs ] && echo "bench: WARNING: tmpfs, fsync is free: the durability numbers mean nothing"

# The shipped settings: access log on (it is what the server does by default).
export OSSPOINT_ROOT="$ROOT" OSSPOINT_SECRET_FILE="$W/secret.key"
unset OSSPOINT_LISTEN OSSPOINT_THREADS OSSPOINT_DB_POOL OSSPOINT_ACCESS_LOG

db_count() { # url sql: one number
	case $1 in
	sqlite:*) sqlite3 "${1#sqlite:}" "$2" ;;
	*) psql -X -Atq -d "$1" -c "$2" ;;
	esac
}

fresh_db() { # url: a new migrated, seeded (demo) database (PostgreSQL: created by pg_db)
	case $1 in
	sqlite:*) rm -f "${1#sqlite:}" "${1#sqlite:}-wal" "${1#sqlite:}-shm" "${1#sqlite:}-journal" ;;
	esac
	OSSPOINT_DB="$1" "$BIN" migrate >/dev/null 2>&1
	OSSPOINT_DB="$1" "$BIN" seed --demo >/dev/null 2>&1
	case $1 in postgresql:*) bench_pg_preload "$1" ;; esac
}

start_server() { # db-url log-name [env assignments...]
	local db=$1 name=$2
	shift 2
	env OSSPOINT_DB="$db" "$@" "$BIN" serve --listen 127.0.0.1:0 >"$W/$name.out" 2>"$W/$name.err" &
	SRV_PID=$!
	URL=""
	for _ in $(seq 150); do
		URL=$(grep -o 'http://127.0.0.1:[0-9]*' "$W/$name.out" 2>/dev/null | head -1 || true)
		[ -n "$URL" ] && break
		sleep 0.1
	done
	[ -n "$URL" ] || { echo "bench: server did not start"; cat "$W/$name.err"; exit 1; }
}

login() { # sets COOKIE and CSRF for officer4701
	local body
	body=$(curl -s -D "$W/login.h" -H 'Content-Type: application/json' -H 'Accept: application/json' \
		-d '{"username":"officer4701","password":"osspoint-demo"}' "$URL/login")
	COOKIE=$(grep -io 'osspoint_session=[^;]*' "$W/login.h" | head -1 || true)
	CSRF=$(echo "$body" | sed -n 's/.*"csrf" *: *"\([^"]*\)".*/\1/p')
	if [ -z "$COOKIE" ] || [ -z "$CSRF" ]; then
		echo "bench: login failed: $body"
		exit 1
	fi
}

pct() { # file column(1-based) scale -> "median p99 max" (ms)
	awk -v c="$2" -v s="$3" '{ print $c * s }' "$1" | sort -n |
		awk '{ a[NR] = $1 } END { if (!NR) { print "n/a n/a n/a"; exit } i99 = int(NR * 0.99 + 0.999); if (i99 > NR) i99 = NR;
			m = NR % 2 ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2;
			printf "%.2f %.2f %.2f", m, a[i99], a[NR] }'
}
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.1f", a / b; else print "n/a" }'; }

# Bangkok local time, a few minutes ago (inside the open period, not in the future).
VISITED_AT=$(TZ=Asia/Bangkok date -d '-5 min' +%Y-%m-%dT%H:%M)
NOW=$(date +%s)

# ---------------------------------------------------------------- A reference
# The statements of db_visit_create (src/db/visits.c), one transaction per
# entry, streamed until the timeout stops the shell; committed entries are
# counted afterwards. $1: sqlite or postgresql (the shells differ in the new
# row's id and in BEGIN).
ref_stream() {
	local begin="BEGIN IMMEDIATE;" id="last_insert_rowid()" hid="(SELECT MAX(id) FROM visits)"
	if [ "$1" = postgresql ]; then
		begin="BEGIN;"
		id="currval(pg_get_serial_sequence('visits', 'id'))"
		hid=$id
	else
		echo "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON;"
	fi
	awk -v off="$OFFICER" -v at="$VISITED_EPOCH" -v day="$DAY" -v per="$PERIOD" -v y="$YEAR_BE" -v now="$NOW" \
		-v begin="$begin" -v id="$id" -v hid="$hid" 'BEGIN {
	for (i = 1; i <= 10000000; i++) {
		k = sprintf("ref-%08d", i)
		print begin
		print "INSERT INTO visit_counters (unit_code, year_be, last_seq) VALUES ('\''4701'\'', " y ", 1) ON CONFLICT (unit_code, year_be) DO UPDATE SET last_seq = visit_counters.last_seq + 1;"
		print "INSERT INTO visits (unit_code, year_be, seq, visited_at, visit_day, period, visitor_name, cid_hash, cid_sealed, cid_last4, phone, sex, age_band, channel, remarks, officer_id, idempotency_key, created_at, updated_at) VALUES ('\''4701'\'', " y ", (SELECT last_seq FROM visit_counters WHERE unit_code = '\''4701'\'' AND year_be = " y "), " at ", '\''" day "'\'', '\''" per "'\'', '\''ผู้ทดสอบ " k "'\'', NULL, NULL, NULL, '\'''\'', '\'''\'', '\'''\'', '\''tangrat'\'', '\'''\'',  " off ", '\''" k "'\'', " now ", " now ");"
		print "INSERT INTO visit_services (visit_id, service_code, outcome) VALUES (" id ", '\''tangrat_signup'\'', '\''completed'\'');"
		print "INSERT INTO rollup_visits (unit_code, day, visits) VALUES ('\''4701'\'', '\''" day "'\'', 1) ON CONFLICT (unit_code, day) DO UPDATE SET visits = rollup_visits.visits + excluded.visits;"
		print "INSERT INTO rollup_services (unit_code, day, service_code, outcome, n) VALUES ('\''4701'\'', '\''" day "'\'', '\''tangrat_signup'\'', '\''completed'\'', 1) ON CONFLICT (unit_code, day, service_code, outcome) DO UPDATE SET n = rollup_services.n + excluded.n;"
		print "INSERT INTO visit_history (visit_id, at, user_id, action, before_json, after_json) VALUES (" hid ", " now ", " off ", '\''create'\'', '\'''\'', '\''{\"visitor_name\":\"" k "\",\"services\":[{\"code\":\"tangrat_signup\",\"outcome\":\"completed\"}]}'\'');"
		print "COMMIT;"
	} }'
}

# One reference run into the database at url (fresh, seeded); prints
# "entries/s|entries|seconds".
ref_run() { # url
	local url=$1 t0 t1 n svc h
	fresh_db "$url"
	OFFICER=$(db_count "$url" "SELECT id FROM users WHERE username = 'officer4701'")
	t0=$(date +%s.%N)
	case $url in
	sqlite:*) ref_stream sqlite | timeout "$SECS" sqlite3 -bail "${url#sqlite:}" >/dev/null 2>"$W/ref.err" || true ;;
	*) ref_stream postgresql | timeout "$SECS" psql -X -q -v ON_ERROR_STOP=1 -d "$url" >/dev/null 2>"$W/ref.err" || true ;;
	esac
	t1=$(date +%s.%N)
	n=$(db_count "$url" "SELECT COUNT(*) FROM visits WHERE idempotency_key LIKE 'ref-%'")
	svc=$(db_count "$url" "SELECT COUNT(*) FROM visit_services s JOIN visits v ON v.id = s.visit_id WHERE v.idempotency_key LIKE 'ref-%'")
	h=$(db_count "$url" "SELECT COUNT(*) FROM visit_history s JOIN visits v ON v.id = s.visit_id WHERE v.idempotency_key LIKE 'ref-%'")
	if [ "$n" != "$svc" ] || [ "$n" != "$h" ] || grep -qv 'Terminated\|^$' "$W/ref.err"; then
		echo "bench: reference run is inconsistent ($n entries, $svc services, $h history)" >&2
		cat "$W/ref.err" >&2
		exit 1
	fi
	echo "$(awk -v n="$n" -v a="$t0" -v b="$t1" 'BEGIN { printf "%.0f", n / (b - a) }')|$n|$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f", b - a }')"
}

VISITED_EPOCH=$(TZ=Asia/Bangkok date -d "${VISITED_AT/T/ } " +%s)
DAY=${VISITED_AT%T*}
PERIOD=$(awk -v d="$DAY" 'BEGIN { split(d, p, "-"); y = p[1] + 0; m = p[2] + 0;
	if (p[3] + 0 > 25) { m++; if (m > 12) { m = 1; y++ } } printf "%04d-%02d", y, m }')
YEAR_BE=$((${DAY%%-*} + 543))

echo "== A: one entry per COMMIT straight into SQLite (WAL, synchronous=FULL)"
LOAD_A=$(loadavg)
IFS='|' read -r A A_N A_SECS <<<"$(ref_run "sqlite:$W/ref.db")"
A_MS=$(awk -v r="$A" 'BEGIN { printf "%.2f", 1000 / r }')
echo "A  sqlite3, registry inserts, 1 entry/COMMIT   $A entries/s ($A_N in $A_SECS s, $A_MS ms per commit)"

commit_run() { # [postgresql url]: bench_commit's phases, printed and kept in COMMIT_OUT
	COMMIT_OUT=""
	if [ -x "$COMMIT_BIN" ]; then
		local csecs=$((SECS / 3 > 0 ? SECS / 3 : 1))
		COMMIT_OUT=$(TMPDIR="$W" "$COMMIT_BIN" "$CONNS" "$csecs" 8 "$@" | grep -E '^[ABC] |ratio' || true)
		while IFS= read -r l; do echo "   bench_commit: $l"; done <<<"$COMMIT_OUT"
	else
		echo "   ($COMMIT_BIN not built: cmake --build build --target bench_commit)"
	fi
}
commit_run
SQLITE_COMMIT_OUT=$COMMIT_OUT

# ---------------------------------------------------------------- B osspoint
post_run() { # label db-url [env assignments for the server...]
	local label=$1 db=$2
	shift 2
	fresh_db "$db"
	start_server "$db" http "$@"
	login
	# One entry first: the request shape is right (201).
	local code
	code=$(curl -s -o "$W/first.json" -w '%{http_code}' -H 'Content-Type: application/json' -H 'Accept: application/json' \
		-H "Cookie: $COOKIE" -H "X-CSRF-Token: $CSRF" \
		-d "{\"visited_at\":\"$VISITED_AT\",\"visitor_name\":\"ผู้ทดสอบ คนแรก\",\"channel\":\"tangrat\",\"idempotency_key\":\"bench-first-$$\",\"services\":[{\"code\":\"tangrat_signup\",\"outcome\":\"completed\"}]}" \
		"$URL/registry")
	[ "$code" = 201 ] || { echo "bench: POST /registry answered $code: $(head -c 400 "$W/first.json")"; exit 1; }
	local before after out log_from
	before=$(db_count "$db" "SELECT COUNT(*) FROM visits")
	log_from=$(wc -l <"$W/http.err")
	out=$(BENCH_COOKIE="$COOKIE" BENCH_CSRF="$CSRF" BENCH_VISITED_AT="$VISITED_AT" BENCH_RUN="bench$$" \
		wrk -t"$WRK_THREADS" -c"$CONNS" -d"${SECS}s" --latency -s "$ROOT/bench/registry/post.lua" "$URL")
	echo "$out" >>"$W/wrk.log"
	local hwm
	hwm=$(awk '/VmHWM/ {printf "%.1f", $2 / 1024}' "/proc/$SRV_PID/status")
	# SIGTERM: the server flushes its log and stops cleanly; it must exit 0.
	kill "$SRV_PID"
	local st=0
	wait "$SRV_PID" || st=$?
	SRV_PID=""
	[ "$st" = 0 ] || echo "bench: WARNING: the server exited with status $st"
	after=$(db_count "$db" "SELECT COUNT(*) FROM visits")
	local ck=ok
	OSSPOINT_DB="$db" "$BIN" check >/dev/null 2>&1 || ck=FAILED
	# The server's own time per request: the access log's lines of the POSTs
	# made by wrk ("POST /registry 201 1234us").
	tail -n +"$((log_from + 1))" "$W/http.err" | grep -oE ' POST /registry [0-9]+ [0-9]+us' |
		grep -oE '[0-9]+us$' | tr -d 'us' >"$W/post.server"
	local s50 s99 smax sn
	read -r s50 s99 smax <<<"$(pct "$W/post.server" 1 0.001)"
	sn=$(wc -l <"$W/post.server")
	local p50 p99 pmax created other secs
	p50=$(echo "$out" | awk '$1=="50%" {print $2}')
	p99=$(echo "$out" | awk '$1=="99%" {print $2}')
	pmax=$(echo "$out" | awk '$1=="Latency" {print $4}')
	created=$(echo "$out" | awk '/^created/ {print $2}')
	other=$(echo "$out" | awk '/^created/ {print $4}')
	local answers non2xx errs eps
	answers=$(echo "$out" | awk '/requests in/ {print $1}')
	secs=$(echo "$out" | awk '/requests in/ {gsub("s,", "", $4); print $4}')
	non2xx=$(echo "$out" | awk '/Non-2xx/ {print $NF}')
	non2xx=${non2xx:-0}
	errs=$(echo "$out" | grep 'Socket errors' || true)
	# Entries/s: answers within the run that were 2xx (the script counts 201s
	# separately: every 2xx must be a 201, keys being unique).
	eps=$(awk -v n="$answers" -v x="$non2xx" -v s="$secs" 'BEGIN { printf "%.0f", (n - x) / s }')
	local stored=$((after - before))
	echo "$label $eps entries/s ($answers answers in ${secs}s, 201: $created, other: $other, rows added: $stored)"
	echo "     wrk p50 $p50  p99 $p99  max $pmax; server ($sn log lines) median ${s50} ms  p99 ${s99} ms  slowest ${smax} ms; check $ck  RSS $hwm MB ${errs}"
	if [ "$other" != 0 ]; then echo "$out" | sed -n '/^other answers/,$p'; fi
	grep -iE ' (error|warn|bug) ' "$W/http.err" | head -5 || true
	# Requests still in flight when wrk stopped may have committed (at most one
	# per connection); an entry answered 201 but missing would be a bug.
	if [ "$stored" -lt "$created" ] || [ "$stored" -gt $((answers + CONNS)) ]; then
		echo "bench: WARNING: $created answered 201, $stored rows added"
	fi
	RES="$eps|$p50|$p99|$pmax|$s50|$s99|$smax|$created|$other|$stored|$ck|$hwm|$errs"
}
echo "== B: POST /registry, wrk -t$WRK_THREADS -c$CONNS -d${SECS}s, access log on"
LOAD_B=$(loadavg)
post_run "B  osspoint, shipped settings (default HTTP threads)" "sqlite:$W/http.db"
IFS='|' read -r B B50 B99 BMAX BS50 BS99 BSMAX BC BO BS BCK BHWM BERR <<<"$RES"
post_run "B' osspoint, threads=$CONNS" "sqlite:$W/http.db" OSSPOINT_THREADS="$CONNS"
IFS='|' read -r T T50 T99 TMAX TS50 TS99 TSMAX TC TO TS TCK THWM TERR <<<"$RES"
RB=$(ratio "$B" "$A")
RT=$(ratio "$T" "$A")
echo "ratio to A: shipped ${RB}x, threads=$CONNS ${RT}x (target >= 3)"
# ---------------------------------------------------------------- C list at 1M
# (not indented: the SQL here-document below)
C_N=0
if [ "$ENTRIES" -gt 0 ]; then
echo "== C: $ENTRIES entries in $DISTRICTS districts, GET /registry?period=..."
LOAD_C=$(loadavg)
fresh_db "sqlite:$W/big.db"
PER=$((ENTRIES / DISTRICTS))
TODAY=$(TZ=Asia/Bangkok date +%F)
T0=$(date +%s.%N)
# Entries over the 365 days before today (Bangkok), 08:30-16:30, newest
# district first: 4701 and the next 99 districts in the programme. 1.33
# services each; numbers per district and B.E. year; counters and roll-ups
# derived from the entries (no history rows: the list does not read them).
# osspoint's connections set WAL again; the load itself needs no journal.
sqlite3 -bail "$W/big.db" >/dev/null <<SQL
PRAGMA journal_mode = OFF;
PRAGMA synchronous = OFF;
PRAGMA cache_size = -400000;
PRAGMA temp_store = MEMORY;
BEGIN;
CREATE TEMP TABLE d AS
	SELECT code, ROW_NUMBER() OVER (ORDER BY code <> '4701', code) - 1 AS k FROM units
	WHERE level = 2 AND in_programme = 1 ORDER BY code <> '4701', code LIMIT $DISTRICTS;
CREATE TEMP TABLE s AS SELECT code, ROW_NUMBER() OVER (ORDER BY code) - 1 AS k FROM eservices;
CREATE TEMP TABLE g AS
	WITH RECURSIVE c(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM c WHERE i < $ENTRIES - 1)
	SELECT i, i / $PER AS k, date('$TODAY', '-' || (365 - (i % $PER) * 365 / $PER) || ' days') AS day,
	       30600 + (i * 7919) % 28800 AS secs FROM c;
INSERT INTO visits (id, unit_code, year_be, seq, visited_at, visit_day, period, visitor_name, cid_hash,
		cid_sealed, cid_last4, phone, sex, age_band, channel, remarks, officer_id, idempotency_key,
		created_at, updated_at)
	SELECT i + 1, d.code, CAST(strftime('%Y', day) AS INTEGER) + 543,
	       ROW_NUMBER() OVER (PARTITION BY d.code, strftime('%Y', day) ORDER BY i),
	       CAST(strftime('%s', day) AS INTEGER) - 25200 + secs, day,
	       CASE WHEN CAST(strftime('%d', day) AS INTEGER) > 25
	            THEN strftime('%Y-%m', day, 'start of month', '+1 month') ELSE strftime('%Y-%m', day) END,
	       'นายทดสอบ ผู้มารับบริการ ' || i,
	       CASE WHEN i % 2 = 0 THEN printf('%064x', i) END,
	       CASE WHEN i % 2 = 0 THEN printf('%072d', i) END,
	       CASE WHEN i % 2 = 0 THEN printf('%04d', i % 10000) END,
	       '08' || printf('%08d', i % 100000000),
	       CASE i % 3 WHEN 0 THEN 'male' WHEN 1 THEN 'female' ELSE '' END,
	       CASE i % 4 WHEN 0 THEN 'under_20' WHEN 1 THEN '20_39' WHEN 2 THEN '40_59' ELSE '60_plus' END,
	       CASE i % 4 WHEN 0 THEN 'tangrat' WHEN 1 THEN 'web' WHEN 2 THEN 'line' ELSE 'other' END,
	       '', (SELECT id FROM users WHERE username = 'officer4701'), 'load-' || i,
	       $NOW, $NOW
	FROM g JOIN d ON d.k = g.k ORDER BY i;
INSERT INTO visit_services (visit_id, service_code, outcome)
	SELECT v.id, s.code, CASE v.id % 4 WHEN 0 THEN 'completed' WHEN 1 THEN 'self_completed'
	                     WHEN 2 THEN 'referred' ELSE 'not_completed' END
	FROM visits v JOIN s ON s.k = v.id % (SELECT COUNT(*) FROM s);
INSERT INTO visit_services (visit_id, service_code, outcome)
	SELECT v.id, s.code, 'completed'
	FROM visits v JOIN s ON s.k = (v.id + 7) % (SELECT COUNT(*) FROM s) WHERE v.id % 3 = 0;
INSERT INTO visit_counters (unit_code, year_be, last_seq)
	SELECT unit_code, year_be, MAX(seq) FROM visits GROUP BY unit_code, year_be;
INSERT INTO rollup_visits (unit_code, day, visits)
	SELECT unit_code, visit_day, COUNT(*) FROM visits WHERE status = 'active' GROUP BY unit_code, visit_day;
INSERT INTO rollup_services (unit_code, day, service_code, outcome, n)
	SELECT v.unit_code, v.visit_day, s.service_code, s.outcome, COUNT(*)
	FROM visits v JOIN visit_services s ON s.visit_id = v.id WHERE v.status = 'active'
	GROUP BY v.unit_code, v.visit_day, s.service_code, s.outcome;
INSERT INTO rollup_visit_attrs (unit_code, period, channel, sex, age_band, n)
	SELECT unit_code, period, channel, sex, age_band, COUNT(*) FROM visits WHERE status = 'active'
	GROUP BY unit_code, period, channel, sex, age_band;
INSERT INTO rollup_period_services (unit_code, period, service_code, outcome, n)
	SELECT v.unit_code, v.period, s.service_code, s.outcome, COUNT(*)
	FROM visits v JOIN visit_services s ON s.visit_id = v.id WHERE v.status = 'active'
	GROUP BY v.unit_code, v.period, s.service_code, s.outcome;
$BENCH_PERIOD_UNITS_SQL
COMMIT;
SQL
T1=$(date +%s.%N)
LOAD_SECS=$(awk -v a="$T0" -v b="$T1" 'BEGIN { printf "%.0f", b - a }')
C_N=$(sqlite3 "$W/big.db" "SELECT COUNT(*) FROM visits")
C_S=$(sqlite3 "$W/big.db" "SELECT COUNT(*) FROM visit_services")
C_D=$(sqlite3 "$W/big.db" "SELECT COUNT(DISTINCT unit_code) FROM visits")
C_MB=$(awk -v b="$(stat -c %s "$W/big.db")" 'BEGIN { printf "%.0f", b / 1048576 }')
LIST_PERIOD=$(sqlite3 "$W/big.db" "SELECT period FROM visits WHERE unit_code = '4701' GROUP BY period ORDER BY period DESC LIMIT 1 OFFSET 1")
C_T=$(sqlite3 "$W/big.db" "SELECT COUNT(*) FROM visits WHERE unit_code = '4701' AND period = '$LIST_PERIOD'")
T0=$(date +%s.%N)
C_CK=ok
OSSPOINT_DB="sqlite:$W/big.db" "$BIN" check >/dev/null 2>&1 || C_CK=FAILED
CK_SECS=$(awk -v a="$T0" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }')
echo "loaded $C_N entries ($C_S services) in $C_D districts in ${LOAD_SECS}s, ${C_MB} MB; osspoint check: $C_CK (${CK_SECS}s)"
echo "4701, period $LIST_PERIOD: $C_T entries"

start_server "sqlite:$W/big.db" big
login
LIST_URL="$URL/registry?period=$LIST_PERIOD"
curl -s -H 'Accept: application/json' -H "Cookie: $COOKIE" "$LIST_URL" -o "$W/list.json"
L_TOTAL=$(grep -o '"total" *: *[0-9]*' "$W/list.json" | head -1 | grep -o '[0-9]*$' || true)
L_ROWS=$(grep -o '"number" *:' "$W/list.json" | wc -l)
[ "$L_TOTAL" = "$C_T" ] || { echo "bench: the list says total $L_TOTAL, the database $C_T"; head -c 600 "$W/list.json"; exit 1; }
: >"$W/list.cfg"
for _ in $(seq "$LIST_REQUESTS"); do printf 'url = "%s"\noutput = "/dev/null"\n' "$LIST_URL" >>"$W/list.cfg"; done
sleep 1.2 # the access log is buffered, written at least once a second: let the lines so far land
LOG_FROM=$(wc -l <"$W/big.err")
curl -s -K "$W/list.cfg" -H 'Accept: application/json' -H "Cookie: $COOKIE" -w '%{http_code} %{time_total}\n' >"$W/list.times"
sleep 0.2
# Same page as HTML (template rendering included), for comparison.
: >"$W/html.cfg"
for _ in $(seq 50); do printf 'url = "%s"\noutput = "/dev/null"\n' "$LIST_URL" >>"$W/html.cfg"; done
curl -s -K "$W/html.cfg" -H 'Accept: text/html' -H "Cookie: $COOKIE" -w '%{http_code} %{time_total}\n' >"$W/html.times"
stop_server
BAD=$(awk '$1 != 200' "$W/list.times" "$W/html.times" | wc -l)
read -r CL50 CL99 CLMAX <<<"$(pct "$W/list.times" 2 1000)"
read -r CH50 CH99 CHMAX <<<"$(pct "$W/html.times" 2 1000)"
# Server time: the access-log lines of the JSON requests ("GET /registry 200 1234us";
# the log leaves the query string out), the first LIST_REQUESTS after the mark.
tail -n +"$((LOG_FROM + 1))" "$W/big.err" | grep -E ' GET /registry 200 [0-9]+us$' | head -n "$LIST_REQUESTS" |
	grep -o '[0-9]*us' | tr -d 'us' >"$W/list.server"
SRV_N=$(wc -l <"$W/list.server")
read -r CS50 CS99 CSMAX <<<"$(pct "$W/list.server" 1 0.001)"
echo "C  JSON list, $LIST_REQUESTS sequential: server median $CS50 ms p99 $CS99 ms max $CSMAX ms ($SRV_N log lines); curl median $CL50 ms p99 $CL99 ms max $CLMAX ms (target < 20 ms); page of $L_ROWS, total $L_TOTAL"
echo "   HTML page, 50 sequential: curl median $CH50 ms p99 $CH99 ms"
[ "$BAD" = 0 ] || echo "bench: WARNING: $BAD list requests did not answer 200"
fi
# ---------------------------------------------------------------- D PostgreSQL
D=""
if [ "$BENCH_PG" = 1 ]; then
	echo "== D: PostgreSQL 15, a throwaway cluster made durable (fsync, synchronous_commit, full_page_writes on)"
	LOAD_D=$(loadavg)
	# The server runs as postgres when we are root: it must reach its directory.
	chmod 711 "$W"
	PGDIR="$W/pg"
	PG=$(scripts/pgtmp.sh start "$PGDIR" 2>"$W/pgtmp.err") || { cat "$W/pgtmp.err"; exit 1; }
	# pgtmp.sh turns durability off (tests throw their data away); a write
	# benchmark needs every COMMIT on disk, as in production.
	psql -X -q -d "$PG" -c "ALTER SYSTEM SET fsync = on" -c "ALTER SYSTEM SET synchronous_commit = on" \
		-c "ALTER SYSTEM SET full_page_writes = on" \
		-c "ALTER SYSTEM SET commit_delay = ${PG_COMMIT_DELAY:-0}" -c "SELECT pg_reload_conf()" >/dev/null
	sleep 0.5
	PG_SET=$(psql -X -Atq -d "$PG" -c "SELECT string_agg(name || '=' || setting, ', ' ORDER BY name) FROM pg_settings
		WHERE name IN ('fsync', 'synchronous_commit', 'full_page_writes', 'commit_delay', 'wal_sync_method', 'shared_buffers')")
	echo "   settings: $PG_SET"
	case $PG_SET in *fsync=on*) ;; *) echo "bench: fsync is not on"; exit 1 ;; esac
	pg_db() { # name: a new empty database; prints its URL
		PGOPTIONS='--client-min-messages=warning' psql -X -q -d "$PG" -c "DROP DATABASE IF EXISTS $1 WITH (FORCE)" \
			-c "CREATE DATABASE $1" >/dev/null
		echo "${PG/\/postgres\?//$1?}"
	}
	IFS='|' read -r DA DA_N DA_SECS <<<"$(ref_run "$(pg_db bench_ref)")"
	DA_MS=$(awk -v r="$DA" 'BEGIN { printf "%.2f", 1000 / r }')
	echo "D.A psql (libpq), registry inserts, 1 entry/COMMIT   $DA entries/s ($DA_N in $DA_SECS s, $DA_MS ms per commit)"
	commit_run "$(pg_db bench_commit)"
	PG_COMMIT_OUT=$COMMIT_OUT
	DR1=$(echo "$PG_COMMIT_OUT" | awk '/^A db_tx/ {print $5}')
	post_run "D.B osspoint on PostgreSQL, shipped settings" "$(pg_db bench_http)" ${BENCH_DB_POOL:+OSSPOINT_DB_POOL=$BENCH_DB_POOL}
	IFS='|' read -r D D50 D99 DMAX DS50 DS99 DSMAX DC DO DS DCK DHWM DERR <<<"$RES"
	RD=$(ratio "$D" "$DA")
	RD1=$(ratio "$D" "${DR1:-0}")
	echo "ratio to D.A: ${RD}x (target >= 3); to bench_commit's one row per COMMIT (A, ${DR1:-n/a} rows/s): ${RD1}x"
	scripts/pgtmp.sh stop "$PGDIR" >/dev/null 2>&1 || true
	PGDIR=""
fi
LOAD_END=$(loadavg)
echo "load average: start $LOAD_START, A $LOAD_A, B $LOAD_B, C ${LOAD_C:-skipped}, D ${LOAD_D:-skipped}, end $LOAD_END"

if [ "${BENCH_WRITE:-1}" = 1 ]; then
	commit_block() { # title output command
		[ -n "$2" ] || return 0
		echo
		echo "$1, \`$3\` (one ~200-byte row per transaction):"
		echo
		echo '```'
		echo "$2"
		echo '```'
	}
	{
		echo "## Registry benchmark (issues 3, 9) — $(date -u +%Y-%m-%d) on $(nproc) cores"
		echo
		echo "\`bench/registry/run.sh $SECS $CONNS\` (\`make bench-registry\`), SQLite files on $FS in \`${TMPDIR:-/tmp}\`,"
		echo "loopback, shipped server settings (access log on, default HTTP threads), wrk -t$WRK_THREADS -c$CONNS."
		echo "Load average (1/5/15 min) at the start **$LOAD_START**, at A $LOAD_A, at B $LOAD_B,"
		echo "at C ${LOAD_C:-(skipped)}, at D ${LOAD_D:-(skipped)}, at the end $LOAD_END: the machine was shared, so absolute figures vary between runs."
		echo
		echo "**Durable inserts** (every entry committed with an fsync before its answer); wrk's latency, then"
		echo "the server's own time per request from its access log:"
		echo
		echo "| run | entries/s | p50 | p99 | max | server median / p99 / slowest | ratio | target |"
		echo "|---|---:|---:|---:|---:|---:|---:|---|"
		echo "| A sqlite3 shell, \`db_visit_create\`'s statements (counter, entry, service, 2 roll-ups, history), one entry per \`COMMIT\`, WAL + \`synchronous=FULL\` | $A | $A_MS ms (1/rate) | | | | 1.0 | reference |"
		echo "| B osspoint \`POST /registry\` (JSON, logged in, CSRF), SQLite | $B | $B50 | $B99 | $BMAX | $BS50 / $BS99 / $BSMAX ms | $RB | ≥ 3, p99 < 50 ms, slowest < 100 ms |"
		echo "| B' same, \`OSSPOINT_THREADS=$CONNS\` | $T | $T50 | $T99 | $TMAX | $TS50 / $TS99 / $TSMAX ms | $RT | |"
		if [ -n "$D" ]; then
			echo "| D.A psql (libpq), the same statements, one entry per \`COMMIT\`, PostgreSQL 15 with fsync | $DA | $DA_MS ms (1/rate) | | | | 1.0 | reference |"
			echo "| D.B osspoint \`POST /registry\`, PostgreSQL | $D | $D50 | $D99 | $DMAX | $DS50 / $DS99 / $DSMAX ms | $RD | ≥ 3, p99 < 50 ms |"
		fi
		echo
		echo "B: $BC answered 201 (other answers: $BO), $BS new rows counted in the database afterwards,"
		echo "\`osspoint check\` $BCK, peak RSS $BHWM MB. B': $TC answered 201 (other: $TO), $TS stored, check $TCK, RSS $THWM MB."
		if [ -n "$D" ]; then
			echo "D.B: $DC answered 201 (other: $DO), $DS stored, check $DCK, RSS $DHWM MB; against bench_commit's one row"
			echo "per \`COMMIT\` through libpq (A below, ${DR1:-n/a} rows/s): ${RD1}x. PostgreSQL settings: $PG_SET."
		fi
		if [ -n "$BERR$TERR${DERR:-}" ]; then echo; echo "wrk: B ${BERR:-no socket errors}; B' ${TERR:-no socket errors}; D.B ${DERR:-no socket errors}"; fi
		commit_block "Storage layer alone, SQLite" "$SQLITE_COMMIT_OUT" "build/bench_commit $CONNS $((SECS / 3 > 0 ? SECS / 3 : 1)) 8"
		[ -n "$D" ] && commit_block "Storage layer alone, PostgreSQL" "$PG_COMMIT_OUT" "build/bench_commit $CONNS $((SECS / 3 > 0 ? SECS / 3 : 1)) 8 URL"
		if [ "$C_N" -gt 0 ]; then
			echo
			echo "**The district's month at $C_N entries** ($C_D districts × $PER over 365 days, 1.33 services each,"
			echo "loaded by SQL in ${LOAD_SECS} s, $C_MB MB, \`osspoint check\` $C_CK in $CK_SECS s): \`GET /registry?period=$LIST_PERIOD\` as"
			echo "officer4701 (district 4701: $L_TOTAL entries that month, page of $L_ROWS), $LIST_REQUESTS sequential requests on one connection:"
			echo
			echo "| measure | median | p99 | max | target |"
			echo "|---|---:|---:|---:|---|"
			echo "| server time (access log), JSON | $CS50 ms | $CS99 ms | $CSMAX ms | < 20 ms |"
			echo "| curl \`time_total\`, JSON | $CL50 ms | $CL99 ms | $CLMAX ms | |"
			echo "| curl \`time_total\`, HTML page (50 requests) | $CH50 ms | $CH99 ms | $CHMAX ms | |"
		fi
		echo
	} >"$W/section.md"
	bench_write_results
fi
