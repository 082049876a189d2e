#!/usr/bin/env bats
# Incremental loading as dlt's rest_api does it (issue 13): the start
# value from the state beside the table, [start, end) filtered by
# rest-merge, boundary records dropped, the state committed with the
# table only when the run was whole.  The server's /v1/posts holds 23
# posts, post N updated on 2024-01-N at noon, filtered by since= and
# until=.

bats_require_minimum_version 1.5.0

load server
bats_load_library bats-file

setup_file() {
	server_start
}

teardown_file() {
	server_stop
}

setup() {
	server_reset
	server_faults '[]'
	cd "$BATS_TEST_TMPDIR" || return 1
}

# conf ENDPOINT_MEMBERS [RESOURCE_MEMBERS]: c.json, resource "posts".
conf() {
	cat >c.json <<-EOF
	{"client": {"base_url": "$BASE/v1/"},
	 "resources": [{"name": "posts", "primary_key": "id",
	   "write_disposition": "merge",
	   "endpoint": {"path": "posts", "data_selector": "data",
	     "paginator": {"type": "offset", "limit": 10}${1:+, $1}}${2:+, $2}}]}
	EOF
}

# since: the since= of each request of the last run (cleared by server_reset).
args() {
	server_requests | jq -r ".args.$1 // \"-\"" | sort -u | paste -sd' ' -
}

# load: the plain pipeline, bounded; its statuses in $status_list.
load_posts() {
	run --separate-stderr timeout 60 bash -c 'set -o pipefail
	rest-paginate -c c.json -r posts '"$*"' |
	    rest-select -c c.json -r posts |
	    rest-merge -c c.json -r posts '"$*"''
}

# has_line TEXT [--partial]: stderr holds the line TEXT (or a line with it).
has_line() {
	local how=-qxF
	[[ ${2-} == --partial ]] && how=-qF
	grep $how -- "$1" <<<"$stderr" || { echo "stderr: $stderr"; return 1; }
}

# three_syncs: rest-sync into out twice, then with --full-refresh: the
# first and the last ask since the initial value, the second since the
# last value loaded.
three_syncs() {
	mkdir out
	run --separate-stderr timeout 60 rest-sync -c c.json -C out
	assert_success
	assert_equal "$(args since)" "2024-01-15"
	server_reset
	run --separate-stderr timeout 60 rest-sync -c c.json -C out
	assert_success
	assert_equal "$(args since)" "2024-01-23T12:00:00Z"
	server_reset
	run --separate-stderr timeout 60 rest-sync -c c.json -C out --full-refresh
	assert_success
	assert_equal "$(args since)" "2024-01-15"
}

PARAM='"params": {"since": {"type": "incremental", "cursor_path": "updated_at", "initial_value": "2024-01-15"}}'

@test "an incremental parameter: the second run asks since the largest updated_at loaded" {
	conf "$PARAM"
	load_posts
	assert_success
	assert_equal "$(jq -s 'map(.id) | join(",")' posts.jsonl)" '"15,16,17,18,19,20,21,22,23"'
	assert_equal "$(args since)" "2024-01-15"
	assert_equal "$(jq -c '[.resource, .cursor_path, .last_value]' posts.jsonl.state.json)" \
		'["posts","updated_at","2024-01-23T12:00:00Z"]'
	server_reset
	load_posts
	assert_success
	assert_equal "$(args since)" "2024-01-23T12:00:00Z"
	# Post 23 came again (since is inclusive): dropped as seen before.
	has_line "rest-merge: posts.jsonl: 0 inserted, 0 updated, 0 deleted, 0 unchanged, 9 rows"
}

@test "records changed since the last run come in the next one" {
	conf "$PARAM"
	load_posts
	assert_success
	conf '"params": {"bump_ids": "3,20", "since": {"type": "incremental", "cursor_path": "updated_at", "initial_value": "2024-01-15"}}'
	server_reset
	load_posts
	assert_success
	assert_equal "$(args since)" "2024-01-23T12:00:00Z"
	assert_equal "$(jq -s 'map(select(.title | endswith("(edited)")) | .id) | join(",")' posts.jsonl)" '"20,3"'
	assert_equal "$(jq -r .last_value posts.jsonl.state.json)" "2024-02-01T00:00:00Z"
}

