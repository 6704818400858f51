#!/bin/sh
# npm packages from package-lock.json, and the Sarabun web font copied from
# @fontsource/sarabun into static/fonts/ (generated, gitignored).
#
# `npm ci` runs only when node_modules is missing or older than
# package-lock.json, so a second run costs nothing. No browser is downloaded:
# the browser tests drive Debian's /usr/bin/chromium through playwright-core.
# Safe to run again.
set -eu
cd "$(dirname "$0")/.."

if ! command -v npm >/dev/null 2>&1; then
	echo "npm-deps: npm is missing (scripts/deps.sh installs it)" >&2
	exit 1
fi

# npm ci writes node_modules/.package-lock.json: its age tells whether the
# installed tree is older than the lock file.
stamp=node_modules/.package-lock.json
if [ ! -d node_modules ] || [ ! -f "$stamp" ] || [ package-lock.json -nt "$stamp" ]; then
	echo "npm-deps: npm ci"
	npm ci --no-audit --no-fund --loglevel=error
	touch "$stamp"
fi

src=node_modules/@fontsource/sarabun/files
dst=static/fonts
mkdir -p "$dst"
for subset in thai latin; do
	for weight in 400 700; do
		f="sarabun-$subset-$weight-normal.woff2"
		if [ ! -f "$src/$f" ]; then
			echo "npm-deps: $src/$f is missing (is @fontsource/sarabun in package-lock.json?)" >&2
			exit 1
		fi
		cmp -s "$src/$f" "$dst/$f" || cp "$src/$f" "$dst/$f"
	done
done
# The SIL Open Font License travels with the font files.
cmp -s node_modules/@fontsource/sarabun/LICENSE "$dst/OFL.txt" ||
	cp node_modules/@fontsource/sarabun/LICENSE "$dst/OFL.txt"
