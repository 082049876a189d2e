#!/bin/sh
# make fuzz: run every harness for FUZZ_SECONDS on a copy of its seed
# corpus (new inputs stay in a temporary directory), then print how many
# inputs each one ran.  A crash stops here with the reproducer's path.
set -eu
seconds=${1:-60}
bindir=$2
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT INT TERM
summary=
for fuzzer in "$bindir"/fuzz_*; do
	name=${fuzzer##*/fuzz_}
	mkdir -p "$work/$name"
	# The configuration reader and rest-merge's files warn on stderr, so
	# both harnesses close it.
	opts=
	leaks=1
	case $name in
	config | merge) opts=-close_fd_mask=2 ;;
	esac
	log="$work/$name.log"
	if ! ASAN_OPTIONS=detect_leaks=$leaks "$fuzzer" -max_total_time="$seconds" -max_len=65536 \
	    -artifact_prefix="$work/$name-" $opts \
	    "$work/$name" "$here/corpus/$name" >"$log" 2>&1; then
		tail -n 40 "$log" >&2
		mkdir -p fuzz-crashes
		cp "$work/$name"-* fuzz-crashes/ 2>/dev/null || true
		echo "fuzz: $name failed; reproducers in fuzz-crashes/" >&2
		exit 1
	fi
	runs=$(sed -n 's/^Done \([0-9]*\) runs.*/\1/p' "$log")
	summary="$summary$(printf '  %-12s %12s executions in %s s' "$name" "${runs:-?}" "$seconds")
"
done
printf 'fuzz: every harness ran clean\n%s' "$summary"
