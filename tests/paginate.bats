#!/usr/bin/env bats
# Tests of rest-paginate against the local test server (server.py).  The
# sample API has 250 records unless records= says otherwise; small limits
# and backoff factors keep the suite fast.
# What every program does alike (-h, --version, usage errors, the man
# page against --help) is checked in cli.bats, over all of them.

bats_require_minimum_version 1.5.0

load server

# The key the test server accepts for require_key=1.
KEY=sekrit-key-123

setup_file() { server_start; }
teardown_file() { server_stop; }

setup() {
	server_reset
	unset API_KEY
	R=$BASE/v1/resource
}

# A regression in a stop rule could page forever; timeout(1) runs the
# program itself, and exits 124 if it has to stop it.
rest-paginate() {
	timeout 60 rest-paginate "$@"
}

# The offsets the server was asked for, one line.
offsets() {
	server_requests | jq -r '.args.offset' | paste -sd' ' -
}

# The ids of the records in pages on stdin, one a line.
ids() {
	jq -r '.data[].id'
}


# ------------------------------------------------------------ interface

@test "bad option values exit 78 naming the option" {
	local opt
	for opt in '--limit abc' '--limit 0' '--offset -1' '--max-offset x' \
		'--parallel 0' '--parallel 65' '--retries many'; do
		# shellcheck disable=SC2086
		run --separate-stderr rest-paginate $opt "$R"
		assert_failure 78
		assert_output ''
		assert_regex "$stderr" "^rest-paginate: ${opt%% *}: "
	done
	run --separate-stderr rest-paginate -P 0 "$R"
	assert_failure 78
	assert_regex "$stderr" '^rest-paginate: --parallel: '
	run --separate-stderr rest-paginate --offset-param '' "$R"
	assert_failure 78
	assert_equal "$stderr" 'rest-paginate: the paging parameters need names'
	run --separate-stderr rest-paginate --data-selector 'data[' "$R"
	assert_failure 78
	assert_regex "$stderr" \
		"^rest-paginate: --data-selector: unsupported path 'data\[': "
	assert_equal "$(server_stats)" '{"requests":0,"connections":0}'
}

@test "--auth without a secret exits 78" {
	run --separate-stderr rest-paginate --auth api_key "$R"
	assert_failure 78
	assert_output ''
	assert_regex "$stderr" '^rest-paginate: --auth api_key needs a secret'
}

# ------------------------------------------------------------ output

@test "every page is one line, in offset order" {
	run --separate-stderr rest-paginate --limit 10 "$R"
	assert_success
	assert_equal "${#lines[@]}" 25
	assert_equal "$stderr" ''
	assert_equal "$(ids <<<"$output")" "$(seq 250)"
	assert_equal "$(offsets)" "$(seq -s' ' 0 10 240)"
}

@test "pretty-printed pages come out one line each, else unchanged" {
	local compact
	run rest-paginate --limit 10 "$R?records=25"
	assert_success
	compact=$(jq -c . <<<"$output")
	run --separate-stderr rest-paginate --limit 10 "$R?records=25&pretty=1"
	assert_success
	assert_equal "${#lines[@]}" 3
	assert_line --index 0 --regexp '^\{   "data": \[     \{       "id": 1,'
	assert_equal "$(jq -c . <<<"$output")" "$compact"
	assert_equal "$stderr" ''
}

@test "a sequential run keeps one connection alive" {
	run rest-paginate --limit 10 "$R"
	assert_success
	assert_equal "${#lines[@]}" 25
	run server_stats
	assert_output '{"requests":25,"connections":1}'
}

@test "a failed write exits 74 with a resume line" {
	run --separate-stderr bash -c 'rest-paginate --limit 10 "$1" >/dev/full' \
		_ "$R"
	assert_failure 74
	assert_output ''
	assert_equal "$stderr" "$(printf '%s\n' \
		'rest-paginate: write error on stdout: No space left on device' \
		'rest-paginate: resume with --offset 0')"
}

@test "a reader gone after the first line stops it quietly" {
	local err=$BATS_TEST_TMPDIR/err
	run bash -o pipefail -c 'rest-paginate --limit 100 "$1" 2>"$2" |
		head -n1' _ "$R?records=5000" "$err"
	# 141: killed by SIGPIPE, the default disposition.
	assert_failure 141
	assert_equal "${#lines[@]}" 1
	assert_output --regexp '^\{"data":\[\{"id":1,.*\],"total":5000\}$'
	run cat "$err"
	assert_output ''
}

# ------------------------------------------------------------ stop rules

@test "the total stops paging without asking for an empty page" {
	run --separate-stderr rest-paginate --limit 10 "$R?records=25"
	assert_success
	assert_equal "$(ids <<<"$output")" "$(seq 25)"
	assert_equal "$stderr" ''
	assert_equal "$(offsets)" '0 10 20'

	server_reset
	run --separate-stderr rest-paginate --limit 10 "$R?records=30"
	assert_success
	assert_equal "$(ids <<<"$output")" "$(seq 30)"
	assert_equal "$(offsets)" '0 10 20'
}

@test "a total under a nested --total-path" {
	run --separate-stderr rest-paginate --limit 10 --total-path meta.count \
		"$R?records=25&total_key=meta.count"
	assert_success
	assert_equal "$(ids <<<"$output")" "$(seq 25)"
	assert_equal "$stderr" ''
	assert_equal "$(offsets)" '0 10 20'
}

@test "a total may be a numeric string, not anything else" {
	run --separate-stderr rest-paginate --limit 2 \
		-q 'body={"data":[1,2],"at":$offset,"total":"5"}' "$BASE/raw"
	assert_success
	assert_equal "${#lines[@]}" 3
	assert_equal "$stderr" ''
	assert_equal "$(offsets)" '0 2 4'

	server_reset
	run --separate-stderr rest-paginate --limit 2 \
		-q 'body={"data":[1,2],"total":"5x"}' "$BASE/raw"
	assert_failure 65
	assert_output ''
	assert_equal "$stderr" "$(printf '%s\n' \
		"rest-paginate: page at offset 0: the total at 'total' is not a count" \
		'rest-paginate: resume with --offset 0')"
}

@test "no total under the default path: one warning, then the empty page stops" {
	local total
	for total in omit null; do
		server_reset
		run --separate-stderr rest-paginate --limit 10 \
			"$R?records=25&total=$total"
		assert_success
		assert_equal "${#lines[@]}" 4
		assert_equal "$(ids <<<"$output")" "$(seq 25)"
		assert_line --index 3 --regexp '^\{"data":\[\]'
		# The short page at offset 20 was the last: no warning for it.
		assert_equal "$stderr" "rest-paginate: warning: page at offset 0 has no total at 'total'; stopping at the first empty page"
		assert_equal "$(offsets)" '0 10 20 30'
	done
}

@test "the missing-total warning is printed once in a long run" {
	run --separate-stderr rest-paginate --limit 10 "$R?total=null"
	assert_success
	assert_equal "${#lines[@]}" 26
	assert_equal "${#stderr_lines[@]}" 1
	assert_regex "$stderr" '^rest-paginate: warning: page at offset 0 has no total'
}

