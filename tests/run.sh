#!/usr/bin/env bash
# tests/run.sh BUILD — runs every test against the build in BUILD and ends
# with one line the CI reads: "N passed, N failed".
#   1. unit tests: each BUILD/test/test_* (cmocka), sanitizers on
#   2. fuzz corpora: each BUILD/fuzz/replay_fuzz_* over tests/fuzz/corpus/*
#   3. integration and browser tests: node --test tests/integration/
set -u
cd "$(dirname "$0")/.."
build=${1:-build/asan}
passed=0 failed=0
failures=()

export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0:halt_on_error=1:detect_stack_use_after_return=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
export CMOCKA_MESSAGE_OUTPUT=stdout

echo "== unit tests"
for t in "$build"/test/test_*; do
	[ -x "$t" ] || continue
	out=$("$t" 2>&1); rc=$?
	echo "$out"
	p=$(grep -E '^\[  PASSED  \] [0-9]+ test' <<<"$out" | grep -oE '[0-9]+' | head -1)
	f=$(grep -E '^\[  FAILED  \] [0-9]+ test' <<<"$out" | grep -oE '[0-9]+' | head -1)
	passed=$((passed + ${p:-0}))
	if [ $rc -ne 0 ] && [ -z "$f" ]; then f=1; fi
	failed=$((failed + ${f:-0}))
	[ $rc -eq 0 ] || failures+=("$(basename "$t")")
done

echo "== fuzz corpora"
for r in "$build"/fuzz/replay_fuzz_*; do
	[ -x "$r" ] || continue
	name=${r##*/replay_}
	corpus=tests/fuzz/corpus/$name
	files=()
	[ -d "$corpus" ] && mapfile -t files < <(find "$corpus" -type f | sort)
	if [ ${#files[@]} -eq 0 ]; then
		echo "$name: no corpus in $corpus"; failed=$((failed + 1))
		failures+=("$name (no corpus)"); continue
	fi
	if "$r" "${files[@]}"; then
		passed=$((passed + 1))
	else
		failed=$((failed + 1)); failures+=("$name")
	fi
done

echo "== integration tests"
if compgen -G "tests/integration/*.test.js" >/dev/null; then
	log=$(mktemp)
	SLUICE_BIN="$PWD/$build/bin" SLUICE_TOOLS="$PWD/$build/tools" node --test --test-reporter=spec \
	    --test-concurrency=1 tests/integration/ 2>&1 | tee "$log"
	rc=${PIPESTATUS[0]}
	p=$(grep -aE '^ℹ pass [0-9]+' "$log" | grep -oE '[0-9]+' | tail -1)
	f=$(grep -aE '^ℹ fail [0-9]+' "$log" | grep -oE '[0-9]+' | tail -1)
	passed=$((passed + ${p:-0}))
	if [ "$rc" -ne 0 ] && [ "${f:-0}" -eq 0 ]; then f=1; fi
	failed=$((failed + ${f:-0}))
	[ "$rc" -eq 0 ] || failures+=("integration")
	rm -f "$log"
fi

echo
[ ${#failures[@]} -eq 0 ] || echo "failing: ${failures[*]}"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ] && [ "$passed" -gt 0 ]
