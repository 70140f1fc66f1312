#!/usr/bin/env bash
# tests/bench/run.sh BUILD — runs every tests/bench/bench_*.sh in turn with
# the release build in BUILD; each prints its figures and its ratio against
# the ceiling measured in the same run.  Figures go to tests/bench/README.md.
set -u
cd "$(dirname "$0")/../.."
build=${1:-build}
status=0
for b in tests/bench/bench_*.sh; do
	[ -f "$b" ] || continue
	# The previous benchmark's writes (bench_api leaves gigabytes behind)
	# are flushed first, so the kernel's writeback does not run during
	# the next one's measurements: 14.2 requests in flight for bench_sync
	# right after bench_api, 16.6-17.1 on a settled machine.
	sync
	sleep 5
	echo "== $(basename "$b" .sh)"
	bash "$b" "$build" || status=1
done
exit $status
