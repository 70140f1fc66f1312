#!/usr/bin/env bash
# tests/run.sh BUILD — runs every test against the build in BUILD and ends
# with one line the CI reads: "N passed, N failed".
#   1. unit tests: each BUILD/test/test_* (cmocka), sanitizers on
#   2. fuzz corpora: each BUILD/fuzz/replay_fuzz_* over tests/fuzz/corpus/*
#   3. integration and browser tests: node --test, one tests/integration/
#      file at a time
# Nothing may hang the run: each unit program and corpus replay has
# SLUICE_UNIT_TIMEOUT seconds (60), each integration file
# SLUICE_TEST_FILE_TIMEOUT seconds (180); what runs out counts as failed.
# What an integration file leaves running (processes, a stack its
# process was killed before it could stop) is stopped here and counts as
# failed.
set -u
cd "$(dirname "$0")/.."
build=${1:-build/asan}
unit_limit=${SLUICE_UNIT_TIMEOUT:-60}
file_limit=${SLUICE_TEST_FILE_TIMEOUT:-180}
passed=0 failed=0
failures=()

export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0:halt_on_error=1:detect_stack_use_after_return=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
export CMOCKA_MESSAGE_OUTPUT=stdout

# Runs a command for at most $1 seconds (then SIGTERM, SIGKILL 10 s later);
# its status, or 124/137 when it ran out.
limited() {
	local s=$1
	shift
	timeout -k 10 "$s" "$@"
}

ran_out() { [ "$1" -eq 124 ] || [ "$1" -eq 137 ]; }

# Running and not a zombie (an unreaped child of a PID 1 that never reaps
# still answers kill -0).
alive() {
	kill -0 "$1" 2>/dev/null || return 1
	[ "$(awk '{print $3}' "/proc/$1/stat" 2>/dev/null)" != Z ]
}

# After test file $2 ended: its process group $1 (its node processes, their
# children and the stacks' worker daemons; stack.sh and the stacks'
# servers run in sessions of their own) gets 30 s to end (a node process
# stopping its stacks); what is left is killed.  Then every stack listed
# in $3 as started but not stopped (tests/integration/lib/stack.js writes
# "start PID DIR" and "stopped PID DIR") is stopped here, once a start of
# it still running has ended.  Each of the two counts as a failure of the
# file.
finish() {
	local group=$1 name=$2 list=$3 n pid left what dir
	for n in $(seq 300); do
		left=()
		for pid in $(pgrep -g "$group" 2>/dev/null); do
			alive "$pid" && left+=("$pid")
		done
		[ ${#left[@]} -eq 0 ] && break
		sleep 0.1
	done
	if [ ${#left[@]} -gt 0 ]; then
		echo "$name left ${#left[@]} process(es) running:"
		ps -o pid=,args= -p "$(IFS=,; echo "${left[*]}")" | sed 's/^/  /'
		kill -KILL "${left[@]}" 2>/dev/null
		failed=$((failed + 1))
		failures+=("$name (left processes running)")
	fi
	while read -r what pid dir; do
		[ "$what" = start ] || continue
		grep -qxF "stopped $pid $dir" "$list" && continue
		for n in $(seq 1300); do
			pgrep -f "nginx/stack.sh start $dir " >/dev/null || break
			sleep 0.1
		done
		echo "$name did not stop its stack in $dir: stopping it"
		if bash nginx/stack.sh stop "$dir" >/dev/null 2>&1; then
			[ -n "${SLUICE_KEEP:-}" ] || rm -rf "$dir"
		else
			echo "could not stop the stack in $dir"
		fi
		failed=$((failed + 1))
		failures+=("$name (did not stop its stack)")
	done <"$list"
}

echo "== unit tests"
for t in "$build"/test/test_*; do
	[ -x "$t" ] || continue
	out=$(limited "$unit_limit" "$t" 2>&1); rc=$?
	echo "$out"
	ran_out $rc && echo "$(basename "$t"): stopped after ${unit_limit}s"
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
	limited "$unit_limit" "$r" "${files[@]}"; rc=$?
	if [ $rc -eq 0 ]; then
		passed=$((passed + 1))
	else
		ran_out $rc && echo "$name: stopped after ${unit_limit}s"
		failed=$((failed + 1)); failures+=("$name")
	fi
done

echo "== integration tests"
if compgen -G "tests/integration/*.test.js" >/dev/null; then
	log=$(mktemp)
	stacks=$(mktemp)
	export SLUICE_TEST_STACKS=$stacks
	export SLUICE_BIN="$PWD/$build/bin" SLUICE_TOOLS="$PWD/$build/tools"
	# Interrupted: the running file's processes get SIGTERM through its
	# timeout (stack.js stops its stacks), and its clean-up is done before
	# the run ends.
	running=
	trap 'if [ -n "$running" ]; then kill -TERM "$running" 2>/dev/null;
	    wait "$running"; finish "$running" "$name" "$stacks"; fi;
	    rm -f "$log" "$stacks"; exit 130' INT TERM
	for file in tests/integration/*.test.js; do
		name=${file##*/}
		: >"$stacks"
		: >"$log"	# before tail opens it
		start=$SECONDS
		# node's own limit cancels the file and reports what ran;
		# timeout (its own process group: the file's) is there in
		# case node itself does not end.
		timeout -k 10 $((file_limit + 60)) node --test \
		    --test-reporter=spec --test-timeout=$((file_limit * 1000)) \
		    --test-force-exit "$file" >"$log" 2>&1 </dev/null &
		group=$! running=$!
		tail --pid="$group" -s 0.2 -n +1 -f "$log" | grep -av '^ℹ ' &
		shown=$!
		wait "$group"; rc=$?
		wait "$shown"
		p=$(grep -aE '^ℹ pass [0-9]+' "$log" | grep -oE '[0-9]+' | tail -1)
		f=$(grep -aE '^ℹ fail [0-9]+' "$log" | grep -oE '[0-9]+' | tail -1)
		c=$(grep -aE '^ℹ cancelled [0-9]+' "$log" | grep -oE '[0-9]+' | tail -1)
		f=$(( ${f:-0} + ${c:-0} ))
		if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then f=1; fi
		passed=$((passed + ${p:-0}))
		failed=$((failed + f))
		if ran_out "$rc"; then
			echo "$name: stopped after $((file_limit + 60))s"
		elif grep -aq 'test timed out after' "$log"; then
			echo "$name: ran out of its ${file_limit}s"
		fi
		echo "-- $name: ${p:-0} passed, $f failed ($((SECONDS - start))s)"
		[ "$rc" -eq 0 ] || failures+=("$name")
		finish "$group" "$name" "$stacks"
		running=
	done
	rm -f "$log" "$stacks"
fi

echo
[ ${#failures[@]} -eq 0 ] || echo "failing: ${failures[*]}"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ] && [ "$passed" -gt 0 ]
