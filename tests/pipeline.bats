#!/usr/bin/env bats
# The programs together: a pipeline interrupted as a terminal interrupts
# it (SIGINT to every process, each at its default disposition), then
# resumed as the printed hint says; and descriptors a caller left closed.

bats_require_minimum_version 1.5.0

load server
bats_load_library bats-file

setup_file() { server_start --records 1000; }
teardown_file() { server_stop; }

setup() {
	server_reset
	cd "$BATS_TEST_TMPDIR" || return
	R=$BASE/v1/resource
	T=$BATS_TEST_TMPDIR/t.jsonl
}

# interrupt OPTION... -- STAGE '|' STAGE ...: run tests/interrupt.py.
# A stage still starting dies of a signal before it can defer it; tests
# of a pipeline under way wait (--ready) until its stages catch it, and
# the tests at once and at random moments cover the start.
interrupt() {
	timeout 90 python3 "$BATS_TEST_DIRNAME/interrupt.py" "$@"
}

# sync [-w DISPOSITION] [OPTION...]: the pipeline of the README into $T,
# for interrupt (words) or for bash (one string).  Pages of 50 records.
sync_words() {
	local wd=merge
	if [[ $1 == -w ]]; then
		wd=$2
		shift 2
	fi
	words=(rest-paginate --limit 50 "$@" "$R" '|' rest-select data '|'
		rest-merge -s -w "$wd" -k id "$T")
}

# resume STDERR: run the pipeline again as STDERR's hint says (from
# scratch when it gives none, or a later stage says it is not safe), with
# no signal this time.
resume() {
	local hint
	hint=$(sed -n 's/^rest-paginate: resume with \(--offset [0-9]*\)$/\1/p' \
		<<<"$1")
	if grep -q 'rerun from the start' <<<"$1"; then
		hint=
	fi
	# shellcheck disable=SC2086
	rest-paginate -s --limit 50 $hint "$R" | rest-select data |
		rest-merge -s -k id "$T"
}