@test "an explicit --total-path that is missing exits 65 with a resume line" {
	run --separate-stderr rest-paginate --limit 10 --total-path total \
		"$R?records=25&total=omit"
	assert_failure 65
	assert_output ''
	assert_equal "$stderr" "$(printf '%s\n' \
		"rest-paginate: page at offset 0: no total at 'total'" \
		'rest-paginate: resume with --offset 0')"

	run --separate-stderr rest-paginate --limit 10 --total-path meta.count \
		--offset 10 "$R?records=25"
	assert_failure 65
	assert_output ''
	assert_equal "${stderr_lines[-1]}" 'rest-paginate: resume with --offset 10'
}

@test "--total-path '' turns totals off: the empty page stops, quietly" {
	run --separate-stderr rest-paginate --limit 10 --total-path '' \
		"$R?records=25"
	assert_success
	assert_equal "${#lines[@]}" 4
	assert_equal "$(ids <<<"$output")" "$(seq 25)"
	assert_equal "$stderr" ''
	assert_equal "$(offsets)" '0 10 20 30'
}

@test "--max-offset stops, and the last page asks only for what is inside" {
	run --separate-stderr rest-paginate --limit 10 --max-offset 25 "$R"
	assert_success
	assert_equal "$(ids <<<"$output")" "$(seq 25)"
	assert_equal "$stderr" ''
	run server_requests
	run jq -r '"\(.args.offset) \(.args.limit)"' <<<"$output"
	assert_output "$(printf '%s\n' '0 10' '10 10' '20 5')"
}

@test "a shard with --offset and --max-offset" {
	run --separate-stderr rest-paginate --limit 20 --offset 100 \
		--max-offset 150 "$R"
	assert_success
	assert_equal "$(ids <<<"$output")" "$(seq 101 150)"
	assert_equal "$stderr" ''
	assert_equal "$(offsets)" '100 120 140'
}

@test "--offset at or past --max-offset fetches nothing" {
	run --separate-stderr rest-paginate --offset 30 --max-offset 30 "$R"
	assert_success
	assert_output ''
	assert_equal "$stderr" ''
	assert_equal "$(server_stats)" '{"requests":0,"connections":0}'
}

@test "--no-stop-after-empty-page pages on to --max-offset" {
	run --separate-stderr rest-paginate --limit 10 --total-path '' \
		--no-stop-after-empty-page --max-offset 50 "$R?records=25"
	assert_success
	assert_equal "${#lines[@]}" 5
	assert_equal "$(ids <<<"$output")" "$(seq 25)"
	assert_line --index 3 --regexp '^\{"data":\[\],'
	assert_line --index 4 --regexp '^\{"data":\[\],'
	assert_equal "$stderr" ''
	assert_equal "$(offsets)" '0 10 20 30 40'
}

@test "--no-stop-after-empty-page still stops at the total" {
	run --separate-stderr rest-paginate --limit 10 \
		--no-stop-after-empty-page "$R?records=25"
	assert_success
	assert_equal "$(ids <<<"$output")" "$(seq 25)"
	assert_equal "$stderr" ''
	assert_equal "$(offsets)" '0 10 20'
}

@test "--no-stop-after-empty-page with no rule left to stop" {
	run --separate-stderr rest-paginate --limit 10 --total-path '' \
		--no-stop-after-empty-page "$R"
	assert_failure 64
	assert_output ''
	assert_regex "$stderr" '^rest-paginate: paging would never stop'
	assert_equal "$(server_stats)" '{"requests":0,"connections":0}'

	# The total was to stop it, and it is missing.
	run --separate-stderr rest-paginate --limit 10 \
		--no-stop-after-empty-page "$R?total=omit"
	assert_failure 65
	assert_equal "$(ids <<<"$output")" "$(seq 10)"
	assert_equal "$stderr" "$(printf '%s\n' \
		"rest-paginate: warning: page at offset 0 has no total at 'total'; paging on without a total" \
		'rest-paginate: page at offset 0: no total, and no other rule would stop paging' \
		'rest-paginate: resume with --offset 10')"
}

@test "has_more false stops, as a JSON bool or a string" {
	local form
	for form in 1 str; do
		server_reset
		run --separate-stderr rest-paginate --limit 10 --total-path '' \
			--has-more-path has_more "$R?records=25&has_more=$form"
		assert_success
		assert_equal "$(ids <<<"$output")" "$(seq 25)"
		assert_equal "$stderr" ''
		assert_equal "$(offsets)" '0 10 20'
	done
}

@test "has_more accepts true, false, yes, no, 1, 0 in any case" {
	local v
	for v in true '"true"' '"yes"' '"1"' 1 '"TRUE"' '"Yes"'; do
		server_reset
		run --separate-stderr rest-paginate --limit 2 --total-path '' \
			--max-offset 4 --has-more-path has_more \
			-q "body={\"data\":[1,2],\"at\":\$offset,\"has_more\":$v}" \
			"$BASE/raw"
		assert_success
		assert_equal "${#lines[@]}" 2
		assert_equal "$stderr" ''
	done
	for v in false '"false"' '"no"' '"0"' 0 '"False"' '"NO"'; do
		server_reset
		run --separate-stderr rest-paginate --limit 2 --total-path '' \
			--max-offset 4 --has-more-path has_more \
			-q "body={\"data\":[1,2],\"has_more\":$v}" "$BASE/raw"
		assert_success
		assert_output '{"data":[1,2],"has_more":'"$v"'}'
		assert_equal "$stderr" ''
	done
}

@test "has_more missing or not boolean-like exits 65" {
	run --separate-stderr rest-paginate --limit 10 --has-more-path has_more \
		"$R?records=25"
	assert_failure 65
	assert_output ''
	assert_equal "$stderr" "$(printf '%s\n' \
		"rest-paginate: page at offset 0: nothing at 'has_more'" \
		'rest-paginate: resume with --offset 0')"
	local v
	for v in '"maybe"' null '[]' 2; do
		run --separate-stderr rest-paginate --limit 2 --total-path '' \
			--has-more-path has_more \
			-q "body={\"data\":[1,2],\"has_more\":$v}" "$BASE/raw"
		assert_failure 65
		assert_output ''
		assert_equal "$stderr" "$(printf '%s\n' \
			"rest-paginate: page at offset 0: no true or false at 'has_more'" \
			'rest-paginate: resume with --offset 0')"
	done
}

@test "has_more true never reopens paging past the total or --max-offset" {
	run --separate-stderr rest-paginate --limit 2 --has-more-path has_more \
		-q 'body={"data":[1,2],"at":$offset,"total":4,"has_more":true}' \
		"$BASE/raw"
	assert_success
	assert_equal "${#lines[@]}" 2
	assert_equal "$stderr" ''
	assert_equal "$(offsets)" '0 2'

	server_reset
	run --separate-stderr rest-paginate --limit 2 --has-more-path has_more \
		--total-path '' --max-offset 4 \
		-q 'body={"data":[1,2],"at":$offset,"has_more":true}' "$BASE/raw"
	assert_success
	assert_equal "${#lines[@]}" 2
	assert_equal "$stderr" ''
	assert_equal "$(offsets)" '0 2'
}

# ------------------------------------------------------------ servers that page badly

# What rest-paginate says of a page at offset 100 that repeats the one at 0.
REPEAT="rest-paginate: page at offset 100 repeats the page at offset 0 byte for byte: the server seems to ignore 'offset'; name its offset parameter with --offset-param (the paginator's \"offset_param\"), or give --single-page ({\"type\": \"single_page\"}) if the API does not page"

