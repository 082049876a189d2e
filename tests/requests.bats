#!/usr/bin/env bats
# Requests as dlt's REST API source shapes them (path placeholders,
# endpoint.data, the method, response_actions), the defaults it has
# (append, columns as a list), and the configurations refused before any
# request because running them would load other rows than dlt.

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
	unset API_KEY
	cd "$BATS_TEST_TMPDIR" || return 1
}

# conf ENDPOINT [MORE]: c.json, one resource "r" with that endpoint (a
# JSON object's members) and more resource members MORE, and a second
# resource "users" to name as a parent.
conf() {
	cat >c.json <<-EOF
	{"client": {"base_url": "$BASE"},
	 "resources": [{"name": "r", "endpoint": {$1}${2:+, $2}},
	   {"name": "users", "endpoint": {"path": "v1/resource",
	     "data_selector": "data"}}]}
	EOF
}

# requests: how many requests the server saw.
requests() {
	server_stats | jq .requests
}

# refused PROGRAM MESSAGE: PROGRAM -c c.json -r r exits 78 with
# "PROGRAM: c.json: MESSAGE" alone, having made no request.
refused() {
	run --separate-stderr timeout 60 "$1" -c c.json -r r </dev/null
	assert_failure 78
	assert_output ''
	assert_equal "$stderr" "$1: c.json: $2"
	assert_equal "$(requests)" 0
}

# ---------------------------------------------------------- placeholders

@test "a path placeholder is bound from params, percent-encoded, not sent as a parameter" {
	conf '"path": "echo/users/{id}/{name}/{{literal}}",
		"params": {"id": 42, "name": "a b/c?d", "x": "{{y}}"}'
	run --separate-stderr timeout 60 rest-fetch -c c.json -r r
	assert_success
	assert_equal "$stderr" ''
	assert_equal "$(jq -r '.path, .query' <<<"$output")" \
		'/echo/users/42/a%20b%2Fc%3Fd/{literal}
x=%7By%7D'
}

@test "a path value '..' or '.', a parameter's or an incremental one, is %2E%2E or %2E: no dot segment" {
	# As echo/.././../x, curl would ask for /x; the query keeps its '..'.
	conf '"path": "echo/{up}/{here}/{incremental.start_value}/x",
		"params": {"up": "..", "here": ".", "q": ".."},
		"incremental": {"cursor_path": "id", "initial_value": ".."},
		"paginator": {"type": "single_page"}, "data_selector": "$"'
	run --separate-stderr timeout 60 rest-paginate -c c.json -r r
	assert_success
	assert_equal "$stderr" ''
	assert_equal "${#lines[@]}" 2
	assert_equal "${lines[1]}" '{"_restpipe_incremental_end":".."}'
	assert_equal "$(server_requests | jq -r '.path + "?" + .query')" \
		'/echo/%2E%2E/%2E/%2E%2E/x?q=..'
}

@test "rest-paginate pages a path with placeholders; the bound parameter stays out of the query" {
	conf '"path": "v1/{kind}", "data_selector": "data",
		"params": {"kind": "resource", "records": 25},
		"paginator": {"type": "offset", "limit": 10}'
	run --separate-stderr timeout 60 rest-paginate -c c.json -r r
	assert_success
	assert_equal "$stderr" ''
	assert_equal "${#lines[@]}" 3
	assert_equal "$(server_requests | jq -r '.path + "?" + .query' | paste -sd' ' -)" \
		'/v1/resource?offset=0&limit=10&records=25 /v1/resource?offset=10&limit=10&records=25 /v1/resource?offset=20&limit=10&records=25'
}

@test "an unbound path placeholder is 78 before any request, in every program that requests" {
	conf '"path": "echo/users/{id}", "data_selector": "data"' \
		'"primary_key": "id"'
	refused rest-fetch \
		"\$.resources[0].endpoint.path: placeholder '{id}' has no value in endpoint.params"
	refused rest-paginate \
		"\$.resources[0].endpoint.path: placeholder '{id}' has no value in endpoint.params"
	run --separate-stderr timeout 60 rest-sync -c c.json -C out -r r
	assert_failure 78
	assert_equal "$stderr" "rest-sync: c.json: \$.resources[0].endpoint.path: placeholder '{id}' has no value in endpoint.params"
	assert_equal "$(requests)" 0
	assert_file_not_exists out
	# A resource given as a string is its path too.
	echo '{"client": {"base_url": "'"$BASE"'"}, "resources": ["u/{id}"]}' >c.json
	run --separate-stderr rest-fetch -c c.json
	assert_failure 78
	assert_equal "$stderr" "rest-fetch: c.json: \$.resources[0]: placeholder '{id}' has no value in endpoint.params"
}

