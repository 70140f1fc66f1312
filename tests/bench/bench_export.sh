#!/usr/bin/env bash
# bench_export.sh BUILD — GET /v1/metrics?format=csv at size, in one private
# stack: 1 million rows of one workspace exported through nginx, rows/s
# against PostgreSQL's own COPY (SELECT the same columns) TO STDOUT of the
# same rows (same run, best of two rounds each), and the api processes'
# largest resident set sampled during the export; and a 10,000-row JSON
# page (p50 over 20 requests).
# Targets (issue 23): CSV >= 0.5x COPY, RSS < 16 MiB, JSON page p50 < 50 ms.
set -euo pipefail
cd "$(dirname "$0")/../.."
build=${1:-build}
pgbin=/usr/lib/postgresql/15/bin

. tests/bench/lib.sh
bench_stack "$build" "api"
psqlq() { "$pgbin/psql" -X -q -A -t -v ON_ERROR_STOP=1 -d "$dburl" "$@"; }
psqlq <<'SQL'
INSERT INTO workspaces (name) VALUES ('export');
INSERT INTO metric_daily (workspace_id, provider, account_id, metric, day, value, dims)
SELECT 1, 'bulk', 'acct' || (g % 50), 'm' || (g / 50 % 20), date '2020-01-01' + (g / 1000),
    g % 9973, CASE WHEN g % 10 = 0 THEN '{"campaign":"Winter, sale"}'::jsonb ELSE '{}' END
FROM generate_series(0, 999999) g;
VACUUM ANALYZE metric_daily;
SQL
key=$(SLUICE_DATABASE_URL=$dburl SLUICE_LOG_FILE= "$build/bin/api" create-key 1 bench viewer)
now() { date +%s.%N; }
rss_watch() {	# the largest api process's RSS (KiB) until killed
	local max=0 r p
	while :; do
		for p in $(pgrep -f "$var/app/bin/api" || true); do
			r=$(awk '/^VmRSS/ { print $2 }' "/proc/$p/status" 2>/dev/null || echo 0)
			[ "${r:-0}" -gt "$max" ] && max=$r
		done
		echo "$max" >"$var/rss"
		sleep 0.05
	done
}
best_api=0 best_copy=0
for round in 1 2; do
	rss_watch & w=$!
	t0=$(now)
	rows=$(curl -fsS -H "Authorization: Bearer $key" \
	    "$url/v1/metrics?format=csv&from=2020-01-01&to=2022-12-31" | wc -l)
	t1=$(now)
	kill "$w"; wait "$w" 2>/dev/null || true
	rss=$(cat "$var/rss")
	api=$(awk -v n="$((rows - 1))" -v a="$t0" -v b="$t1" 'BEGIN { printf "%.0f", n / (b - a) }')
	t0=$(now)
	crows=$(psqlq -c "COPY (SELECT to_char(day, 'YYYY-MM-DD'), provider, account_id, metric, metric, 'number', 'sum', currency, value, 1, dims FROM metric_daily WHERE workspace_id = 1 ORDER BY provider, account_id, metric, day) TO STDOUT WITH (FORMAT csv)" | wc -l)
	t1=$(now)
	copy=$(awk -v n="$crows" -v a="$t0" -v b="$t1" 'BEGIN { printf "%.0f", n / (b - a) }')
	[ "$api" -gt "$best_api" ] && best_api=$api
	[ "$copy" -gt "$best_copy" ] && best_copy=$copy
	echo "round $round: api ${api} rows/s ($((rows - 1)) rows, largest api RSS ${rss} KiB), COPY ${copy} rows/s ($crows rows)"
done
ratio=$(awk -v a="$best_api" -v b="$best_copy" 'BEGIN { printf "%.3f", a / b }')
# JSON: a 10,000-row page, 20 times.
ms=$(for i in $(seq 20); do curl -fsS -o /dev/null -w '%{time_total}\n' \
    -H "Authorization: Bearer $key" "$url/v1/metrics?from=2020-01-01&to=2022-12-31&limit=10000"; done |
    sort -n | awk '{ v[NR] = $1 * 1000 } END { printf "%.1f", v[int((NR + 1) / 2)] }')
echo "csv ÷ COPY: $ratio (best $best_api vs $best_copy rows/s); JSON 10,000-row page p50 ${ms} ms"
awk -v r="$ratio" -v m="$ms" -v s="$rss" 'BEGIN {
	printf "targets: csv>=0.5x COPY %s, RSS<16MiB %s, JSON p50<50ms %s\n",
	    (r >= 0.5 ? "met" : "MISSED"), (s < 16384 ? "met" : "MISSED"),
	    (m < 50 ? "met" : "MISSED") }'