@test "endpoint.incremental with start_param, end_param and end_value: [start, end), no state" {
	conf '"incremental": {"start_param": "since", "end_param": "until", "cursor_path": "updated_at", "initial_value": "2024-01-10", "end_value": "2024-01-13T12:00:00Z"}'
	load_posts
	assert_success
	assert_equal "$(args since) $(args until)" "2024-01-10 2024-01-13T12:00:00Z"
	assert_equal "$(jq -s 'map(.id) | join(",")' posts.jsonl)" '"10,11,12"'
	assert_file_not_exists posts.jsonl.state.json
}

@test "records outside [start, end) are dropped client-side when the API ignores the parameters" {
	conf '"incremental": {"start_param": "ignored_since", "end_param": "ignored_until", "cursor_path": "updated_at", "initial_value": "2024-01-10T12:00:00Z", "end_value": "2024-01-12T12:00:00Z"}'
	load_posts
	assert_success
	assert_equal "$(jq -s 'map(.id) | join(",")' posts.jsonl)" '"10,11"'
}

@test "last_value_func min keeps the smallest value and filters the other way" {
	conf '"incremental": {"cursor_path": "seq", "initial_value": 100, "last_value_func": "min"}'
	load_posts
	assert_success
	assert_equal "$(jq -s 'map(.id) | join(",")' posts.jsonl)" '"1,2,3,4,5,6,7,8,9,10"'
	assert_equal "$(jq -c .last_value posts.jsonl.state.json)" 10
}

@test "lag: the next run starts that much before the last value (seconds on a datetime)" {
	conf '"params": {"since": {"type": "incremental", "cursor_path": "updated_at", "initial_value": "2024-01-15", "lag": 86400}}'
	load_posts
	assert_success
	server_reset
	load_posts
	assert_success
	assert_equal "$(args since)" "2024-01-22T12:00:00Z"
	# Without deduplication (dlt's rule with a lag) the merge sees 22 and 23 again.
	has_line "rest-merge: posts.jsonl: 0 inserted, 0 updated, 0 deleted, 2 unchanged, 9 rows"
}

@test "lag on a number and on a date, never back past the initial value" {
	conf '"params": {"since_seq": {"type": "incremental", "cursor_path": "seq", "initial_value": 150, "lag": 25}}'
	load_posts
	assert_success
	server_reset
	load_posts
	assert_equal "$(args since_seq)" "205"
	conf '"params": {"since_seq": {"type": "incremental", "cursor_path": "seq", "initial_value": 150, "lag": 1000}}'
	server_reset
	load_posts
	assert_success
	assert_equal "$(args since_seq)" "150"
}

@test "on_cursor_value_missing: raise is 65 naming the record, include and exclude" {
	conf '"params": {"no_cursor_ids": "20", "since": {"type": "incremental", "cursor_path": "updated_at", "initial_value": "2024-01-15"}}'
	load_posts
	assert_failure 65
	has_line "rest-merge: <stdin>:6: the cursor 'updated_at' is missing in the record (on_cursor_value_missing: include or exclude accepts that)"
	assert_file_not_exists posts.jsonl.state.json
	conf '"params": {"no_cursor_ids": "20", "since": {"type": "incremental", "cursor_path": "updated_at", "initial_value": "2024-01-15", "on_cursor_value_missing": "include"}}'
	load_posts
	assert_success
	assert_equal "$(jq -s 'map(.id) | join(",")' posts.jsonl)" '"15,16,17,18,19,20,21,22,23"'
	rm posts.jsonl*
	conf '"params": {"null_cursor_ids": "20", "since": {"type": "incremental", "cursor_path": "updated_at", "initial_value": "2024-01-15", "on_cursor_value_missing": "exclude"}}'
	load_posts
	assert_success
	assert_equal "$(jq -s 'map(.id) | join(",")' posts.jsonl)" '"15,16,17,18,19,21,22,23"'
}