@test "placeholders restpipe cannot fill are 78 naming their context and JSON path" {
	conf '"path": "echo/{last_run.value}"'
	refused rest-fetch "\$.resources[0].endpoint.path: placeholder '{last_run.value}': unknown context 'last_run' (there are resources and incremental)"
	conf '"path": "echo/{incremental.start_value}"'
	refused rest-paginate "\$.resources[0].endpoint.path: placeholder '{incremental.start_value}': no incremental definition (endpoint.incremental) to fill it"
	conf '"path": "echo/{resources.r.id}/posts"'
	refused rest-fetch "\$.resources[0].endpoint.path: resource 'r' cannot be its own parent"
	conf '"path": "echo/{resources.nope.id}/posts"'
	refused rest-fetch "\$.resources[0].endpoint.path: placeholder '{resources.nope.id}': no resource 'nope'"
	conf '"path": "echo/{resources.users}"'
	refused rest-fetch "\$.resources[0].endpoint.path: placeholder '{resources.users}': expected {resources.NAME.FIELD}"
	conf '"path": "echo/{id:>5}", "params": {"id": 1}'
	refused rest-fetch "\$.resources[0].endpoint.path: only {name} placeholders are supported (no conversion, format spec or index)"
	conf '"path": "echo/a}b"'
	refused rest-fetch "\$.resources[0].endpoint.path: a single '}' (write '}}' for a brace)"
	# Outside the path, in parameters, headers, json and data.
	conf '"path": "echo", "params": {"since": "{incremental.start_value}"}'
	refused rest-fetch "\$.resources[0].endpoint.params.since: placeholder '{incremental.start_value}': no incremental definition (endpoint.incremental) to fill it"
	conf '"path": "echo", "params": {"a": 1, "b": "{a}"}'
	refused rest-fetch "\$.resources[0].endpoint.params.b: placeholder '{a}': only the path binds parameters (write '{{' and '}}' for braces)"
	conf '"path": "echo", "headers": {"X-Since": "{last_run.value}"}'
	refused rest-fetch "\$.resources[0].endpoint.headers.X-Since: placeholder '{last_run.value}': unknown context 'last_run' (there are resources and incremental)"
	conf '"path": "echo", "method": "POST", "json": {"q": {"id": "{resources.nope.id}"}}'
	refused rest-fetch "\$.resources[0].endpoint.json: placeholder '{resources.nope.id}': no resource 'nope'"
	conf '"path": "echo", "method": "POST", "data": {"q": "{id}"}'
	refused rest-fetch "\$.resources[0].endpoint.data.q: placeholder '{id}': only the path binds parameters (write '{{' and '}}' for braces)"
}

@test "invalid incremental parameters are 78; a resolve to no resource says so" {
	conf '"path": "echo/{id}", "params": {"id": {"type": "resolve", "resource": "nope", "field": "id"}}'
	refused rest-fetch "\$.resources[0].endpoint.params.id.resource: no resource 'nope'"
	conf '"path": "echo/{id}", "params": {"id": {"type": "resolve", "resource": "users"}}'
	refused rest-fetch "\$.resources[0].endpoint.params.id: a resolve parameter needs a field"
	conf '"path": "echo/{id}", "params": {"id": {"type": "resolve", "resource": "users", "field": "id"}}'
	refused rest-fetch "resource 'r' is a child of resource 'users' (one request for each of its records): run it with rest-paginate"
	conf '"path": "echo", "params": {"since": {"type": "incremental", "cursor_path": "items[*].t"}}'
	refused rest-paginate "\$.resources[0].endpoint.params.since.cursor_path: expected a plain path: field names joined by dots, such as updated_at or meta.updated"
	conf '"path": "echo", "params": {"since": {"type": "other"}}'
	refused rest-fetch "\$.resources[0].endpoint.params.since.type: expected resolve or incremental"
}

# ---------------------------------------------------------- body, method

@test "endpoint.data: an object is a form, a string is sent as it is" {
	conf '"path": "echo", "method": "POST",
		"data": {"a": "x y&z", "n": 1, "l": [1, "two"], "gone": null, "b": "{{c}}"}'
	run --separate-stderr timeout 60 rest-fetch -c c.json -r r
	assert_success
	assert_equal "$(jq -r '.method, .body, .headers."Content-Type"' <<<"$output")" \
		'POST
a=x+y%26z&n=1&l=1&l=two&b=%7Bc%7D
application/x-www-form-urlencoded'
	conf '"path": "echo", "method": "POST", "data": "raw {{text}}"'
	run --separate-stderr timeout 60 rest-fetch -c c.json -r r
	assert_success
	assert_equal "$(jq -r '.method, .body, .headers."Content-Type" // "none"' <<<"$output")" \
		'POST
raw {text}
none'
}