# complete: $T holds each of the 1000 records exactly once.
complete() {
	local got
	got=$(jq -r .id "$T" | sort -n | uniq -c | awk '
		$1 > 1 { repeated++ }
		{ n++; seen[$2] = 1 }
		END {
			for (i = 1; i <= 1000; i++)
				missing += !(i in seen)
			printf "%d ids, %d repeated, %d missing\n", n,
			    repeated, missing
		}')
	assert_equal "$got" '1000 ids, 0 repeated, 0 missing'
}

# first N: $T holds the records 1 to N, in order.
first() {
	run jq -r .id "$T"
	assert_success
	assert_equal "$(paste -sd' ' - <<<"$output")" "$(seq -s' ' "$1")"
}

# slow OFFSET [DELAY]: the page at OFFSET takes DELAY (2) seconds.
slow() {
	server_faults "[{\"path\": \"/v1/resource\", \"args\": {\"offset\": \"$1\"},
		\"action\": \"slow\", \"delay\": ${2:-2}}]"
}

# ------------------------------------------------------------ the harness

@test "the harness gives every stage a default SIGINT, even from a background job" {
	# A background job of a script starts with SIGINT ignored; the harness
	# must undo that, or it would hide what a terminal's Ctrl-C does.
	(
		trap - INT
		interrupt --after 0.3 -- sh -c 'sleep 5' '|' sleep 5 \
			>"$BATS_TEST_TMPDIR/status" 2>&1 &
		wait
	)
	assert_equal "$(cat "$BATS_TEST_TMPDIR/status")" '130 130'
}

@test "the harness refuses to interrupt a stage that ignores the signal" {
	run interrupt --after 0.3 -- sh -c 'trap "" INT; sleep 2'
	assert_failure 1
	assert_output 'interrupt.py: sh ignores SIGINT'
}

# ------------------------------------------------------------ Ctrl-C

@test "Ctrl-C while a page is fetched: the hint leaves no gap" {
	local i
	slow 500
	sync_words
	run --separate-stderr interrupt --ready 1 --ready 2 --requests 11 -- "${words[@]}"
	assert_output '130 130 130'
	assert_equal "$stderr" 'rest-paginate: resume with --offset 500'
	# The pages before the hint are in the table, committed.
	first 500
	server_reset
	run resume "$stderr"
	assert_success
	complete
	for i in $(server_requests | jq -r .args.offset); do
		((i >= 500)) || fail "offset $i fetched again"
	done
}

@test "Ctrl-C while pages wait in the pipe of a stopped rest-select" {
	# rest-select is stopped, so the pages rest-paginate wrote before the
	# signal are still in the pipe: rest-select must read them all.
	slow 200
	sync_words
	run --separate-stderr interrupt --stop 1 --ready 2 --requests 5 -- "${words[@]}"
	assert_output '130 130 130'
	assert_equal "$stderr" 'rest-paginate: resume with --offset 200'
	first 200
	run resume "$stderr"
	assert_success
	complete
}

@test "Ctrl-C while records wait in the pipe of a stopped rest-merge" {
	slow 300
	sync_words
	run --separate-stderr interrupt --ready 1 --stop 2 --requests 7 -- "${words[@]}"
	assert_output '130 130 130'
	assert_equal "$stderr" 'rest-paginate: resume with --offset 300'
	first 300
	run resume "$stderr"
	assert_success
	complete
}

@test "Ctrl-C after rest-paginate finished: the rest still commits" {
	# 200 records fit in the pipes while rest-merge is stopped.
	sync_words --max-offset 200
	run --separate-stderr interrupt --stop 2 --exited 0 --exited 1 -- "${words[@]}"
	assert_output '0 0 130'
	assert_equal "$stderr" ''
	first 200
}

@test "Ctrl-C at once: no hint, and a run from scratch completes" {
	sync_words
	run --separate-stderr interrupt --after 0 -- "${words[@]}"
	assert_success
	run resume "$stderr"
	assert_success
	complete
}

@test "SIGTERM to the group: the same as Ctrl-C" {
	slow 650
	sync_words
	run --separate-stderr interrupt --signal TERM --ready 1 --ready 2 --requests 14 -- \
		"${words[@]}"
	assert_output '143 143 143'
	assert_equal "$stderr" 'rest-paginate: resume with --offset 650'
	run resume "$stderr"
	assert_success
	complete
}

@test "Ctrl-C at random moments, then the hint: the table is complete" {
	local n delay
	# Every page takes 20 ms, so the run lasts about 0.4 s.
	for n in 1 2 3 4 5 6 7 8; do
		rm -f "$T" "$T".*
		server_reset
		server_faults '[{"path": "/v1/resource", "action": "slow",
			"delay": 0.02, "times": -1}]'
		delay=$(awk -v n="$n" 'BEGIN { srand(n); printf "%.3f", rand() * 0.5 }')
		sync_words
		run --separate-stderr interrupt --after "$delay" -- "${words[@]}"
		assert_success
		server_reset
		run resume "$stderr"
		assert_success
		complete
	done
}

@test "Ctrl-C twice: nothing committed, and the message says to start over" {
	rest-paginate -s --limit 50 --max-offset 100 "$R" | rest-select data |
		rest-merge -s -k id "$T"
	cp "$T" before
	rest-paginate -s --limit 50 "$R" | rest-select data >records
	# A first stage that writes every record, then lives on through the
	# first signal, so rest-merge still waits for the end of its input.
	run --separate-stderr interrupt --ready 1 --after 0.5 --twice -- python3 -c '
import signal, sys, time
signal.signal(signal.SIGINT, lambda *a: None)
sys.stdout.write(open("records").read())
sys.stdout.flush()
time.sleep(1)' '|' rest-merge -s -k id "$T"
	assert_output '0 130'
	assert_regex "$stderr" '^rest-merge: .*left as it was.*from the start'
	assert_equal "${#stderr_lines[@]}" 1
	cmp "$T" before
	run resume ''
	assert_success
	complete
}

