#!/usr/bin/env bash
# bench_foundation.sh BUILD — the FastCGI hop and one database round trip
# against nginx's own fixed 200, measured with wrk in one run, interleaved.
#   ceiling  GET /__nginx   nginx answers by itself
#   healthz  GET /healthz   nginx → api (FastCGI, kept connections)
#   readyz   GET /readyz    the same plus one PostgreSQL query
# Targets (issue 2; healthz raised by issue 19): healthz ≥ 0.30× ceiling,
# readyz ≥ 0.12× ceiling, each api process under 10 MiB RSS.
set -euo pipefail
cd "$(dirname "$0")/../.."
build=${1:-build}
rounds=${BENCH_ROUNDS:-3}
secs=${BENCH_SECONDS:-5}
conns=${BENCH_CONNECTIONS:-16}

. tests/bench/lib.sh
bench_stack "$build" "api"

# wrk_run PATH → "rps p50_ms p99_ms"
wrk_run() {
	wrk -t2 -c"$conns" -d"${secs}s" --latency "$url$1" | awk '
	function ms(v) { if (v ~ /us$/) return v / 1000; if (v ~ /ms$/) return v + 0;
	                 if (v ~ /s$/) return v * 1000; return v }
	/Requests\/sec/ { rps = $2 }
	$1 == "50%" { p50 = ms($2) }
	$1 == "99%" { p99 = ms($2) }
	/Non-2xx/ { bad = $NF }
	END { printf "%.0f %.3f %.3f %s\n", rps, p50, p99, bad + 0 }'
}

declare -A best_rps p50 p99
for name in ceiling healthz readyz; do best_rps[$name]=0; done
for r in $(seq "$rounds"); do
	for name in ceiling healthz readyz; do
		case $name in ceiling) path=/__nginx ;; *) path=/$name ;; esac
		read -r rps a b bad < <(wrk_run "$path")
		[ "$bad" = 0 ] || { echo "$name: $bad non-2xx answers"; exit 1; }
		if [ "$rps" -gt "${best_rps[$name]}" ]; then
			best_rps[$name]=$rps; p50[$name]=$a; p99[$name]=$b
		fi
	done
done

rss_max=0
# The supervisor (its pid file) and its processes.
sup=$(cat "$var/svc/api.pid")
for pid in $sup $(grep -l "^PPid:[[:space:]]*$sup\$" /proc/[0-9]*/status 2>/dev/null | cut -d/ -f3); do
	kb=$(awk '/^VmRSS/ {print $2}' "/proc/$pid/status")
	[ "$kb" -gt "$rss_max" ] && rss_max=$kb
done

printf '%-8s %10s %9s %9s %7s\n' what req/s p50_ms p99_ms ratio
for name in ceiling healthz readyz; do
	printf '%-8s %10s %9s %9s %7.3f\n' "$name" "${best_rps[$name]}" \
	    "${p50[$name]}" "${p99[$name]}" \
	    "$(echo "${best_rps[$name]} / ${best_rps[ceiling]}" | bc -l)"
done
printf 'api RSS (largest process): %d KiB\n' "$rss_max"
h=$(echo "${best_rps[healthz]} / ${best_rps[ceiling]} >= 0.30" | bc -l)
d=$(echo "${best_rps[readyz]} / ${best_rps[ceiling]} >= 0.12" | bc -l)
m=$([ "$rss_max" -lt 10240 ] && echo 1 || echo 0)
printf 'targets: healthz>=0.30x %s, readyz>=0.12x %s, RSS<10MiB %s\n' \
    "$([ "$h" = 1 ] && echo met || echo MISSED)" \
    "$([ "$d" = 1 ] && echo met || echo MISSED)" \
    "$([ "$m" = 1 ] && echo met || echo MISSED)"