@test "without a method a configuration's body goes with GET, as in dlt" {
	conf '"path": "echo", "data": {"a": 1}'
	run --separate-stderr timeout 60 rest-fetch -c c.json -r r
	assert_success
	assert_equal "$(jq -r '.method, .body' <<<"$output")" 'GET
a=1'
	# -X on the command line wins.
	run --separate-stderr timeout 60 rest-fetch -c c.json -r r -X PUT
	assert_success
	assert_equal "$(jq -r .method <<<"$output")" PUT
}

@test "bad bodies and methods are 78 before any request" {
	conf '"path": "echo", "method": "POST", "json": {"a": 1}, "data": {"b": 2}'
	refused rest-fetch "\$.resources[0].endpoint.path: endpoint.json and endpoint.data together: dlt would send the data and drop the json; give one"
	conf '"path": "echo", "data": 5'
	refused rest-fetch "\$.resources[0].endpoint.data: expected an object (form fields) or a string"
	conf '"path": "echo", "data": {"a": {"b": 1}}'
	refused rest-fetch "\$.resources[0].endpoint.data.a: expected a string, number, boolean or a list of them"
	conf '"path": "echo", "method": "PUT"'
	refused rest-fetch "\$.resources[0].endpoint.method: expected GET or POST"
	conf '"path": "echo", "method": "post"'
	refused rest-paginate "\$.resources[0].endpoint.method: expected GET or POST"
}

# ---------------------------------------------------------- response_actions

@test "response_actions ignore a status: exit 0, nothing written, said on stderr" {
	conf '"path": "status/404", "response_actions": [{"status_code": 404, "action": "ignore"}]'
	run --separate-stderr timeout 60 rest-fetch -c c.json -r r
	assert_success
	assert_output ''
	assert_equal "$stderr" "rest-fetch: GET $BASE/status/404: HTTP 404 ignored (it matches status 404): taken as an empty response, nothing written"
	# Another status is not ignored.
	conf '"path": "status/410", "response_actions": [{"status_code": 404, "action": "ignore"}]'
	run --separate-stderr timeout 60 rest-fetch -c c.json -r r
	assert_failure 69
	# The same from the command line.
	run --separate-stderr timeout 60 rest-fetch --ignore-status 410 "$BASE/status/410"
	assert_success
	assert_output ''
	assert_equal "$stderr" "rest-fetch: GET $BASE/status/410: HTTP 410 ignored (it matches status 410): taken as an empty response, nothing written"
}

@test "response_actions ignore content, a substring of the body; with a status both must match" {
	conf '"path": "raw", "params": {"body": "{{\"error\": \"no such thing\"}}"},
		"response_actions": [{"content": "no such", "action": "ignore"}]'
	run --separate-stderr timeout 60 rest-fetch -c c.json -r r
	assert_success
	assert_output ''
	assert_regex "$stderr" "HTTP 200 ignored \\(it matches content 'no such'\\)"
	conf '"path": "raw", "params": {"body": "no such thing"},
		"response_actions": [{"status_code": 404, "content": "no such", "action": "ignore"}]'
	run --separate-stderr timeout 60 rest-fetch -c c.json -r r
	assert_success
	assert_output 'no such thing'
	assert_equal "$stderr" ''
	run --separate-stderr timeout 60 rest-fetch --ignore-content 'such' "$BASE/raw?body=no%20such"
	assert_success
	assert_output ''
	assert_regex "$stderr" "ignored \\(it matches content 'such'\\)"
}

@test "an ignored status is not retried" {
	server_faults '[{"path": "/echo", "action": "status", "status": 503, "times": -1}]'
	run --separate-stderr timeout 60 rest-fetch --ignore-status 503 --backoff-factor 0 "$BASE/echo"
	assert_success
	assert_output ''
	assert_equal "$(requests)" 1
}