@test "Ctrl-C with -w replace: the table stays as it was" {
	rest-paginate -s --limit 50 --max-offset 100 "$R" | rest-select data |
		rest-merge -s -k id "$T"
	cp "$T" before
	slow 500
	sync_words -w replace
	run --separate-stderr interrupt --ready 1 --ready 2 --requests 11 -- "${words[@]}"
	# rest-select may die of the signal or of the pipe rest-merge left.
	assert_output --regexp '^130 (130|141) 130$'
	assert_regex "$stderr" 'rest-merge: .*left as it was'
	cmp "$T" before
}

@test "Ctrl-C when the next stage never read the pages: no offset is given" {
	# sleep reads nothing and dies of the signal: the pages in the pipe
	# are lost, so a resume offset past them would leave a gap.
	slow 100
	run --separate-stderr interrupt --requests 3 -- \
		rest-paginate --limit 50 "$R" '|' sleep 10
	assert_output '130 130'
	assert_equal "$stderr" 'rest-paginate: interrupted: the next stage ended before reading every page, so no resume offset is safe; rerun from the start'
}

@test "Ctrl-C when the stage after rest-select never read: it says so" {
	local lost='rest-select: interrupted: the next stage ended before reading all it was sent, so a resume offset printed before is not safe; rerun from the start'
	slow 100
	run --separate-stderr interrupt --ready 1 --requests 3 -- \
		rest-paginate --limit 50 "$R" '|' rest-select data '|' sleep 10
	assert_output '130 130 130'
	# rest-select read every page, so rest-paginate gives its offset; the
	# records are lost after it, and rest-select says the offset is unsafe.
	assert_equal "$stderr" "rest-paginate: resume with --offset 100
$lost"
}

# ------------------------------------------------------------ rest-select

@test "rest-select reads its pipe to the end after a signal, then dies of it" {
	local fifo=$BATS_TEST_TMPDIR/fifo pid
	mkfifo "$fifo"
	(
		trap - INT TERM
		exec rest-select data <"$fifo" >out 2>err
	) &
	pid=$!
	exec 4>"$fifo"
	echo '{"data":[1,2]}' >&4
	sleep 0.2
	kill -TERM "$pid"
	sleep 0.2
	echo '{"data":[3]}' >&4
	printf '{"data":[4' >&4
	exec 4>&-
	status=0
	wait "$pid" || status=$?
	assert_equal "$status" 143
	assert_equal "$(cat out)" "$(printf '1\n2\n3')"
	assert_equal "$(cat err)" 'rest-select: <stdin>:3:11: interrupted: the last value is incomplete; not selected'
}

@test "rest-select reading a file stops at once on a signal" {
	local fifo=$BATS_TEST_TMPDIR/fifo pid
	mkfifo "$fifo"
	(
		trap - INT TERM
		exec rest-select data "$fifo" >out 2>err
	) &
	pid=$!
	exec 4>"$fifo"
	echo '{"data":[1,2]}' >&4
	sleep 0.2
	kill -TERM "$pid"
	status=0
	wait "$pid" || status=$?
	exec 4>&-
	assert_equal "$status" 143
	assert_equal "$(cat out err)" ''
}

# ------------------------------------------------------------ descriptors

@test "a closed stdout is 74 before any request" {
	local prog
	for prog in rest-paginate rest-fetch; do
		run bash -c '"$0" "$1" >&-' "$prog" "$R"
		assert_failure 74
		assert_output "$prog: standard output is closed"
	done
	run bash -c 'rest-select data </dev/null >&-'
	assert_failure 74
	assert_output 'rest-select: standard output is closed'
	assert_equal "$(server_stats)" '{"requests":0,"connections":0}'
}

