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
	echo "== $(basename "$b" .sh)"
	bash "$b" "$build" || status=1
done
exit $status
