# tests/bench/lib.sh — sourced by the benchmarks: a private stack of the
# release build in BUILD, on free loopback ports, stopped on exit.
#   bench_stack BUILD "PROGRAMS"  starts it; sets var, port, url, dburl
#                                 (and exports SLUICE_PG_PORT)
#   free_port                     prints a free loopback port
#   wrk_stats WRK-ARGS...         one wrk run (--latency added): "rps p50_ms
#                                 p99_ms requests non2xx"
#   tiles_data DBURL              workspace 1 with 144 series of 14 days
#                                 (2,016 rows), as the tiles benchmarks read
#   api_rows_sql FROM TO          prints the INSERT of bench_api.sh's rows
#                                 for workspaces FROM..TO: 50 series (5
#                                 providers x 10 metrics) x 200 days each
#   tree PIDS / ticks PIDS        the pids and their descendants / "pid
#                                 ticks" lines of their user+sys CPU
#   cpu_us BEFORE AFTER N PIDS    CPU microseconds per request of PIDS
#                                 between two ticks files, over N requests

free_port() {
	node -e 'const s=require("net").createServer();s.listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})'
}

wrk_stats() {
	wrk --latency "$@" | awk '
	function ms(v) { if (v ~ /us$/) return v / 1000; if (v ~ /ms$/) return v + 0;
	                 if (v ~ /s$/) return v * 1000; return v }
	/Requests\/sec/ { rps = $2 }
	/ requests in / { n = $1 }
	$1 == "50%" { p50 = ms($2) }
	$1 == "99%" { p99 = ms($2) }
	/Non-2xx/ { bad = $NF }
	END { printf "%.0f %.3f %.3f %d %d\n", rps, p50, p99, n, bad + 0 }'
}

bench_stack() {
	local build=$1 programs=$2
	var=$(mktemp -d /tmp/sluice-bench-XXXXXX)
	port=$(free_port)
	export SLUICE_PG_PORT=$(free_port)
	trap 'bash nginx/stack.sh stop "$var" >/dev/null 2>&1 || true; rm -rf "$var"' EXIT
	bash nginx/stack.sh start "$var" "$port" "$PWD/$build/bin" "$programs" >/dev/null
	url=http://127.0.0.1:$port
	curl -fsS "$url/readyz" >/dev/null
	dburl="host=$var/svc port=$SLUICE_PG_PORT dbname=sluice user=sluice"
}

tiles_data() {
	/usr/lib/postgresql/15/bin/psql -X -q -v ON_ERROR_STOP=1 -d "$1" <<'SQL'
INSERT INTO workspaces (name) VALUES ('tiles');
INSERT INTO metric_daily (workspace_id, provider, account_id, metric, day, value)
SELECT 1, p, 'a' || a, 'm' || m, current_date - d, (a * 7 + m * 3 + d) % 100
FROM unnest(ARRAY['ga4','google_ads','meta_ads','linkedin','youtube','github']) p,
     generate_series(1, 4) a, generate_series(1, 6) m, generate_series(1, 14) d;
ANALYZE metric_daily;
SQL
}

api_rows_sql() {
	cat <<EOF
INSERT INTO metric_daily (workspace_id, provider, account_id, metric, day, value)
SELECT w, m.p, '', m.m, current_date - d, (w * 7 + d * 13 + m.k * 3) % 1000
FROM generate_series($1, $2) w,
     (VALUES
	('ga4', 'sessions', 1), ('ga4', 'active_users', 2), ('ga4', 'new_users', 3),
	('ga4', 'page_views', 4), ('ga4', 'engaged_sessions', 5),
	('ga4', 'session_duration', 6), ('ga4', 'key_events', 7),
	('ga4', 'revenue_micros', 8), ('ga4', 'total_users', 9),
	('ga4', 'active_users:7d', 10),
	('google_ads', 'impressions', 1), ('google_ads', 'clicks', 2),
	('google_ads', 'cost_micros', 3), ('google_ads', 'conversions', 4),
	('google_ads', 'conversion_value_micros', 5), ('google_ads', 'm6', 6),
	('google_ads', 'm7', 7), ('google_ads', 'm8', 8), ('google_ads', 'm9', 9),
	('google_ads', 'm10', 10),
	('youtube', 'views', 1), ('youtube', 'watch_minutes', 2),
	('youtube', 'subscribers_gained', 3), ('youtube', 'subscribers_lost', 4),
	('youtube', 'subscribers', 5), ('youtube', 'likes', 6),
	('youtube', 'comments', 7), ('youtube', 'shares', 8), ('youtube', 'm9', 9),
	('youtube', 'm10', 10),
	('facebook', 'reach', 1), ('facebook', 'impressions', 2),
	('facebook', 'engagements', 3), ('facebook', 'page_views', 4),
	('facebook', 'followers', 5), ('facebook', 'reach:7d', 6),
	('facebook', 'reach:28d', 7), ('facebook', 'm8', 8), ('facebook', 'm9', 9),
	('facebook', 'm10', 10),
	('github', 'views', 1), ('github', 'unique_visitors', 2),
	('github', 'clones', 3), ('github', 'stars', 4), ('github', 'm5', 5),
	('github', 'm6', 6), ('github', 'm7', 7), ('github', 'm8', 8),
	('github', 'm9', 9), ('github', 'm10', 10)) AS m(p, m, k),
     generate_series(1, 200) d;
EOF
}

# The pids and all their descendants.
tree() {
	ps -e -o pid=,ppid= | awk -v roots="$*" '
	BEGIN { n = split(roots, r, " "); for (i = 1; i <= n; i++) in_[r[i]] = 1 }
	{ pp[$1] = $2 }
	END {
		do { more = 0
			for (p in pp) if (!(p in in_) && (pp[p] in in_)) {
				in_[p] = 1; more = 1 }
		} while (more)
		for (p in in_) print p
	}'
}
# "pid ticks" lines: user+sys clock ticks of each pid so far.
ticks() {
	local p
	for p in "$@"; do
		[ -r "/proc/$p/stat" ] && printf '%s ' "$p" &&
		    sed 's/^.*) //' "/proc/$p/stat" | awk '{ print $12 + $13 }'
	done 2>/dev/null || true
}
# cpu_us BEFORE AFTER REQUESTS PIDS... → CPU µs per request of those pids
cpu_us() {
	local before=$1 after=$2 n=$3
	shift 3
	awk -v n="$n" -v hz="$(getconf CLK_TCK)" -v list="$*" '
	BEGIN { k = split(list, l, " "); for (i = 1; i <= k; i++) want[l[i]] = 1 }
	FNR == NR { b[$1] = $2; next }
	($1 in want) && ($1 in b) { t += $2 - b[$1] }
	END { printf "%.0f", (n > 0 ? t * 1e6 / hz / n : 0) }' "$before" "$after"
}
