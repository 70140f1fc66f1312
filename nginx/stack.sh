#!/usr/bin/env bash
# nginx/stack.sh — starts and stops one Sluice stack: a private PostgreSQL
# cluster, the FastCGI programs (spawn-fcgi) and nginx, all under VAR.
# `make run` / `make stop` call it; so do the integration tests, each with
# its own VAR and ports.  Only processes recorded in VAR/run/*.pid are
# ever stopped.
#
#   stack.sh start  VAR PORT BINDIR "PROGRAMS"
#   stack.sh stop   VAR
#   stack.sh status VAR
#   stack.sh pg-stop VAR | pg-start VAR     (fault tests)
#
# Settings (environment, then ./sluice.env, then VAR/secrets.env):
#   SLUICE_PG_PORT (5433)  SLUICE_FCGI_PROCS (4)  SLUICE_FCGI_PROCS_<NAME>
#   (one program's count, e.g. SLUICE_FCGI_PROCS_WEBHOOKS; webhooks defaults
#   to twice SLUICE_FCGI_PROCS)  SLUICE_WORKER (1: start the sync worker
#   daemon with the cron program)  SLUICE_WORKER_PROCS (4)
#   and every SLUICE_* the programs read (README.md, Configuration).
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
cmd=${1:-}
var=${2:-}
[ -n "$cmd" ] && [ -n "$var" ] || { sed -n '2,18p' "$0"; exit 2; }
mkdir -p "$var"
var=$(cd "$var" && pwd)
pgbin=/usr/lib/postgresql/15/bin
runas=()
if [ "$(id -u)" = 0 ]; then runas=(runuser -u sluice --); fi

say() { printf '%s\n' "$*"; }
die() { printf 'stack: %s\n' "$*" >&2; exit 1; }

# Loads KEY=VALUE lines of a file for keys not already set.
load_env() {
	local file=$1 line key val
	[ -f "$file" ] || return 0
	while IFS= read -r line || [ -n "$line" ]; do
		case "$line" in ''|'#'*) continue ;; esac
		key=${line%%=*}
		val=${line#*=}
		[[ "$key" =~ ^[A-Z_][A-Z0-9_]*$ ]] || continue
		val=${val%\"}; val=${val#\"}; val=${val%\'}; val=${val#\'}
		if [ -z "${!key+x}" ]; then export "$key=$val"; fi
	done <"$file"
}

# Writes VAR/secrets.env once (mode 0600) with what the user did not set.
make_secrets() {
	local f=$var/secrets.env
	if [ ! -f "$f" ]; then
		(umask 077
		 printf '# Generated once by nginx/stack.sh; keep it secret.\n'
		 printf 'SLUICE_ENCRYPTION_KEYS=k%s:%s\n' "$(date +%Y%m%d)" \
		     "$(openssl rand -base64 32)"
		 printf 'SLUICE_CRON_SECRET=%s\n' "$(openssl rand -hex 32)"
		 printf 'SLUICE_RESEND_WEBHOOK_SECRET=whsec_%s\n' \
		     "$(openssl rand -base64 32)") >"$f"
	fi
	chmod 600 "$f"
}

# Running and not a zombie (an unreaped child of a PID 1 that never reaps
# still answers kill -0).
alive() {
	[ -n "$1" ] && kill -0 "$1" 2>/dev/null || return 1
	local st
	st=$(awk '{print $3}' "/proc/$1/stat" 2>/dev/null) || return 1
	[ "$st" != Z ]
}

# PIDs in a pid file that are still ours: the executable path must match.
pids_of() {
	local file=$1 want=$2 pid exe
	[ -f "$file" ] || return 0
	for pid in $(cat "$file"); do
		alive "$pid" || continue
		exe=$(readlink "/proc/$pid/exe" 2>/dev/null || true)
		case "$exe" in *"/$want"|*"/$want (deleted)") echo "$pid" ;; esac
	done
}

