#!/usr/bin/env bats
# Tests of the report (lib/json/wire.h, restpipe(7) REPORT): what rest-paginate,
# rest-select and rest-merge tell a machine with --report FILE and
# --report-fd N, record for record, checked against the test server's own
# log of the requests; and the bad values of the options.

bats_require_minimum_version 1.5.0

load server
bats_load_library bats-file

setup_file() { server_start --records 250; }
teardown_file() { server_stop; }

setup() {
	server_reset
	cd "$BATS_TEST_TMPDIR" || return
	export API_KEY=sekrit-key-123
	URL="$BASE/v1/resource?require_key=1"
}

# pages: rest-paginate of the sample resource, 50 a page, key in the
# query, with the arguments given.
pages() {
	rest-paginate --auth api_key --key-name api_key --key-location query \
		--limit 50 --data-selector data "$@" "$URL"
}

# kinds FILE: the kinds of the records in FILE, on one line.
kinds() {
	jq -r .kind "$1" | paste -sd' ' -
}

@test "rest-paginate --report: a page record after each page, then end; every count the server's" {
	run --separate-stderr pages --report r.jsonl
	assert_success
	assert_equal "$(stat -c %a r.jsonl)" 600
	assert_equal "$(kinds r.jsonl)" 'page page page page page end'
	assert_equal "$(jq -r 'select(.kind == "page") | .position' r.jsonl | paste -sd, -)" \
		'--offset 50,--offset 100,--offset 150,--offset 200,--offset 250'
	assert_equal "$(jq -c 'select(.kind == "page") | [.wire, .stage, .pages, .records, .requests, .total]' r.jsonl | tail -n 1)" \
		'[1,"rest-paginate",5,250,5,250]'
	assert_equal "$(jq -c 'select(.kind == "end") | [.pages, .records, .requests, .sent, .retries]' r.jsonl)" \
		'[5,250,5,{"2xx":5},null]'
	assert_equal "$(server_stats | jq .requests)" 5
	# Nothing on stdout but the pages.
	assert_equal "$(wc -l <<<"$output")" 5
}

@test "rest-paginate --report-fd: retries as they come, by cause; the end counts every request sent" {
	server_faults '[{"path": "/v1/resource", "args": {"offset": "100"},
		"action": "status", "status": 503, "times": 2},
		{"path": "/v1/resource", "args": {"offset": "150"},
		"action": "status", "status": 429, "times": 1}]'
	run --separate-stderr bash -c 'rest-paginate --auth api_key --key-name api_key \
		--key-location query --limit 50 --backoff-factor 0.01 "$1" \
		--report-fd 3 3>r.jsonl >/dev/null' _ "$URL"
	assert_success
	assert_equal "$(kinds r.jsonl)" 'page page retry retry page retry page page end'
	assert_equal "$(jq -c 'select(.kind == "retry") | [.cause, .attempt, .attempts]' r.jsonl | paste -sd' ' -)" \
		'["503",1,4] ["503",2,4] ["429",1,4]'
	assert_equal "$(jq -r 'select(.kind == "retry") | .url' r.jsonl | sort -u)" \
		"$BASE/v1/resource?require_key=1&offset=100&limit=50&api_key=***
$BASE/v1/resource?require_key=1&offset=150&limit=50&api_key=***"
	assert_equal "$(jq -c 'select(.kind == "end") | [.requests, .sent, .retries]' r.jsonl)" \
		'[8,{"2xx":5,"5xx":2,"4xx":1},{"503":2,"429":1}]'
	assert_equal "$(server_stats | jq .requests)" 8
	# The key is in no record.
	run grep -c sekrit r.jsonl
	assert_output 0
}

@test "rest-paginate: a failure is a fail record with the status, the reason and the URL; no page after it" {
	server_faults '[{"path": "/v1/resource", "args": {"offset": "100"},
		"action": "status", "status": 404, "times": -1}]'
	run --separate-stderr pages --report r.jsonl
	assert_failure 69
	assert_equal "$(kinds r.jsonl)" 'page page fail'
	assert_equal "$(jq -c 'select(.kind == "fail") | [.status, .requests, .url]' r.jsonl)" \
		"[69,3,\"$BASE/v1/resource?require_key=1&offset=100&limit=50&api_key=***\"]"
	assert_regex "$(jq -r 'select(.kind == "fail") | .reason' r.jsonl)" 'HTTP 404'
	# With --report alone people still get the resume hint.
	assert_regex "$stderr" 'resume with --offset 100'
}

