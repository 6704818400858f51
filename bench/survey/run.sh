#!/bin/bash
# Survey benchmark (issue 10): survey submissions at N connections, on
# 127.0.0.1, with the server's shipped settings (access log on).
#   1. entries: POST /registry as officer4701 for 2 x SECS seconds (wrk -t1 -cN),
#      keeping each new entry's survey link: the reference, a durable write
#      of the same server measured in the same run;
#   2. answers: POST /survey/{token} (JSON, no login, each token once, in
#      order; tokens/s beyond the entries made are answered 409 and counted
#      apart) for SECS seconds at N connections.
# Reported: answers/s, wrk's p50 / p99 / max, the server's own median / p99 /
# slowest from its access log, and the ratio to phase 1; stored responses are
# counted in the database afterwards, and `osspoint check` (roll-ups) runs.
# Target: p99 < 50 ms at 64 connections. SQLite, then PostgreSQL 15 (a
# throwaway cluster made durable; BENCH_PG=0 skips it, BENCH_SQLITE=0 the other).
#   bench/survey/run.sh [seconds per phase, default 10] [connections, default 64]
# Results go to bench/RESULTS.md (BENCH_WRITE=0: don't).
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT=$PWD
# shellcheck source=bench/lib.sh
. bench/lib.sh
SECS=${1:-10}
CONNS=${2:-64}
BENCH_PG=${BENCH_PG:-1}
BENCH_SQLITE=${BENCH_SQLITE:-1}
BIN=${OSSPOINT_BIN:-$ROOT/build/osspoint}
for t in wrk curl sqlite3 awk; do command -v $t >/dev/null || { echo "bench: $t missing (make deps)"; exit 1; }; done
[ -x "$BIN" ] || { echo "bench: $BIN missing (make build)"; exit 1; }
W=$(mktemp -d "${TMPDIR:-/tmp}/osspoint-bench-survey.XXXXXX")
SRV_PID="" PGDIR=""
cleanup() {
	[ -n "$SRV_PID" ] && { kill "$SRV_PID" 2>/dev/null || true; wait "$SRV_PID" 2>/dev/null || true; }
	[ -n "$PGDIR" ] && { scripts/pgtmp.sh stop "$PGDIR" >/dev/null 2>&1 || true; }
	rm -rf "$W"
}
trap cleanup EXIT
loadavg() { cut -d' ' -f1-3 /proc/loadavg; }
for v in $(compgen -e); do case $v in OSSPOINT_BIN) ;; OSSPOINT_*) unset "$v" ;; esac; done
export OSSPOINT_ROOT="$ROOT" OSSPOINT_SECRET_FILE="$W/secret.key"
VISITED_AT=$(TZ=Asia/Bangkok date -d '-5 min' +%Y-%m-%dT%H:%M)