stop_pids() {
	local sig=$1; shift
	local pid n
	[ $# -gt 0 ] || return 0
	kill "-$sig" "$@" 2>/dev/null || true
	for n in $(seq 50); do
		local left=()
		for pid in "$@"; do alive "$pid" && left+=("$pid"); done
		[ ${#left[@]} -eq 0 ] && return 0
		sleep 0.1
	done
	kill -KILL "${left[@]}" 2>/dev/null || true
}

pg_port() { cat "$var/run/pg.port" 2>/dev/null || echo "${SLUICE_PG_PORT:-5433}"; }

pg_start() {
	local port
	port=$(pg_port)
	if [ ! -f "$var/pg/PG_VERSION" ]; then
		say "initialising PostgreSQL cluster in $var/pg"
		mkdir -p "$var/pg"
		chmod 700 "$var/pg"
		[ ${#runas[@]} -eq 0 ] || chown sluice: "$var/pg"
		"${runas[@]}" "$pgbin/initdb" -D "$var/pg" -U sluice \
		    --auth=trust -E UTF8 --locale=C.UTF-8 >"$var/log/initdb.log" \
		    2>&1 || die "initdb failed: see $var/log/initdb.log"
	fi
	if "${runas[@]}" "$pgbin/pg_ctl" -D "$var/pg" status >/dev/null 2>&1; then
		return 0
	fi
	"${runas[@]}" "$pgbin/pg_ctl" -D "$var/pg" -w -t 30 \
	    -l "$var/log/postgres.log" -o "-p $port -k $var/run \
	    -c listen_addresses=127.0.0.1 -c unix_socket_permissions=0770" \
	    start >/dev/null || die "PostgreSQL did not start: see $var/log/postgres.log"
	echo "$port" >"$var/run/pg.port"
}

pg_stop() {
	if [ -f "$var/pg/PG_VERSION" ] &&
	    "${runas[@]}" "$pgbin/pg_ctl" -D "$var/pg" status >/dev/null 2>&1; then
		"${runas[@]}" "$pgbin/pg_ctl" -D "$var/pg" -m fast -w stop >/dev/null
	fi
}

# Processes for one FastCGI program.  A webhook delivery spends most of
# its time waiting for its commit's WAL flush, and commits that wait
# together share one flush: that program gets twice as many.
procs_of() {
	local name=$1 var_name n
	var_name=SLUICE_FCGI_PROCS_${name^^}
	n=${!var_name:-}
	if [ -z "$n" ]; then
		n=${SLUICE_FCGI_PROCS:-4}
		[ "$name" = webhooks ] && n=$((n * 2))
	fi
	case $n in ''|*[!0-9]*|0) die "$var_name must be a positive number";; esac
	echo "$n"
}

start() {
	local port=$1 bin=$2 programs=$3 procs keep name sock fcgi_user=() u
	[ -d "$bin" ] || die "no programs in $bin: build first (make build)"
	load_env "$root/sluice.env"
	make_secrets
	load_env "$var/secrets.env"
	mkdir -p "$var/run" "$var/log" "$var/nginx/locations" "$var/nginx/tmp"
	chmod 755 "$var"
	if [ "$(id -u)" = 0 ]; then
		id sluice >/dev/null 2>&1 || useradd --system --user-group \
		    --home-dir /nonexistent --shell /usr/sbin/nologin sluice
		chown sluice: "$var/run" "$var/log" "$var/nginx/tmp"
		runuser -u sluice -- test -x "$var" -a -r "$bin" -a -x "$bin" ||
		    die "user sluice cannot reach $var or $bin; make the \
parent directories searchable (chmod o+x) or choose another VAR"
		fcgi_user=(-u sluice -g sluice)
		u="user sluice sluice;"
	else
		u=""
	fi
	pg_start
	export SLUICE_DATABASE_URL=${SLUICE_DATABASE_URL:-"host=$var/run port=$(pg_port) dbname=sluice user=sluice"}
	export SLUICE_BASE_URL=${SLUICE_BASE_URL:-"http://127.0.0.1:$port"}
	export SLUICE_SQL_DIR=${SLUICE_SQL_DIR:-"$root/sql"}
	export SLUICE_TEMPLATE_DIR=${SLUICE_TEMPLATE_DIR:-"$root/templates"}
	export SLUICE_SANDBOX=${SLUICE_SANDBOX:-1}
	if ! "${runas[@]}" "$pgbin/psql" -h "$var/run" -p "$(pg_port)" -U sluice \
	    -d postgres -tAc "SELECT 1 FROM pg_database WHERE datname = 'sluice'" |
	    grep -q 1; then
		"${runas[@]}" "$pgbin/createdb" -h "$var/run" -p "$(pg_port)" \
		    -U sluice sluice
	fi
	"${runas[@]}" env SLUICE_LOG_FILE= "$bin/api" migrate ||
	    die "migrations failed"

	: >"$var/nginx/upstreams.conf"
	rm -f "$var/nginx/locations/"*.conf
	for name in $programs; do
		[ "$name" = worker ] && continue	# not FastCGI: below
		procs=$(procs_of "$name")
		# Idle kept connections per upstream: fewer than processes, so
		# one is always free to accept a new connection (fastcgi.conf).
		keep=$(( (procs + 1) / 2 ))
		sock=$var/run/$name.sock
		if [ -n "$(pids_of "$var/run/$name.pid" "$name")" ]; then
			say "$name: already running"
		else
			rm -f "$sock"
			SLUICE_LOG_FILE="$var/log/$name.log" spawn-fcgi -s "$sock" \
			    -M 0660 -F "$procs" -P "$var/run/$name.pid" \
			    "${fcgi_user[@]}" -- "$bin/$name" >/dev/null ||
			    die "$name did not start"
		fi
		printf 'upstream sluice_%s {\n\tserver unix:%s;\n\tkeepalive %s;\n}\n' \
		    "$name" "$sock" "$keep" >>"$var/nginx/upstreams.conf"
		sed -e "s|@ROOT@|$root|g" -e "s|@VAR@|$var|g" \
		    "$root/nginx/locations/$name.conf" \
		    >"$var/nginx/locations/$name.conf"
	done
	sed -e "s|@ROOT@|$root|g" -e "s|@VAR@|$var|g" -e "s|@PORT@|$port|g" \
	    -e "s|@USER@|$u|g" "$root/nginx/nginx.conf.in" >"$var/nginx/nginx.conf"
	local npid
	npid=$(pids_of "$var/run/nginx.pid" nginx)
	if [ -n "$npid" ]; then
		nginx -q -c "$var/nginx/nginx.conf" -p "$var/nginx" -s reload
	else
		nginx -q -c "$var/nginx/nginx.conf" -p "$var/nginx" ||
		    die "nginx did not start: see $var/log/nginx-error.log"
	fi
	# The sync worker daemon, with the cron program or when asked by name.
	case " $programs " in
	*" worker "*|*" cron "*)
		if [ "${SLUICE_WORKER:-1}" = 1 ] && [ -x "$bin/worker" ] &&
		    [ -z "$(pids_of "$var/run/worker.pid" worker)" ]; then
			# setpriv execs (runuser would fork): the PID is the worker's.
			local drop=()
			[ "$(id -u)" = 0 ] && drop=(setpriv --reuid=sluice \
			    --regid=sluice --init-groups)
			SLUICE_LOG_FILE= "${drop[@]}" "$bin/worker" --daemon \
			    --procs "${SLUICE_WORKER_PROCS:-4}" \
			    >>"$var/log/worker.log" 2>&1 </dev/null &
			echo $! >"$var/run/worker.pid"
		fi ;;
	esac
	echo "$port" >"$var/run/port"
	say "Sluice is running at http://127.0.0.1:$port/"
}

stop() {
	local f name
	stop_pids TERM $(pids_of "$var/run/nginx.pid" nginx)
	rm -f "$var/run/nginx.pid"
	for f in "$var"/run/*.pid; do
		[ -e "$f" ] || continue
		name=$(basename "$f" .pid)
		[ "$name" = nginx ] && continue
		stop_pids TERM $(pids_of "$f" "$name")
		rm -f "$f" "$var/run/$name.sock"
	done
	pg_stop
}

status() {
	local f name p
	for f in "$var"/run/*.pid; do
		[ -e "$f" ] || continue
		name=$(basename "$f" .pid)
		p=$(pids_of "$f" "$name" | tr '\n' ' ')
		say "$name: ${p:-not running}"
	done
	if "${runas[@]}" "$pgbin/pg_ctl" -D "$var/pg" status >/dev/null 2>&1; then
		say "postgres: running on port $(pg_port)"
	else
		say "postgres: not running"
	fi
}

case "$cmd" in
start) start "${3:-8080}" "${4:-$root/build/bin}" "${5:-api}" ;;
stop) stop ;;
status) status ;;
pg-stop) pg_stop ;;
pg-start) pg_start ;;
*) die "unknown command $cmd" ;;
esac
