#!/usr/bin/env bats
# What every program does alike, checked over all of them at once: -h,
# --version, usage errors, the man page against --help, and closed pipes.
# Each program is a row of the table below.

bats_require_minimum_version 1.5.0

load server
load manpage

PROGS=(rest-fetch rest-paginate rest-select rest-merge rest-sync)
MANDIR=$BATS_TEST_DIRNAME/../man

setup_file() { server_start; }
teardown_file() { server_stop; }

# Each test runs in a directory of its own, to see what a run left there.
setup() {
	server_reset
	mkdir "$BATS_TEST_TMPDIR/cwd" && cd "$BATS_TEST_TMPDIR/cwd" || return
}

# row PROG: set the columns of PROG's row.
#   SYNOPSIS  the usage PROG prints on a usage error, and first for -h
#   HELP      text some lines of its --help hold
#   ARGS      arguments it would run with: where options go wrong
#   FLAG      an option of its own that takes no argument
#   FEW       arguments short of an operand
#   MANY      one operand too many (none: it takes any number)
#   SPELLED   1 if its usage spells out the options, as the man page does
row() {
	case $1 in
	rest-fetch)
		SYNOPSIS='usage: rest-fetch [options] URL
       rest-fetch -c FILE [-r NAME] [options] [URL]'
		HELP=('--secret-env VAR')
		ARGS=("$BASE/echo")
		FLAG=--insecure
		FEW=()
		MANY=("$BASE/echo" "$BASE/echo")
		SPELLED=0
		;;
	rest-paginate)
		SYNOPSIS='usage: rest-paginate [options] URL
       rest-paginate -c FILE [-r NAME] [options] [URL]'
		HELP=('--max-offset N' '--key-location WHERE')
		ARGS=("$BASE/v1/resource")
		FLAG=--allow-short
		FEW=(--limit 10)
		MANY=("$BASE/v1/resource" "$BASE/v1/resource")
		SPELLED=0
		;;
	rest-select)
		SYNOPSIS='usage: rest-select [-hmv] [--report file] [--report-fd fd] [--version] PATH
                   [FILE ...]
       rest-select -c CONFIG [-r RESOURCE] [-hmv] [FILE ...]'
		HELP=('  -m, --allow-missing')
		ARGS=(data)
		FLAG=--allow-missing
		FEW=()
		MANY=()
		SPELLED=1
		;;
	rest-merge)
		SYNOPSIS='usage: rest-merge [-hns] [--allow-empty] [--dedup-sort field[:asc|:desc]]
                  [-f format] [--hard-delete field] [-k field] [--memory size]
                  [--full-refresh] [--prune] [--report file] [--report-fd fd]
                  [--run-id id] [--schema file] [--version] [-w disposition] FILE
       rest-merge -c config [-r resource] [options] [FILE]'
		HELP=('-k, --primary-key FIELD')
		ARGS=(-k id t.jsonl)
		FLAG=--prune
		FEW=(-k id)
		MANY=(-k id a.jsonl b.jsonl)
		SPELLED=1
		;;
	rest-sync)
		SYNOPSIS='usage: rest-sync [-hqsv] -c file [-C dir] [--dry-run] [--format format] [-j jobs]
                 [--full-refresh] [--grace seconds] [--json] [-P count] [--progress]
                 [--prune] [-r name]... [--status] [--version]'
		HELP=('  -j, --jobs N' '      --prune')
		ARGS=(-c sync.json)
		FLAG=--prune
		FEW=()
		MANY=(-c sync.json extra)
		SPELLED=1
		;;
	*)
		fail "row: no row for $1"
		;;
	esac
}

# usage_error PROG ARG...: PROG ARG... exits 64, writes nothing on
# stdout, and on stderr what $want says (an error line, or nothing) and
# then its synopsis.
usage_error() {
	run --separate-stderr "$@" </dev/null
	assert_failure 64
	assert_output ''
	assert_equal "$stderr" "${want:+$want$'\n'}$SYNOPSIS"
}

