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

# A throwaway PostgreSQL cluster for the whole run; stopped on exit.
PGDIR=$(mktemp -d /tmp/osspoint-pg.XXXXXX)
cleanup() { ./scripts/pgtmp.sh stop "$PGDIR" >/dev/null 2>&1 || true; rm -rf "$PGDIR"; }
trap cleanup EXIT
stage "PostgreSQL (throwaway cluster in $PGDIR)"
OSSPOINT_TEST_PG=$(./scripts/pgtmp.sh start "$PGDIR")
export OSSPOINT_TEST_PG
echo "cluster: $OSSPOINT_TEST_PG"

run_suites() { # $1 = build dir
	local b=$1
	stage "unit + database tests ($b)"
	ctest --test-dir "$b" --output-on-failure -j2
	stage "API tests against $b/osspoint (SQLite and PostgreSQL)"
	OSSPOINT_BIN="$ROOT/$b/osspoint" node --test --test-concurrency=1 tests/api/
}

if [ "${1:-}" != "--only-asan" ]; then
	stage "style and banned functions"
	./scripts/lint.sh
	run_suites "$BUILD"
	stage "browser tests (Playwright + axe-core, Debian chromium)"
	OSSPOINT_BIN="$ROOT/$BUILD/osspoint" node tests/e2e/run.mjs
fi

stage "sanitizer build (ASan + UBSan)"
cmake -S . -B build-asan -DOSSPOINT_SANITIZE=ON -DCMAKE_BUILD_TYPE=Debug >/dev/null
cmake --build build-asan -j"$(nproc)"
ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
	run_suites build-asan

if [ "${1:-}" != "--only-asan" ]; then
	stage "fuzz targets, ${FUZZ_SECONDS}s each"
	./scripts/fuzz.sh "$FUZZ_SECONDS"
fi

stage "all stages passed"
