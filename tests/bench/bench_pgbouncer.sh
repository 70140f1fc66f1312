#!/usr/bin/env bash
# bench_pgbouncer.sh BUILD — /readyz and /v1/dashboard/tiles?period=7d
# (144 series, 2,016 rows) with wrk, with the api processes connected to
# PostgreSQL directly and, in the same stack and run, through a PgBouncer
# in transaction mode (SLUICE_DB_POOLER=transaction, a pool of
# BENCH_PGB_POOL (4) server sessions in turn, reached on its Unix socket
# as PostgreSQL is directly).  BENCH_ROUNDS (3) rounds, each direct then
# pooled, so a neighbour's load falls on both alike.  Per round: req/s,
# p50/p99 and the CPU each request costs in each process (nginx, api,
# PgBouncer, the PostgreSQL backends, from /proc).  Target (issue 22):
# through PgBouncer each keeps >= 0.8x its direct throughput (the median
# of the rounds' ratios); the lines say "ok" or "MISSED".
# BENCH_SECONDS (5), BENCH_CONNS (16) and BENCH_PROCS (4 api processes)
# change the run.
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
export SLUICE_FCGI_PROCS=${BENCH_PROCS:-4}
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
# for clients on its socket (and loopback), peer on the server's socket as
# the service user.
pw=$(head -c 18 /dev/urandom | base64 | tr '+/' '-_')
printf '"sluice" "%s"\n' "$pw" >"$pgb/userlist.txt"
cat >"$pgb/pgbouncer.ini" <<INI
[databases]
sluice = host=$var/svc port=$SLUICE_PG_PORT dbname=sluice user=sluice
[pgbouncer]
listen_addr = 127.0.0.1
listen_port = $bport
unix_socket_dir = $pgb
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
pooled_url="host=$pgb port=$bport dbname=sluice user=sluice password=$pw"

# The api programs again, direct (no argument) or through PgBouncer.
api_start() {
	kill "$(cat "$var/svc/api.pid")"
	for i in $(seq 100); do [ -z "$(pgrep -F "$var/svc/api.pid" 2>/dev/null)" ] && break; sleep 0.1; done
	if [ -n "${1:-}" ]; then
		SLUICE_DATABASE_URL=$pooled_url SLUICE_DB_POOLER=transaction \
		    bash nginx/stack.sh start "$var" "$port" "$PWD/$build/bin" "api" >/dev/null
	else
		bash nginx/stack.sh start "$var" "$port" "$PWD/$build/bin" "api" >/dev/null
	fi
	curl -fsS "$url/readyz" >/dev/null
	curl -fsS "${auth[@]}" "$url$tiles" >/dev/null
}

# CPU time (clock ticks, user + system) of processes and their children.
procs() {
	echo "$(cat "$var/run/nginx.pid") $(cat "$var/svc/api.pid") $bpid $(head -1 "$var/pg/postmaster.pid")"
}

# One wrk run: "req/s p50 p99 nginx-us api-us pgb-us pg-us" (CPU per
# request of each process group over the run: tree, ticks and cpu_us of
# tests/bench/lib.sh; a process that started during the run (a backend
# PgBouncer opened) counts whole, one that ended (an nginx worker replaced)
# is left out rather than subtracted).
run() {
	local g rps p50 p99 reqs dir out
	dir=$(mktemp -d /tmp/sluice-pgb-cpu-XXXXXX)
	read -r -a roots < <(procs)
	for g in 0 1 2 3; do tree "${roots[$g]}" > "$dir/p$g"; done
	for g in 0 1 2 3; do ticks $(cat "$dir/p$g") > "$dir/a$g"; done
	read -r rps p50 p99 reqs _ < <(wrk_stats -t2 -c"$conns" -d"${secs}s" "${@:2}" "$url$1")
	for g in 0 1 2 3; do
		tree "${roots[$g]}" | grep -vxFf "$dir/p$g" | sed 's/$/ 0/' >> "$dir/a$g" || true
		tree "${roots[$g]}" >> "$dir/p$g"
		ticks $(sort -u "$dir/p$g") > "$dir/b$g"
	done
	out="$rps $p50 $p99"
	for g in 0 1 2 3; do
		out+=" $(cpu_us "$dir/a$g" "$dir/b$g" "$reqs" $(sort -u "$dir/p$g"))"
	done
	rm -rf "$dir"
	echo "$out"
}
tiles='/v1/dashboard/tiles?period=7d'
# Made anew every time (Cache-Control: no-cache), as before session 13:
# a kept answer (lib/metrics/tiles.c) would leave PgBouncer one small
# statement to carry.
auth=(-H "Authorization: Bearer $key" -H "Cache-Control: no-cache")
rounds=${BENCH_ROUNDS:-3}
results=$(mktemp /tmp/sluice-pgb-res-XXXXXX)
trap 'cleanup; rm -f "$results"' EXIT
printf 'load average before: %s\n' "$(cut -d' ' -f1-3 /proc/loadavg)"
printf '%-6s %-7s %-6s %8s %8s %8s   %s\n' round route via req/s p50-ms p99-ms \
    'CPU us/request: nginx api pgbouncer postgres'
for r in $(seq "$rounds"); do
	for via in direct pgbouncer; do
		if [ "$via" = direct ]; then api_start; else api_start pooled; fi
		for route in readyz tiles; do
			if [ $route = readyz ]; then set -- /readyz; else set -- "$tiles" "${auth[@]}"; fi
			read -r rps p50 p99 cn ca cb cg < <(run "$@")
			printf '%-6s %-7s %-9s %8s %8s %8s   %6s %6s %6s %6s\n' "$r" $route $via \
			    "$rps" "$p50" "$p99" "$cn" "$ca" "$cb" "$cg"
			echo "$r $route $via $rps $((cn + ca + cb + cg))" >>"$results"
		done
	done
done
printf 'load average after: %s\n' "$(cut -d' ' -f1-3 /proc/loadavg)"

# The median over the rounds of pooled ÷ direct, each round's own pair.
for route in readyz tiles; do
	awk -v route=$route '$2 == route { if ($3 == "direct") { d[$1] = $4; dc[$1] = $5 }
	    else { p[$1] = $4; pc[$1] = $5 } }
	END { n = 0; for (r in d) { q[++n] = p[r] / d[r]; c[n] = pc[r] - dc[r] }
	    for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) {
	        if (q[j] < q[i]) { t = q[i]; q[i] = q[j]; q[j] = t }
	        if (c[j] < c[i]) { t = c[i]; c[i] = c[j]; c[j] = t } }
	    m = q[int((n + 1) / 2)]
	    printf "%-7s pooled/direct median %.2f (rounds %.2f..%.2f), CPU +%d us/request  >=0.8x %s\n",
	        route, m, q[1], q[n], c[int((n + 1) / 2)], (m >= 0.8 ? "ok" : "MISSED") }' "$results"
done
