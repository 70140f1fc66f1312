#!/usr/bin/env bash
# nginx/stack.sh — starts and stops one Sluice stack: a private PostgreSQL
# cluster, the FastCGI programs and nginx, all under one state directory.
# `make run` / `make stop` call it; so do the integration tests, each with
# its own state directory and ports.  Only processes recorded in
# VAR/run/*.pid and VAR/svc/*.pid are ever stopped.
#
#   stack.sh start  [VAR] PORT BINDIR "PROGRAMS"
#   stack.sh stop   [VAR]
#   stack.sh status [VAR]
#   stack.sh cli    [VAR] PROGRAM ARGS...  (api migrate, api rotate-keys,
#                       api create-key, worker --once: with the stack's
#                       own configuration, as the service user)
#   stack.sh backup  [VAR] [FILE]       (pg_dump -Fc of the stack's database;
#                       FILE defaults to VAR/backups/sluice-UTCTIME.dump)
#   stack.sh restore [VAR] FILE [FORCE] (into an installation without
#                       workspaces, or FORCE=1; then the migrations)
#   stack.sh where                      (prints the default state directory)
#   stack.sh reporting-sql [APPROLE]    (prints the superuser's SQL behind
#                       reporting logins, for an external PostgreSQL)
#   stack.sh pg-stop VAR | pg-start VAR     (fault tests)
#
# VAR empty: the checkout's var/ when the service user can reach it, else
# $SLUICE_STATE_BASE/NAME-HASH (default /var/lib/sluice) with var/ a link
# to it (a clone in /root or a mktemp -d folder).  The programs, templates
# and migrations the services use are installed under VAR/app, so nothing
# they run reads the checkout.
#
# Who owns what (as root): everything root writes lives in folders only
# root may change, so the service user can never steer root's writes:
#   VAR, app/, run/ (root's pid files, the FastCGI sockets), log/ (the
#   service user's log files are made by root and handed over), nginx/
#   (nginx/tmp/* are made by nginx for its workers)     root, group sluice
#   svc/ (PostgreSQL's socket, the supervisors' pid and lock files), pg/
#                                                        sluice
# A VAR (or anything in it) that is a link, or belongs to someone else, is
# refused.
#
# Settings (environment, then SLUICE_ENV_FILE (./sluice.env), then
# VAR/secrets.env):
#   SLUICE_PG_PORT (5433)  SLUICE_PG_LISTEN (empty: no TCP listener)
#   SLUICE_FCGI_PROCS (4)  SLUICE_FCGI_PROCS_<NAME> (one program's count;
#   webhooks defaults to half SLUICE_FCGI_PROCS, at least 2)
#   SLUICE_WORKER (1: start the sync worker daemon with the cron program)
#   SLUICE_WORKER_PROCS (4)
#   and every SLUICE_* the programs read (README.md, Configuration);
#   SLUICE_MAIL_DIR is VAR/mail in the sandbox without a Resend key.
set -euo pipefail
umask 027

root=$(cd "$(dirname "$0")/.." && pwd)
cmd=${1:-}
var=${2:-}
pgbin=/usr/lib/postgresql/15/bin
svc=sluice			# the system user the services run as (root)
me=$(id -un)
runas=()
if [ "$(id -u)" = 0 ]; then runas=(runuser -u "$svc" --); fi
# Written into pg_hba.conf: a cluster without it predates peer auth.
hba_mark='# sluice: peer authentication (nginx/stack.sh)'

