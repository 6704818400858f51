#!/bin/bash
# Builds the libFuzzer targets (clang, ASan + UBSan) and runs each for N seconds.
#   scripts/fuzz.sh 15     short bounded campaign (make test)
#   scripts/fuzz.sh 1800   long campaign (make fuzz-long)
# Corpora seed from tests/fuzz/corpus/<target>/ (committed) and grow in
# build-fuzz/corpus/<target>/ (not committed).
set -euo pipefail
cd "$(dirname "$0")/.."
secs=${1:-15}
CC=clang cmake -S . -B build-fuzz -DOSSPOINT_FUZZ=ON -DOSSPOINT_TESTS=OFF -DCMAKE_BUILD_TYPE=Debug >/dev/null
cmake --build build-fuzz -j"$(nproc)"
n=0
for bin in build-fuzz/fuzz_*; do
	[ -x "$bin" ] || continue
	name=$(basename "$bin")
	mkdir -p "build-fuzz/corpus/$name"
	seeds=()
	[ -d "tests/fuzz/corpus/$name" ] && seeds=("tests/fuzz/corpus/$name")
	echo "fuzz: $name for ${secs}s"
	"$bin" -max_total_time="$secs" -rss_limit_mb=2048 -timeout=10 -print_final_stats=0 \
		"build-fuzz/corpus/$name" "${seeds[@]}" 2>"build-fuzz/$name.log" || {
		tail -n 40 "build-fuzz/$name.log"
		echo "fuzz: $name FAILED" >&2
		exit 1
	}
	grep -E '^#[0-9]+.*DONE' "build-fuzz/$name.log" | tail -n 1 || true
	n=$((n + 1))
done
echo "fuzz: $n targets ran clean"
