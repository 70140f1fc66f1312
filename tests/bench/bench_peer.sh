#!/usr/bin/env bash
# bench_peer.sh BUILD — Sluice's GET /v1/dashboard/tiles?period=7d against
# the same route written as the seeds' stack writes it (tests/bench/peer/
# tiles_app.py: FastAPI, psycopg 3, a pool of 4 per worker, uvicorn with 2
# workers, uvloop and httptools), on one private stack and one database:
#   data    workspace 1 with 144 series of 14 days (2,016 rows; the tail
#           benchmark's, smaller than bench_api.sh's 10 M rows: the route
#           reads one workspace's index range either way)
#   bodies  the peer's body must equal Sluice's, byte for byte (7d, 28d,
#           90d), or the benchmark stops
#   rounds  wrk with the same connections (BENCH_PEER_CONNS, 16) against
#           Sluice through nginx (4 api processes) and against the peer on
#           loopback, interleaved, BENCH_ROUNDS (3) rounds of BENCH_SECONDS
#           (5) each: req/s, p50, p99, and the CPU each request cost (the
#           user+sys ticks of nginx, the api processes, PostgreSQL (all of
#           its processes) and the peer's, from /proc/PID/stat before and
#           after the run, divided by the requests wrk counted)
# Targets (issue 19): Sluice >= 8x the peer's req/s, and Sluice's p99
# below the peer's p50, in every round ("met" or "MISSED").
set -euo pipefail
cd "$(dirname "$0")/../.."
build=${1:-build}
secs=${BENCH_SECONDS:-5}
rounds=${BENCH_ROUNDS:-3}
conns=${BENCH_PEER_CONNS:-16}
python=/usr/bin/python3		# Debian's, with python3-fastapi & co.

. tests/bench/lib.sh
bench_stack "$build" "api"
tiles_data "$dburl"
key=$(SLUICE_DATABASE_URL=$dburl SLUICE_LOG_FILE= "$build/bin/api" \
    create-key 1 bench viewer 2>"$var/key.log")

# --- the peer ------------------------------------------------------------
pport=$(free_port)
PEER_DSN=$dburl "$python" -m uvicorn --app-dir tests/bench/peer \
    tiles_app:app --host 127.0.0.1 --port "$pport" --workers 2 \
    --loop uvloop --http httptools --no-access-log --log-level warning \
    >"$var/peer.log" 2>&1 &
peer=$!
trap 'kill "$peer" 2>/dev/null; wait "$peer" 2>/dev/null;
    bash nginx/stack.sh stop "$var" >/dev/null 2>&1 || true; rm -rf "$var"' EXIT
purl=http://127.0.0.1:$pport
for i in $(seq 100); do
	curl -fsS -o /dev/null -H "Authorization: Bearer $key" \
	    "$purl/v1/dashboard/tiles" 2>/dev/null && break
	kill -0 "$peer" 2>/dev/null || { cat "$var/peer.log"; exit 1; }
	sleep 0.2
done

# --- the same bodies -------------------------------------------------------
for period in 7d 28d 90d; do
	curl -fsS -H "Authorization: Bearer $key" \
	    "$url/v1/dashboard/tiles?period=$period" >"$var/sluice.json"
	curl -fsS -H "Authorization: Bearer $key" \
	    "$purl/v1/dashboard/tiles?period=$period" >"$var/peer.json"
	if ! cmp -s "$var/sluice.json" "$var/peer.json"; then
		echo "bodies differ ($period): Sluice, then the peer:"
		head -c 600 "$var/sluice.json"; echo
		head -c 600 "$var/peer.json"; echo
		exit 1
	fi
	printf 'body %-4s identical: %s bytes, %s tiles\n' "$period" \
	    "$(wc -c <"$var/sluice.json")" \
	    "$(grep -o '"provider"' "$var/sluice.json" | wc -l)"
done

# --- CPU per request (tree, ticks, cpu_us: tests/bench/lib.sh) ----------
# Each side's processes, taken again before each run: the api processes
# and the peer's workers open their database connections when first used.
pids() {
	nginx_pids=$(tree "$(cat "$var/run/nginx.pid")")
	api_pids=$(tree "$(cat "$var/svc/api.pid")")
	pg_pids=$(tree "$(head -1 "$var/pg/postmaster.pid")")
	peer_pids=$(tree "$peer")
	all="$nginx_pids $api_pids $pg_pids $peer_pids"
}
# wrk_run URL → "rps p50_ms p99_ms requests non2xx"
# Cache-Control: no-cache: Sluice makes every answer anew from the rows, as
# the peer does (without it, a repeated question is answered from the api
# process's kept answer: lib/metrics/tiles.c).
wrk_run() {
	wrk_stats -t2 -c"$conns" -d"${secs}s" -H "Authorization: Bearer $key" \
	    -H "Cache-Control: no-cache" "$1"
}

path='/v1/dashboard/tiles?period=7d'
# Warm-up, not counted: the peer's pool fills, psycopg prepares.
secs=2 wrk_run "$url$path" >/dev/null
secs=2 wrk_run "$purl$path" >/dev/null
printf 'load average before: %s\n' "$(cut -d' ' -f1-3 /proc/loadavg)"
printf '%-6s %-6s %8s %8s %9s %8s %8s %8s %8s %8s\n' round side req/s \
    p50_ms p99_ms cpu_us nginx api pg peer
missed=0 rmin="" rmax=""
for r in $(seq "$rounds"); do
	for side in sluice peer; do
		case $side in sluice) u=$url ;; peer) u=$purl ;; esac
		pids
		ticks $all >"$var/t0"
		read -r rps p50 p99 n bad < <(wrk_run "$u$path")
		ticks $all >"$var/t1"
		[ "$bad" = 0 ] || { echo "$side: $bad non-2xx answers"; exit 1; }
		printf '%-6s %-6s %8s %8s %9s %8s %8s %8s %8s %8s\n' "$r" \
		    "$side" "$rps" "$p50" "$p99" \
		    "$(cpu_us "$var/t0" "$var/t1" "$n" $all)" \
		    "$(cpu_us "$var/t0" "$var/t1" "$n" $nginx_pids)" \
		    "$(cpu_us "$var/t0" "$var/t1" "$n" $api_pids)" \
		    "$(cpu_us "$var/t0" "$var/t1" "$n" $pg_pids)" \
		    "$(cpu_us "$var/t0" "$var/t1" "$n" $peer_pids)"
		eval "${side}_rps=$rps ${side}_p50=$p50 ${side}_p99=$p99"
	done
	ratio=$(echo "$sluice_rps / $peer_rps" | bc -l)
	ok=$(echo "$ratio >= 8 && $sluice_p99 < $peer_p50" | bc -l)
	[ "$ok" = 1 ] || missed=1
	printf 'round %s: Sluice %.1fx the peer'"'"'s req/s; Sluice p99 %s ms, peer p50 %s ms\n' \
	    "$r" "$ratio" "$sluice_p99" "$peer_p50"
	rmin=$(echo "${rmin:-$ratio}" "$ratio" | awk '{ print ($1 < $2 ? $1 : $2) }')
	rmax=$(echo "${rmax:-$ratio}" "$ratio" | awk '{ print ($1 > $2 ? $1 : $2) }')
done
printf 'load average after: %s\n' "$(cut -d' ' -f1-3 /proc/loadavg)"
printf 'targets: Sluice >= 8x peer req/s (%.1f-%.1fx) and Sluice p99 < peer p50, every round: %s\n' \
    "$rmin" "$rmax" "$([ "$missed" = 0 ] && echo met || echo MISSED)"