@test "rest-paginate: an ignored page stops paging as an empty page; the resume stays at it" {
	server_faults '[{"path": "/v1/resource", "args": {"offset": "20"}, "action": "status", "status": 404, "times": -1}]'
	conf '"path": "v1/resource", "data_selector": "data",
		"params": {"records": 50, "total": "omit"},
		"paginator": {"type": "offset", "limit": 10, "total_path": null},
		"response_actions": [{"status_code": 404, "action": "ignore"}]'
	run --separate-stderr timeout 60 rest-paginate -c c.json -r r --position-fd 3 3>pos
	assert_success
	assert_equal "${#lines[@]}" 2
	assert_equal "$stderr" "rest-paginate: page at offset 20: GET $BASE/v1/resource?offset=20&limit=10&records=50&total=omit: HTTP 404 ignored (it matches status 404): paging stops there, as after an empty page"
	assert_equal "$(tail -n 1 pos)" '--offset 20'
	assert_equal "$(requests)" 3
	# With a total that promised more, it is still a short load.
	conf '"path": "v1/resource", "data_selector": "data",
		"params": {"records": 50},
		"paginator": {"type": "offset", "limit": 10}'
	run --separate-stderr timeout 60 rest-paginate -c c.json -r r --ignore-status 404
	assert_failure 65
	assert_equal "${#lines[@]}" 2
	assert_regex "${stderr_lines[1]}" '^rest-paginate: paging ended with 20 of the 50 records the total promised'
}

@test "response_actions that restpipe cannot run are 78 before any request" {
	conf '"path": "echo", "response_actions": [{"status_code": 404, "action": {"fn": "x"}}]'
	refused rest-fetch "\$.resources[0].endpoint.response_actions[0].action: actions that are Python callables are not supported (ignore is)"
	conf '"path": "echo", "response_actions": ["my_hook"]'
	refused rest-fetch "\$.resources[0].endpoint.response_actions[0]: expected an object (a Python callable is not expressible here)"
	conf '"path": "echo", "response_actions": [{"status_code": 404, "action": "retry"}]'
	refused rest-fetch "\$.resources[0].endpoint.response_actions[0].action: only ignore is supported"
	conf '"path": "echo", "response_actions": [{"status_code": "404", "action": "ignore"}]'
	refused rest-fetch "\$.resources[0].endpoint.response_actions[0].status_code: expected a number: dlt compares a string with the status number, which never matches"
	conf '"path": "echo", "response_actions": [{"content": "", "action": "ignore"}]'
	refused rest-paginate "\$.resources[0].endpoint.response_actions[0].content: an empty content matches every response"
	conf '"path": "echo", "response_actions": [{"action": "ignore"}]'
	refused rest-fetch "\$.resources[0].endpoint.response_actions[0]: an action needs a status_code or a content"
	conf '"path": "echo", "response_actions": [{"status": 404, "action": "ignore"}]'
	refused rest-fetch "\$.resources[0].endpoint.response_actions[0]: unknown key 'status' (at this level every key may change the rows)"
	run --separate-stderr rest-fetch --ignore-content '' "$BASE/echo"
	assert_failure 78
	assert_equal "$stderr" 'rest-fetch: --ignore-content: empty text would match every response'
	run --separate-stderr rest-fetch --ignore-status 99 "$BASE/echo"
	assert_failure 78
	assert_equal "$(requests)" 0
}

# ---------------------------------------------------------- refusals

@test "processing_steps, an end value without a start and scd2 are 78 before any request" {
	conf '"path": "v1/resource", "data_selector": "data"' \
		'"processing_steps": [{"filter": "lambda x: x"}]'
	refused rest-paginate "\$.resources[0].processing_steps: processing steps are Python callables that restpipe cannot run: filter or map the records between the stages (rest-select, jq) instead"
	refused rest-select "\$.resources[0].processing_steps: processing steps are Python callables that restpipe cannot run: filter or map the records between the stages (rest-select, jq) instead"
	# An empty list changes nothing.
	conf '"path": "echo"' '"processing_steps": []'
	run timeout 60 rest-fetch -c c.json -r r
	assert_success
	server_reset
	conf '"path": "v1/resource", "data_selector": "data",
		"incremental": {"cursor_path": "created_at", "end_value": "2026-01-01"}'
	refused rest-paginate "\$.resources[0].endpoint.incremental.end_value: an end value without a start: give initial_value too (as dlt asks)"
	# scd2 stops rest-paginate too, not only rest-merge after every page.
	conf '"path": "v1/resource", "data_selector": "data"' \
		'"primary_key": "id", "write_disposition": {"disposition": "merge", "strategy": "scd2"}'
	refused rest-paginate "\$.resources[0].write_disposition.strategy: merge strategy 'scd2' is not supported (delete-insert and upsert are)"
}

