#!/bin/bash
# Issue 8 item 19: building never stops or changes the host's services.
# scripts/deps.sh runs against stub commands (dpkg-query, apt-get, systemctl,
# service, invoke-rc.d, sudo, npm) in a PATH of our own, so nothing is
# installed and no service is touched, and the guards it sets up are watched
# in a temporary directory. Prints "N passed, M failed".
set -uo pipefail
cd "$(dirname "$0")/../.."
ROOT=$PWD
T=$(mktemp -d /tmp/osspoint-deps-test.XXXXXX)
trap 'rm -rf "$T"' EXIT
pass=0
fail=0
check() { # description, then a command that must succeed
	local what=$1
	shift
	if "$@"; then pass=$((pass + 1)); echo "ok    $what"; else fail=$((fail + 1)); echo "FAIL  $what"; fi
}

mkdir -p "$T/bin"
LOG="$T/calls.log"
MISSING="$T/missing" # packages the stub dpkg-query reports as absent, one per line
for c in apt-get systemctl service invoke-rc.d deb-systemd-invoke; do
	cat >"$T/bin/$c" <<STUB
#!/bin/sh
# records the call and, for apt-get install, whether the guards were up
printf '%s %s' "$c" "\$*" >>"$LOG"
if [ "$c" = apt-get ] && [ "\$1" = install ] || printf '%s' "\$*" | grep -q ' install '; then
	[ -x "\$OSSPOINT_DEPS_POLICY" ] && grep -q 'exit 101' "\$OSSPOINT_DEPS_POLICY" && printf ' [policy-rc.d 101]' >>"$LOG"
	grep -q 'disable \*' "\$OSSPOINT_DEPS_PRESET" 2>/dev/null && printf ' [preset disable]' >>"$LOG"
fi
printf '\n' >>"$LOG"
exit 0
STUB
done
cat >"$T/bin/dpkg-query" <<STUB
#!/bin/sh
pkg=\$(eval echo "\\\${\$#}")
if grep -qx "\$pkg" "$MISSING" 2>/dev/null; then exit 1; fi
printf 'install ok installed'
STUB
printf '#!/bin/sh\nexec "$@"\n' >"$T/bin/sudo"
printf '#!/bin/sh\nexit 0\n' >"$T/bin/npm"
chmod +x "$T/bin/"*
env_run() {
	env PATH="$T/bin:/usr/bin:/bin" OSSPOINT_DEPS_POLICY="$T/policy-rc.d" \
		OSSPOINT_DEPS_PRESET="$T/preset/00-osspoint-deps.preset" sh "$ROOT/scripts/deps.sh" >"$T/out" 2>&1
}

# 1. Everything present: nothing runs, nothing is written.
: >"$LOG"
: >"$MISSING"
env_run
check "deps.sh with every package present exits 0" [ $? -eq 0 ]
check "deps.sh with every package present calls no apt-get, systemctl or service" [ ! -s "$LOG" ]
check "deps.sh with every package present leaves no guard behind" [ ! -e "$T/policy-rc.d" ] && [ ! -e "$T/preset" -o -z "$(ls -A "$T/preset" 2>/dev/null)" ]

# 2. nginx missing: it is installed with the guards up, and no service is touched.
: >"$LOG"
printf 'nginx\n' >"$MISSING"
env_run
check "deps.sh installing nginx exits 0" [ $? -eq 0 ]
check "apt-get install names the missing package" grep -q '^apt-get .*install .*nginx' "$LOG"
check "policy-rc.d answers 101 during the install" grep -q 'install .*\[policy-rc.d 101\]' "$LOG"
check "a systemd preset disables what the install brings" grep -q 'install .*\[preset disable\]' "$LOG"
check "no systemctl, service or invoke-rc.d call" bash -c "! grep -qE '^(systemctl|service|invoke-rc.d|deb-systemd-invoke) ' '$LOG'"
check "the guards are removed after the install" [ ! -e "$T/policy-rc.d" ] && [ ! -e "$T/preset/00-osspoint-deps.preset" ]

# 3. An existing policy-rc.d (the host's own) is left as it is.
printf '#!/bin/sh\nexit 0\n' >"$T/policy-rc.d"
chmod +x "$T/policy-rc.d"
env_run
check "the host's own policy-rc.d is kept" grep -q 'exit 0' "$T/policy-rc.d"

# 4. No build, test or bench script stops, disables or restarts a service.
check "no service command in the Makefile, scripts/ or bench/" bash -c \
	"! grep -nE '^[^#]*\\b(systemctl|service [a-z0-9-]+ (stop|start|restart)|invoke-rc.d|update-rc.d)\\b' Makefile scripts/*.sh bench/*.sh bench/*/*.sh"

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
