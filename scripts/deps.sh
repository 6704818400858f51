#!/bin/sh
# The one list of Debian packages osspoint needs to build, run, test and benchmark.
# Installs only what is missing; safe to run again.
#
# It never touches the host's services: when every package is present it
# changes nothing and needs no root (so `make build` runs as any user). When
# something is missing it runs apt-get (as root, or through sudo) with two
# guards in place for the length of the install only, removed afterwards:
#   - /usr/sbin/policy-rc.d answering 101 ("action forbidden"), Debian's
#     policy layer that invoke-rc.d and deb-systemd-invoke ask before a
#     maintainer script starts a service (an existing policy-rc.d is left as
#     it is);
#   - a systemd preset "disable *" (/etc/systemd/system-preset/00-osspoint-deps.preset),
#     which deb-systemd-helper applies on a package's first install instead
#     of enabling its units.
# So nginx and PostgreSQL, installed here only for the benchmarks and the
# tests (which start their own, on a free port or in a temporary directory),
# are neither started nor enabled; a service that was already installed (an
# nginx serving as this host's reverse proxy) is never stopped, disabled or
# restarted.
set -eu

PKGS="
build-essential cmake pkg-config clang clang-format libclang-rt-14-dev libfuzzer-14-dev
libmicrohttpd-dev libjansson-dev libsqlite3-dev sqlite3 libpq-dev postgresql
libsodium-dev libcairo2-dev libpango1.0-dev libthai-dev libqrencode-dev libxlsxwriter-dev
libzip-dev libexpat1-dev
libcmark-gfm-dev libcmark-gfm-extensions-dev libmagic-dev libpoppler-glib-dev libvips-dev
fonts-tlwg-laksaman
libcmocka-dev curl libpoppler-glib-dev
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

[ -n "$missing" ] || exit 0

echo "deps: installing:$missing"
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
# Overridable only so tests/deps/test_deps.sh can watch the guards in a
# directory of its own.
POLICY=${OSSPOINT_DEPS_POLICY:-/usr/sbin/policy-rc.d}
PRESET=${OSSPOINT_DEPS_PRESET:-/etc/systemd/system-preset/00-osspoint-deps.preset}
made_policy=""
made_preset=""
unguard() {
	[ -z "$made_policy" ] || $SUDO rm -f "$POLICY"
	[ -z "$made_preset" ] || $SUDO rm -f "$PRESET"
	made_policy=""
	made_preset=""
}
trap unguard EXIT
trap 'unguard; exit 130' INT TERM
if [ ! -e "$POLICY" ]; then
	made_policy=1
	printf '#!/bin/sh\n# scripts/deps.sh of osspoint: no service starts during its install.\nexit 101\n' |
		$SUDO tee "$POLICY" >/dev/null
	$SUDO chmod 0755 "$POLICY"
fi
if [ ! -e "$PRESET" ]; then
	made_preset=1
	$SUDO mkdir -p "$(dirname "$PRESET")"
	printf '# scripts/deps.sh of osspoint: nothing it installs is enabled.\ndisable *\n' |
		$SUDO tee "$PRESET" >/dev/null
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
# shellcheck disable=SC2086
$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $missing >/dev/null
unguard
