#!/usr/bin/env bash
# bench_api.sh BUILD — the metrics API at size, in one private stack:
#   data    10 million metric_daily rows (1,000 workspaces x 5 providers x
#           10 metrics x 200 days), generated in SQL; BENCH_WORKSPACES=10000
#           makes it 100 million (metric_daily is partitioned by workspace,
#           sql/290); the disk it takes is printed
#   tiles   GET /v1/dashboard/tiles for one workspace through nginx (wrk):
#           p50/p99 at 2 connections, requests/s at 16, for 7d, 28d, 90d,
#           each made anew (Cache-Control: no-cache) and kept (a repeated
#           view: lib/metrics/tiles.c); two rounds each, the best kept
#   ingest  1 million new rows through POST /v1/metrics/ingest in 10,000-row
#           batches (100 workspaces, one key each), rows/s, against
#           PostgreSQL COPY of the same rows into the same table, same run
#           (the API goes first; its rows are deleted and vacuumed away
#           before COPY, so COPY meets the same table state or a better one;
#           two rounds, best of each side)
# Targets (issue 9): tiles p50 < 3 ms and p99 < 15 ms (7d and 28d; 90d is
# shown, not judged); ingest >= 0.40x COPY.  Issue 19 raised them to p50 <
# 2 ms and p99 < 10 ms for 7d, 28d and 90d (judged made anew and kept,
# apart), and ingest >= 0.50x COPY: judged on the last lines ("met" or
# "MISSED").
set -euo pipefail
cd "$(dirname "$0")/../.."
build=${1:-build}
secs=${BENCH_SECONDS:-6}
workspaces=${BENCH_WORKSPACES:-1000}
pgbin=/usr/lib/postgresql/15/bin

. tests/bench/lib.sh
bench_stack "$build" "api"
psqlq() { "$pgbin/psql" -X -q -A -t -v ON_ERROR_STOP=1 -d "$dburl" "$@"; }
# CHECKPOINT needs the superuser (the services' role is not one).
checkpoint() { "$pgbin/psql" -X -q -d "${dburl/user=sluice/user=postgres}" -c CHECKPOINT; }
now() { date +%s.%N; }
mkkey() { SLUICE_DATABASE_URL=$dburl SLUICE_LOG_FILE= "$build/bin/api" \
    create-key "$1" bench admin; }

# --- data: 10 M rows, loaded without the indexes, which are built after --
t0=$(now)
{
cat <<EOF
INSERT INTO workspaces (name) SELECT 'bench ' || g FROM generate_series(1, $workspaces) g;
ALTER TABLE metric_daily DROP CONSTRAINT metric_daily_pkey;
DROP INDEX metric_daily_tiles;
SET synchronous_commit = off;
EOF
api_rows_sql 1 "$workspaces"
cat <<'EOF'
SET maintenance_work_mem = '512MB';
ALTER TABLE metric_daily ADD PRIMARY KEY (workspace_id, provider, account_id, metric, day);
CREATE INDEX metric_daily_tiles ON metric_daily (workspace_id, day)
	INCLUDE (provider, metric, value, currency);
VACUUM ANALYZE metric_daily;
EOF
} | psqlq
checkpoint	# the load's dirty pages are written now, not during wrk
rows=$(psqlq -c "SELECT count(*) FROM metric_daily")
printf 'data: %s metric_daily rows in %.0f s\n' "$rows" "$(echo "$(now) - $t0" | bc)"
# A partitioned table has no storage of its own: its partitions' sum
# (pg_partition_tree() gives the table itself when it is not partitioned).
printf 'disk: %s\n' "$(psqlq -c "SELECT pg_size_pretty(sum(pg_total_relation_size(relid))) || ' in all (' || pg_size_pretty(sum(pg_relation_size(relid))) || ' table, ' || pg_size_pretty(sum(pg_indexes_size(relid))) || ' indexes), ' || count(*) || ' table(s)' FROM (SELECT relid FROM pg_partition_tree('metric_daily') WHERE isleaf UNION SELECT 'metric_daily'::regclass WHERE NOT EXISTS (SELECT FROM pg_partitioned_table WHERE partrelid = 'metric_daily'::regclass)) p")"