@test "two resources of one name are 78, in every program and rest-sync" {
	cat >c.json <<-EOF
	{"client": {"base_url": "$BASE"},
	 "resources": [{"name": "r", "endpoint": "echo"}, "users", "r"]}
	EOF
	refused rest-fetch "\$.resources[2]: a second resource named 'r' (the first is \$.resources[0])"
	refused rest-merge "\$.resources[2]: a second resource named 'r' (the first is \$.resources[0])"
	run --separate-stderr timeout 60 rest-sync -c c.json -C out -r users
	assert_failure 78
	assert_equal "$stderr" "rest-sync: c.json: \$.resources[2]: a second resource named 'r' (the first is \$.resources[0])"
	assert_equal "$(requests)" 0
}

@test "paging that would never stop is 78 naming the configuration's keys" {
	conf '"path": "v1/resource", "data_selector": "data",
		"paginator": {"type": "offset", "limit": 10, "total_path": null, "stop_after_empty_page": false}'
	refused rest-paginate "\$.resources[0].endpoint.paginator: paging would never stop: total_path is null and stop_after_empty_page false; give a total_path, maximum_offset or has_more_path"
	conf '"path": "v1/resource", "data_selector": "data",
		"paginator": {"type": "page_number", "total_path": null, "stop_after_empty_page": false}'
	refused rest-paginate "\$.resources[0].endpoint.paginator: paging would never stop: total_path is null and stop_after_empty_page false; give a total_path, maximum_page or has_more_path"
	# A maximum stops it.
	conf '"path": "v1/resource", "data_selector": "data", "params": {"records": 25},
		"paginator": {"type": "offset", "limit": 10, "total_path": null, "stop_after_empty_page": false, "maximum_offset": 20}'
	run --separate-stderr timeout 60 rest-paginate -c c.json -r r
	assert_success
	assert_equal "${#lines[@]}" 2
}

# ---------------------------------------------------------- defaults

@test "a resource without write_disposition appends, as in dlt; rest-merge alone still merges" {
	echo '{"resources": [{"name": "t", "primary_key": "id"}]}' >c.json
	echo '{"id":1,"v":1}' | rest-merge -s -c c.json
	run --separate-stderr rest-merge -c c.json <<<'{"id":1,"v":2}'
	assert_success
	assert_equal "$stderr" 'rest-merge: t.jsonl: 1 inserted, 0 updated, 0 deleted, 0 unchanged, 2 rows'
	assert_equal "$(jq -c .v t.jsonl | paste -sd, -)" '1,2'
	assert_equal "$(jq -r .write_disposition t.jsonl.schema.json)" append
	# Without -c, rest-merge's own default is merge.
	echo '{"id":1,"v":1}' | rest-merge -s -k id m.jsonl
	echo '{"id":1,"v":2}' | rest-merge -s -k id m.jsonl
	assert_equal "$(jq -c .v m.jsonl | paste -sd, -)" 2
}

@test "rest-sync appends a resource without write_disposition" {
	cat >c.json <<-EOF
	{"client": {"base_url": "$BASE"},
	 "resources": [{"name": "t", "endpoint": {"path": "v1/resource",
	   "params": {"records": 15}, "data_selector": "data",
	   "paginator": {"type": "offset", "limit": 10}}}]}
	EOF
	run timeout 60 rest-sync -s -c c.json -C out
	assert_success
	run timeout 60 rest-sync -s -c c.json -C out
	assert_success
	assert_equal "$(wc -l <out/t.jsonl)" 30
}

@test "columns as a list of columns with a name, as dlt takes them" {
	cat >c.json <<-'EOF'
	{"resource_defaults": {"primary_key": "id", "write_disposition": "merge",
	   "columns": [{"name": "gone", "hard_delete": true}, {"name": "v", "dedup_sort": "desc"}]},
	 "resources": [{"name": "t", "columns": [{"name": "v", "data_type": "bigint"}]}]}
	EOF
	printf '%s\n' '{"id":1,"v":1}' '{"id":1,"v":3}' '{"id":1,"v":2}' '{"id":2,"v":1}' |
		rest-merge -s -c c.json
	assert_equal "$(jq -c '[.id, .v]' t.jsonl | paste -sd' ' -)" '[1,3] [2,1]'
	run --separate-stderr rest-merge -c c.json <<<'{"id":2,"gone":true}'
	assert_success
	assert_equal "$stderr" 'rest-merge: t.jsonl: 0 inserted, 0 updated, 1 deleted, 0 unchanged, 1 rows'
}