@test "rest-paginate --report-fd: the process that reads the report resumes; no hint for people" {
	server_faults '[{"path": "/v1/resource", "args": {"offset": "100"},
		"action": "status", "status": 404, "times": -1}]'
	run --separate-stderr bash -c 'rest-paginate --auth api_key --key-name api_key \
		--key-location query --limit 50 "$1" --report-fd 3 3>r.jsonl >/dev/null' _ "$URL"
	assert_failure 69
	refute_regex "$stderr" 'resume'
	assert_equal "$(jq -r 'select(.kind == "page") | .position' r.jsonl | tail -n 1)" '--offset 100'
}

@test "a configuration error is a fail record too, status 78" {
	unset API_KEY
	run --separate-stderr pages --report r.jsonl
	assert_failure 78
	assert_equal "$(jq -c '[.kind, .status]' r.jsonl)" '["fail",78]'
	assert_regex "$(jq -r .reason r.jsonl)" 'needs a secret'
}

@test "rest-select --report: the records and values of a whole input; an incremental end mark is no record" {
	printf '%s\n' '{"data":[1,2,3]}' '{"data":[]}' '{"data":[4]}' \
		'{"_restpipe_incremental_end":{}}' >in.jsonl
	run --separate-stderr rest-select data --report r.jsonl <in.jsonl
	assert_success
	assert_equal "$(jq -c '[.kind, .stage, .records, .values]' r.jsonl)" '["end","rest-select",4,3]'
	assert_equal "$(wc -l <<<"$output")" 5
	# An error: a fail record, no end.
	printf '{"data":[1]}\n{"data":\n' >bad.jsonl
	run --separate-stderr rest-select data --report r.jsonl <bad.jsonl
	assert_failure 65
	assert_equal "$(jq -c '[.kind, .status]' r.jsonl)" '["fail",65]'
}

@test "rest-merge --report: the counts of the commit; 'already' for a run committed before; the cursor committed" {
	printf '%s\n' '{"id":1,"a":1}' '{"id":2,"a":2}' >one.jsonl
	printf '%s\n' '{"id":2,"a":3}' '{"id":3,"a":3}' '{"id":1,"a":1}' >two.jsonl
	run --separate-stderr rest-merge -k id --report r.jsonl t.jsonl <one.jsonl
	assert_success
	assert_equal "$(jq -c '[.kind, .stage, .inserted, .updated, .unchanged, .deleted, .rows]' r.jsonl)" \
		'["end","rest-merge",2,0,0,0,2]'
	run --separate-stderr rest-merge -k id --run-id x --report r.jsonl t.jsonl <two.jsonl
	assert_success
	assert_equal "$(jq -c '[.inserted, .updated, .unchanged, .rows]' r.jsonl)" '[1,1,1,3]'
	run --separate-stderr rest-merge -k id --run-id x --report r.jsonl t.jsonl <two.jsonl
	assert_success
	assert_equal "$(jq -c '[.kind, .already, .inserted]' r.jsonl)" '["end",true,null]'
	# -s says nothing, the report everything.
	run --separate-stderr rest-merge -s -k id --run-id x --report r.jsonl t.jsonl <two.jsonl
	assert_equal "$stderr" ''
	assert_equal "$(jq -c .already r.jsonl)" true
	# A record without its key: a fail record.
	run --separate-stderr rest-merge -k id --report r.jsonl t.jsonl <<<'{"a":1}'
	assert_failure 65
	assert_equal "$(jq -c '[.kind, .status]' r.jsonl)" '["fail",65]'
}

@test "bad --report-fd and --report values: 78, 64 or 73, naming the option" {
	run --separate-stderr rest-select data --report-fd 2 </dev/null
	assert_failure 78
	assert_equal "$stderr" "rest-select: --report-fd: 2 is out of range (3 to 1023)"
	run --separate-stderr rest-merge -k id --report-fd x t.jsonl </dev/null
	assert_failure 78
	assert_equal "$stderr" "rest-merge: --report-fd: 'x' is not an integer"
	run --separate-stderr rest-paginate --report-fd 7 "$URL" 7>&-
	assert_failure 64
	assert_equal "$stderr" "rest-paginate: --report-fd: 7 is not open"
	run --separate-stderr rest-select data --report "$BATS_TEST_TMPDIR/no/such/dir/r" </dev/null
	assert_failure 73
	assert_equal "$stderr" "rest-select: --report: $BATS_TEST_TMPDIR/no/such/dir/r: cannot create: No such file or directory"
	assert_equal "$(server_stats | jq .requests)" 0
}