# --- tiles ---------------------------------------------------------------
key=$(mkkey 500)
wrk_run() {	# CONNECTIONS PATH [HEADER] → "rps p50_ms p99_ms non2xx"
	wrk -t"$(($1 < 2 ? 1 : 2))" -c"$1" -d"${secs}s" --latency \
	    -H "Authorization: Bearer $key" ${3:+-H "$3"} "$url$2" | awk '
	function ms(v) { if (v ~ /us$/) return v / 1000; if (v ~ /ms$/) return v + 0;
	                 if (v ~ /s$/) return v * 1000; return v }
	/Requests\/sec/ { rps = $2 }
	$1 == "50%" { p50 = ms($2) }
	$1 == "99%" { p99 = ms($2) }
	/Non-2xx/ { bad = $NF }
	END { printf "%.0f %.3f %.3f %s\n", rps, p50, p99, bad + 0 }'
}
tiles=$(curl -fsS -H "Authorization: Bearer $key" "$url/v1/dashboard/tiles?period=28d")
ntiles=$(printf '%s' "$tiles" | grep -o '"provider"' | wc -l)
printf 'tiles: %s tiles for workspace 500, %s bytes (28d)\n' "$ntiles" "${#tiles}"
# Each period twice: "made" sends Cache-Control: no-cache, so every
# request reads the rows and builds the answer (the first view after new
# data); "kept" is a repeated view, answered from the process's kept
# answer after one look at the workspace's metrics version (sql/340).
tiles_ok=1 made19_ok=1 kept19_ok=1
printf '%-12s %8s %9s %9s %12s\n' period p50_ms p99_ms 'req/s@2' 'req/s@16'
# Two rounds per period; the round with the most requests/s at 2
# connections gives the figures (as bench_foundation.sh keeps its best).
for period in 7d 28d 90d; do
	path="/v1/dashboard/tiles?period=$period"
	for how in made kept; do
		hdr=
		[ "$how" = made ] && hdr="Cache-Control: no-cache"
		secs=2 wrk_run 2 "$path" "$hdr" >/dev/null	# warm-up, not counted
		best=0 best16=0
		for round in 1 2; do
			read -r rps2 a b bad < <(wrk_run 2 "$path" "$hdr")
			[ "$bad" = 0 ] || { echo "tiles $period: $bad non-2xx"; exit 1; }
			read -r rps16 _ _ bad < <(wrk_run 16 "$path" "$hdr")
			[ "$bad" = 0 ] || { echo "tiles $period: $bad non-2xx"; exit 1; }
			if [ "$rps2" -gt "$best" ]; then best=$rps2 p50=$a p99=$b; fi
			[ "$rps16" -gt "$best16" ] && best16=$rps16
		done
		printf '%-12s %8s %9s %9s %12s\n' "$period $how" "$p50" "$p99" \
		    "$best" "$best16"
		ok=$(echo "$p50 < 2 && $p99 < 10" | bc)
		if [ "$how" = made ]; then
			# Issue 9, judged on 7d (the default) and 28d made
			# anew; 90d is shown.
			[ "$period" = 90d ] ||
			    [ "$(echo "$p50 < 3 && $p99 < 15" | bc)" = 1 ] ||
			    tiles_ok=0
			[ "$ok" = 1 ] || made19_ok=0
		else
			[ "$ok" = 1 ] || kept19_ok=0
		fi
	done
done
echo "plan (28d):"
psqlq -c "EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY ON)
SELECT provider, metric, day - (current_date - 56), value
FROM metric_daily WHERE workspace_id = 500
AND day BETWEEN current_date - 56 AND current_date - 1" | sed 's/^/  /'

# --- ingest: 1 M rows, API against COPY ------------------------------------
# Workspaces 1..100 get provider "bench": 50 metrics x 200 days = 10,000
# rows each, one request per workspace.
mkdir -p "$var/ingest"
awk -v dir="$var/ingest" -v today="$(date -u +%s)" 'BEGIN {
	for (d = 1; d <= 200; d++)
		day[d] = strftime("%Y-%m-%d", today - d * 86400, 1)
	for (w = 1; w <= 100; w++) {
		f = dir "/" w ".json"
		printf "[" > f
		for (m = 1; m <= 50; m++)
			for (d = 1; d <= 200; d++) {
				v = (w * 31 + m * 7 + d) % 100000 / 10
				printf "%s{\"source\":\"bench\",\"metric\":\"m%d\",\"date\":\"%s\",\"value\":%s}", \
				    (m == 1 && d == 1) ? "" : ",", m, day[d], v > f
				printf "%d\tbench\t\tm%d\t%s\t%s\n", w, m, day[d], v > (dir "/rows.tsv")
			}
		printf "]" > f
		close(f)
	}
}'
# One curl process sends the 100 requests in turn on one kept connection
# (as one psql process runs COPY): no process start per batch is timed.
for w in $(seq 100); do
	printf 'url = "%s/v1/metrics/ingest"\n' "$url"
	printf 'header = "Authorization: Bearer %s"\n' "$(mkkey "$w")"
	printf 'header = "Content-Type: application/json"\n'
	printf 'data-binary = "@%s/ingest/%d.json"\n' "$var" "$w"
	printf 'output = "%s/ingest/%d.out"\n' "$var" "$w"
	printf 'write-out = "%%{http_code}\\n"\n'
	[ "$w" = 100 ] || printf 'next\n'