@test "a page that repeats the one before exits 65 before it is written, with no resume line" {
	local p
	for p in 1 4; do
		server_reset
		run --separate-stderr rest-paginate -P "$p" --limit 100 \
			"$R?records=1000&ignore_offset=1"
		assert_failure 65
		assert_equal "${#lines[@]}" 1
		assert_equal "$(ids <<<"$output")" "$(seq 100)"
		assert_equal "$stderr" "$REPEAT"
	done
}

@test "without a total, a server that ignores the offset does not page forever" {
	# head(1) bounds the output should paging go on.
	run --separate-stderr bash -o pipefail -c 'timeout 60 rest-paginate \
		--limit 100 "$1" | head -n 3' _ \
		"$R?records=1000&ignore_offset=1&total=omit"
	assert_failure 65
	assert_equal "$(ids <<<"$output")" "$(seq 100)"
	assert_equal "$stderr" "$(printf '%s\n' \
		"rest-paginate: warning: page at offset 0 has no total at 'total'; stopping at the first empty page" \
		"$REPEAT")"
	assert_equal "$(offsets)" '0 100'
}

@test "a server that ignores the page number exits 65 naming --page-param" {
	run --separate-stderr rest-paginate --page-param page --base-page 1 \
		-q page_size=10 "$R?records=25&ignore_offset=1"
	assert_failure 65
	assert_equal "$(ids <<<"$output")" "$(seq 10)"
	assert_equal "$stderr" "rest-paginate: page 2 repeats page 1 byte for byte: the server seems to ignore 'page'; name its page parameter with --page-param (the paginator's \"page_param\"), or give --single-page ({\"type\": \"single_page\"}) if the API does not page"
	assert_equal "$(server_requests | jq -r .args.page | paste -sd' ' -)" \
		'1 2'
}

@test "pages without records may repeat" {
	run --separate-stderr rest-paginate --limit 10 --total-path '' \
		--no-stop-after-empty-page --max-offset 30 \
		-q 'body={"data":[]}' "$BASE/raw"
	assert_success
	assert_output "$(printf '%s\n' '{"data":[]}' '{"data":[]}' '{"data":[]}')"
	assert_equal "$stderr" ''
	assert_equal "$(offsets)" '0 10 20'
}

@test "paging that ends with fewer records than the total exits 65" {
	# The server sends at most 10 records a page; --limit is 100.
	run --separate-stderr rest-paginate "$R?records=50&max_limit=10"
	assert_failure 65
	assert_equal "$(ids <<<"$output")" "$(seq 10)"
	assert_equal "$stderr" 'rest-paginate: paging ended with 10 of the 50 records the total promised from offset 0 to 50; the server seems to send at most 10 records a page: try --limit 10 (the paginator'\''s "limit": 10), or --allow-short ("restpipe": {"allow_short": true}) if the API drops records after paging'
	assert_equal "$(offsets)" '0'

	# The range asked is from --offset to the total or --max-offset.
	server_reset
	run --separate-stderr rest-paginate --offset 10 --max-offset 40 \
		"$R?records=50&max_limit=10"
	assert_failure 65
	assert_equal "$(ids <<<"$output")" "$(seq 11 20)"
	assert_equal "$stderr" 'rest-paginate: paging ended with 10 of the 30 records the total promised from offset 10 to 40; the server seems to send at most 10 records a page: try --limit 10 (the paginator'\''s "limit": 10), or --allow-short ("restpipe": {"allow_short": true}) if the API drops records after paging'

	# Full pages, and a total that says more than the server has.
	server_reset
	run --separate-stderr rest-paginate --limit 10 \
		"$R?records=50&total_value=60"
	assert_failure 65
	assert_equal "$(ids <<<"$output")" "$(seq 50)"
	assert_equal "$stderr" 'rest-paginate: paging ended with 50 of the 60 records the total promised from offset 0 to 60; if the API drops records after paging, give --allow-short ("restpipe": {"allow_short": true})'
	assert_equal "$(offsets)" '0 10 20 30 40 50'

	# The advice works.
	server_reset
	run --separate-stderr rest-paginate --limit 10 "$R?records=50&max_limit=10"
	assert_success
	assert_equal "$(ids <<<"$output")" "$(seq 50)"
	assert_equal "$stderr" ''
}

@test "a short page followed by one with records exits 65 before writing it" {
	run --separate-stderr rest-paginate --limit 10 "$R?records=50&short_at=20"
	assert_failure 65
	assert_equal "$(ids <<<"$output")" "$(seq 29)"
	assert_equal "$stderr" 'rest-paginate: page at offset 20 had 9 records, fewer than --limit 10, and was not the last: records were skipped; if the API drops records after paging, give --allow-short ("restpipe": {"allow_short": true})'
	assert_equal "$(offsets)" '0 10 20 30'

	# Without a total too, and the first page short names its size.
	server_reset
	run --separate-stderr rest-paginate --limit 20 --total-path '' \
		"$R?records=50&max_limit=15"
	assert_failure 65
	assert_equal "$(ids <<<"$output")" "$(seq 15)"
	assert_equal "$stderr" 'rest-paginate: page at offset 0 had 15 records, fewer than --limit 20, and was not the last: records were skipped; the server seems to send at most 15 records a page: try --limit 15 (the paginator'\''s "limit": 15), or --allow-short ("restpipe": {"allow_short": true}) if the API drops records after paging'
	assert_equal "$(offsets)" '0 20'
}

@test "--allow-short turns short pages and a short count into warnings" {
	run --separate-stderr rest-paginate --allow-short --limit 20 \
		"$R?records=50&max_limit=15"
	assert_success
	assert_equal "$(ids <<<"$output")" "$(printf '%s\n' $(seq 15) \
		$(seq 21 35) $(seq 41 50))"
	assert_equal "$stderr" "$(printf '%s\n' \
		'rest-paginate: warning: page at offset 0 had 15 records, fewer than --limit 20, and was not the last: the server may clamp the limit, and records would be skipped' \
		'rest-paginate: warning: page at offset 20 had 15 records, fewer than --limit 20, and was not the last: the server may clamp the limit, and records would be skipped' \
		'rest-paginate: warning: paging ended with 40 of the 50 records the total promised from offset 0 to 50')"
	assert_equal "$(offsets)" '0 20 40'

	# A repeated page is never accepted.
	server_reset
	run --separate-stderr rest-paginate --allow-short --limit 100 \
		"$R?records=1000&ignore_offset=1"
	assert_failure 65
	assert_equal "${#lines[@]}" 1
	assert_equal "$stderr" "$REPEAT"
}

@test "after a short page, the resume line names where its records end" {
	local first
	server_faults '[{"path": "/v1/resource", "args": {"offset": "20"},
		"action": "status", "status": 503, "times": -1}]'
	run --separate-stderr rest-paginate --retries 0 --limit 20 \
		"$R?records=30&max_limit=10"
	assert_failure 75
	assert_equal "$(ids <<<"$output")" "$(seq 10)"
	assert_equal "${stderr_lines[-1]}" 'rest-paginate: resume with --offset 10'
	first=$output

	# Resumed there, records 11 to 20 cannot go missing quietly.
	server_reset
	run --separate-stderr rest-paginate --limit 20 --offset 10 \
		"$R?records=30&max_limit=10"
	assert_failure 65
	assert_equal "$(ids <<<"$output")" "$(seq 11 20)"
	assert_equal "$stderr" 'rest-paginate: paging ended with 10 of the 20 records the total promised from offset 10 to 30; the server seems to send at most 10 records a page: try --limit 10 (the paginator'\''s "limit": 10), or --allow-short ("restpipe": {"allow_short": true}) if the API drops records after paging'
	run --separate-stderr rest-paginate --limit 10 --offset 10 \
		"$R?records=30&max_limit=10"
	assert_success
	assert_equal "$(ids <<<"$first"$'\n'"$output")" "$(seq 30)"
	assert_equal "$stderr" ''
}