say() { printf '%s\n' "$*"; }
die() { printf 'stack: %s\n' "$*" >&2; exit 1; }
[ -n "$cmd" ] || { sed -n '2,40p' "$0"; exit 2; }
# Every path is absolute from here on; the service user's commands must
# not start in a folder it cannot enter (a checkout in /root).
case $var in ''|/*) ;; *) var=$PWD/$var ;; esac
here=$PWD	# a FILE given to backup or restore is relative to it
cd /

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

ensure_user() {
	[ "$(id -u)" = 0 ] || return 0
	id "$svc" >/dev/null 2>&1 || useradd --system --user-group \
	    --home-dir /nonexistent --shell /usr/sbin/nologin "$svc"
}

# True when the service user can reach (search) the directory.
reachable() {
	[ "$(id -u)" = 0 ] || return 0
	runuser -u "$svc" -- test -x "$1" 2>/dev/null
}

# The default state directory (see the header).
default_var() {
	local h
	if [ -L "$root/var" ]; then
		readlink -f "$root/var"
	elif [ "$(id -u)" != 0 ] || reachable "$root"; then
		echo "$root/var"
	else
		h=$(printf '%s' "$root" | sha256sum | cut -c1-8)
		echo "${SLUICE_STATE_BASE:-/var/lib/sluice}/$(basename "$root")-$h"
	fi
}

# Dies unless the folder and every folder above it belong to root or to
# this user and only they may change them (a sticky folder like /tmp
# excepted): nobody else can swap the state folder or anything in it.
safe_path() {
	local d=$1 u
	while :; do
		u=$(stat -c %u "$d")
		[ "$u" = 0 ] || [ "$u" = "$(id -u)" ] ||
		    die "$d belongs to another user; choose another VAR"
		[ $(( 0$(stat -c %a "$d") & 022 )) -eq 0 ] || [ -k "$d" ] ||
		    die "$d may be changed by other users; choose another VAR"
		[ "$d" = / ] && return 0
		d=$(dirname "$d")
	done
}

# Resolves var (an absolute path) and, for a default state directory away
# from the checkout, leaves var/ in the checkout as a link to it.
resolve_var() {
	local given=$var
	[ -n "$var" ] || var=$(default_var)
	if [ ! -e "$var" ]; then
		install -d -m 0755 "$(dirname "$var")"	# e.g. /var/lib/sluice
		install -d -m 0750 "$var"
	fi
	[ ! -L "$var" ] || die "$var is a link; give the folder it points to"
	var=$(cd "$var" && pwd -P)
	safe_path "$var"
	if [ -z "$given" ] && [ "$var" != "$root/var" ] &&
	    { [ ! -e "$root/var" ] || rmdir "$root/var" 2>/dev/null; }; then
		ln -sfn "$var" "$root/var"
	fi
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

# PIDs in a pid file that are still ours: the process runs exactly the
# executable exe (or that file since replaced), and, for a pid file the
# service user writes (in svc/), as the service user.  A pid file is read
# only when it is a plain file.
pids_of() {
	local file=$1 exe=$2 pid got uid=""
	[ -f "$file" ] && [ ! -L "$file" ] || return 0
	case $file in "$var"/svc/*) uid=$(id -u "$svc" 2>/dev/null || id -u) ;; esac
	for pid in $(head -c 64 "$file" | tr -cd '0-9 \n'); do
		alive "$pid" || continue
		got=$(readlink "/proc/$pid/exe" 2>/dev/null || true)
		[ "$got" = "$exe" ] || [ "$got" = "$exe (deleted)" ] || continue
		[ -z "$uid" ] || [ "$(stat -c %u "/proc/$pid")" = "$uid" ] ||
		    continue
		echo "$pid"
	done
}

# The executable a program's pid file must name.
exe_of() {
	case $1 in
	nginx) readlink -f "$(command -v nginx)" ;;
	*) echo "$var/app/bin/$1" ;;
	esac
}

stop_pids() {
	local sig=$1; shift
	local pid n
	[ $# -gt 0 ] || return 0
	kill "-$sig" "$@" 2>/dev/null || true
	for n in $(seq 100); do
		local left=()
		for pid in "$@"; do alive "$pid" && left+=("$pid"); done
		[ ${#left[@]} -eq 0 ] && return 0
		sleep 0.1
	done
	kill -KILL "${left[@]}" 2>/dev/null || true
}

# A folder of the state directory with its owner and mode: made when
# missing; a link, or a folder of another owner, is refused (as root the
# owner is root or the service user).
own_dir() {
	local d=$1 owner=$2 mode=$3
	if [ -L "$d" ] || { [ -e "$d" ] && [ ! -d "$d" ]; }; then
		die "$d is not a plain folder; remove it"
	fi
	[ -d "$d" ] || install -d -m "$mode" "$d"
	if [ "$(id -u)" = 0 ]; then
		case $(stat -c %U "$d") in
		root|"$svc") ;;	# an older layout's folder is taken over
		*) die "$d belongs to another user; remove it" ;;
		esac
		chown -h "$owner:$svc" "$d"
	fi
	chmod "$mode" "$d"
}

# A log file the service user writes, in root's log folder: made by root
# and handed over (a link or a non-file in its place is removed first).
svc_log() {
	local f=$var/log/$1
	if [ -L "$f" ] || { [ -e "$f" ] && [ ! -f "$f" ]; }; then rm -f "$f"; fi
	[ -e "$f" ] || : >"$f"
	[ "$(id -u)" != 0 ] || chown -h "$svc:$svc" "$f"
	chmod 640 "$f"
}

# Files root itself writes in log/ and run/: no link may stand there.
no_links() {
	local f
	for f in "$@"/*; do
		[ -L "$f" ] && rm -f "$f"
	done
	return 0
}

# Copies src over dst so that running processes keep the old file.
replace_file() {
	local src=$1 dst=$2 mode=$3
	install -m "$mode" "$src" "$dst.new.$$"
	mv -f "$dst.new.$$" "$dst"
}

# Copies directory src to dst whole, swapping the old copy out.
replace_dir() {
	local src=$1 dst=$2
	rm -rf "$dst.new" "$dst.old"
	cp -R "$src" "$dst.new"
	[ ! -d "$dst" ] || mv "$dst" "$dst.old"
	mv "$dst.new" "$dst"
	rm -rf "$dst.old"
}

# The services' copy of the programs, templates, migrations and nginx
# snippets: root's, readable by the service user, outside the checkout.
install_app() {
	local bin=$1 app=$var/app f
	mkdir -p "$app/bin" "$app/nginx"
	for f in "$bin"/*; do
		[ -f "$f" ] && [ -x "$f" ] || continue
		replace_file "$f" "$app/bin/${f##*/}" 0750
	done
	replace_dir "$root/templates" "$app/templates"
	replace_dir "$root/sql" "$app/sql"
	replace_file "$root/nginx/fastcgi.conf" "$app/nginx/fastcgi.conf" 0640
	if [ "$(id -u)" = 0 ]; then
		chown -R "root:$svc" "$app"
		chmod -R g+rX,g-w,o-rwx "$app"
	fi
}

pg_port() { cat "$var/run/pg.port" 2>/dev/null || echo "${SLUICE_PG_PORT:-5433}"; }

# psql as the cluster's superuser (peer: root or the cluster's owner).
pg_admin() {
	PGOPTIONS='-c client_min_messages=warning' "$pgbin/psql" -X -q -v ON_ERROR_STOP=1 -h "$var/svc" -p "$(pg_port)" \
	    -U postgres "$@"
}