sql() { # url sql
	case $1 in sqlite:*) sqlite3 "${1#sqlite:}" "$2" ;; *) psql -X -Atq -d "$1" -c "$2" ;; esac
}
pct() { # file -> "median p99 max" in ms (lines of microseconds)
	sort -n "$1" | awk '{ a[NR] = $1 } END { if (!NR) { print "n/a n/a n/a"; exit }
		i = int(NR * 0.99 + 0.999); if (i > NR) i = NR;
		printf "%.2f %.2f %.2f", a[int((NR + 1) / 2)] / 1000, a[i] / 1000, a[NR] / 1000 }'
}
wrk_lat() { # wrk output, label -> "p50 p99 max"
	awk '/^ +50%/ { p50 = $2 } /^ +99%/ { p99 = $2 } /^ +Latency +[0-9]/ { mx = $4 } END { print p50, p99, mx }' <<<"$1"
}
serve() { # url
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

ROWS=""
one_run() { # label db-url
	local label=$1 db=$2
	export OSSPOINT_DB="$db"
	"$BIN" migrate >/dev/null 2>&1
	"$BIN" seed --demo >/dev/null 2>&1
	case $db in postgresql:*) bench_pg_preload "$db" ;; esac
	: >"$W/tokens.txt"
	serve
	local body cookie csrf
	body=$(curl -s -D "$W/login.h" -H 'Content-Type: application/json' -H 'Accept: application/json' \
		-d '{"username":"officer4701","password":"osspoint-demo"}' "$URL/login")
	cookie=$(grep -io 'osspoint_session=[^;]*' "$W/login.h" | head -1 || true)
	csrf=$(sed -n 's/.*"csrf" *: *"\([^"]*\)".*/\1/p' <<<"$body")
	[ -n "$cookie" ] && [ -n "$csrf" ] || { echo "bench: login failed: $body"; exit 1; }
	local e_out a_out from entries answers
	e_out=$(BENCH_COOKIE="$cookie" BENCH_CSRF="$csrf" BENCH_VISITED_AT="$VISITED_AT" BENCH_RUN="sv$$" \
		BENCH_TOKENS="$W/tokens.txt" wrk -t1 -c"$CONNS" -d"$((2 * SECS))s" --latency -s bench/survey/tokens.lua "$URL")
	entries=$(awk '/Requests\/sec/ { printf "%.0f", $2 }' <<<"$e_out")
	local ntok
	ntok=$(wc -l <"$W/tokens.txt")
	case $db in postgresql:*) sql "$db" "ANALYZE" >/dev/null ;; esac
	from=$(wc -l <"$W/serve.err")
	local before
	before=$(sql "$db" "SELECT COUNT(*) FROM survey_responses")
	a_out=$(BENCH_TOKENS="$W/tokens.txt" wrk -t1 -c"$CONNS" -d"${SECS}s" --latency -s bench/survey/answer.lua "$URL")
	answers=$(awk '/Requests\/sec/ { printf "%.0f", $2 }' <<<"$a_out")
	local hwm
	hwm=$(awk '/VmHWM/ {printf "%.1f", $2 / 1024}' "/proc/$SRV_PID/status")
	stop
	local stored ck=ok
	stored=$(( $(sql "$db" "SELECT COUNT(*) FROM survey_responses") - before ))
	"$BIN" check >/dev/null 2>&1 || ck=FAILED
	tail -n +"$((from + 1))" "$W/serve.err" | grep ' POST /survey/' | grep -oE '[0-9]+us$' | tr -d 'us' >"$W/answer.server" || true
	read -r s50 s99 smax <<<"$(pct "$W/answer.server")"
	read -r p50 p99 pmax <<<"$(wrk_lat "$a_out")"
	local counts ratio
	counts=$(grep -E '^stored ' <<<"$a_out" || echo "stored ? used ? other ?")
	ratio=$(awk -v a="$answers" -v b="$entries" 'BEGIN { printf "%.1f", (b > 0 ? a / b : 0) }')
	echo "$label: entries (reference) $entries/s, $ntok tokens; answers $answers/s ($counts; $stored new rows), ratio ${ratio}x"
	echo "   wrk p50 $p50  p99 $p99  max $pmax; server median ${s50} ms  p99 ${s99} ms  slowest ${smax} ms; check $ck  RSS $hwm MB"
	grep -A3 '^other answers' <<<"$a_out" || true
	ROWS+="| $label | $entries | $answers | $p50 | $p99 | $pmax | $s50 / $s99 / $smax ms | ${ratio} | $counts, $stored stored, check $ck |"$'\n'
}

LOAD_START=$(loadavg)
echo "bench: $SECS s per phase, $CONNS connections, $(nproc) cores, load average $LOAD_START"
[ "$BENCH_SQLITE" = 0 ] || one_run "SQLite" "sqlite:$W/survey.db"
if [ "$BENCH_PG" = 1 ]; then
	chmod 711 "$W"
	PGDIR="$W/pg"
	PG=$(scripts/pgtmp.sh start "$PGDIR" 2>"$W/pgtmp.err") || { cat "$W/pgtmp.err"; exit 1; }
	psql -X -q -d "$PG" -c "ALTER SYSTEM SET fsync = on" -c "ALTER SYSTEM SET synchronous_commit = on" \
		-c "ALTER SYSTEM SET full_page_writes = on" -c "SELECT pg_reload_conf()" >/dev/null
	one_run "PostgreSQL 15" "$PG"
fi
LOAD_END=$(loadavg)
echo "load average: start $LOAD_START, end $LOAD_END"

if [ "${BENCH_WRITE:-1}" = 1 ]; then
	{
		echo
		echo "## Survey benchmark (issue 10) — $(date -u +%F) on $(nproc) cores"
		echo
		echo "\`bench/survey/run.sh $SECS $CONNS\`: shipped settings (access log on), wrk -t1 -c$CONNS, $SECS s per phase."
		echo "Load average at the start **$LOAD_START**, at the end $LOAD_END."
		echo
		echo "| database | entries/s (reference: POST /registry) | answers/s (POST /survey/{token}) | p50 | p99 | max | server median / p99 / slowest | ratio | answers |"
		echo "|---|---:|---:|---:|---:|---:|---|---:|---|"
		printf '%s' "$ROWS"
		echo
		echo "Target: p99 < 50 ms at 64 connections."
	} >>bench/RESULTS.md
fi