@test "a total near LLONG_MAX overflows nothing, by page or by offset" {
	local p
	for p in 1 4; do
		server_reset
		run --separate-stderr rest-paginate -P "$p" --page-param page \
			--base-page 1 --max-page 4 -q page_size=10 \
			"$R?total_value=9223372036854775807"
		assert_success
		assert_equal "$(ids <<<"$output")" "$(seq 30)"
		assert_equal "$stderr" ''
		assert_equal "$(server_requests | jq -r .args.page | sort |
			paste -sd' ' -)" '1 2 3'
	done

	# Offsets stop at the largest --offset takes; head(1) bounds the
	# output should paging go on.
	run --separate-stderr bash -o pipefail -c 'timeout 60 rest-paginate \
		--no-stop-after-empty-page --offset 4611686018427387903 "$1" |
		head -n 3' _ "$R?total_value=9223372036854775807"
	assert_failure 65
	assert_output '{"data":[],"total":9223372036854775807}'
	assert_equal "$stderr" 'rest-paginate: page at offset 4611686018427387903: paging would pass the largest offset, 4611686018427387903'
}

@test "a total beyond a count, as a number or a string, exits 65" {
	local v
	for v in 99999999999999999999 '"99999999999999999999"' \
		'"9223372036854775808"' '"+5"' '" 5"' '"5 "' '"-5"' '""' -1 1e3 \
		2.5; do
		server_reset
		run --separate-stderr rest-paginate --limit 10 \
			-q "total_value=$v" "$R"
		assert_failure 65
		assert_output ''
		assert_equal "$stderr" "$(printf '%s\n' \
			"rest-paginate: page at offset 0: the total at 'total' is not a count" \
			'rest-paginate: resume with --offset 0')"
	done
	# The largest count is one.
	server_reset
	run --separate-stderr rest-paginate --limit 10 --max-offset 20 \
		-q 'total_value="9223372036854775807"' "$R"
	assert_success
	assert_equal "$(ids <<<"$output")" "$(seq 20)"
	assert_equal "$stderr" ''
}

@test "an empty body exits 65 naming its offset" {
	server_faults '[{"path": "/v1/resource", "args": {"offset": "20"},
		"action": "status", "status": 200, "body": ""}]'
	run --separate-stderr rest-paginate --limit 10 "$R"
	assert_failure 65
	assert_equal "$(ids <<<"$output")" "$(seq 20)"
	assert_equal "$stderr" "$(printf '%s\n' \
		'rest-paginate: page at offset 20: empty body' \
		'rest-paginate: resume with --offset 20')"
}

@test "a response header over libcurl's limit exits 69, in rest-paginate and rest-fetch" {
	run --separate-stderr rest-paginate "$R?big_header=1048576"
	assert_failure 69
	assert_output ''
	assert_equal "${#stderr_lines[@]}" 2
	assert_regex "${stderr_lines[0]}" \
		"^rest-paginate: GET $BASE/v1/resource\\?big_header=1048576&offset=0&limit=100: "
	assert_equal "${stderr_lines[1]}" 'rest-paginate: resume with --offset 0'

	run --separate-stderr timeout 60 rest-fetch "$R?big_header=1048576"
	assert_failure 69
	assert_output ''
	assert_equal "${#stderr_lines[@]}" 1
	assert_regex "$stderr" "^rest-fetch: GET $BASE/v1/resource\\?big_header=1048576: "
}

@test "--offset resumes: the output is the tail of a full run" {
	local full
	run rest-paginate --limit 10 "$R"
	assert_success
	full=$output
	server_reset
	run --separate-stderr rest-paginate --limit 10 --offset 120 "$R"
	assert_success
	assert_equal "${#lines[@]}" 13
	assert_output "$(tail -n 13 <<<"$full")"
	assert_equal "$stderr" ''
	assert_equal "$(offsets)" "$(seq -s' ' 120 10 240)"
}

@test "--offset-param and --limit-param name the query parameters" {
	run --separate-stderr rest-paginate --limit 10 --total-path '' \
		--max-offset 30 --offset-param 'page[offset]' \
		--limit-param 'page[limit]' "$R"
	assert_success
	assert_equal "${#lines[@]}" 3
	assert_equal "$stderr" ''
	run server_requests
	run jq -c '[.query, .args["page[offset]"], .args["page[limit]"],
		(.args | has("offset") or has("limit"))]' <<<"$output"
	assert_output "$(printf '%s\n' \
		'["page%5Boffset%5D=0&page%5Blimit%5D=10","0","10",false]' \
		'["page%5Boffset%5D=10&page%5Blimit%5D=10","10","10",false]' \
		'["page%5Boffset%5D=20&page%5Blimit%5D=10","20","10",false]')"
}

# ------------------------------------------------------------ other pagers

@test "--page-param pages by number up to the total of pages" {
	run --separate-stderr rest-paginate --page-param page --base-page 1 \
		--total-path total_pages -q page_size=10 "$R?records=25"
	assert_success
	assert_equal "$(ids <<<"$output")" "$(seq 25)"
	assert_equal "$stderr" ''
	run server_requests
	run jq -c '[.args.page, .args.page_size, (.args | has("offset"))]' \
		<<<"$output"
	assert_output "$(printf '%s\n' '["1","10",false]' '["2","10",false]' \
		'["3","10",false]')"
}

@test "--page resumes, --max-page stops before its page" {
	run --separate-stderr rest-paginate --page-param page --base-page 1 \
		--page 2 --max-page 3 --total-path '' -q page_size=10 \
		"$R?records=25"
	assert_success
	assert_equal "$(ids <<<"$output")" "$(seq 11 20)"
	assert_equal "$stderr" ''
	assert_equal "$(server_requests | jq -r .args.page)" '2'
}

@test "paging by number fails with a --page resume line" {
	server_faults '[{"path": "/v1/resource", "args": {"page": "2"},
		"action": "status", "status": 503, "times": -1}]'
	run --separate-stderr rest-paginate --page-param page --base-page 1 \
		--retries 0 -q page_size=10 "$R?records=25"
	assert_failure 75
	assert_equal "$(ids <<<"$output")" "$(seq 10)"
	assert_equal "${stderr_lines[-1]}" 'rest-paginate: resume with --page 2'
}

@test "--single-page fetches the URL once, with no paging parameters" {
	run --separate-stderr rest-paginate --single-page "$R?records=25"
	assert_success
	assert_equal "$(ids <<<"$output")" "$(seq 10)"
	assert_equal "$stderr" ''
	assert_equal "$(server_requests | jq -r .query)" 'records=25'
}