@test "boundary records without a primary key are deduplicated by a hash of the record" {
	conf "$PARAM" '"write_disposition": "append", "primary_key": []'
	sed -i 's/"primary_key": "id",//' c.json
	load_posts
	assert_success
	server_reset
	load_posts
	assert_success
	assert_equal "$(wc -l <posts.jsonl)" 9
}

@test "a failed run (75) leaves the state where it was" {
	conf "$PARAM"
	load_posts
	assert_success
	cp posts.jsonl.state.json before
	conf '"params": {"bump_ids": "3", "since": {"type": "incremental", "cursor_path": "updated_at", "initial_value": "2024-01-15"}}'
	server_faults '[{"path": "/v1/posts", "args": {"offset": "0"}, "action": "status", "status": 503, "times": -1}]'
	run --separate-stderr timeout 60 bash -c 'set -o pipefail
	rest-paginate -c c.json -r posts --retries 0 |
	    rest-select -c c.json -r posts | rest-merge -c c.json -r posts'
	assert_failure 75
	has_line "rest-merge: posts.jsonl: the input did not end with rest-paginate's end of a whole run: the incremental state stays at \"2024-01-23T12:00:00Z\""
	cmp before posts.jsonl.state.json
}

@test "an interrupted run (SIGINT to the pipeline's group) leaves the state where it was" {
	local pipe
	pipe=(rest-paginate -c c.json -r posts '|' rest-select -c c.json -r posts
		'|' rest-merge -c c.json -r posts)
	# The first run is whole: posts 15 to 60, the last at 2024-03-01T00:01:00Z.
	conf '"params": {"posts": "60", "since": {"type": "incremental", "cursor_path": "updated_at", "initial_value": "2024-01-15"}}'
	load_posts
	assert_success
	assert_equal "$(jq -r .last_value posts.jsonl.state.json)" "2024-03-01T00:01:00Z"
	cp posts.jsonl.state.json state.before
	# The second finds posts 60 to 90 (4 pages), and Ctrl-C comes while
	# its third page is fetched.
	conf '"params": {"posts": "90", "since": {"type": "incremental", "cursor_path": "updated_at", "initial_value": "2024-01-15"}}'
	server_reset
	server_faults '[{"path": "/v1/posts", "args": {"offset": "20"}, "action": "slow", "delay": 5, "times": -1}]'
	run --separate-stderr timeout 90 python3 "$BATS_TEST_DIRNAME/interrupt.py" \
		--ready 1 --ready 2 --requests 3 -- "${pipe[@]}"
	assert_output '130 130 130'
	assert_equal "$(args since)" "2024-03-01T00:01:00Z"
	has_line 'rest-merge: posts.jsonl: the input did not end with rest-paginate'"'"'s end of a whole run: the incremental state stays at "2024-03-01T00:01:00Z"'
	# rest-merge committed the records it had (pages 1 and 2), not the state.
	has_line "rest-merge: posts.jsonl: 19 inserted, 0 updated, 0 deleted, 0 unchanged, 65 rows (interrupted: committed the records read before the input ended)"
	cmp state.before posts.jsonl.state.json
	# The third run starts from the same value and completes.
	server_reset
	server_faults '[]'
	load_posts
	assert_success
	assert_equal "$(args since)" "2024-03-01T00:01:00Z"
	has_line "rest-merge: posts.jsonl: 11 inserted, 0 updated, 0 deleted, 19 unchanged, 76 rows"
	assert_equal "$(jq -s 'map(.id) | [length, min, max, (unique | length)]' -c posts.jsonl)" '[76,15,90,76]'
	assert_equal "$(jq -r .last_value posts.jsonl.state.json)" "2024-03-01T00:01:30Z"
}

@test "--full-refresh ignores the state once, in the plain tools and rest-sync" {
	conf "$PARAM"
	load_posts
	assert_success
	server_reset
	load_posts --full-refresh
	assert_success
	assert_equal "$(args since)" "2024-01-15"
	run --separate-stderr timeout 60 rest-paginate -c c.json -r posts --full-refresh --dry-run
	server_reset
	three_syncs
}