# Nothing was asked of the server, and no file was made.
assert_no_effect() {
	assert_equal "$(server_stats)" '{"requests":0,"connections":0}'
	assert_equal "$(ls -A)" ''
}

# synopsis_lines: the synopsis on stdin (a usage's or a rendered man
# page's) one command a line, lines wrapped under it joined, upper case.
synopsis_lines() {
	sed 's/^usage: //' | awk '
		/^ *rest-/ { if (l != "") print l; sub(/^ */, ""); l = $0; next }
		{ sub(/^ */, " "); l = l $0 }
		END { if (l != "") print l }' | tr '[:lower:]' '[:upper:]'
}

@test "-h and --help print the synopsis and the options on stdout" {
	local prog opt text
	for prog in "${PROGS[@]}"; do
		row "$prog"
		for opt in -h --help; do
			run --separate-stderr "$prog" "$opt"
			assert_success
			assert_equal "$stderr" ''
			assert_equal "$(head -n "$(wc -l <<<"$SYNOPSIS")" \
				<<<"$output")" "$SYNOPSIS"
			for text in "${HELP[@]}"; do
				assert_line --partial "$text"
			done
			assert_equal "${lines[-2]}" \
				'  -h, --help                 show this help'
			assert_equal "${lines[-1]}" \
				'      --version              show the version'
		done
	done
}

@test "--version prints the name and the version" {
	local prog
	for prog in "${PROGS[@]}"; do
		run --separate-stderr "$prog" --version
		assert_success
		assert_output --regexp "^$prog [0-9]+\.[0-9]+\.[0-9]+\$"
		assert_equal "$stderr" ''
	done
}

@test "an unknown option, or an argument to a flag, is 64 with the synopsis" {
	local prog want
	for prog in "${PROGS[@]}"; do
		row "$prog"
		want="$prog: unrecognized option '--no-such-option'"
		usage_error "$prog" --no-such-option "${ARGS[@]}"
		# Run by its path, it still says only its name.
		want="$prog: invalid option -- 'x'"
		usage_error "$(command -v "$prog")" -x "${ARGS[@]}"
		want="$prog: option '$FLAG' doesn't allow an argument"
		usage_error "$prog" "$FLAG=yes" "${ARGS[@]}"
	done
	assert_no_effect
}

@test "too few operands, or too many, is 64 with the synopsis alone" {
	local prog want=
	for prog in "${PROGS[@]}"; do
		row "$prog"
		usage_error "$prog" "${FEW[@]}"
		if [ "${#MANY[@]}" -gt 0 ]; then
			usage_error "$prog" "${MANY[@]}"
		fi
	done
	assert_no_effect
}

@test "the long options of --help and of the man page are the same" {
	local prog
	for prog in "${PROGS[@]}"; do
		assert_man_long_options "$prog" "$MANDIR/$prog.1"
	done
}

@test "the short options of --help and of the man page are the same" {
	local prog
	for prog in "${PROGS[@]}"; do
		assert_man_short_options "$prog" "$MANDIR/$prog.1"
	done
}

@test "the man page SYNOPSIS lists every option of --help" {
	local prog
	for prog in "${PROGS[@]}"; do
		assert_man_synopsis "$prog" "$MANDIR/$prog.1"
	done
}

@test "a usage that spells out the options is the man page's SYNOPSIS" {
	local prog n=0
	for prog in "${PROGS[@]}"; do
		row "$prog"
		[ "$SPELLED" -eq 1 ] || continue
		n=$((n + 1))
		assert_equal "$(synopsis_lines <<<"$SYNOPSIS")" \
			"$(mandoc -T ascii -O width=1000 "$MANDIR/$prog.1" |
			sed 's/.\x08//g' | sed -n '/^SYNOPSIS/,/^DESCRIPTION/p' |
			sed '1d;$d;/^$/d' | synopsis_lines)"
	done
	assert [ "$n" -eq 3 ]
}

@test "the man pages are clean under mandoc -Tlint" {
	local prog
	for prog in "${PROGS[@]}"; do
		assert_man_lint "$MANDIR/$prog.1"
	done
}

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
