#!/bin/bash
# House rules: banned functions (STYLE.md) and clang-format.
set -euo pipefail
cd "$(dirname "$0")/.."
status=0
if grep -rnE '\b(strcpy|strcat|sprintf|vsprintf|gets|atoi|atol|strtok)\s*\(' src tests --include='*.c' --include='*.h'; then
	echo "lint: banned function(s) above; use snprintf / strtol / buf_* instead" >&2
	status=1
fi
files=$(git ls-files 'src/*.c' 'src/*.h' 'tests/*.c' 'tests/*.h' 2>/dev/null || true)
if [ -n "$files" ]; then
	# shellcheck disable=SC2086
	if ! clang-format --dry-run --Werror $files 2>/tmp/osspoint-format.log; then
		head -n 20 /tmp/osspoint-format.log >&2
		echo "lint: run 'make format'" >&2
		status=1
	fi
fi
[ $status -eq 0 ] && echo "lint: ok"
exit $status
