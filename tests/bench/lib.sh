# tests/bench/lib.sh — sourced by the benchmarks: a private stack of the
# release build in BUILD, on free loopback ports, stopped on exit.
#   bench_stack BUILD "PROGRAMS"  starts it; sets var, port, url, dburl
#                                 (and exports SLUICE_PG_PORT)
#   free_port                     prints a free loopback port
#   tiles_data DBURL              workspace 1 with 144 series of 14 days
#                                 (2,016 rows), as the tiles benchmarks read

free_port() {
	node -e 'const s=require("net").createServer();s.listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})'
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