@test "-c reads the paginator of a dlt configuration; options win" {
	local cfg=$BATS_TEST_TMPDIR/api.json
	cat >"$cfg" <<-EOF
	{"client": {"base_url": "$BASE"},
	 "resources": [{"name": "image_analysis",
	   "endpoint": {"path": "/v1/resource", "params": {"records": 25},
	     "data_selector": "data",
	     "paginator": {"type": "offset", "limit": 10}}}]}
	EOF
	run --separate-stderr rest-paginate -c "$cfg"
	assert_success
	assert_equal "$(ids <<<"$output")" "$(seq 25)"
	assert_equal "$stderr" ''
	assert_equal "$(server_requests | jq -r .query | paste -sd' ' -)" \
		'offset=0&limit=10&records=25 offset=10&limit=10&records=25 offset=20&limit=10&records=25'
	server_reset
	run --separate-stderr rest-paginate -c "$cfg" -r image_analysis \
		--limit 20
	assert_success
	assert_equal "$(ids <<<"$output")" "$(seq 25)"
	assert_equal "$(offsets)" '0 20'
}

# ------------------------------------------------------------ data selector

@test "records are found under items, results.items or a bare array" {
	local wrap
	for wrap in items results.items none; do
		server_reset
		# A wrong count would never meet the empty page: --max-offset.
		run --separate-stderr rest-paginate --limit 10 --total-path '' \
			--max-offset 100 --progress "$R?records=25&wrap=$wrap"
		assert_success
		assert_equal "${#lines[@]}" 4
		assert_regex "$stderr" '^rest-paginate: 4 pages, 25 records, [0-9]+ records/s$'
		assert_equal "$(offsets)" '0 10 20 30'
	done
}

@test "a usual record key wins over an earlier array; else the first array" {
	run --separate-stderr rest-paginate --limit 2 --total-path '' \
		--max-offset 6 --progress \
		-q 'body={"meta":{"tags":["a","b","c"]},"rows":[1,2],"at":$offset}' \
		"$BASE/raw"
	assert_success
	assert_equal "${#lines[@]}" 3
	assert_regex "$stderr" '^rest-paginate: 3 pages, 6 records, [0-9]+ records/s$'

	run --separate-stderr rest-paginate --limit 2 --total-path '' \
		--max-offset 6 --progress \
		-q 'body={"meta":{"n":1,"tags":["a","b","c"]},"list":[1,2],"at":$offset}' \
		"$BASE/raw"
	assert_success
	assert_equal "${#lines[@]}" 3
	assert_regex "$stderr" '^rest-paginate: 3 pages, 9 records, [0-9]+ records/s$'
}

@test "records at most three keys deep are found, deeper ones are not" {
	run --separate-stderr rest-paginate --limit 2 --total-path '' \
		--max-offset 4 --progress \
		-q 'body={"a":{"b":{"data":[1,2]}},"at":$offset}' "$BASE/raw"
	assert_success
	assert_equal "${#lines[@]}" 2
	assert_regex "$stderr" '^rest-paginate: 2 pages, 4 records, '

	run --separate-stderr rest-paginate --limit 2 --total-path '' \
		-q 'body={"a":{"b":{"c":{"data":[1,2]}}}}' "$BASE/raw"
	assert_failure 65
	assert_output ''
	assert_equal "$stderr" "$(printf '%s\n' \
		'rest-paginate: page at offset 0: no array of records found; use --data-selector' \
		'rest-paginate: resume with --offset 0')"
}

@test "an explicit --data-selector that matches nothing exits 65" {
	run --separate-stderr rest-paginate --limit 10 --data-selector items "$R"
	assert_failure 65
	assert_output ''
	assert_equal "$stderr" "$(printf '%s\n' \
		"rest-paginate: page at offset 0: data selector 'items' matched nothing" \
		'rest-paginate: resume with --offset 0')"
	assert_equal "$(offsets)" '0'
}

@test "an explicit --data-selector counts the records" {
	run --separate-stderr rest-paginate --limit 10 --total-path '' \
		--max-offset 100 --data-selector '$.results.items[*]' --progress \
		"$R?records=25&wrap=results.items"
	assert_success
	assert_equal "${#lines[@]}" 4
	assert_regex "$stderr" '^rest-paginate: 4 pages, 25 records, '
}

# ------------------------------------------------------------ failures

@test "an invalid JSON page exits 65 naming its offset" {
	server_faults '[{"path": "/v1/resource", "args": {"offset": "20"},
		"action": "status", "status": 200, "body": "{\"data\":[1,}"}]'
	run --separate-stderr rest-paginate --limit 10 "$R"
	assert_failure 65
	assert_equal "$(ids <<<"$output")" "$(seq 20)"
	assert_equal "${#stderr_lines[@]}" 2
	assert_regex "${stderr_lines[0]}" \
		'^rest-paginate: page at offset 20: invalid JSON at 1:12: '
	assert_equal "${stderr_lines[1]}" 'rest-paginate: resume with --offset 20'
}

@test "faults mid-run are retried: no record lost or doubled" {
	server_faults '[
		{"path": "/v1/resource", "args": {"offset": "50"},
		 "action": "status", "status": 503},
		{"path": "/v1/resource", "args": {"offset": "120"}, "action": "drop"},
		{"path": "/v1/resource", "args": {"offset": "180"},
		 "action": "truncate"}]'
	run --separate-stderr bash -o pipefail -c \
		'rest-paginate --backoff-factor 0.1 --limit 10 "$1" |
		rest-select data | jq .id' _ "$R"
	assert_success
	assert_output "$(seq 250)"
	assert_regex "$stderr" 'attempt 1 of 4: GET [^ ]*offset=50&limit=10: HTTP 503: .*; retrying in 0\.1 s'
	assert_regex "$stderr" 'attempt 1 of 4: GET [^ ]*offset=180&limit=10: .*; retrying in 0\.1 s'
	run server_requests
	run jq -r '.args.offset' <<<"$output"
	assert_equal "$(sort -n <<<"$output" | uniq -d | paste -sd' ' -)" \
		'50 120 180'
}

@test "retries exhausted mid-run exit 75 with the pages before and a resume line" {
	local p
	server_faults '[{"path": "/v1/resource", "args": {"offset": "30"},
		"action": "status", "status": 503, "times": -1}]'
	for p in 1 4; do
		run --separate-stderr rest-paginate -P "$p" --retries 2 \
			--backoff-factor 0.1 --limit 10 "$R"
		assert_failure 75
		assert_equal "${#lines[@]}" 3
		assert_equal "$(ids <<<"$output")" "$(seq 30)"
		assert_regex "${stderr_lines[-2]}" \
			'offset=30&limit=10: HTTP 503: .*\(gave up after 3 attempts\)$'
		assert_equal "${stderr_lines[-1]}" \
			'rest-paginate: resume with --offset 30'
	done
}

@test "SIGTERM after a short page resumes where its records end" {
	local pid i status=0
	# The page at 20 lacks a record; the signal comes while 30 is fetched.
	server_faults '[{"path": "/v1/resource", "args": {"offset": "30"},
		"action": "slow", "delay": 3}]'
	command rest-paginate --limit 10 "$R?records=50&short_at=20" \
		>"$BATS_TEST_TMPDIR/out" 2>"$BATS_TEST_TMPDIR/err" &
	pid=$!
	for ((i = 0; i < 200; i++)); do
		[[ $(server_stats) == '{"requests":4,'* ]] && break
		sleep 0.02
	done
	kill -TERM "$pid"
	wait "$pid" || status=$?
	assert_equal "$status" 143
	assert_equal "$(cat "$BATS_TEST_TMPDIR/err")" \
		"rest-paginate: resume with --offset 29"
	assert_equal "$(ids <"$BATS_TEST_TMPDIR/out" | paste -sd' ' -)" "$(seq -s' ' 29)"
}

