#!/usr/bin/env bash
# bench_pgbouncer.sh BUILD — /readyz and /v1/dashboard/tiles?period=7d
# (144 series, 2,016 rows) with wrk, first with the api processes connected
# to PostgreSQL directly, then, in the same stack and run, through a
# PgBouncer in transaction mode (SLUICE_DB_POOLER=transaction, a pool of
# BENCH_PGB_POOL (4) server sessions in turn).  Target (issue 22): through
# PgBouncer each keeps >= 0.8x its direct throughput; the lines say "ok"
# or "MISSED".  BENCH_SECONDS and BENCH_CONNS change the run.
set -euo pipefail
cd "$(dirname "$0")/../.."
build=${1:-build}
secs=${BENCH_SECONDS:-5}
conns=${BENCH_CONNS:-16}
pool=${BENCH_PGB_POOL:-4}
pgbin=/usr/lib/postgresql/15/bin
command -v pgbouncer >/dev/null || [ -x /usr/sbin/pgbouncer ] ||
    { echo "bench_pgbouncer: pgbouncer is not installed (make deps-test)" >&2; exit 1; }

. tests/bench/lib.sh
var=$(mktemp -d /tmp/sluice-bench-XXXXXX)
pgb=$(mktemp -d /tmp/sluice-pgb-XXXXXX)
port=$(free_port)
bport=$(free_port)
export SLUICE_PG_PORT=$(free_port)
export SLUICE_FCGI_PROCS=4
bpid=
cleanup() {
	[ -z "$bpid" ] || kill "$bpid" 2>/dev/null || true
	bash nginx/stack.sh stop "$var" >/dev/null 2>&1 || true
	rm -rf "$var" "$pgb"
}
trap cleanup EXIT
bash nginx/stack.sh start "$var" "$port" "$PWD/$build/bin" "api" >/dev/null
url=http://127.0.0.1:$port
curl -fsS "$url/readyz" >/dev/null
dburl="host=$var/svc port=$SLUICE_PG_PORT dbname=sluice user=sluice"
tiles_data "$dburl"
key=$(SLUICE_DATABASE_URL=$dburl SLUICE_LOG_FILE= "$build/bin/api" create-key 1 bench viewer)

# PgBouncer (transaction mode) in front of the stack's PostgreSQL: SCRAM
# for clients on loopback, peer on the server's socket as the service user.
pw=$(head -c 18 /dev/urandom | base64 | tr '+/' '-_')
printf '"sluice" "%s"\n' "$pw" >"$pgb/userlist.txt"
cat >"$pgb/pgbouncer.ini" <<INI
[databases]
sluice = host=$var/svc port=$SLUICE_PG_PORT dbname=sluice user=sluice
[pgbouncer]
listen_addr = 127.0.0.1
listen_port = $bport
unix_socket_dir =
auth_type = scram-sha-256
auth_file = $pgb/userlist.txt
pool_mode = transaction
default_pool_size = $pool
max_client_conn = 200
server_reset_query =
server_round_robin = 1
ignore_startup_parameters = options,extra_float_digits
logfile = $pgb/pgbouncer.log
pidfile = $pgb/pgbouncer.pid
INI
chmod 600 "$pgb/userlist.txt" "$pgb/pgbouncer.ini"
runas=()
if [ "$(id -u)" = 0 ]; then
	chown -R sluice:sluice "$pgb"
	runas=(runuser -u sluice --)
fi
"${runas[@]}" /usr/sbin/pgbouncer -d "$pgb/pgbouncer.ini"
for i in $(seq 50); do [ -s "$pgb/pgbouncer.pid" ] && break; sleep 0.1; done
bpid=$(cat "$pgb/pgbouncer.pid")

# wrk's requests per second and p50 (ms).
run() {
	wrk -t2 -c"$conns" -d"${secs}s" --latency "${@:2}" "$url$1" | awk '
	function ms(v) { if (v ~ /us$/) return v / 1000; if (v ~ /ms$/) return v + 0;
	    if (v ~ /s$/) return v * 1000; return v }
	/^ +50%/ { p50 = ms($2) } /Requests\/sec/ { rps = $2 }
	END { printf "%.0f %.2f\n", rps, p50 }'
}
tiles='/v1/dashboard/tiles?period=7d'
auth=(-H "Authorization: Bearer $key")
curl -fsS "${auth[@]}" "$url$tiles" >/dev/null
read -r d_ready d_ready50 < <(run /readyz)
read -r d_tiles d_tiles50 < <(run "$tiles" "${auth[@]}")

# The api again, through PgBouncer: its supervisor stops its processes.
kill "$(cat "$var/svc/api.pid")"
for i in $(seq 100); do [ -z "$(pgrep -F "$var/svc/api.pid" 2>/dev/null)" ] && break; sleep 0.1; done
SLUICE_DATABASE_URL="host=127.0.0.1 port=$bport dbname=sluice user=sluice password=$pw" \
    SLUICE_DB_POOLER=transaction \
    bash nginx/stack.sh start "$var" "$port" "$PWD/$build/bin" "api" >/dev/null
curl -fsS "$url/readyz" >/dev/null
curl -fsS "${auth[@]}" "$url$tiles" >/dev/null
read -r b_ready b_ready50 < <(run /readyz)
read -r b_tiles b_tiles50 < <(run "$tiles" "${auth[@]}")

printf '%-8s %5s %10s %10s %6s %9s %9s  %s\n' route conns direct/s pgb/s ratio p50-dir p50-pgb target
line() {
	local ratio verdict=ok
	ratio=$(awk -v a="$3" -v b="$2" 'BEGIN { printf "%.2f", a / b }')
	awk -v r="$ratio" 'BEGIN { exit !(r < 0.8) }' && verdict=MISSED
	printf '%-8s %5s %10s %10s %6s %9s %9s  >=0.8x %s\n' "$1" "$conns" \
	    "$2" "$3" "$ratio" "$4" "$5" "$verdict"
}
line readyz "$d_ready" "$b_ready" "$d_ready50" "$b_ready50"
line tiles "$d_tiles" "$b_tiles" "$d_tiles50" "$b_tiles50"
