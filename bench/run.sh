#!/bin/bash
# Foundation benchmark (issue 2), all in one run on 127.0.0.1:
#   A  nginx (1 worker) serving the public home page's bytes as a static file
#   B  osspoint serving the same bytes as a static file (/static/bench/page.html)
#   C  osspoint rendering the public templated page (/)
#   D  osspoint rendering a logged-in page (/home, officer session)
# Throughput is reported as ratios to A, measured in the same run; the server's
# peak resident memory (VmHWM) is read at the end. Both servers run as shipped
# and log every request: osspoint with its defaults (access log on), nginx with
# its own access log (buffer=64k); see bench/lib.sh. Results: bench/RESULTS.md.
#   bench/run.sh [seconds per run, default 10] [connections, default 64]
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
SECS=${1:-10}
CONNS=${2:-64}
BIN=${OSSPOINT_BIN:-$ROOT/build/osspoint}
# shellcheck source=bench/lib.sh
. bench/lib.sh
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
bench_root
bench_serve

mkdir -p "$W/root/static/bench" "$W/www"
curl -sf -H 'Accept: text/html' "$URL/" -o "$W/www/page.html"
cp "$W/www/page.html" "$W/root/static/bench/page.html"
BYTES=$(stat -c %s "$W/www/page.html")

# nginx, one worker, static file, keep-alive, its access log on (buffer=64k).
bench_nginx page.html

# Officer session for the logged-in page.
COOKIE=$(curl -s -D - -o /dev/null -H 'Content-Type: application/json' -H 'Accept: application/json' \
	-d '{"username":"officer4701","password":"osspoint-demo"}' "$URL/login" |
	grep -io 'osspoint_session=[^;]*' | head -1)
[ -n "$COOKIE" ] || { echo "bench: login failed"; exit 1; }
curl -sf -H "Cookie: $COOKIE" -H 'Accept: text/html' "$URL/home" -o /dev/null

echo "bench: ${SECS}s per run, $CONNS connections, page $BYTES bytes"
read -r A A99 AE <<<"$(bench_rps "http://127.0.0.1:$NPORT/page.html")"
echo "A nginx static          $A req/s  p99 $A99 $AE"
read -r B B99 BE <<<"$(bench_rps "$URL/static/bench/page.html")"
echo "B osspoint static       $B req/s  p99 $B99 $BE"
read -r C C99 CE <<<"$(bench_rps "$URL/")"
echo "C osspoint public page  $C req/s  p99 $C99 $CE"
read -r D D99 DE <<<"$(bench_rps "$URL/home" "Cookie: $COOKIE")"
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
		echo "osspoint with its shipped settings (access log on), nginx with its access log on (buffer=64k)."
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
	bench_write_results
fi