@test "credentials refused exit 77, a final 4xx exits 69, with a resume line" {
	export API_KEY=wrong
	run --separate-stderr rest-paginate --auth api_key --key-name api_key \
		--key-location query --offset 40 "$R?require_key=1"
	assert_failure 77
	assert_output ''
	assert_regex "${stderr_lines[0]}" 'HTTP 401'
	assert_equal "${stderr_lines[-1]}" 'rest-paginate: resume with --offset 40'

	run --separate-stderr rest-paginate "$BASE/v1/nothing"
	assert_failure 69
	assert_output ''
	assert_regex "${stderr_lines[0]}" 'HTTP 404'
	assert_equal "${stderr_lines[-1]}" 'rest-paginate: resume with --offset 0'
}

# ------------------------------------------------------------ parallel

@test "-P 4 writes the same bytes as -P 1" {
	local one
	run rest-paginate -P 1 --limit 10 "$R"
	assert_success
	one=$output
	assert_equal "${#lines[@]}" 25
	server_reset
	run --separate-stderr rest-paginate -P 4 --limit 10 "$R"
	assert_success
	assert_equal "$output" "$one"
	assert_equal "$stderr" ''
	assert_equal "$(offsets | tr ' ' '\n' | sort -n | paste -sd' ' -)" \
		"$(seq -s' ' 0 10 240)"
}

@test "-P 4 with faults and Retry-After writes the same bytes as -P 1" {
	local one
	run rest-paginate --limit 10 --max-offset 200 "$R"
	assert_success
	one=$output
	server_faults '[
		{"path": "/v1/resource", "args": {"offset": "30"},
		 "action": "status", "status": 503,
		 "headers": {"Retry-After": "1"}},
		{"path": "/v1/resource", "args": {"offset": "60"}, "action": "reset"},
		{"path": "/v1/resource", "args": {"offset": "90"},
		 "action": "truncate"},
		{"path": "/v1/resource", "args": {"offset": "100"},
		 "action": "slow", "delay": 0.3}]'
	run --separate-stderr rest-paginate -P 4 --backoff-factor 0.1 \
		--limit 10 --max-offset 200 "$R"
	assert_success
	assert_equal "$output" "$one"
	assert_regex "$stderr" 'offset=30&limit=10: HTTP 503: .*; retrying in 1 s \(Retry-After\)'
	assert_regex "$stderr" 'offset=90&limit=10: .*; retrying in 0\.1 s'
}

@test "-P 4 without a total pages one at a time to the empty page" {
	local one
	run --separate-stderr rest-paginate --limit 10 "$R?records=25&total=omit"
	assert_success
	one=$output
	server_reset
	run --separate-stderr rest-paginate -P 4 --limit 10 \
		"$R?records=25&total=omit"
	assert_success
	assert_equal "$output" "$one"
	assert_equal "${#stderr_lines[@]}" 1
	assert_equal "$(offsets)" '0 10 20 30'
}

# ------------------------------------------------------------ auth, stderr

@test "the key goes in the query of every page and nowhere else" {
	export API_KEY=$KEY
	run --separate-stderr rest-paginate --auth api_key --key-name api_key \
		--key-location query "$R?require_key=1"
	assert_success
	assert_equal "$(ids <<<"$output")" "$(seq 250)"
	assert_equal "$stderr" ''
	run server_requests
	run jq -c --arg k "$KEY" '[.args.offset, .args.api_key == $k,
		(.query | [match($k; "g")] | length),
		(del(.query, .args) | tostring | contains($k))]' <<<"$output"
	assert_output "$(printf '%s\n' '["0",true,1,false]' \
		'["100",true,1,false]' '["200",true,1,false]')"
}

@test "the secret never shows on stderr, even with -v and retries" {
	export API_KEY=$KEY
	server_faults '[{"path": "/v1/resource", "args": {"offset": "10"},
		"action": "status", "status": 503}]'
	run --separate-stderr rest-paginate -v --backoff-factor 0.1 --limit 10 \
		--max-offset 30 --auth api_key --key-name api_key \
		--key-location query "$R?require_key=1"
	assert_success
	assert_equal "${#lines[@]}" 3
	assert_equal "${#stderr_lines[@]}" 5
	assert_regex "$stderr" 'offset=10&limit=10&api_key=\*\*\*: 503'
	refute_regex "$stderr" "$KEY"
}

@test "--progress reports on stderr; -s silences it" {
	run --separate-stderr rest-paginate --progress --limit 10 "$R"
	assert_success
	assert_equal "${#lines[@]}" 25
	assert_regex "${stderr_lines[-1]}" \
		'^rest-paginate: 25 pages, 250 records, 100% of 250, [0-9]+ records/s$'

	# Not a terminal: no progress unless asked.
	run --separate-stderr rest-paginate --limit 10 "$R"
	assert_success
	assert_equal "$stderr" ''

	run --separate-stderr rest-paginate --progress -s --limit 10 "$R"
	assert_success
	assert_equal "${#lines[@]}" 25
	assert_equal "$stderr" ''
}

@test "progress shows by itself when stderr is a terminal" {
	local out=$BATS_TEST_TMPDIR/out
	# script(1) gives the command a terminal; the pages go to a file.
	run script -qec "rest-paginate --limit 10 '$R' >'$out'" /dev/null
	assert_success
	assert_output --regexp $'rest-paginate: 25 pages, 250 records, 100% of 250, [0-9]+ records/s\033\\[K\r$'
	run wc -l <"$out"
	assert_output 25
}

@test "Ctrl-C on a terminal: the resume line clears the progress line it follows" {
	local out=$BATS_TEST_TMPDIR/out
	server_faults '[{"path": "/v1/resource", "action": "slow",
		"delay": 0.2, "times": -1}]'
	run script -qec "timeout -s INT 1 rest-paginate --limit 10 '$R' >'$out'" /dev/null
	# The line a progress line was on is cleared first: no stale text.
	assert_output --regexp $'\r\033\\[Krest-paginate: resume with --offset [0-9]+\r?$'
	refute_output --regexp $'records/s[^\r\n]*rest-paginate: resume'
}

@test "--progress shows percent and ETA while paging" {
	server_faults '[{"path": "/v1/resource", "action": "slow",
		"delay": 0.1, "times": -1}]'
	run --separate-stderr rest-paginate --progress --limit 10 \
		"$R?records=60"
	assert_success
	assert_equal "${#lines[@]}" 6
	assert_regex "$stderr" \
		'rest-paginate: [1-5] pages?, [1-5]0 records, [0-9]+% of 60, [0-9]+ records/s, ETA [0-9]+ s'
	assert_regex "${stderr_lines[-1]}" \
		'^rest-paginate: 6 pages, 60 records, 100% of 60, [0-9]+ records/s$'
}