@test "rest-paginate --table reads the state of another table" {
	conf "$PARAM"
	load_posts
	assert_success
	mkdir elsewhere
	mv posts.jsonl* elsewhere/
	server_reset
	run --separate-stderr timeout 60 rest-paginate -c c.json -r posts --table elsewhere/posts.jsonl
	assert_success
	assert_equal "$(args since)" "2024-01-23T12:00:00Z"
	assert_equal "${lines[-1]}" '{"_restpipe_incremental_end":"2024-01-23T12:00:00Z"}'
}

@test "rest-merge refuses an input rest-paginate started from another value" {
	conf "$PARAM"
	load_posts
	assert_success
	run --separate-stderr timeout 60 bash -c 'set -o pipefail
	rest-paginate -c c.json -r posts --full-refresh |
	    rest-select -c c.json -r posts | rest-merge -c c.json -r posts'
	assert_failure 65
	has_line "rest-paginate started from \"2024-01-15\", the state of the table from \"2024-01-23T12:00:00Z\"" --partial
}

# refused PROGRAM MESSAGE: 78 with "PROGRAM: c.json: MESSAGE", no request.
refused() {
	run --separate-stderr timeout 60 "$1" -c c.json -r posts
	assert_failure 78
	assert_equal "$(norecap)" "$1: c.json: $2"
	assert_equal "$(server_stats | jq .requests)" 0
}

@test "invalid incremental configurations are 78 naming the path, before any request" {
	conf '"params": {"since": {"type": "incremental", "cursor_path": "$.items[*].t"}}'
	refused rest-paginate "\$.resources[0].endpoint.params.since.cursor_path: expected a plain path: field names joined by dots, such as updated_at or meta.updated"
	conf '"params": {"a": {"type": "incremental", "cursor_path": "t"}, "b": {"type": "incremental", "cursor_path": "t"}}'
	refused rest-paginate "\$.resources[0].endpoint.params.b: a second incremental parameter (dlt allows one per endpoint; the first is \$.resources[0].endpoint.params.a)"
	conf '"incremental": {"cursor_path": "t", "end_value": 5}'
	refused rest-merge "\$.resources[0].endpoint.incremental.end_value: an end value without a start: give initial_value too (as dlt asks)"
	conf '"params": {"a": {"type": "incremental", "cursor_path": "t", "initial_value": 1, "end_value": 5}}'
	refused rest-paginate "\$.resources[0].endpoint.params.a: an incremental parameter takes no end_value or end_param (as in dlt): give them in endpoint.incremental"
	conf '"incremental": {"cursor_path": "t", "initial_value": 5, "end_value": 1}'
	refused rest-select "\$.resources[0].endpoint.incremental.end_value: expected a value above initial_value"
	conf '"path": "posts", "params": {"s": "{incremental.start_value}"}'
	refused rest-paginate "\$.resources[0].endpoint.params.s: placeholder '{incremental.start_value}': no incremental definition (endpoint.incremental) to fill it"
}

@test "rest-sync counts the records and pages of the API, not the end line" {
	conf "$PARAM"
	mkdir out
	run --separate-stderr timeout 60 rest-sync -c c.json -C out
	assert_success
	has_line "rest-sync: posts: out/posts.jsonl: 9 records from 1 page (1 request): 9 inserted, 0 updated, 0 deleted, 0 unchanged, 9 rows" --partial
	server_reset
	run --separate-stderr timeout 60 rest-sync -c c.json -C out --json
	assert_success
	assert_equal "$(jq -c '[.pages, .records, .requests, .rows]' <<<"$output")" '[1,1,1,9]'
	# -s: no summary, and no note of the new state either.
	run --separate-stderr timeout 60 rest-sync -s -c c.json -C out
	assert_success
	assert_equal "$(norecap)" ""
}

