#!/bin/bash
# Foundation benchmark (issue 2), all in one run on 127.0.0.1:
#   A  nginx (1 worker) serving the public home page's bytes as a static file
#   B  osspoint serving the same bytes as a static file (/static/bench/page.html)
#   C  osspoint rendering the public templated page (/)
#   D  osspoint rendering a logged-in page (/home, officer session)
# Throughput is reported as ratios to A, measured in the same run; the server's
# peak resident memory (VmHWM) is read at the end. Results: bench/RESULTS.md.
#   bench/run.sh [seconds per run, default 10] [connections, default 64]
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
SECS=${1:-10}
CONNS=${2:-64}
BIN=${OSSPOINT_BIN:-$ROOT/build/osspoint}
for t in wrk nginx curl; do command -v $t >/dev/null || { echo "bench: $t missing (make deps)"; exit 1; }; done

W=$(mktemp -d /tmp/osspoint-bench.XXXXXX)
NGINX_PID=""; SRV_PID=""
cleanup() {
	[ -n "$SRV_PID" ] && kill "$SRV_PID" 2>/dev/null || true
	[ -n "$NGINX_PID" ] && kill "$NGINX_PID" 2>/dev/null || true
	wait 2>/dev/null || true
	rm -rf "$W"
}
trap cleanup EXIT

# A private root: the real templates and data, a copy of static/ plus the page.
mkdir -p "$W/root"
ln -s "$ROOT/templates" "$W/root/templates"
ln -s "$ROOT/data" "$W/root/data"
cp -r "$ROOT/static" "$W/root/static"
export OSSPOINT_ROOT="$W/root" OSSPOINT_DB="sqlite:$W/bench.db" OSSPOINT_ACCESS_LOG=0 OSSPOINT_LISTEN=127.0.0.1:0
"$BIN" migrate >/dev/null
"$BIN" seed --demo >/dev/null
"$BIN" serve >"$W/serve.out" 2>"$W/serve.err" &
SRV_PID=$!
for _ in $(seq 100); do grep -q 'listening on' "$W/serve.out" 2>/dev/null && break; sleep 0.1; done
URL=$(grep -o 'http://127.0.0.1:[0-9]*' "$W/serve.out" | head -1)
[ -n "$URL" ] || { cat "$W/serve.err"; exit 1; }

mkdir -p "$W/root/static/bench" "$W/www"
curl -sf -H 'Accept: text/html' "$URL/" -o "$W/www/page.html"
cp "$W/www/page.html" "$W/root/static/bench/page.html"
BYTES=$(stat -c %s "$W/www/page.html")

# nginx, one worker, static file, keep-alive, logging off.
NPORT=$((20000 + RANDOM % 20000))
cat >"$W/nginx.conf" <<NGX
worker_processes 1;
pid $W/nginx.pid;
error_log $W/nginx.err;
events { worker_connections 1024; }
http {
  access_log off;
  keepalive_requests 1000000;
  client_body_temp_path $W/tmp; proxy_temp_path $W/tmp; fastcgi_temp_path $W/tmp;
  uwsgi_temp_path $W/tmp; scgi_temp_path $W/tmp;
  server { listen 127.0.0.1:$NPORT; root $W/www; default_type text/html; }
}
NGX
mkdir -p "$W/tmp"
# nginx's workers run as an unprivileged user: let them read the page.
chmod -R a+rX "$W"
nginx -c "$W/nginx.conf" -g 'daemon off;' &
NGINX_PID=$!
for _ in $(seq 50); do curl -sf "http://127.0.0.1:$NPORT/page.html" -o /dev/null && break; sleep 0.1; done

# Officer session for the logged-in page.
COOKIE=$(curl -s -D - -o /dev/null -H 'Content-Type: application/json' -H 'Accept: application/json' \
	-d '{"username":"officer4701","password":"osspoint-demo"}' "$URL/login" |
	grep -io 'osspoint_session=[^;]*' | head -1)
[ -n "$COOKIE" ] || { echo "bench: login failed"; exit 1; }
curl -sf -H "Cookie: $COOKIE" -H 'Accept: text/html' "$URL/home" -o /dev/null

rps() { # url [header]
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

echo "bench: ${SECS}s per run, $CONNS connections, page $BYTES bytes"
read -r A A99 AE <<<"$(rps "http://127.0.0.1:$NPORT/page.html")"
echo "A nginx static          $A req/s  p99 $A99 $AE"
read -r B B99 BE <<<"$(rps "$URL/static/bench/page.html")"
echo "B osspoint static       $B req/s  p99 $B99 $BE"
read -r C C99 CE <<<"$(rps "$URL/")"
echo "C osspoint public page  $C req/s  p99 $C99 $CE"
read -r D D99 DE <<<"$(rps "$URL/home" "Cookie: $COOKIE")"
echo "D osspoint logged-in    $D req/s  p99 $D99 $DE"
HWM=$(awk '/VmHWM/ {print $2}' "/proc/$SRV_PID/status")
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }
RB=$(ratio "$B" "$A"); RC=$(ratio "$C" "$A"); RD=$(ratio "$D" "$A")
HWM_MB=$(awk -v k="$HWM" 'BEGIN { printf "%.1f", k / 1024 }')
echo "ratios to nginx: static ${RB}x, public page ${RC}x (target >= 1.0), logged-in ${RD}x (target >= 0.5)"
echo "osspoint peak RSS: ${HWM_MB} MB (target < 64)"

if [ "${BENCH_WRITE:-1}" = 1 ]; then
	{
		echo "## Foundation benchmark — $(date -u +%Y-%m-%d) on $(nproc) cores"
		echo
		echo "\`bench/run.sh $SECS $CONNS\`: wrk -t2 -c$CONNS -d${SECS}s, loopback, page of $BYTES bytes, SQLite."
		echo
		echo "| run | req/s | p99 | ratio to nginx | target |"
		echo "|---|---:|---:|---:|---|"
		echo "| A nginx 1 worker, static file | $A | $A99 | 1.00 | reference |"
		echo "| B osspoint, same bytes as /static file | $B | $B99 | $RB | |"
		echo "| C osspoint, public templated page \`/\` | $C | $C99 | $RC | ≥ 1.0 |"
		echo "| D osspoint, logged-in page \`/home\` | $D | $D99 | $RD | ≥ 0.5 |"
		echo
		echo "Peak RSS of the osspoint server (VmHWM) after all runs: **${HWM_MB} MB** (target < 64 MB)."
		echo
	} >"$W/section.md"
	# Newest run first, keeping earlier runs below.
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
fi
