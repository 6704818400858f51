#!/bin/sh
# The one list of Debian packages osspoint needs to build, run, test and benchmark.
# Installs only what is missing; safe to run again. Needs root (or sudo).
set -eu

PKGS="
build-essential cmake pkg-config clang clang-format libclang-rt-14-dev libfuzzer-14-dev
libmicrohttpd-dev libjansson-dev libsqlite3-dev sqlite3 libpq-dev postgresql
libsodium-dev libcairo2-dev libpango1.0-dev libthai-dev libqrencode-dev libxlsxwriter-dev
fonts-tlwg-laksaman
libcmocka-dev curl
chromium
nginx wrk poppler-utils zbar-tools
default-jre-headless
"

missing=""
for p in $PKGS; do
	if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
		missing="$missing $p"
	fi
done

# Node.js (with its npm) may come from Debian or from NodeSource; take Debian's only if absent.
command -v npm >/dev/null 2>&1 || missing="$missing nodejs npm"

if [ -n "$missing" ]; then
	echo "deps: installing:$missing"
	SUDO=""
	[ "$(id -u)" -eq 0 ] || SUDO="sudo"
	export DEBIAN_FRONTEND=noninteractive
	$SUDO apt-get update -qq
	# shellcheck disable=SC2086
	$SUDO apt-get install -y -qq --no-install-recommends $missing >/dev/null
fi

# nginx is used only by the benchmark; do not leave the system service running.
if command -v systemctl >/dev/null 2>&1; then systemctl disable --now nginx >/dev/null 2>&1 || true; fi