# pg_hba.conf and pg_ident.conf, written deliberately: sockets only, by
# peer: the service user as the owner role sluice; root (or, without root,
# the user who runs the stack) as sluice or as the superuser postgres.
# TCP (only when SLUICE_PG_LISTEN is set) needs a password (scram), as
# does replication (role sluice_replication, 127.0.0.1 only); a
# reporting login (member of sluice_reporting) reaches database sluice
# only, over TCP only.
write_auth() {
	local d=$var/pg admin=$me f
	{
		say "$hba_mark"
		say "# TYPE DATABASE USER ADDRESS METHOD"
		say "local all all peer map=sluice"
		# Reporting logins (BI tools): their database only.
		say "host sluice +sluice_reporting 127.0.0.1/32 scram-sha-256"
		say "host sluice +sluice_reporting ::1/128 scram-sha-256"
		say "host all +sluice_reporting all reject"
		say "host all all 127.0.0.1/32 scram-sha-256"
		say "host all all ::1/128 scram-sha-256"
		# A streaming replica (pg_basebackup -R) on this machine, as
		# a role with REPLICATION and a password that nothing here
		# makes (docs/scaling.md).
		say "host replication sluice_replication 127.0.0.1/32 scram-sha-256"
	} >"$var/run/pg_hba.conf"
	{
		say "# MAP SYSTEM-USER PG-USER (nginx/stack.sh)"
		[ "$(id -u)" = 0 ] && say "sluice $svc sluice"
		say "sluice $admin sluice"
		say "sluice $admin postgres"
	} >"$var/run/pg_ident.conf"
	# Written into pg/ by its owner, the service user: root never writes
	# in a folder the service user may change.
	for f in pg_hba.conf pg_ident.conf; do
		[ ${#runas[@]} -eq 0 ] || chown -h "root:$svc" "$var/run/$f"
		chmod 640 "$var/run/$f"
		"${runas[@]}" install -m 600 "$var/run/$f" "$d/$f.new"
		"${runas[@]}" mv -f "$d/$f.new" "$d/$f"
		rm -f "$var/run/$f"
	done
}

# True when the cluster's pg_hba.conf is the one write_auth() writes (read
# as the service user, bounded: it owns the file).
pg_ours() {
	"${runas[@]}" timeout 5 grep -qF "$hba_mark" "$var/pg/pg_hba.conf" \
	    2>/dev/null
}

pg_init() {
	say "initialising PostgreSQL cluster in $var/pg"
	mkdir -p "$var/pg"
	chmod 700 "$var/pg"
	[ ${#runas[@]} -eq 0 ] || chown "$svc:" "$var/pg"
	"${runas[@]}" "$pgbin/initdb" -D "$var/pg" -U postgres \
	    --auth-local=peer --auth-host=scram-sha-256 -E UTF8 \
	    --locale=C.UTF-8 >"$var/log/initdb.log" 2>&1 ||
	    die "initdb failed: see $var/log/initdb.log"
	write_auth
}

pg_running() {
	"${runas[@]}" "$pgbin/pg_ctl" -D "$var/pg" status >/dev/null 2>&1
}

pg_start() {
	local port listen
	port=$(pg_port)
	listen=${SLUICE_PG_LISTEN:-}
	[ -f "$var/pg/PG_VERSION" ] || pg_init
	if pg_ours; then
		write_auth	# the map follows who runs the stack
	fi
	pg_running && return 0
	"${runas[@]}" "$pgbin/pg_ctl" -D "$var/pg" -w -t 30 \
	    -l "$var/log/postgres.log" -o "-p $port -k $var/svc \
	    -c listen_addresses='$listen' -c unix_socket_permissions=0770" \
	    start >/dev/null || die "PostgreSQL did not start: see $var/log/postgres.log"
	echo "$port" >"$var/run/pg.port"
}

pg_stop() {
	if [ -f "$var/pg/PG_VERSION" ] && pg_running; then
		"${runas[@]}" "$pgbin/pg_ctl" -D "$var/pg" -m fast -w stop >/dev/null
	fi
}

# A cluster made by an older stack.sh (trust authentication, the services'
# role its superuser) is dumped, made anew with peer authentication and
# restored; the old one is kept beside it.
pg_upgrade_trust() {
	local dump=$var/svc/upgrade.dump old
	[ -f "$var/pg/PG_VERSION" ] || return 0
	pg_ours && return 0
	say "upgrading $var/pg: it trusted every local connection; dumping it and making it anew with peer authentication"
	pg_running || "${runas[@]}" "$pgbin/pg_ctl" -D "$var/pg" -w -t 30 \
	    -l "$var/log/postgres.log" -o "-p $(pg_port) -k $var/svc \
	    -c listen_addresses=''" start >/dev/null ||
	    die "the old cluster did not start: see $var/log/postgres.log"
	"${runas[@]}" "$pgbin/pg_dump" -h "$var/svc" -p "$(pg_port)" \
	    -U sluice -Fc -f "$dump" sluice || die "pg_dump of the old cluster failed"
	pg_stop
	old=$var/pg.trust-$(date +%Y%m%d%H%M%S)
	mv "$var/pg" "$old"
	pg_init
	pg_start
	pg_roles
	"${runas[@]}" "$pgbin/pg_restore" -h "$var/svc" -p "$(pg_port)" \
	    -U sluice --no-owner --exit-on-error -d sluice "$dump" ||
	    die "restoring the old data failed; the old cluster is in $old"
	rm -f "$dump"
	say "upgraded; the old cluster is kept in $old (delete it when all is well)"
}

# The roles and the database: sluice owns the database and runs the
# programs (not a superuser), sluice_web is the role a request runs as.
pg_roles() {
	pg_admin -d postgres >/dev/null <<-'EOF'
	DO $$
	BEGIN
		IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'sluice') THEN
			CREATE ROLE sluice LOGIN;
		END IF;
		IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'sluice_web') THEN
			CREATE ROLE sluice_web NOLOGIN;
		END IF;
	END
	$$;
	ALTER ROLE sluice LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE;
	GRANT sluice_web TO sluice WITH ADMIN OPTION;
	EOF
	if ! pg_admin -d postgres -tAc \
	    "SELECT 1 FROM pg_database WHERE datname = 'sluice'" | grep -q 1; then
		pg_admin -d postgres -c "CREATE DATABASE sluice OWNER sluice" \
		    >/dev/null
	fi
	reporting_sql sluice | pg_admin -d sluice >/dev/null
}

# The SQL (for the cluster's superuser, in the application's database)
# behind read-only reporting logins (sql/200_reporting.sql): the group
# role sluice_reporting, which may read the reporting views only, and
# the NOLOGIN role sluice_roles (CREATEROLE, never granted to anyone)
# owning the two functions that make and drop the logins, executable by
# the application's role $1 alone.  Role names are made here, never taken
# from the caller; the drop function drops reporting logins only.  Safe
# to run again.  `stack.sh reporting-sql [APPROLE]` prints it for an
# external PostgreSQL.
reporting_sql() {
	local app=${1:-sluice}
	[[ "$app" =~ ^[a-z_][a-z0-9_]{0,62}$ ]] ||
	    die "the application role must be a plain lower-case name"
	sed "s/@APP@/$app/g" <<-'EOF'
	DO $$
	BEGIN
		IF NOT EXISTS (SELECT 1 FROM pg_roles
		    WHERE rolname = 'sluice_reporting') THEN
			CREATE ROLE sluice_reporting NOLOGIN;
		END IF;
		IF NOT EXISTS (SELECT 1 FROM pg_roles
		    WHERE rolname = 'sluice_roles') THEN
			CREATE ROLE sluice_roles NOLOGIN CREATEROLE;
		END IF;
		IF EXISTS (SELECT 1 FROM pg_namespace
		    WHERE nspname = 'reporting') THEN
			GRANT USAGE ON SCHEMA reporting TO sluice_reporting;
			GRANT SELECT ON ALL TABLES IN SCHEMA reporting
			    TO sluice_reporting;
		END IF;
	END
	$$;
	ALTER ROLE sluice_reporting NOLOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE
	    NOREPLICATION NOBYPASSRLS;
	ALTER ROLE sluice_roles NOLOGIN NOSUPERUSER NOCREATEDB CREATEROLE
	    NOREPLICATION NOBYPASSRLS;
	GRANT pg_signal_backend TO sluice_roles;
	CREATE OR REPLACE FUNCTION public.reporting_login_create(ws bigint)
	RETURNS TABLE (role_name text, password text)
	LANGUAGE plpgsql SECURITY DEFINER
	SET search_path = pg_catalog, pg_temp AS $f$
	DECLARE
		r	text;
		pw	text;
	BEGIN
		IF ws IS NULL OR ws <= 0 THEN
			RAISE EXCEPTION 'no such workspace' USING ERRCODE = '22023';
		END IF;
		r := 'sluice_ro_' || ws::text || '_' ||
		    left(replace(gen_random_uuid()::text, '-', ''), 12);
		pw := replace(gen_random_uuid()::text ||
		    gen_random_uuid()::text, '-', '');
		EXECUTE format('CREATE ROLE %I LOGIN INHERIT NOSUPERUSER '
		    'NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS '
		    'CONNECTION LIMIT 3 PASSWORD %L IN ROLE sluice_reporting',
		    r, pw);
		EXECUTE format('ALTER ROLE %I SET default_transaction_read_only '
		    '= on', r);
		EXECUTE format('ALTER ROLE %I SET statement_timeout = %L', r,
		    '300s');
		RETURN QUERY SELECT r, pw;
	END
	$f$;
	CREATE OR REPLACE FUNCTION public.reporting_login_drop(login text)
	RETURNS boolean
	LANGUAGE plpgsql SECURITY DEFINER
	SET search_path = pg_catalog, pg_temp AS $f$
	DECLARE
		victim	oid;
	BEGIN
		SELECT r.oid INTO victim FROM pg_roles r
		WHERE r.rolname = login AND r.rolname ~ '^sluice_ro_[0-9]+_[0-9a-f]+$'
		    AND NOT r.rolsuper AND NOT r.rolcreaterole
		    AND NOT r.rolcreatedb AND NOT r.rolreplication
		    AND NOT r.rolbypassrls
		    AND (SELECT array_agg(g.rolname::text) FROM pg_auth_members m
		    JOIN pg_roles g ON g.oid = m.roleid WHERE m.member = r.oid)
		    = ARRAY['sluice_reporting']
		    AND NOT EXISTS (SELECT 1 FROM pg_auth_members m
		    WHERE m.roleid = r.oid);
		IF victim IS NULL THEN
			RETURN false;
		END IF;
		EXECUTE format('DROP ROLE %I', login);
		PERFORM pg_terminate_backend(a.pid) FROM pg_stat_activity a
		    WHERE a.usesysid = victim;
		RETURN true;
	END
	$f$;
	ALTER FUNCTION public.reporting_login_create(bigint) OWNER TO sluice_roles;
	ALTER FUNCTION public.reporting_login_drop(text) OWNER TO sluice_roles;
	REVOKE ALL ON FUNCTION public.reporting_login_create(bigint),
	    public.reporting_login_drop(text) FROM PUBLIC;
	GRANT EXECUTE ON FUNCTION public.reporting_login_create(bigint),
	    public.reporting_login_drop(text) TO @APP@;
	-- What every role may call but a read-only login must not: large
	-- objects (a write, and an object that would keep its role from
	-- being dropped) and advisory locks (the application's own: its
	-- migrations and digest runs).  The application's roles keep them.
	DO $$
	DECLARE
		f	regprocedure;
	BEGIN
		FOR f IN SELECT p.oid::regprocedure FROM pg_proc p
		    WHERE p.pronamespace = 'pg_catalog'::regnamespace AND
		    (p.proname ~ '^(lo_|pg_(try_)?advisory_)' OR
		    p.proname IN ('loread', 'lowrite')) LOOP
			EXECUTE format('REVOKE EXECUTE ON FUNCTION %s FROM PUBLIC',
			    f);
			EXECUTE format('GRANT EXECUTE ON FUNCTION %s TO @APP@', f);
			IF EXISTS (SELECT 1 FROM pg_roles
			    WHERE rolname = 'sluice_web') THEN
				EXECUTE format('GRANT EXECUTE ON FUNCTION %s TO '
				    'sluice_web', f);
			END IF;
		END LOOP;
	END
	$$;
	EOF
}

# Waits (up to 5 s) until the supervisor in pid file f has n children.
wait_children() {
	local f=$1 n=$2 pid i
	for i in $(seq 50); do
		pid=$(cat "$f" 2>/dev/null || true)
		[ -n "$pid" ] && alive "$pid" || { sleep 0.1; continue; }
		[ "$(grep -l "^PPid:[[:space:]]*$pid\$" /proc/[0-9]*/status \
		    2>/dev/null | wc -l)" -ge "$n" ] && return 0
		sleep 0.1
	done
	return 1
}

# Processes for one FastCGI program.  A webhooks process stores the
# deliveries queued at it with one commit (lib/web/app.h app_defer()):
# fewer processes hold more of them at once, so that program gets half as
# many, at least 2 (tests/bench/README.md, Webhooks, Session 14).
procs_of() {
	local name=$1 var_name n
	var_name=SLUICE_FCGI_PROCS_${name^^}
	n=${!var_name:-}
	if [ -z "$n" ]; then
		n=${SLUICE_FCGI_PROCS:-4}
		if [ "$name" = webhooks ]; then
			n=$((n / 2))
			[ "$n" -ge 2 ] || n=2
		fi
	fi
	case $n in ''|*[!0-9]*|0) die "$var_name must be a positive number";; esac
	echo "$n"
}

start() {
	local port=$1 bin=$2 programs=$3 procs keep name sock fcgi_user=() u
	local app
	[ -d "$bin" ] || die "no programs in $bin: build first (make build)"
	ensure_user
	resolve_var
	app=$var/app
	load_env "${SLUICE_ENV_FILE:-$root/sluice.env}"
	chmod 750 "$var"
	if [ "$(id -u)" = 0 ]; then
		chown -h "root:$svc" "$var"
		reachable "$var" || die "user $svc cannot reach $var; choose \
another VAR (its parent directories must be searchable)"
		fcgi_user=(-u "$svc" -g "$svc")
		u="user $svc $svc;"
	else
		u=""
	fi
	[ ! -L "$var/secrets.env" ] || rm -f "$var/secrets.env"
	own_dir "$var/run" root 750
	own_dir "$var/log" root 750
	own_dir "$var/nginx" root 750
	own_dir "$var/nginx/locations" root 750
	own_dir "$var/nginx/tmp" root 750
	own_dir "$var/svc" "$svc" 750
	no_links "$var/run"
	no_links "$var/log"
	for name in $programs worker postgres; do svc_log "$name.log"; done
	make_secrets
	install_app "$bin"
	pg_upgrade_trust
	pg_start
	pg_roles
	program_env "$port"
	[ "${SLUICE_MAIL_DIR:-}" != "$var/mail" ] || own_dir "$var/mail" "$svc" 700
	"${runas[@]}" env SLUICE_LOG_FILE= PGOPTIONS="-c client_min_messages=warning" \
	    "$app/bin/api" migrate ||
	    die "migrations failed"

	: >"$var/nginx/upstreams.conf"
	rm -f "$var/nginx/locations/"*.conf
	for name in $programs; do
		[ "$name" = worker ] && continue	# not FastCGI: below
		procs=$(procs_of "$name")
		# Idle kept connections per upstream and nginx worker, for the
		# routes that keep theirs (the health routes, locations/api.conf):
		# eight a process, which serves any of its connections.  With
		# two, 16 clients of /healthz opened and closed half their
		# connections (34,700 req/s against 40,300 with eight, same
		# build; tests/bench/README.md "Tail", Session 12).  Other
		# routes take a new connection each (fastcgi.conf).
		keep=$(( procs * 8 ))
		sock=$var/run/$name.sock
		if [ -n "$(pids_of "$var/svc/$name.pid" "$(exe_of "$name")")" ]; then
			say "$name: already running"
		else
			rm -f "$sock" "$var/svc/$name.pid"
			# One supervisor per program keeps its processes alive
			# and writes its pid file (lib/web/prefork.h).
			SLUICE_LOG_FILE="$var/log/$name.log" \
			    SLUICE_FCGI_PROCS=$procs \
			    SLUICE_PID_FILE="$var/svc/$name.pid" \
			    spawn-fcgi -s "$sock" -M 0660 -F 1 \
			    "${fcgi_user[@]}" \
			    -- "$app/bin/$name" >/dev/null ||
			    die "$name did not start"
			wait_children "$var/svc/$name.pid" "$procs" ||
			    die "$name did not start its processes: see $var/log/$name.log"
		fi
		printf 'upstream sluice_%s {\n\tserver unix:%s;\n\tkeepalive %s;\n}\n' \
		    "$name" "$sock" "$keep" >>"$var/nginx/upstreams.conf"
		sed -e "s|@APP@|$app|g" -e "s|@VAR@|$var|g" \
		    "$root/nginx/locations/$name.conf" \
		    >"$var/nginx/locations/$name.conf"
	done
	local hsts=""
	case $SLUICE_BASE_URL in https://*)
		hsts='add_header Strict-Transport-Security "max-age=31536000" always;' ;;
	esac
	sed -e "s|@HSTS@|$hsts|" "$root/nginx/headers.conf.in" \
	    >"$var/nginx/headers.conf"
	sed -e "s|@APP@|$app|g" -e "s|@VAR@|$var|g" -e "s|@PORT@|$port|g" \
	    -e "s|@USER@|$u|g" "$root/nginx/nginx.conf.in" >"$var/nginx/nginx.conf"
	local npid
	npid=$(pids_of "$var/run/nginx.pid" "$(exe_of nginx)")
	if [ -n "$npid" ]; then
		nginx -q -c "$var/nginx/nginx.conf" -p "$var/nginx" -s reload
	else
		nginx -q -c "$var/nginx/nginx.conf" -p "$var/nginx" ||
		    die "nginx did not start: see $var/log/nginx-error.log"
	fi
	# The sync worker daemon, with the cron program or when asked by name.
	case " $programs " in
	*" worker "*|*" cron "*)
		if [ "${SLUICE_WORKER:-1}" = 1 ] && [ -x "$app/bin/worker" ] &&
		    [ -z "$(pids_of "$var/svc/worker.pid" "$(exe_of worker)")" ]; then
			# A supervisor (lib/web/prefork.h) of the workers, the
			# webhook deliverer and the scheduler; it writes its own
			# pid file.
			local drop=() wprocs=${SLUICE_WORKER_PROCS:-4}
			[ "$(id -u)" = 0 ] && drop=(setpriv --reuid="$svc" \
			    --regid="$svc" --init-groups)
			rm -f "$var/svc/worker.pid"
			SLUICE_LOG_FILE= SLUICE_PID_FILE="$var/svc/worker.pid" \
			    "${drop[@]}" "$app/bin/worker" --daemon \
			    --procs "$wprocs" \
			    >>"$var/log/worker.log" 2>&1 </dev/null &
			# The deliverer, always; the scheduler unless turned off.
			wprocs=$((wprocs + 1))
			case ${SLUICE_SCHEDULER:-1} in
			0|false|no|off|FALSE|NO|OFF) ;;
			*) wprocs=$((wprocs + 1)) ;;
			esac
			wait_children "$var/svc/worker.pid" "$wprocs" ||
			    die "the worker did not start: see $var/log/worker.log"
		fi ;;
	esac
	echo "$port" >"$var/run/port"
	say "state and logs: $var"
	say "Sluice is running at http://127.0.0.1:$port/"
}