@test "rest-sync --status shows each incremental resource's cursor path and last value" {
	conf "$PARAM"
	mkdir out
	run --separate-stderr timeout 60 rest-sync -c c.json -C out --status
	assert_success
	assert_output "posts: out/posts.jsonl: 0 rows, never synced, last updated_at none yet"
	run --separate-stderr timeout 60 rest-sync -c c.json -C out --status --json
	assert_success
	assert_equal "$(jq -c .incremental <<<"$output")" '{"cursor_path":"updated_at","last_value":null}'
	run --separate-stderr timeout 60 rest-sync -s -c c.json -C out
	assert_success
	run --separate-stderr timeout 60 rest-sync -c c.json -C out --status
	assert_success
	assert_line --index 0 --regexp '^posts: out/posts.jsonl: 9 rows, last synced [0-9TZ:-]+, last updated_at "2024-01-23T12:00:00Z"$'
	assert_line --index 1 --regexp '^last run: started [0-9TZ:-]+, ended [0-9TZ:-]+, exit 0$'
	run --separate-stderr timeout 60 rest-sync -c c.json -C out --status --json
	assert_success
	assert_equal "$(jq -c '[.rows, .incremental, .pending]' <<<"$output")" '[9,{"cursor_path":"updated_at","last_value":"2024-01-23T12:00:00Z"},null]'
	# A resource without incremental loading has none.
	cat >c.json <<-EOF
	{"client": {"base_url": "$BASE/v1/"},
	 "resources": [{"name": "posts", "endpoint": {"path": "posts", "data_selector": "data"}}]}
	EOF
	run --separate-stderr timeout 60 rest-sync -c c.json -C out --status --json
	assert_success
	assert_equal "$(jq -c .incremental <<<"$output")" null
	# A state file that is not rest-merge's is named.
	conf "$PARAM"
	echo garbage >out/posts.jsonl.state.json
	run --separate-stderr timeout 60 rest-sync -c c.json -C out --status
	assert_success
	assert_line --index 0 --regexp ', last updated_at unreadable: out/posts.jsonl.state.json: not a state file rest-merge wrote$'
}

# conf_ph ENDPOINT_MEMBERS: c.json with endpoint.incremental on updated_at
# from 2024-01-15 (no start_param), and the members given.
conf_ph() {
	conf '"incremental": {"cursor_path": "updated_at", "initial_value": "2024-01-15"}, '"$1"
}

@test "{incremental.start_value} in the path, percent-encoded, over two runs" {
	conf_ph '"path": "posts/since/{incremental.start_value}"'
	sed -i 's|"path": "posts", ||' c.json
	load_posts
	assert_success
	assert_equal "$(server_requests | jq -r .path)" "/v1/posts/since/2024-01-15"
	assert_equal "$(jq -s 'map(.id) | join(",")' posts.jsonl)" '"15,16,17,18,19,20,21,22,23"'
	server_reset
	load_posts
	assert_success
	assert_equal "$(server_requests | jq -r .path)" "/v1/posts/since/2024-01-23T12%3A00%3A00Z"
	has_line "rest-merge: posts.jsonl: 0 inserted, 0 updated, 0 deleted, 0 unchanged, 9 rows"
}

@test "{incremental.last_value} in params and headers, {incremental.end_value} and {incremental.initial_value}" {
	conf '"incremental": {"cursor_path": "updated_at", "initial_value": "2024-01-15", "end_value": "2024-01-18"}, "params": {"since": "{incremental.last_value}", "until": "{incremental.end_value}"}, "headers": {"X-Range": "[{incremental.initial_value}, {incremental.end_value}) {{literal}}"}'
	load_posts
	assert_success
	assert_equal "$(args since) $(args until)" "2024-01-15 2024-01-18"
	assert_equal "$(server_requests | jq -r '.headers["X-Range"]')" "[2024-01-15, 2024-01-18) {literal}"
	assert_equal "$(jq -s 'map(.id) | join(",")' posts.jsonl)" '"15,16,17"'
	# start_value and last_value are one value, the state's on a second run.
	conf_ph '"params": {"since": "{incremental.start_value}", "s2": "{incremental.last_value}"}'
	rm posts.jsonl*
	load_posts
	assert_success
	server_reset
	load_posts
	assert_success
	assert_equal "$(args since) $(args s2)" "2024-01-23T12:00:00Z 2024-01-23T12:00:00Z"
}

