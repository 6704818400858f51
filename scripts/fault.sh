#!/bin/bash
# The fault sweep (docs/ARCHITECTURE.md, Fault injection): builds build-fault
# (cmake -DOSSPOINT_FAULT=ON, with ASan + UBSan, so that an error path that
# leaks or misbehaves fails too) and runs tests/fault/test_fault.
#   scripts/fault.sh         the short sweep on SQLite (make test; a few
#                            hundred injections, well under a minute)
#   scripts/fault.sh --long  every injection, on SQLite and on PostgreSQL
#                            (make fault-long; OSSPOINT_TEST_PG, or a
#                            throwaway cluster of its own)
set -euo pipefail
cd "$(dirname "$0")/.."
long=""
[ "${1:-}" = "--long" ] && long="--long"
cmake -S . -B build-fault -DOSSPOINT_FAULT=ON -DOSSPOINT_SANITIZE=ON -DCMAKE_BUILD_TYPE=Debug >/dev/null
cmake --build build-fault -j"$(nproc)" --target test_fault
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
# The injected failures log at error level by design; keep them out of the
# terminal (the log is kept in build-fault/ and shown when the sweep fails).
sweep() { # backend
	local log="build-fault/fault-$1.log"
	if ! ./build-fault/test_fault "$1" $long >"$log" 2>&1; then
		grep -v ' info \| debug ' "$log" | tail -n 60
		echo "fault: the $1 sweep FAILED (whole log: $log)" >&2
		exit 1
	fi
	grep -E '^fault: |passed, [0-9]+ failed$' "$log"
}
sweep sqlite
if [ -n "$long" ]; then
	if [ -z "${OSSPOINT_TEST_PG:-}" ]; then
		PGDIR=$(mktemp -d /tmp/osspoint-fault-pg.XXXXXX)
		trap './scripts/pgtmp.sh stop "$PGDIR" >/dev/null 2>&1 || true; rm -rf "$PGDIR"' EXIT
		OSSPOINT_TEST_PG=$(./scripts/pgtmp.sh start "$PGDIR")
		export OSSPOINT_TEST_PG
	fi
	sweep postgresql
fi