stop() {
	local f name p stopped=()
	if [ -z "$var" ]; then
		var=$(default_var)
		[ -d "$var" ] || { say "nothing to stop: no state in $var"; return 0; }
	fi
	[ -d "$var" ] || { say "nothing to stop: no state in $var"; return 0; }
	var=$(cd "$var" && pwd -P)
	safe_path "$var"
	# nginx first, gracefully (QUIT): it takes nothing new and finishes
	# the requests in hand, for at most worker_shutdown_timeout
	# (nginx.conf.in); TERM would cut them off.  Then the programs, which
	# answer what nginx had sent them (lib/web/app.c, drain()).
	p=$(pids_of "$var/run/nginx.pid" "$(exe_of nginx)")
	if [ -n "$p" ]; then stop_pids QUIT $p; stopped+=(nginx); fi
	rm -f "$var/run/nginx.pid"
	# Only the programs installed in app/bin, each by its own pid file.
	for f in "$var"/app/bin/*; do
		[ -f "$f" ] || continue
		name=${f##*/}
		p=$(pids_of "$var/svc/$name.pid" "$f")
		if [ -n "$p" ]; then stop_pids TERM $p; stopped+=("$name"); fi
		rm -f "$var/svc/$name.pid" "$var/run/$name.sock"	# not .lock
	done
	if [ -f "$var/pg/PG_VERSION" ] && pg_running; then
		pg_stop
		stopped+=(postgres)
	fi
	if [ ${#stopped[@]} -gt 0 ]; then
		say "stopped in $var: ${stopped[*]}"
	else
		say "nothing was running in $var"
	fi
}

# The environment the programs run with: the settings, the secrets, the
# private cluster and the installed files (start() exports the same).
program_env() {
	local port=$1 app=$var/app
	load_env "${SLUICE_ENV_FILE:-$root/sluice.env}"
	load_env "$var/secrets.env"
	export SLUICE_DATABASE_URL=${SLUICE_DATABASE_URL:-"host=$var/svc port=$(pg_port) dbname=sluice user=sluice"}
	export SLUICE_BASE_URL=${SLUICE_BASE_URL:-"http://127.0.0.1:$port"}
	export SLUICE_SQL_DIR=${SLUICE_SQL_DIR:-"$app/sql"}
	export SLUICE_TEMPLATE_DIR=${SLUICE_TEMPLATE_DIR:-"$app/templates"}
	export SLUICE_SANDBOX=${SLUICE_SANDBOX:-1}
	# The sandbox without Resend: emails are written to VAR/mail to be
	# read there (lib/mail/email.h); SLUICE_MAIL_DIR= (empty) turns it off.
	if [ "$SLUICE_SANDBOX" = 1 ] && [ -z "${SLUICE_RESEND_API_KEY:-}" ] &&
	    [ -z "${SLUICE_MAIL_DIR+x}" ]; then
		export SLUICE_MAIL_DIR=$var/mail
	fi
}

# One command of an installed program, with the stack's configuration.
cli() {
	local prog=${1:-}
	[ -n "$prog" ] || die "cli needs a program: api migrate, api rotate-keys, api create-key WORKSPACE NAME ROLE, worker --once"
	shift
	case $prog in */*|.*) die "no program $prog" ;; esac
	[ -n "$var" ] || var=$(default_var)
	[ -x "$var/app/bin/$prog" ] ||
	    die "no $prog in $var/app/bin: start the stack first (make run), or give the VAR= it was started with"
	[ -f "$var/secrets.env" ] || die "no $var/secrets.env: start the stack first (make run)"
	program_env "$(cat "$var/run/port" 2>/dev/null || echo 8080)"
	exec "${runas[@]}" env SLUICE_LOG_FILE= "$var/app/bin/$prog" "$@"
}

# --- backup and restore ---------------------------------------------------

# The state directory of a stack that has run (backup, restore): var made
# absolute and checked, its cluster running; dies with what to do if not.
stack_var() {
	[ -n "$var" ] || var=$(default_var)
	[ -d "$var" ] || die "no state in $var: start the stack first (make run)"
	var=$(cd "$var" && pwd -P)
	safe_path "$var"
	[ -f "$var/secrets.env" ] ||
	    die "no $var/secrets.env: start the stack first (make run)"
	[ -f "$var/pg/PG_VERSION" ] && pg_running ||
	    die "PostgreSQL is not running in $var: start the stack first (make run)"
}

# Where the encryption keys come from, said for an operator: the
# environment, the settings file or the state directory's secrets.env.
# Called before program_env, which exports them.
keys_where() {
	local envf=${SLUICE_ENV_FILE:-$root/sluice.env}
	if [ -n "${SLUICE_ENCRYPTION_KEYS+x}" ]; then
		echo "the environment variable SLUICE_ENCRYPTION_KEYS of the programs"
	elif [ -f "$envf" ] && grep -q '^SLUICE_ENCRYPTION_KEYS=' "$envf"; then
		echo "$envf (SLUICE_ENCRYPTION_KEYS)"
	else
		echo "$var/secrets.env (SLUICE_ENCRYPTION_KEYS)"
	fi
}

# The ids of the configured keys ("k1:KEY,k2:KEY" gives "k1 k2"): an id
# is no secret, a key is never printed.
key_ids() {
	local k out=""
	for k in ${SLUICE_ENCRYPTION_KEYS//,/ }; do out="$out ${k%%:*}"; done
	echo "${out# }"
}

# The connection string of the private cluster's database db.
db_url() { echo "host=$var/svc port=$(pg_port) dbname=$1 user=sluice"; }

# The rows of a table in the private cluster's database db (psql as the
# superuser); 0 when the table does not exist.
count_rows() {
	if [ "$(pg_admin -d "$1" -tAc \
	    "SELECT to_regclass('public.$2') IS NOT NULL")" = t ]; then
		pg_admin -d "$1" -tAc "SELECT count(*) FROM public.$2"
	else
		echo 0
	fi
}

# make backup: a consistent dump (one snapshot, pg_dump's custom format)
# of the stack's database, mode 0600, written whole or not at all.
backup() {
	local file=${1:-} tmp where ids size ver
	case $file in ''|/*) ;; *) file=$here/$file ;; esac
	stack_var
	where=$(keys_where)	# before program_env exports the keys
	program_env "$(cat "$var/run/port" 2>/dev/null || echo 8080)"
	if [ -z "$file" ]; then
		own_dir "$var/backups" root 700
		file=$var/backups/sluice-$(date -u +%Y%m%dT%H%M%SZ).dump
	fi
	[ ! -e "$file" ] && [ ! -L "$file" ] ||
	    die "$file exists; give another FILE (a backup is never overwritten)"
	[ -d "$(dirname "$file")" ] || die "no folder $(dirname "$file")"
	tmp=$(dirname "$file")/.$(basename "$file").partial.$$
	rm -f "$tmp"
	# pg_dump reads every table in one snapshot: a consistent copy
	# while the stack runs.
	(umask 077; "$pgbin/pg_dump" -Fc -d "$SLUICE_DATABASE_URL" -f "$tmp") ||
	    { rm -f "$tmp"; die "pg_dump failed; no backup was written"; }
	chmod 600 "$tmp"
	mv -f "$tmp" "$file"
	ver=$("$pgbin/psql" -X -q -d "$SLUICE_DATABASE_URL" -tAc \
	    "SELECT coalesce(max(version), 0) FROM schema_migrations")
	ids=$("$pgbin/psql" -X -q -d "$SLUICE_DATABASE_URL" -tAc \
	    "SELECT coalesce(string_agg(DISTINCT key_id, ' '), '') FROM \
connections WHERE token_blob IS NOT NULL")
	size=$(du -h "$file" | cut -f1)
	say "backup: $file ($size, schema at migration $ver)"
	say "The connections' OAuth tokens in it are sealed with the encryption"
	say "keys in $where${ids:+; key ids used: $ids}."
	say "The dump is useless without those keys: the tokens cannot be opened"
	say "and every connection would have to be connected again.  The keys are"
	say "NOT in the dump: back that file up separately, as secret as the dump."
	say "Restore with: make restore FILE=$file"
}

# make restore: the dump goes into a new database, which this code's
# migrations bring up to date; only then does it replace the stack's
# database (renamed away, dropped when it had no workspace).  Nothing is
# changed when any step before that fails.
restore() {
	local file=${1:-} force=${2:-} ws users conns rows stamp old out list
	local have need missing="" k where
	[ -n "$file" ] || die "restore needs a dump: make restore FILE=…"
	case $file in /*) ;; *) file=$here/$file ;; esac
	[ -f "$file" ] || die "no file $file"
	stack_var
	where=$(keys_where)	# before program_env exports the keys
	load_env "${SLUICE_ENV_FILE:-$root/sluice.env}"
	[ -z "${SLUICE_DATABASE_URL:-}" ] ||
	    die "SLUICE_DATABASE_URL is set: make restore only restores into the private cluster make run starts (use pg_restore for another database)"
	program_env "$(cat "$var/run/port" 2>/dev/null || echo 8080)"
	"$pgbin/pg_restore" -l "$file" >/dev/null 2>&1 ||
	    die "$file is not a dump made by make backup (pg_dump -Fc)"
	ws=$(count_rows sluice workspaces)
	if [ "$ws" != 0 ] && [ "$force" != 1 ]; then
		users=$(count_rows sluice users)
		conns=$(count_rows sluice connections)
		rows=$(count_rows sluice metric_daily)
		die "the database in $var is not empty: it has $ws workspace(s), $users user(s), $conns connection(s) and $rows metric row(s), which restoring would replace.  Back it up first (make backup), then run make restore FILE=$file FORCE=1"
	fi
	say "restoring $file into a new database"
	pg_admin -d postgres -c "DROP DATABASE IF EXISTS sluice_restore" \
	    -c "CREATE DATABASE sluice_restore OWNER sluice" >/dev/null
	# The grants on pg_catalog's functions (which of them reporting
	# logins may not call) are the superuser's to make: left out here,
	# made again by reporting_sql below.
	list=$(mktemp)
	"$pgbin/pg_restore" -l "$file" | grep -v '^[0-9]*; [0-9]* [0-9]* ACL pg_catalog ' >"$list"
	if ! out=$("$pgbin/pg_restore" --no-owner --exit-on-error \
	    --single-transaction -L "$list" -d "$(db_url sluice_restore)" \
	    "$file" 2>&1); then
		rm -f "$list"
		pg_admin -d postgres -c "DROP DATABASE sluice_restore" >/dev/null
		die "pg_restore failed; nothing was changed: $out"
	fi
	rm -f "$list"
	# An older dump is brought up to this code's migrations before it
	# replaces anything; a dump newer than the code is refused here.
	if ! out=$("${runas[@]}" env SLUICE_LOG_FILE= \
	    SLUICE_DATABASE_URL="$(db_url sluice_restore)" \
	    PGOPTIONS="-c client_min_messages=warning" \
	    "$var/app/bin/api" migrate 2>&1); then
		pg_admin -d postgres -c "DROP DATABASE sluice_restore" >/dev/null
		die "the restored data could not be migrated; nothing was changed: $out"
	fi
	say "restored data migrated to this code's schema (api migrate: $(printf '%s\n' "$out" | sed -n 's/^migrations: //p'))"
	# Each migration applied now, with how long it held its locks.
	printf '%s\n' "$out" | sed -n \
	    's/.*"event":"migration","msg":"\([^"]*\)".*/  \1/p'
	# The swap: nobody may connect to the old database while it is
	# renamed; the programs reconnect to the new one by themselves.
	stamp=$(date -u +%Y%m%d%H%M%S)
	old=sluice_before_restore_$stamp
	if ! pg_admin -d postgres >/dev/null <<-EOF
	ALTER DATABASE sluice ALLOW_CONNECTIONS false;
	SELECT pg_terminate_backend(pid, 10000) FROM pg_stat_activity
	    WHERE datname = 'sluice' AND pid <> pg_backend_pid();
	ALTER DATABASE sluice RENAME TO $old;
	ALTER DATABASE sluice_restore RENAME TO sluice;
	EOF
	then
		pg_admin -d postgres -c "ALTER DATABASE sluice ALLOW_CONNECTIONS true" \
		    >/dev/null 2>&1 || true
		die "could not swap the databases; the old one is unchanged and the restored copy is the database sluice_restore"
	fi
	# The dump made the reporting login functions the owner role's: give
	# them back to sluice_roles (sql/200_reporting.sql), and take back
	# from reporting logins what they may not call.
	reporting_sql sluice | pg_admin -d sluice >/dev/null
	if [ "$ws" = 0 ]; then
		pg_admin -d postgres -c "DROP DATABASE $old" >/dev/null
	else
		say "the replaced database is kept as $old (no connections allowed); drop it when all is well: $pgbin/psql -h $var/svc -p $(pg_port) -U postgres -d postgres -c 'DROP DATABASE $old'"
	fi
	say "restored: $(count_rows sluice workspaces) workspace(s), $(count_rows sluice users) user(s), $(count_rows sluice connections) connection(s), $(count_rows sluice metric_daily) metric row(s)"
	# The tokens open only with the keys that sealed them.
	need=$(pg_admin -d sluice -tAc "SELECT coalesce(string_agg(DISTINCT \
key_id, ' '), '') FROM connections WHERE token_blob IS NOT NULL")
	have=" $(key_ids) "
	for k in $need; do
		case $have in *" $k "*) ;; *) missing="$missing $k" ;; esac
	done
	if [ -z "$need" ]; then
		say "no connection in it holds sealed tokens"
	elif [ -n "$missing" ]; then
		say "WARNING: the restored tokens are sealed with key id(s)$missing, which this installation does not have (keys from $where): until the secrets.env that goes with this backup is put back and the stack restarted (make stop; make run), those connections cannot sync and must be connected again"
	else
		say "the tokens' key id(s) ($need) are configured here; they open only if they are the very keys of the backed-up installation (its secrets.env): a connection's Test, or the next sync, tells"
	fi
}

