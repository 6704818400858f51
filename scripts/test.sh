#!/bin/bash
# Everything `make test` runs, in order. Fails on the first failing stage.
#   scripts/test.sh            all stages
#   scripts/test.sh --only-asan  the sanitizer stage alone
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
BUILD=${BUILD:-build}
FUZZ_SECONDS=${FUZZ_SECONDS:-15}

stage() { printf '\n==== %s ====\n' "$*"; }

# Every stage's output also goes to $LOG, from which the closing line
# "total: N passed, M failed" is counted.
LOG=$(mktemp /tmp/osspoint-test.XXXXXX)
count() {
	awk '
	/tests passed, [0-9]+ tests failed out of/ { p += $NF - $4; x += $4 }
	/^# pass [0-9]+/ { p += $3 }
	/^# fail [0-9]+/ { x += $3 }
	/^[0-9]+ passed, [0-9]+ failed$/ { p += $1; x += $3 }
	/^fuzz: [0-9]+ targets ran clean/ { p += $2 }
	END { printf "total: %d passed, %d failed\n", p, x }' "$LOG"
}

# A throwaway PostgreSQL cluster for the whole run; stopped on exit.
PGDIR=$(mktemp -d /tmp/osspoint-pg.XXXXXX)
cleanup() { ./scripts/pgtmp.sh stop "$PGDIR" >/dev/null 2>&1 || true; rm -rf "$PGDIR" "$LOG"; }
trap cleanup EXIT
stage "PostgreSQL (throwaway cluster in $PGDIR)"
OSSPOINT_TEST_PG=$(./scripts/pgtmp.sh start "$PGDIR")
export OSSPOINT_TEST_PG
echo "cluster: $OSSPOINT_TEST_PG"

run_suites() { # $1 = build dir
	local b=$1
	stage "unit + database tests ($b)"
	ctest --test-dir "$b" --output-on-failure -j2 | tee -a "$LOG"
	stage "API tests against $b/osspoint (SQLite and PostgreSQL)"
	OSSPOINT_BIN="$ROOT/$b/osspoint" node --test --test-concurrency=1 --test-reporter=tap tests/api/ | tee -a "$LOG"
}

if [ "${1:-}" != "--only-asan" ]; then
	stage "style and banned functions"
	./scripts/lint.sh
	stage "building never touches the host's services (scripts/deps.sh against stubs)"
	./tests/deps/test_deps.sh | tee -a "$LOG"
	run_suites "$BUILD"
	stage "crash test (kill -9 during concurrent inserts)"
	OSSPOINT_BIN="$ROOT/$BUILD/osspoint" node tests/crash/crash.mjs | tee -a "$LOG"
	stage "browser tests (Playwright + axe-core, Debian chromium)"
	OSSPOINT_BIN="$ROOT/$BUILD/osspoint" node tests/e2e/run.mjs | tee -a "$LOG"
fi

stage "sanitizer build (ASan + UBSan)"
cmake -S . -B build-asan -DOSSPOINT_SANITIZE=ON -DCMAKE_BUILD_TYPE=Debug >/dev/null
cmake --build build-asan -j"$(nproc)"
ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
	run_suites build-asan

if [ "${1:-}" != "--only-asan" ]; then
	stage "fault injection (build-fault: OSSPOINT_FAULT + ASan; the short sweep on SQLite)"
	./scripts/fault.sh | tee -a "$LOG"
	stage "fuzz targets, ${FUZZ_SECONDS}s each"
	./scripts/fuzz.sh "$FUZZ_SECONDS" | tee -a "$LOG"
fi

stage "all stages passed"
count
