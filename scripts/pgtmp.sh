#!/bin/bash
# A throwaway PostgreSQL cluster for tests.
#
#   scripts/pgtmp.sh start DIR   create a cluster in DIR/data, listening only on
#                                a unix socket in DIR (no TCP), and print one
#                                line on stdout: its libpq URL
#   scripts/pgtmp.sh stop DIR    stop it (fast shutdown); DIR is left for the
#                                caller to remove
#   scripts/pgtmp.sh resume DIR  start a cluster made by start and stopped
#                                since (benchmarks reusing their data), and
#                                print its URL
#
# Durability is off (fsync=off): the data is meant to be thrown away. Runs as
# any user; as root, the server runs as the `postgres` system user (initdb
# refuses root) and DIR is handed to it. It never touches the system cluster
# the Debian package may have started on port 5432: the socket lives in DIR.
# Everything but the URL goes to stderr; any failure exits non-zero.
set -euo pipefail

PGBIN=${PGBIN:-/usr/lib/postgresql/15/bin}
PORT=5432 # only names the socket file DIR/.s.PGSQL.5432; no TCP listener

die() {
	echo "pgtmp: $*" >&2
	exit 1
}

usage() {
	echo "usage: $0 start|resume|stop DIR" >&2
	exit 2
}

[ $# -eq 2 ] || usage
cmd=$1
dir=$2
[ -n "$dir" ] || usage

# The commands that touch the cluster, as the user that owns it.
as_owner() {
	if [ "$(id -u)" -eq 0 ]; then
		runuser -u postgres -- "$@"
	else
		"$@"
	fi
}

# Shows the end of the server log on failure.
show_log() {
	if [ -f "$dir/postgres.log" ]; then
		echo "pgtmp: last lines of $dir/postgres.log:" >&2
		tail -n 20 "$dir/postgres.log" >&2 || true
	fi
}

# Percent-encodes a path for the host= parameter of a libpq URL.
urlencode() {
	local LC_ALL=C s=$1 out="" c i
	for ((i = 0; i < ${#s}; i++)); do
		c=${s:i:1}
		case $c in
		[A-Za-z0-9/._~-]) out+=$c ;;
		*) out+=$(printf '%%%02X' "'$c") ;;
		esac
	done
	printf '%s' "$out"
}

start() {
	for b in initdb pg_ctl pg_isready; do
		[ -x "$PGBIN/$b" ] || die "$PGBIN/$b not found (install the postgresql-15 package, or set PGBIN)"
	done
	local created=0
	if [ ! -d "$dir" ]; then
		mkdir -p "$dir" || die "cannot create $dir"
		created=1
	fi
	dir=$(cd "$dir" && pwd -P)
	[ ! -e "$dir/data" ] || die "$dir/data already exists; stop and remove the old cluster first"
	# sun_path is 108 bytes including the NUL.
	local sock="$dir/.s.PGSQL.$PORT"
	if [ ${#sock} -gt 107 ]; then
		[ $created -eq 0 ] || rmdir "$dir" || true
		die "socket path too long (${#sock} > 107 bytes): $sock; use a shorter DIR"
	fi

	if [ "$(id -u)" -eq 0 ]; then
		id postgres >/dev/null 2>&1 || die "running as root but there is no 'postgres' user to run the server"
		command -v runuser >/dev/null || die "runuser not found (util-linux)"
		chown postgres: "$dir" || die "cannot chown $dir to postgres"
		chmod 0700 "$dir"
		as_owner test -w "$dir" ||
			die "user postgres cannot write $dir (is a parent directory closed to it? use a DIR under /tmp)"
	fi

	# cd: the postgres user may not be able to enter the caller's directory.
	cd "$dir"
	if ! as_owner "$PGBIN/initdb" -D "$dir/data" -U postgres -A trust -E UTF8 --no-locale --no-sync \
		>"$dir/initdb.log" 2>&1; then
		tail -n 20 "$dir/initdb.log" >&2 || true
		die "initdb failed (log: $dir/initdb.log)"
	fi
	cat >>"$dir/data/postgresql.conf" <<EOF

# pgtmp.sh: unix socket only, in the cluster's own directory; no durability.
listen_addresses = ''
port = $PORT
unix_socket_directories = '$dir'
fsync = off
synchronous_commit = off
full_page_writes = off
max_connections = 200
EOF
	if ! as_owner "$PGBIN/pg_ctl" -D "$dir/data" -l "$dir/postgres.log" -w -t 60 start >&2; then
		show_log
		die "the server did not start"
	fi
	local i
	for ((i = 0; i < 60; i++)); do
		if "$PGBIN/pg_isready" -q -h "$dir" -p "$PORT" -U postgres -d postgres; then
			printf 'postgresql:///postgres?host=%s&port=%s&user=postgres\n' "$(urlencode "$dir")" "$PORT"
			return 0
		fi
		sleep 0.5
	done
	show_log
	as_owner "$PGBIN/pg_ctl" -D "$dir/data" -m immediate stop >&2 || true
	die "the server did not become ready within 30 s"
}

resume() {
	[ -d "$dir" ] || die "$dir does not exist"
	dir=$(cd "$dir" && pwd -P)
	[ -f "$dir/data/PG_VERSION" ] || die "$dir/data is not a cluster made by pgtmp.sh"
	cd "$dir"
	if ! "$PGBIN/pg_isready" -q -h "$dir" -p "$PORT" -U postgres -d postgres &&
		! as_owner "$PGBIN/pg_ctl" -D "$dir/data" -l "$dir/postgres.log" -w -t 60 start >&2; then
		show_log
		die "the server did not start"
	fi
	printf 'postgresql:///postgres?host=%s&port=%s&user=postgres\n' "$(urlencode "$dir")" "$PORT"
}

stop() {
	[ -d "$dir" ] || die "$dir does not exist"
	dir=$(cd "$dir" && pwd -P)
	[ -f "$dir/data/PG_VERSION" ] || die "$dir/data is not a cluster made by pgtmp.sh"
	if [ ! -f "$dir/data/postmaster.pid" ]; then
		echo "pgtmp: the cluster in $dir is not running" >&2
		return 0
	fi
	cd "$dir"
	if ! as_owner "$PGBIN/pg_ctl" -D "$dir/data" -m fast -w -t 60 stop >&2; then
		show_log
		die "pg_ctl stop failed"
	fi
}

case $cmd in
start) start ;;
resume) resume ;;
stop) stop ;;
*) usage ;;
esac