status() {
	local f name p
	[ -n "$var" ] || var=$(default_var)
	say "state: $var"
	say "nginx: $(pids_of "$var/run/nginx.pid" "$(exe_of nginx)" | tr '\n' ' ')"
	for f in "$var"/app/bin/*; do
		[ -f "$f" ] && [ -e "$var/svc/${f##*/}.pid" ] || continue
		p=$(pids_of "$var/svc/${f##*/}.pid" "$f" | tr '\n' ' ')
		say "${f##*/}: ${p:-not running}"
	done
	if [ -f "$var/pg/PG_VERSION" ] && pg_running; then
		say "postgres: running (socket in $var/svc, port $(pg_port))"
	else
		say "postgres: not running"
	fi
}

case "$cmd" in
start) start "${3:-8080}" "${4:-$root/build/bin}" "${5:-api}" ;;
stop) stop ;;
status) status ;;
cli) shift 2; cli "$@" ;;
backup) backup "${3:-}" ;;
restore) restore "${3:-}" "${4:-}" ;;
where) ensure_user; default_var ;;
pg-stop) [ -n "$var" ] || die "pg-stop needs VAR"; pg_stop ;;
pg-start) [ -n "$var" ] || die "pg-start needs VAR"; pg_start ;;
reporting-sql) reporting_sql "${2:-sluice}" ;;
*) die "unknown command $cmd" ;;
esac