@test "a closed stderr or stdin takes nothing meant for a file" {
	rest-paginate -s --max-offset 20 "$R" | rest-select data >records
	bash -c 'rest-merge -k id "$0" <records 2>&-' "$T"
	assert_equal "$(wc -l <"$T")" 20
	run grep -l inserted "$T" "$T".*
	assert_failure 1
	run bash -c 'rest-merge -k id "$0" <&-' "$T"
	assert_success
	assert_output "rest-merge: $T: 0 inserted, 0 updated, 0 deleted, 0 unchanged, 20 rows"
}

@test "a file past ulimit -f is a write error, with the hint, not a kill" {
	run bash -c "ulimit -f 64; rest-paginate --limit 50 '$R' >pages"
	assert_failure 74
	assert_line --index 0 'rest-paginate: write error on stdout: File too large'
	assert_line --index 1 --regexp '^rest-paginate: resume with --offset [0-9]+$'
}

# detected PARAMS: c.json, one resource of the test API with the query
# parameters PARAMS and neither paginator nor data_selector; then its ids
# through rest-paginate -c | rest-select -c, and the pipeline's status.
detected() {
	cat >c.json <<-EOF
	{"client": {"base_url": "$BASE"},
	 "resources": [{"name": "r", "endpoint": {"path": "${2:-v1/resource}",
	   "params": $1}}]}
	EOF
	run --separate-stderr bash -c 'set -o pipefail
		timeout 60 rest-paginate -c c.json | rest-select -c c.json |
		jq -r .id'
}

@test "no paginator, no data_selector: each kind of page the test API serves gives its rows, as dlt detects them" {
	# Braces in a parameter are doubled, as dlt expands them.
	local single="rest-paginate: warning: no paginator detected: the first response (10 records) is taken as the only page; if the API pages, set a paginator (dlt's detector looks for a Link header with rel=\"next\", a next link or cursor in the body, and a count of pages)"
	local guess="rest-paginate: warning: detected paginator page_number with total_path 'total_pages', page_param 'page' and base_page 0 from the first response: a guess, as dlt's; check it, and set the paginator in the configuration"

	detected '{"records": 25}'
	assert_success
	assert_output "$(seq 10)"
	assert_equal "$stderr" "$single"
	detected '{"records": 25, "wrap": "none"}'
	assert_success
	assert_output "$(seq 10)"
	assert_equal "$stderr" "$single"
	detected '{"records": 25, "by_page": 1, "base_page": 0}'
	assert_success
	assert_output "$(seq 25)"
	assert_equal "$stderr" "$guess"
	detected '{"records": 25, "by_page": 1, "base_page": 0, "page_size": 7, "wrap": "a.b.items"}'
	assert_success
	assert_output "$(seq 25)"
	assert_equal "$stderr" "$guess"
	detected '{"body": "{{\"id\": 42, \"tags\": {{\"a\": 1}}}}"}' raw
	assert_success
	assert_output 42
	assert_equal "$stderr" ''
	# PokeAPI-like (a next URL in the body), GitHub-like (a Link
	# header), a cursor: every page, as dlt follows them.
	detected '{"records": 25, "style": "json"}' v2/links
	assert_success
	assert_output "$(seq 25)"
	assert_equal "$stderr" "rest-paginate: warning: detected paginator json_link with next_url_path 'next' from the first response: a guess, as dlt's; check it, and set the paginator in the configuration"
	detected '{"records": 25, "style": "header"}' v2/links
	assert_success
	assert_output "$(seq 25)"
	assert_equal "$stderr" "rest-paginate: warning: detected paginator header_link from the first response: a guess, as dlt's; check it, and set the paginator in the configuration"
	detected '{"records": 25, "style": "cursor"}' v2/links
	assert_success
	assert_output "$(seq 25)"
	assert_equal "$stderr" "rest-paginate: warning: detected paginator cursor with cursor_path 'cursors.next' from the first response: a guess, as dlt's; check it, and set the paginator in the configuration"
	detected '{"records": 25, "by_page": 1}'
	assert_failure 65
	assert_output "$(seq 10)"
	assert_regex "$stderr" 'page 1 repeats the first page byte for byte: the API seems to count pages from 1'
}