@test "-P 4: a page fetched ahead that fails does not count if paging stops first" {
	local faults out1
	# The total shrinks on the retried page at 10, so paging ends there;
	# the page at 20, fetched ahead, fails for good meanwhile.
	faults='[{"path":"/v1/resource","args":{"offset":"10"},"action":"status","status":503,"times":1},
	 {"path":"/v1/resource","args":{"offset":"10"},"action":"status","status":200,"body":"{\"data\":[1,2,3,4,5],\"total\":15}","times":1},
	 {"path":"/v1/resource","args":{"offset":"20"},"action":"status","status":404,"times":-1}]'
	server_faults "$faults"
	run --separate-stderr rest-paginate -s --backoff-factor 0.3 --limit 10 \
	    "$R?records=95"
	assert_success
	out1=$output
	server_reset
	server_faults "$faults"
	run --separate-stderr rest-paginate -s -P 4 --backoff-factor 0.3 \
	    --limit 10 "$R?records=95"
	assert_success
	assert_equal "$stderr" ''
	assert_equal "${#lines[@]}" 2
	assert_equal "$output" "$out1"
	# The page at 20 was asked for, and its failure said nothing.
	assert_regex "$(offsets)" '\b20\b'
}

# ------------------------------------------------------------ for rest-sync

@test "--dry-run prints the first request with the secret hidden, and sends nothing" {
	export API_KEY=$KEY
	run --separate-stderr rest-paginate --dry-run --limit 50 --offset 100 \
		--auth api_key --key-name api_key --key-location query \
		-H 'X-Trace: 1' "$R?records=500"
	assert_success
	assert_output "GET $R?records=500&offset=100&limit=50&api_key=***
X-Trace: 1"
	assert_equal "$stderr" ''
	run --separate-stderr rest-paginate --dry-run --auth bearer \
		--page-param p "$R"
	assert_success
	assert_output "GET $R?p=0
Authorization: Bearer ***"
	assert_equal "$(server_stats)" '{"requests":0,"connections":0}'
}

@test "--position-fd: after each page, the option that resumes after it" {
	cd "$BATS_TEST_TMPDIR"
	run --separate-stderr bash -c 'rest-paginate --limit 10 \
		--position-fd 3 "$1" 3>pos | wc -l' _ "$R?records=45"
	assert_success
	assert_output 5
	assert_equal "$(paste -sd, pos)" \
		'--offset 10,--offset 20,--offset 30,--offset 40,--offset 45'
	run --separate-stderr bash -c 'rest-paginate --page-param page \
		--base-page 1 --position-fd 3 "$1" 3>pos >/dev/null' _ \
		"$R?records=25&page_size=10"
	assert_success
	assert_equal "$(paste -sd, pos)" '--page 2,--page 3,--page 4,--page 5'
	run --separate-stderr rest-paginate --position-fd 1000 "$R"
	assert_failure 64
	assert_equal "$stderr" "rest-paginate: --position-fd: 1000 is not open"
	run --separate-stderr rest-paginate --position-fd 2 "$R"
	assert_failure 78
	assert_equal "$stderr" "rest-paginate: --position-fd: 2 is out of range (3 to 1023)"
}

# ------------------------------------------------------------ auto-detection

# The warning of a detected single page of N records.
single_warning() {
	echo "rest-paginate: warning: no paginator detected: the first response ($1 records) is taken as the only page; if the API pages, set a paginator (dlt's detector looks for a Link header with rel=\"next\", a next link or cursor in the body, and a count of pages)"
}

@test "--paginator auto: no link, cursor or count of pages: one page, a plain request, and a warning" {
	run --separate-stderr rest-paginate --paginator auto "$R?records=25"
	assert_success
	assert_equal "${#lines[@]}" 1
	assert_equal "$(ids <<<"$output")" "$(seq 10)"
	assert_equal "$stderr" "$(single_warning 10)"
	assert_equal "$(server_requests | jq -r .query)" 'records=25'
}

@test "--paginator auto: a count of pages is page_number paging from page 1 up to the count, with -P fetching ahead" {
	local want='rest-paginate: warning: detected paginator page_number with total_path '\''total_pages'\'', page_param '\''page'\'' and base_page 0 from the first response: a guess, as dlt'\''s; check it, and set the paginator in the configuration'
	run --separate-stderr rest-paginate --paginator auto \
		"$R?records=25&by_page=1&base_page=0"
	assert_success
	assert_equal "${#lines[@]}" 3
	assert_equal "$(ids <<<"$output")" "$(seq 25)"
	assert_equal "$stderr" "$want"
	assert_equal "$(server_requests | jq -r '.args.page // "-"' |
		paste -sd' ')" '- 1 2'
	server_reset
	run --separate-stderr rest-paginate --paginator auto -P 4 \
		"$R?records=95&by_page=1&base_page=0"
	assert_success
	assert_equal "$(ids <<<"$output")" "$(seq 95)"
	assert_equal "$stderr" "$want"
	assert_equal "$(server_requests | wc -l)" 10
}

@test "--paginator auto on an API that counts pages from 1: 65 and the paginator to set, not page 1 twice" {
	run --separate-stderr rest-paginate --paginator auto \
		"$R?records=25&by_page=1"
	assert_failure 65
	assert_equal "${#lines[@]}" 1
	assert_equal "$(sed -n 2p <<<"$stderr")" \
		'rest-paginate: page 1 repeats the first page byte for byte: the API seems to count pages from 1, where the detected paginator counts from 0 (dlt'\''s would load that page twice); set the paginator {"type": "page_number", "base_page": 1, "total_path": "total_pages"}'
}

