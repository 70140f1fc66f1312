#!/usr/bin/env bash
# bench_tail.sh BUILD — the tail under concurrency, in one private stack
# (4 processes a program, nginx's own worker count): api's GET /healthz,
# /readyz and /v1/dashboard/tiles?period=7d (144 series, 2,016 rows) and
# pages' GET /dashboard (the same tiles as a signed-in owner sees them)
# through nginx with wrk at 4, 16 and 64 connections, p50/p90/p99/max
# each.  The tiles are made anew every time (Cache-Control: no-cache: the
# slower case); the dashboard is a repeated view, its tiles kept by the
# pages process (lib/metrics/tiles.c) and the rest of the page made anew.
# Target (issue 19): p99 <= 4 x p50, no request over 250 ms and none
# answered with an error (non-2xx, or a socket error), on a quiet machine;
# the lines say "ok" or "MISSED".  BENCH_TAIL_CONNS and
# BENCH_SECONDS change the connections and the seconds of each run.
set -euo pipefail
cd "$(dirname "$0")/../.."
build=${1:-build}
secs=${BENCH_SECONDS:-5}
conns=${BENCH_TAIL_CONNS:-4 16 64}
pgbin=/usr/lib/postgresql/15/bin

. tests/bench/lib.sh
bench_stack "$build" "api pages"
tiles_data "$dburl"
key=$(SLUICE_DATABASE_URL=$dburl SLUICE_LOG_FILE= "$build/bin/api" create-key 1 bench viewer)
# An owner of workspace 1 signed in: a session row for a random cookie
# (sessions keep the cookie's SHA-256, lib/web/session.c).
cookie=$(head -c 32 /dev/urandom | base64 | tr '+/' '-_' | tr -d '=\n')
"$pgbin/psql" -X -q -v ON_ERROR_STOP=1 -d "$dburl" -v c="$cookie" <<'SQL'
INSERT INTO users (email, password_hash) VALUES ('bench@example.com', '!');
INSERT INTO memberships (workspace_id, user_id, role) VALUES (1, 1, 'owner');
INSERT INTO sessions (id_hash, user_id, workspace_id, csrf_secret, expires_at)
VALUES (sha256(convert_to(:'c', 'UTF8')), 1, 1, decode(md5(random()::text), 'hex'),
        now() + interval '1 day');
SQL

# wrk's latency distribution as "p50 p90 p99 max" in milliseconds.
lat() {
	awk '
	function ms(v) { if (v ~ /us$/) return v / 1000; if (v ~ /ms$/) return v + 0;
	    if (v ~ /s$/) return v * 1000; return v }
	/^ +50%/ { p50 = ms($2) } /^ +90%/ { p90 = ms($2) } /^ +99%/ { p99 = ms($2) }
	/Latency/ && !lat { max = ms($4); lat = 1 }
	/Requests\/sec/ { rps = $2 }
	/Non-2xx/ { bad += $NF } /Socket errors/ { gsub(/,/, ""); bad += $4 + $6 + $8 + $10 }
	END { printf "%.2f %.2f %.2f %.2f %.0f %d\n", p50, p90, p99, max, rps, bad }'
}

missed=0
printf '%-9s %5s %9s %8s %8s %8s %8s %6s  %s\n' route conns req/s p50 p90 p99 max errors target
for route in healthz readyz tiles dashboard; do
	case $route in
	healthz) path=/healthz; hdr=() ;;
	readyz) path=/readyz; hdr=() ;;
	tiles) path='/v1/dashboard/tiles?period=7d'
		hdr=(-H "Authorization: Bearer $key" -H "Cache-Control: no-cache") ;;
	dashboard) path=/dashboard; hdr=(-H "Cookie: sluice=$cookie") ;;
	esac
	curl -fsS "${hdr[@]}" "$url$path" >/dev/null
	for c in $conns; do
		t=$(( c < 2 ? 1 : 2 ))
		read -r p50 p90 p99 max rps bad < <(wrk -t"$t" -c"$c" -d"${secs}s" \
		    --latency "${hdr[@]}" "$url$path" | lat)
		verdict=ok
		if awk -v a="$p99" -v b="$p50" -v m="$max" \
		    -v e="$bad" 'BEGIN { exit !(a > 4 * b || m > 250 || e > 0) }'; then
			verdict=MISSED
			missed=1
		fi
		printf '%-9s %5s %9s %8s %8s %8s %8s %6s  p99<=4xp50,max<250ms,no errors %s\n' \
		    "$route" "$c" "$rps" "$p50" "$p90" "$p99" "$max" "$bad" "$verdict"
	done
done
exit 0