@test "{incremental.start_value} in a JSON body: alone it keeps its type, in text it is text" {
	conf '"incremental": {"cursor_path": "seq", "initial_value": 150}, "path": "posts/search", "method": "POST", "json": {"since_seq": "{incremental.start_value}", "note": "from {incremental.start_value} {{on}}"}'
	load_posts
	assert_success
	assert_equal "$(server_requests | jq -c '.body | fromjson')" '{"since_seq":150,"note":"from 150 {on}"}'
	assert_equal "$(jq -s 'map(.id) | join(",")' posts.jsonl)" '"15,16,17,18,19,20,21,22,23"'
	server_reset
	load_posts
	assert_success
	assert_equal "$(server_requests | jq -c '.body | fromjson')" '{"since_seq":230,"note":"from 230 {on}"}'
	# A string value goes into the body as a JSON string, escaped.
	conf '"incremental": {"cursor_path": "updated_at", "initial_value": "2024-01-20 \"q\""}, "path": "posts/search", "method": "POST", "json": {"since": "{incremental.start_value}", "f": {"t": "a {incremental.start_value}"}}'
	rm posts.jsonl*
	server_reset
	load_posts
	assert_success
	assert_equal "$(server_requests | jq -c '.body | fromjson')" '{"since":"2024-01-20 \"q\"","f":{"t":"a 2024-01-20 \"q\""}}'
}

@test "--dry-run shows the placeholders filled in from the state" {
	conf_ph '"params": {"since": "{incremental.start_value}"}'
	load_posts
	assert_success
	server_reset
	run --separate-stderr timeout 60 rest-paginate -c c.json -r posts --dry-run
	assert_success
	assert_output --partial "since=2024-01-23T12%3A00%3A00Z"
	run --separate-stderr timeout 60 rest-paginate -c c.json -r posts --dry-run --full-refresh
	assert_success
	assert_output --partial "since=2024-01-15"
	assert_equal "$(server_stats | jq .requests)" 0
}

@test "invalid {incremental.*} placeholders are 78 naming the path, before any request" {
	conf '"params": {"since": {"type": "incremental", "cursor_path": "updated_at"}, "s": "{incremental.start_value}"}'
	refused rest-paginate "\$.resources[0].endpoint.params.s: placeholder '{incremental.start_value}': dlt fills incremental placeholders from endpoint.incremental only, not from the incremental parameter \$.resources[0].endpoint.params.since"
	conf_ph '"params": {"s": "{incremental.next_value}"}'
	refused rest-paginate "\$.resources[0].endpoint.params.s: placeholder '{incremental.next_value}': expected incremental.start_value, last_value, end_value or initial_value"
	conf_ph '"headers": {"X-End": "{incremental.end_value}"}'
	refused rest-paginate "\$.resources[0].endpoint.headers.X-End: placeholder '{incremental.end_value}': endpoint.incremental has no end_value"
	conf '"incremental": {"cursor_path": "updated_at"}, "json": {"a": "{incremental.initial_value}"}'
	refused rest-paginate "\$.resources[0].endpoint.json: placeholder '{incremental.initial_value}': endpoint.incremental has no initial_value"
	conf_ph '"params": {"s": "x\u0001s"}'
	refused rest-paginate "\$.resources[0].endpoint.params.s: the control character U+0001"
	conf_ph '"params": {"s": "{incremental.start_value}"}'
	run --separate-stderr timeout 60 rest-fetch -c c.json -r posts
	assert_failure 78
	assert_equal "$(norecap)" "rest-fetch: resource 'posts': its {incremental.*} placeholders take the values of a run, from the state of its table: rest-paginate fills them in"
	# No initial value and no state: no value to send (dlt sends "None").
	conf '"incremental": {"cursor_path": "updated_at"}, "params": {"s": "{incremental.start_value}"}'
	run --separate-stderr timeout 60 rest-paginate -c c.json -r posts
	assert_failure 78
	assert_equal "$(norecap)" "rest-paginate: {incremental.start_value}: no value: no initial_value and no state yet"
	assert_equal "$(server_stats | jq .requests)" 0
}

@test "rest-sync fills the placeholders from the state of its table" {
	conf_ph '"params": {"since": "{incremental.start_value}"}'
	three_syncs
}
