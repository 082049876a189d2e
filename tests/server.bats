#!/usr/bin/env bats
# Smoke tests of the test server itself (server.py via server.bash).

load server

setup_file() { server_start; }
teardown_file() { server_stop; }
setup() { server_reset; }

get() {
	curl -sS --noproxy '*' "$@"
}

@test "default page has 10 records and total 250" {
	run get -f "$BASE/v1/resource"
	assert_success
	run jq -c '[(.data | length), .total, .data[0].id, .data[9].id]' <<<"$output"
	assert_success
	assert_output '[10,250,1,10]'
}

@test "max_limit clamps the page size and the last page is clipped" {
	run get -f "$BASE/v1/resource?limit=100&max_limit=25"
	assert_success
	run jq -c '[(.data | length), .data[-1].id]' <<<"$output"
	assert_output '[25,25]'

	run get -f "$BASE/v1/resource?offset=240&limit=100"
	assert_success
	run jq -c '[(.data | length), .data[-1].id, .total]' <<<"$output"
	assert_output '[10,250,250]'
}

@test "a status fault with times=2 fires twice, then requests pass" {
	server_faults '[{"path": "/v1/resource", "action": "status",
	                 "status": 503, "headers": {"Retry-After": "1"},
	                 "times": 2}]'
	local _
	for _ in 1 2; do
		run get -o /dev/null -w '%{http_code} %header{retry-after}' \
			"$BASE/v1/resource"
		assert_success
		assert_output '503 1'
	done
	run get -o /dev/null -w '%{http_code}' "$BASE/v1/resource"
	assert_success
	assert_output '200'
}

@test "the request log records path, args and headers" {
	run get -f -o /dev/null -H 'X-Trace-Id: abc123' \
		"$BASE/v1/resource?limit=2&offset=4"
	assert_success
	run server_requests
	assert_success
	assert_equal "${#lines[@]}" 1
	run jq -r '[.path, .query, .args.offset, .headers["X-Trace-Id"]] | join(" ")' \
		<<<"$output"
	assert_output '/v1/resource limit=2&offset=4 4 abc123'
}

@test "keep-alive: two URLs in one curl use one connection" {
	run get -f -o /dev/null -o /dev/null \
		"$BASE/v1/resource" "$BASE/v1/resource?offset=10"
	assert_success
	run server_stats
	assert_success
	assert_output '{"requests":2,"connections":1}'
	run server_requests
	run jq -s -c 'map(.conn)' <<<"$output"
	assert_output '[1,1]'
}

@test "drop, truncate and reset faults break the transfer" {
	server_faults '[{"action": "drop"}, {"action": "truncate"},
	                {"action": "reset"}]'
	run get -o /dev/null "$BASE/v1/resource"
	assert_failure 52
	run get -o /dev/null "$BASE/v1/resource"
	assert_failure 18
	run get -o /dev/null "$BASE/v1/resource"
	assert_failure 56
	run get -f "$BASE/v1/resource?limit=1"
	assert_success
}

@test "knobs for servers that page badly, and parameter aliases" {
	local q
	for q in 'offset=20&limit=4' 'start=20&size=4' \
		'page%5Boffset%5D=20&page%5Blimit%5D=4' 'p=5&page_size=4&base_page=0'; do
		run get -f "$BASE/v1/resource?$q"
		assert_success
		assert_equal "$(jq -c '[.data[].id]' <<<"$output")" '[21,22,23,24]'
	done
	# The request log keeps the names that were sent.
	run server_requests
	assert_equal "$(jq -c '.args | keys' <<<"${lines[1]}")" '["size","start"]'

	run get -f "$BASE/v1/resource?offset=20&limit=3&ignore_offset=1"
	assert_equal "$(jq -c '[.data[].id]' <<<"$output")" '[1,2,3]'
	run get -f "$BASE/v1/resource?offset=20&limit=3&short_at=20"
	assert_equal "$(jq -c '[.data[].id]' <<<"$output")" '[21,22]'
	run get -f "$BASE/v1/resource?offset=23&limit=3&short_at=20"
	assert_equal "$(jq -c '[.data[].id]' <<<"$output")" '[24,25,26]'
	run get -f "$BASE/v1/resource?limit=1&total_value=%22099%22"
	assert_output --regexp ',"total":"099"\}$'
	run get -f -o /dev/null -w '%{size_header}' \
		"$BASE/v1/resource?limit=1&big_header=50000"
	assert_success
	(( output > 50000 ))
	run get -f "$BASE/raw?offset=40&body=%7B%22at%22%3A%24offset%7D"
	assert_output '{"at":40}'
}