@test "--paginator auto: a next link, a cursor or a Link header detected is followed to the last page, with a warning saying what" {
	local case style kind
	for case in "json#json_link with next_url_path 'next'" \
		"nested#json_link with next_url_path 'links.next'" \
		"relpath#json_link with next_url_path 'next'" \
		'header#header_link' \
		"cursor#cursor with cursor_path 'cursors.next'" \
		"number#cursor with cursor_path 'next_cursor'"; do
		style=${case%%#*} kind=${case#*#}
		server_reset
		run --separate-stderr rest-paginate --paginator auto \
			"$BASE/v2/links?style=$style&records=25"
		assert_success
		assert_equal "$(jq -r '(.data? // .)[].id' <<<"$output")" \
			"$(seq 25)"
		assert_equal "${#lines[@]}" 3
		assert_equal "$stderr" "rest-paginate: warning: detected paginator $kind from the first response: a guess, as dlt's; check it, and set the paginator in the configuration"
		# The first request bare, as dlt's; then the links or cursors.
		assert_equal "$(server_requests | wc -l)" 3
	done
}

@test "--paginator auto: a detected link or cursor is sequential under -P, stops at a loop, and -v names it" {
	run --separate-stderr rest-paginate --paginator auto -P 4 \
		"$BASE/v2/links?style=json&records=25"
	assert_success
	assert_equal "$(ids <<<"$output")" "$(seq 25)"
	assert_equal "$(sed -n 2p <<<"$stderr")" "rest-paginate: warning: --parallel 4: link and cursor paging is sequential (each page names the next): fetching one page at a time"
	run --separate-stderr rest-paginate --paginator auto -v \
		"$BASE/v2/links?style=cursor&records=25"
	assert_success
	assert_regex "$stderr" "detected paginator cursor with cursor_path 'cursors.next' and data_selector 'data'"
	# A loop is 65, as with the paginator set.
	run --separate-stderr rest-paginate --paginator auto \
		"$BASE/v2/links?style=json&records=40&loop=20:0"
	assert_failure 65
	assert_equal "$(ids <<<"$output")" "$(seq 30)"
	assert_regex "$stderr" "page 4: the next link '.*at=10' was followed before in this run: the pages go round in a loop"
}

@test "--paginator auto resumes with --next-url or --cursor (also @FILE): detected again, the rest of the pages; a resume that finds another family is 65" {
	run --separate-stderr rest-paginate --paginator auto \
		--next-url "$BASE/v2/links?style=json&records=25&at=10" \
		"$BASE/v2/links?style=json&records=25"
	assert_success
	assert_equal "$(ids <<<"$output")" "$(seq 11 25)"
	assert_equal "$stderr" ''
	printf 'c20\n' >"$BATS_TEST_TMPDIR/cur"
	run --separate-stderr rest-paginate --paginator auto --cursor "@$BATS_TEST_TMPDIR/cur" \
		"$BASE/v2/links?style=cursor&records=25"
	assert_success
	assert_equal "$(ids <<<"$output")" "$(seq 21 25)"
	assert_equal "$stderr" ''
	run --separate-stderr rest-paginate --paginator auto --cursor c10 \
		"$BASE/v2/links?style=json&records=25"
	assert_failure 65
	assert_output ''
	assert_equal "$(head -1 <<<"$stderr")" "rest-paginate: page 1: resumed by --cursor, but the response shows a next link now (json_link with next_url_path 'next' detected)"
}

@test "--paginator auto: a single entity is one record on one page, quietly; -v says what was detected" {
	run --separate-stderr rest-paginate --paginator auto \
		-q 'body={"id":7,"tags":"x"}' "$BASE/raw"
	assert_success
	assert_output '{"id":7,"tags":"x"}'
	assert_equal "$stderr" ''
	run --separate-stderr rest-paginate --paginator auto -v \
		"$R?records=25&by_page=1&base_page=0&wrap=results.list"
	assert_success
	assert_equal "${#lines[@]}" 3
	assert_equal "$(jq -r '.results.list[].id' <<<"$output")" "$(seq 25)"
	assert_regex "$stderr" "rest-paginate: detected paginator page_number with total_path 'total_pages' and data_selector 'results.list'"
}

@test "--paginator: a type other than auto is that paginator; a bad one is 78, with another paging option 64" {
	run --separate-stderr rest-paginate --paginator single_page "$R"
	assert_success
	assert_equal "${#lines[@]}" 1
	assert_equal "$stderr" ''
	run --separate-stderr rest-paginate --paginator page_number \
		--base-page 1 --total-path total_pages "$R?records=25"
	assert_success
	assert_equal "$(ids <<<"$output")" "$(seq 25)"
	server_reset
	run --separate-stderr rest-paginate --paginator nope "$R"
	assert_failure 78
	assert_equal "$stderr" "rest-paginate: --paginator: 'nope' is not offset, page_number, single_page, json_link, header_link, cursor, header_cursor or auto"
	run --separate-stderr rest-paginate --paginator auto --limit 5 "$R"
	assert_failure 64
	assert_equal "$stderr" 'rest-paginate: --paginator auto and --limit: give one or the other'
	assert_equal "$(server_stats)" '{"requests":0,"connections":0}'
}

# ------------------------------------------------------------ --total-header

@test "--total-header: X-Total-Count or Content-Range stops offset paging at the total, and -P fetches ahead up to it" {
	local kind
	for kind in 'count X-Total-Count' 'range Content-Range'; do
		server_reset
		run --separate-stderr rest-paginate --limit 10 \
			--total-header "${kind#* }" \
			"$R?records=25&total_header=${kind%% *}"
		assert_success
		assert_equal "$stderr" ''
		assert_equal "$(ids <<<"$output")" "$(seq 25)"
		assert_equal "$(offsets)" '0 10 20'
	done
	server_reset
	run --separate-stderr rest-paginate --limit 10 -P 4 \
		--total-header Content-Range "$R?records=95&total_header=range"
	assert_success
	assert_equal "$(ids <<<"$output")" "$(seq 95)"
	assert_equal "$(server_requests | wc -l)" 10
	# Without it the body has no total: a warning, and an empty page.
	server_reset
	run --separate-stderr rest-paginate --limit 10 \
		"$R?records=25&total_header=count"
	assert_success
	assert_equal "$(offsets)" '0 10 20 30'
}

@test "--total-header with page numbers: pages of the first page's size, and fewer records than the total is 65" {
	run --separate-stderr rest-paginate --page-param page --base-page 1 \
		--total-header X-Total-Count "$R?records=25&total_header=count"
	assert_success
	assert_equal "$stderr" ''
	assert_equal "$(ids <<<"$output")" "$(seq 25)"
	assert_equal "$(server_requests | jq -r .args.page | paste -sd' ')" \
		'1 2 3'
	run --separate-stderr rest-paginate --page-param page --base-page 1 \
		--total-header X-Total-Count \
		"$R?records=25&total_header=count&total_header_value=40"
	assert_failure 65
	assert_equal "${#lines[@]}" 4
	assert_equal "$stderr" "rest-paginate: paging ended with 25 of the 40 records header 'X-Total-Count' promised"
}

@test "--total-header: a total above the records is 65, unknown is a warning, missing or bad is 65" {
	run --separate-stderr rest-paginate --limit 10 \
		--total-header X-Total-Count \
		"$R?records=25&total_header=count&total_header_value=40"
	assert_failure 65
	assert_equal "${#lines[@]}" 4
	assert_equal "$stderr" 'rest-paginate: paging ended with 25 of the 40 records the total promised from offset 0 to 40; if the API drops records after paging, give --allow-short ("restpipe": {"allow_short": true})'
	run --separate-stderr rest-paginate --limit 10 \
		--total-header Content-Range "$R?records=25&total_header=unknown"
	assert_success
	assert_equal "${#lines[@]}" 4
	assert_equal "$stderr" "rest-paginate: warning: page at offset 0: header 'Content-Range' says the total is unknown ('0-9/*'); stopping at the first empty page"
	local bad
	for bad in abc 0-9/abc 0-9/ -5 0-9/5x '*' 99999999999999999999; do
		run --separate-stderr rest-paginate --limit 10 \
			--total-header Content-Range -q "total_header_value=$bad" \
			"$R?records=25&total_header=range"
		assert_failure 65
		assert_output ''
		assert_equal "$stderr" "rest-paginate: page at offset 0: the total in header 'Content-Range' is not a count: '$bad'
rest-paginate: resume with --offset 0"
	done
	run --separate-stderr rest-paginate --limit 10 --total-header X-Nope "$R"
	assert_failure 65
	assert_output ''
	assert_equal "$stderr" "rest-paginate: page at offset 0: no 'X-Nope' header
rest-paginate: resume with --offset 0"
	run --separate-stderr rest-paginate --total-header X-Total-Count \
		--total-path total "$R"
	assert_failure 64
	assert_equal "$stderr" 'rest-paginate: --total-header and --total-path: give one or the other'
	run --separate-stderr rest-paginate --total-header '' "$R"
	assert_failure 78
	assert_equal "$stderr" 'rest-paginate: --total-header: a header needs a name'
}
