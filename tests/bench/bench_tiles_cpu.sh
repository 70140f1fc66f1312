#!/usr/bin/env bash
# bench_tiles_cpu.sh BUILD [BUILD...] — where a tiles request spends its
# CPU, by process: one private stack per build (release builds, 4 api
# processes), each with BENCH_WORKSPACES (300) of bench_api.sh's
# workspaces (50 series x 200 days, 10,000 rows each: enough rows that
# the planner reads workspace 1 by its index as at 10 M rows; the route
# reads one workspace's index range), then
# BENCH_ROUNDS (3) interleaved rounds of wrk (2 threads, 2 connections,
# BENCH_SECONDS = 4) per period (7d, 28d, 90d) and build: requests/s,
# p50/p99, and the user+sys CPU per request of nginx, the api processes
# and PostgreSQL (all its processes, and of them the api's backends),
# from /proc/PID/stat before and after each run divided by the requests
# wrk counted.  The bodies of all
# builds must be equal byte for byte.  With two builds (old, new) it
# prints each round's new/old CPU ratio: the figure to read on a machine
# shared with other work.  Diagnostic: no target of its own (issue 19's
# tiles targets are bench_api.sh's).
set -euo pipefail
cd "$(dirname "$0")/../.."
[ $# -gt 0 ] || set -- build
secs=${BENCH_SECONDS:-4}
rounds=${BENCH_ROUNDS:-3}
workspaces=${BENCH_WORKSPACES:-300}
pgbin=/usr/lib/postgresql/15/bin

. tests/bench/lib.sh
vars=() urls=() keys=() dburls=()
stop_all() {
	local v
	for v in "${vars[@]}"; do
		bash nginx/stack.sh stop "$v" >/dev/null 2>&1 || true
		rm -rf "$v"
	done
}
for b in "$@"; do
	bench_stack "$b" "api"
	trap - EXIT
	vars+=("$var")
	trap stop_all EXIT
	{ echo "INSERT INTO workspaces (name) SELECT 'bench ' || g" \
	      "FROM generate_series(1, $workspaces) g;"
	  echo "SET synchronous_commit = off;"
	  api_rows_sql 1 "$workspaces"
	  # Every row in the statistics: the same plan in every stack (a
	  # 30,000-row sample chose a bitmap scan in one stack of two, and
	  # that stack's PostgreSQL spent 1 ms more per 90-day request).
	  echo "ALTER TABLE metric_daily ALTER workspace_id SET STATISTICS" \
	      "10000, ALTER day SET STATISTICS 10000;"
	  echo "VACUUM ANALYZE metric_daily;"; } |
	    "$pgbin/psql" -X -q -v ON_ERROR_STOP=1 -d "$dburl"
	# The load's dirty pages written now, not by the checkpointer during
	# another stack's rounds (its CPU counts as PostgreSQL's).
	"$pgbin/psql" -X -q -d "${dburl/user=sluice/user=postgres}" \
	    -c CHECKPOINT
	keys+=("$(SLUICE_DATABASE_URL=$dburl SLUICE_LOG_FILE= "$b/bin/api" \
	    create-key 1 bench viewer 2>/dev/null)")
	urls+=("$url")
	dburls+=("$dburl")
done

# The same bodies from every build.
for period in 7d 28d 90d; do
	for i in "${!urls[@]}"; do
		curl -fsS -H "Authorization: Bearer ${keys[$i]}" \
		    "${urls[$i]}/v1/dashboard/tiles?period=$period" \
		    >"${vars[0]}/body.$i"
		cmp -s "${vars[0]}/body.0" "${vars[0]}/body.$i" ||
		    { echo "bodies differ ($period): build $1 and ${!i+1}"; exit 1; }
	done
	printf 'body %-4s %s bytes, %s tiles\n' "$period" \
	    "$(wc -c <"${vars[0]}/body.0")" \
	    "$(grep -o '"provider"' "${vars[0]}/body.0" | wc -l)"
done

# wrk_run KEY URL → "rps p50_ms p99_ms requests non2xx"
# Each answer made anew from the rows (Cache-Control: no-cache; builds
# before session 13 keep none anyway).
wrk_run() {
	wrk_stats -t2 -c2 -d"${secs}s" -H "Authorization: Bearer $1" \
	    -H "Cache-Control: no-cache" "$2"
}

for i in "${!urls[@]}"; do	# warm-up: connections made, statements prepared
	for period in 7d 28d 90d; do
		secs=1 wrk_run "${keys[$i]}" \
		    "${urls[$i]}/v1/dashboard/tiles?period=$period" >/dev/null
	done
done
printf 'load average before: %s\n' "$(cut -d' ' -f1-3 /proc/loadavg)"
printf '%-5s %-6s %-5s %7s %7s %7s %8s %7s %7s %7s %7s\n' round period \
    build req/s p50_ms p99_ms cpu_us nginx api pg backend
for r in $(seq "$rounds"); do
	for period in 7d 28d 90d; do
		unset first
		# Odd rounds in build order, even rounds the other way round.
		order=$(seq 0 $((${#urls[@]} - 1)))
		[ $((r % 2)) = 1 ] || order=$(echo "$order" | tac)
		for i in $order; do
			v=${vars[$i]}
			nginx_pids=$(tree "$(cat "$v/run/nginx.pid")")
			api_pids=$(tree "$(cat "$v/svc/api.pid")")
			pg_pids=$(tree "$(head -1 "$v/pg/postmaster.pid")")
			# The api processes' backends apart from the rest
			# (checkpointer, autovacuum, ...).
			be_pids=$(for p in $pg_pids; do
				grep -qs '^postgres: sluice sluice' \
				    "/proc/$p/cmdline" && echo "$p"; done || true)
			all="$nginx_pids $api_pids $pg_pids"
			ticks $all >"$v/t0"
			read -r rps p50 p99 n bad < <(wrk_run "${keys[$i]}" \
			    "${urls[$i]}/v1/dashboard/tiles?period=$period")
			ticks $all >"$v/t1"
			[ "$bad" = 0 ] || { echo "$bad non-2xx answers"; exit 1; }
			cpu=$(cpu_us "$v/t0" "$v/t1" "$n" $all)
			printf '%-5s %-6s %-5s %7s %7s %7s %8s %7s %7s %7s %7s' \
			    "$r" "$period" "$i" "$rps" "$p50" "$p99" "$cpu" \
			    "$(cpu_us "$v/t0" "$v/t1" "$n" $nginx_pids)" \
			    "$(cpu_us "$v/t0" "$v/t1" "$n" $api_pids)" \
			    "$(cpu_us "$v/t0" "$v/t1" "$n" $pg_pids)" \
			    "$(cpu_us "$v/t0" "$v/t1" "$n" $be_pids)"
			echo
			echo "$r $period $i $cpu" >>"${vars[0]}/cpu"
		done
	done
done
printf 'load average after: %s\n' "$(cut -d' ' -f1-3 /proc/loadavg)"
for i in "${!urls[@]}"; do	# each stack's 90-day read, as planned there
	printf 'plan (90d), build %s: ' "$i"
	"$pgbin/psql" -X -q -A -t -d "${dburls[$i]}" -c "EXPLAIN (ANALYZE,
	    COSTS OFF, SUMMARY ON) SELECT provider, metric, value, currency
	    FROM metric_daily WHERE workspace_id = 1
	    AND day BETWEEN current_date - 180 AND current_date - 1" |
	    awk '/Scan/ { sub(/ using.*/, ""); sub(/^ *(-> *)?/, ""); s = $0 }
	    /Heap Fetches/ { h = $0 } /Execution/ { e = $0 }
	    END { print s ";" h ";" e }'
done
# Each build's CPU per request over the first's, per round and period.
[ ${#urls[@]} -lt 2 ] || awk '
	{ c[$1 " " $2, $3] = $4; if (!($1 " " $2 in seen)) { seen[$1 " " $2] = 1;
	  key[++n] = $1 " " $2 } if ($3 > nb) nb = $3 }
	END { for (k = 1; k <= n; k++) { printf "cpu ratio, round %s:", key[k]
		for (b = 1; b <= nb; b++) printf " %s/0 %.2f", b,
		    c[key[k], b] / c[key[k], 0]
		print "" } }' "${vars[0]}/cpu"
