#!/bin/bash
# Portal benchmark (issue 4), all in one run on 127.0.0.1: the two busiest
# public pages, served from osspoint's page cache, against nginx (1 worker)
# serving the very same bytes as static files.
#   A  nginx, the home page's bytes (/)            B  osspoint GET /
#   C  nginx, the service page's bytes             D  osspoint GET /services/dlt_vehicle_tax
# The pages are fetched from osspoint once (SQLite, seeded) and written to
# nginx's root, so both servers send identical bodies. Both run as shipped and
# log every request: osspoint with its defaults (access log on), nginx with its
# own access log (buffer=64k); see bench/lib.sh. Targets: osspoint/nginx ≥ 1.0
# on each page, osspoint p99 < 10 ms.
# Then memory (budget 64 MB for the whole server), the peak resident size
# (VmHWM) of the same osspoint process after each of:
#   M1  a flood of 1,500 connections (wrk -c1500) on /
#   M2  the page cache filled: distinct query strings on / until well past
#       cache_max_bytes (each is a page of its own)
# Results: bench/RESULTS.md (newest first; BENCH_WRITE=0 prints only).
#   bench/portal/run.sh [seconds per run, default 10] [connections, default 256]
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT=$PWD
SECS=${1:-10}
CONNS=${2:-256}
BIN=${OSSPOINT_BIN:-$ROOT/build/osspoint}
SERVICE=dlt_vehicle_tax
# shellcheck source=bench/lib.sh
. bench/lib.sh
for t in wrk nginx curl; do command -v $t >/dev/null || { echo "bench: $t missing (make deps)"; exit 1; }; done
[ -x "$BIN" ] || { echo "bench: no server binary at $BIN (make build, or set OSSPOINT_BIN)"; exit 1; }

W=$(mktemp -d /tmp/osspoint-bench-portal.XXXXXX)
NGINX_PID=""; SRV_PID=""
cleanup() {
	if [ -n "$SRV_PID" ]; then kill "$SRV_PID" 2>/dev/null || true; fi
	if [ -n "$NGINX_PID" ]; then kill "$NGINX_PID" 2>/dev/null || true; fi
	wait 2>/dev/null || true
	rm -rf "$W"
}
trap cleanup EXIT

# A private root: the real templates, data and docs, a copy of static/.
bench_root docs
bench_serve

# The exact bytes osspoint sends for each page (HTML, as a browser asks).
mkdir -p "$W/www"
curl -sf -H 'Accept: text/html' "$URL/" -o "$W/www/home.html"
curl -sf -H 'Accept: text/html' "$URL/services/$SERVICE" -o "$W/www/service.html"
HOME_BYTES=$(stat -c %s "$W/www/home.html")
SVC_BYTES=$(stat -c %s "$W/www/service.html")
# Both must be real pages, and osspoint must answer the same bytes again (from its cache).
grep -q 'action="/search"' "$W/www/home.html" || { echo "bench: / does not look like the portal home"; exit 1; }
grep -q 'ชำระภาษีรถประจำปีออนไลน์' "$W/www/service.html" || { echo "bench: /services/$SERVICE is not the service page"; exit 1; }
curl -sf -H 'Accept: text/html' "$URL/" | cmp -s - "$W/www/home.html" || { echo "bench: / changed between two requests"; exit 1; }
CACHE=$(curl -sf -D - -o /dev/null -H 'Accept: text/html' "$URL/services/$SERVICE" | tr -d '\r' | awk -F': ' 'tolower($1)=="x-cache" {print $2}')

# nginx, one worker, static files, keep-alive, its access log on (as bench/run.sh).
bench_nginx home.html
cmp -s <(curl -sf "http://127.0.0.1:$NPORT/service.html") "$W/www/service.html" || { echo "bench: nginx does not serve the page"; exit 1; }

