#!/usr/bin/env bats
# What every program does alike, checked over all of them at once.

bats_require_minimum_version 1.5.0

export BATS_LIB_PATH=${BATS_LIB_PATH:-/usr/lib/bats}
bats_load_library bats-support
bats_load_library bats-assert

PROGS=(rest-fetch rest-paginate rest-select rest-merge)

# closed_pipe PROG ARG...: run PROG with its stdout on a pipe whose reader
# is already gone; prints its status (negative: killed by that signal)
# and what it wrote on stderr.
closed_pipe() {
	python3 -c '
import os, subprocess, sys
r, w = os.pipe()
os.close(r)
p = subprocess.run(sys.argv[1:], stdout=w, stderr=subprocess.PIPE)
print(p.returncode, p.stderr.decode(), end="")' "$@"
}

@test "--help and --version into a closed pipe die of SIGPIPE, quietly" {
	local prog
	for prog in "${PROGS[@]}"; do
		run closed_pipe "$prog" --help
		assert_success
		assert_output '-13 '
		run closed_pipe "$prog" --version
		assert_output '-13 '
	done
}

@test "a usage error into a closed pipe is still 64, with the usage" {
	local prog
	for prog in "${PROGS[@]}"; do
		run closed_pipe "$prog" --no-such-option
		assert_success
		assert_line --index 0 --regexp "^64 $prog: unrecognized option"
		assert_line --index 1 --regexp "^usage: $prog "
	done
}

@test "every line on stderr goes out in one write(2)" {
	command -v strace >/dev/null || skip 'needs strace'
	local log=$BATS_TEST_TMPDIR/trace.log
	# A summary, warnings and a failure with a long line, from programs
	# that write several lines: no write may hold part of a line.
	printf '{"id":1,"a":1}\n{"id":2,"a":"x"}\n' |
		env ASAN_OPTIONS=detect_leaks=0 strace -f -qq -s 100000 \
		-e trace=write -e signal=none -o "$log" rest-merge -k id \
		"$BATS_TEST_TMPDIR/t.jsonl" 2>/dev/null
	env ASAN_OPTIONS=detect_leaks=0 strace -f -qq -s 100000 \
		-e trace=write -e signal=none -o "$log.2" rest-fetch --retries 1 \
		--backoff-factor 0.01 "http://127.0.0.1:1/$(printf 'x%.0s' {1..3000})" \
		2>/dev/null || true
	run awk '/write\(2,/ { n++; if ($0 !~ /\\n", [0-9]+\) = [0-9]+$/) bad++ }
		END { print n + 0, bad + 0 }' "$log" "$log.2"
	assert_output --regexp '^[3-9] 0$'
}