done >"$var/ingest/curl.conf"
# Two rounds, each API then COPY of the same million rows (deleted and
# vacuumed away after each); the best of each side is compared, so a burst
# of load from elsewhere on the machine hits neither side alone.
api_best=0 copy_best=0
for round in 1 2; do
	checkpoint	# each timed phase starts with no dirty pages
	t0=$(now)
	curl -sS -K "$var/ingest/curl.conf" >"$var/ingest/codes"
	api_s=$(echo "$(now) - $t0" | bc)
	bad=$(grep -vc '^200$' "$var/ingest/codes" || true)
	[ "$bad" = 0 ] || { echo "ingest: $bad answers other than 200"; exit 1; }
	ok=$(grep -l '"inserted":10000,' "$var"/ingest/*.out | wc -l)
	[ "$ok" = 100 ] || { echo "ingest: $ok of 100 batches fully inserted"; exit 1; }
	n=$(psqlq -c "SELECT count(*) FROM metric_daily WHERE provider = 'bench'")
	[ "$n" = 1000000 ] || { echo "ingest: $n rows stored, not 1000000"; exit 1; }
	psqlq -c "DELETE FROM metric_daily WHERE provider = 'bench'"
	psqlq -c "VACUUM metric_daily"
	checkpoint
	t0=$(now)
	psqlq -c "\\copy metric_daily (workspace_id, provider, account_id, metric, day, value) FROM '$var/ingest/rows.tsv'"
	copy_s=$(echo "$(now) - $t0" | bc)
	n=$(psqlq -c "SELECT count(*) FROM metric_daily WHERE provider = 'bench'")
	[ "$n" = 1000000 ] || { echo "copy: $n rows stored, not 1000000"; exit 1; }
	psqlq -c "DELETE FROM metric_daily WHERE provider = 'bench'"
	psqlq -c "VACUUM metric_daily"
	api_rps=$(echo "1000000 / $api_s" | bc)
	copy_rps=$(echo "1000000 / $copy_s" | bc)
	printf 'ingest round %d: API %.2f s = %s rows/s; COPY %.2f s = %s rows/s\n' \
	    "$round" "$api_s" "$api_rps" "$copy_s" "$copy_rps"
	[ "$api_rps" -gt "$api_best" ] && api_best=$api_rps
	[ "$copy_rps" -gt "$copy_best" ] && copy_best=$copy_rps
done
ratio=$(echo "$api_best / $copy_best" | bc -l)
printf 'ingest best: API %s rows/s, COPY %s rows/s, ratio %.3f\n' \
    "$api_best" "$copy_best" "$ratio"
printf 'load average while it ran: %s\n' "$(cut -d' ' -f1-3 /proc/loadavg)"
printf 'targets: tiles 7d/28d p50<3ms and p99<15ms %s, ingest>=0.40x COPY %s\n' \
    "$([ "$tiles_ok" = 1 ] && echo met || echo MISSED)" \
    "$([ "$(echo "$ratio >= 0.40" | bc)" = 1 ] && echo met || echo MISSED)"
printf 'targets (issue 19): tiles 7d/28d/90d p50<2ms and p99<10ms: made anew %s, kept %s; ingest>=0.50x COPY %s\n' \
    "$([ "$made19_ok" = 1 ] && echo met || echo MISSED)" \
    "$([ "$kept19_ok" = 1 ] && echo met || echo MISSED)" \
    "$([ "$(echo "$ratio >= 0.50" | bc)" = 1 ] && echo met || echo MISSED)"