# wrk prints latencies as 1.23ms / 456.78us / 1.02s: milliseconds.
ms() { awk -v v="$1" 'BEGIN { n = v + 0; if (v ~ /us$/) n /= 1000; else if (v ~ /ms$/) n += 0; else if (v ~ /s$/) n *= 1000; printf "%.2f", n }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }
verdict() { # ratio p99ms
	awk -v r="$1" -v p="$2" 'BEGIN { print (r >= 1.0 && p < 10) ? "met" : "missed" }'
}

LOAD0=$(cut -d' ' -f1-3 /proc/loadavg)
echo "bench: ${SECS}s per run, $CONNS connections; / $HOME_BYTES bytes, /services/$SERVICE $SVC_BYTES bytes (X-Cache: ${CACHE:-none})"
read -r A A99 AE <<<"$(bench_rps "http://127.0.0.1:$NPORT/home.html")"
echo "A nginx    /                       $A req/s  p99 $A99 $AE"
read -r B B99 BE <<<"$(bench_rps "$URL/")"
echo "B osspoint /                       $B req/s  p99 $B99 $BE"
read -r C C99 CE <<<"$(bench_rps "http://127.0.0.1:$NPORT/service.html")"
echo "C nginx    /services/$SERVICE  $C req/s  p99 $C99 $CE"
read -r D D99 DE <<<"$(bench_rps "$URL/services/$SERVICE")"
echo "D osspoint /services/$SERVICE  $D req/s  p99 $D99 $DE"
LOAD1=$(cut -d' ' -f1-3 /proc/loadavg)
hwm_mb() { awk '/VmHWM/ { printf "%.1f", $2 / 1024 }' "/proc/$SRV_PID/status"; }
HWM_MB=$(hwm_mb)

# Memory: the same server, after the runs above.
MSECS=$((SECS < 5 ? SECS : 5))
M1OUT=$(wrk -t2 -c1500 -d"${MSECS}s" -H 'Accept: text/html' "$URL/" 2>&1 || true)
echo "$M1OUT" >>"$W/wrk.log"
M1=$(hwm_mb)
M1E=$(echo "$M1OUT" | grep -E 'Non-2xx|Socket errors' | tr '\n' ' ' || true)
cat >"$W/fill.lua" <<'LUA'
local n = 0
request = function()
  n = n + 1
  return wrk.format("GET", "/?fill=" .. n, { ["Accept"] = "text/html" })
end
LUA
M2OUT=$(wrk -t2 -c64 -d"${MSECS}s" -s "$W/fill.lua" "$URL/" 2>&1 || true)
echo "$M2OUT" >>"$W/wrk.log"
M2N=$(echo "$M2OUT" | awk '/requests in/ {print $1}')
M2=$(hwm_mb)
M2RSS=$(awk '/VmRSS/ { printf "%.1f", $2 / 1024 }' "/proc/$SRV_PID/status")
RB=$(ratio "$B" "$A"); RD=$(ratio "$D" "$C")
B99MS=$(ms "$B99"); D99MS=$(ms "$D99")
VB=$(verdict "$RB" "$B99MS"); VD=$(verdict "$RD" "$D99MS")
echo "osspoint/nginx: home ${RB}x p99 ${B99MS} ms ($VB), service page ${RD}x p99 ${D99MS} ms ($VD); target >= 1.0 and p99 < 10 ms"
echo "osspoint peak RSS (budget 64 MB): after the runs ${HWM_MB} MB; load average ${LOAD0} → ${LOAD1}"
echo "M1 after a 1,500-connection flood on /: ${M1} MB ${M1E}"
echo "M2 after filling the page cache (${M2N:-?} distinct pages asked): ${M2} MB (now ${M2RSS} MB)"
ERRS="$AE$BE$CE$DE"

if [ "${BENCH_WRITE:-1}" = 1 ]; then
	{
		echo "## Portal benchmark (issue 4) — $(date -u +%Y-%m-%d) on $(nproc) cores"
		echo
		echo "\`bench/portal/run.sh $SECS $CONNS\` (\`make bench-portal\`): wrk -t2 -c$CONNS -d${SECS}s --latency, loopback,"
		echo "SQLite, seeded. nginx (1 worker) serves the bytes osspoint answered for each page, fetched once"
		echo "(\`/\` $HOME_BYTES bytes, \`/services/$SERVICE\` $SVC_BYTES bytes); osspoint answers from its page cache."
		echo "Both log every request: osspoint with its shipped settings (access log on), nginx with its access"
		echo "log on (\`buffer=64k\`)."
		echo "Load average (1/5/15 min) at the start **$LOAD0**, at the end $LOAD1."
		echo
		echo "| run | req/s | p99 | osspoint/nginx | target |"
		echo "|---|---:|---:|---:|---|"
		echo "| A nginx 1 worker, \`/\` as a static file | $A | $A99 | | reference |"
		echo "| B osspoint \`GET /\` | $B | $B99 | $RB | ≥ 1.0, p99 < 10 ms: $VB |"
		echo "| C nginx 1 worker, \`/services/$SERVICE\` as a static file | $C | $C99 | | reference |"
		echo "| D osspoint \`GET /services/$SERVICE\` | $D | $D99 | $RD | ≥ 1.0, p99 < 10 ms: $VD |"
		echo
		if [ -n "$ERRS" ]; then echo "wrk: $ERRS"; echo; fi
		echo "Peak RSS of the osspoint server (VmHWM), budget 64 MB: after the runs above **${HWM_MB} MB**;"
		echo "then after a flood of 1,500 connections on \`/\` (wrk -c1500 -d${MSECS}s) **${M1} MB**;"
		echo "then with the page cache filled (${M2N:-?} distinct pages asked, wrk -c64 -d${MSECS}s) **${M2} MB**."
		if [ -n "$M1E" ]; then echo "Flood: ${M1E}(connections past the per-address limit are refused)."; fi
		echo
	} >"$W/section.md"
	bench_write_results
fi
