#!/usr/bin/env bash
# bench_tail.sh BUILD — the tail under concurrency, in one private stack
# (4 api processes, nginx's own worker count): GET /healthz, /readyz and
# /v1/dashboard/tiles?period=7d (144 series, 2,016 rows) through nginx with
# wrk at 4, 16 and 64 connections, p50/p90/p99/max each.
# Target (issue 19): p99 <= 4 x p50, and no request over 250 ms, on a quiet
# machine; the lines say "ok" or "MISSED".  BENCH_TAIL_CONNS and
# BENCH_SECONDS change the connections and the seconds of each run.
set -euo pipefail
cd "$(dirname "$0")/../.."
build=${1:-build}
secs=${BENCH_SECONDS:-5}
conns=${BENCH_TAIL_CONNS:-4 16 64}
pgbin=/usr/lib/postgresql/15/bin

. tests/bench/lib.sh
bench_stack "$build" "api"
tiles_data "$dburl"
key=$(SLUICE_DATABASE_URL=$dburl SLUICE_LOG_FILE= "$build/bin/api" create-key 1 bench viewer)

# wrk's latency distribution as "p50 p90 p99 max" in milliseconds.
lat() {
	awk '
	function ms(v) { if (v ~ /us$/) return v / 1000; if (v ~ /ms$/) return v + 0;
	    if (v ~ /s$/) return v * 1000; return v }
	/^ +50%/ { p50 = ms($2) } /^ +90%/ { p90 = ms($2) } /^ +99%/ { p99 = ms($2) }
	/Latency/ && !lat { max = ms($4); lat = 1 }
	/Requests\/sec/ { rps = $2 }
	END { printf "%.2f %.2f %.2f %.2f %.0f\n", p50, p90, p99, max, rps }'
}

missed=0
printf '%-8s %5s %9s %8s %8s %8s %8s  %s\n' route conns req/s p50 p90 p99 max target
for route in healthz readyz tiles; do
	case $route in
	healthz) path=/healthz; hdr=() ;;
	readyz) path=/readyz; hdr=() ;;
	tiles) path='/v1/dashboard/tiles?period=7d'; hdr=(-H "Authorization: Bearer $key") ;;
	esac
	curl -fsS "${hdr[@]}" "$url$path" >/dev/null
	for c in $conns; do
		t=$(( c < 2 ? 1 : 2 ))
		read -r p50 p90 p99 max rps < <(wrk -t"$t" -c"$c" -d"${secs}s" \
		    --latency "${hdr[@]}" "$url$path" | lat)
		verdict=ok
		if awk -v a="$p99" -v b="$p50" -v m="$max" \
		    'BEGIN { exit !(a > 4 * b || m > 250) }'; then
			verdict=MISSED
			missed=1
		fi
		printf '%-8s %5s %9s %8s %8s %8s %8s  p99<=4xp50,max<250ms %s\n' \
		    "$route" "$c" "$rps" "$p50" "$p90" "$p99" "$max" "$verdict"
	done
done
exit 0
