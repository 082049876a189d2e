#!/usr/bin/env bats
# rest-paginate's link and cursor paging (json_link, header_link, cursor,
# header_cursor) and the body paths, against the test server's /v2/links
# and /v2/search (25 records, 10 a page unless the URL says otherwise).

bats_require_minimum_version 1.5.0

load server

KEY=sekrit-key-123

setup_file() { server_start --records 25; }
teardown_file() { server_stop; }

setup() {
	server_reset
	unset API_KEY
	L=$BASE/v2/links
	cd "$BATS_TEST_TMPDIR" || return 1
}

rest-paginate() {
	timeout 60 rest-paginate "$@"
}

# The ids of the records of pages on stdin (data or value), one line.
ids() {
	jq -r '(.data // .value // .)[].id' | paste -sd' ' -
}

ALL="1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20 21 22 23 24 25"

# A configuration of one resource at /v2/links with paginator $1.
config() {
	cat >c.json <<-EOF
	{"client": {"base_url": "$BASE"},
	 "resources": [{"name": "r", "endpoint": {"path": "${2:-v2/links}",
	   "params": {"style": "${3:-json}"}, "paginator": $1}}]}
	EOF
}

@test "json_link: absolute, nested, relative and OData links, every record once" {
	run --separate-stderr rest-paginate --paginator json_link "$L"
	assert_success
	assert_equal "$(ids <<<"$output")" "$ALL"
	assert_equal "$stderr" ''
	run --separate-stderr rest-paginate --next-url-path links.next \
		"$L?style=nested"
	assert_success
	assert_equal "$(ids <<<"$output")" "$ALL"
	for style in relative relpath; do
		run --separate-stderr rest-paginate --paginator json_link \
			"$L?style=$style"
		assert_success
		assert_equal "$(ids <<<"$output")" "$ALL"
	done
	run --separate-stderr rest-paginate --next-url-path @odata.nextLink \
		"$L?style=odata"
	assert_success
	assert_equal "$(ids <<<"$output")" "$ALL"
	# The server's link is followed as it is: no parameter twice.
	assert_equal "$(server_requests | jq -r .query | tail -1)" \
		'style=odata&at=20'
}

@test "json_link stops at a missing, null or empty next" {
	for end in omit null empty; do
		run --separate-stderr rest-paginate --paginator json_link \
			"$L?end=$end"
		assert_success
		assert_equal "$(ids <<<"$output")" "$ALL"
	done
	assert_equal "$(server_requests | wc -l)" 9
}

@test "json_link in a configuration; bad keys are 78 naming their path" {
	config '{"type": "json_link", "next_url_path": "next"}'
	run --separate-stderr rest-paginate -c c.json
	assert_success
	assert_equal "$(ids <<<"$output")" "$ALL"
	config '{"type": "json_link", "next_url_path": 5}'
	run --separate-stderr rest-paginate -c c.json
	assert_failure 78
	assert_equal "$stderr" 'rest-paginate: c.json: $.resources[0].endpoint.paginator.next_url_path: expected a string'
	config '{"type": "json_link", "next_url_path": ""}'
	run --separate-stderr rest-paginate -c c.json
	assert_failure 78
	assert_equal "$stderr" 'rest-paginate: c.json: $.resources[0].endpoint.paginator.next_url_path: expected a name, not an empty string'
	config '{"type": "json_link", "cursor_path": "x"}'
	run --separate-stderr rest-paginate -c c.json
	assert_success
	assert_regex "$stderr" "unknown key 'cursor_path'"
	config '"json_link"'
	run --separate-stderr rest-paginate -c c.json
	assert_success
	assert_equal "$(ids <<<"$output")" "$ALL"
}

@test "header_link: the Link header's next, with links_next_key" {
	run --separate-stderr rest-paginate --paginator header_link \
		"$L?style=header"
	assert_success
	assert_equal "$(jq -r '.[].id' <<<"$output" | paste -sd' ' -)" "$ALL"
	# rel="first" is the first page again: a loop.
	run --separate-stderr rest-paginate --links-next-key first \
		"$L?style=header&at=0"
	assert_failure 65
	assert_regex "$stderr" "page 1: the next link '.*at=0' was followed before in this run: the pages go round in a loop; check that --links-next-key \(links_next_key\) names the next page"
	config '{"type": "header_link", "links_next_key": "next"}' v2/links header
	run --separate-stderr rest-paginate -c c.json
	assert_success
	assert_equal "$(jq -r '.[].id' <<<"$output" | paste -sd' ' -)" "$ALL"
}

@test "cursor: in the query, with cursor_path and cursor_param; stops on null" {
	run --separate-stderr rest-paginate --paginator cursor "$L?style=cursor"
	assert_success
	assert_equal "$(ids <<<"$output")" "$ALL"
	assert_equal "$(server_requests | jq -r .query | paste -sd' ' -)" \
		'style=cursor style=cursor&cursor=c10 style=cursor&cursor=c20'
	config '{"type": "cursor", "cursor_path": "cursors.next", "cursor_param": "after"}' \
		'v2/links?cparam=after' cursor
	run --separate-stderr rest-paginate -c c.json
	assert_success
	assert_equal "$(ids <<<"$output")" "$ALL"
	# A numeric cursor goes as it is; 0 stops, as in dlt.
	run --separate-stderr rest-paginate --cursor-path next_cursor \
		"$L?style=number"
	assert_success
	assert_equal "$(ids <<<"$output")" "$ALL"
}

@test "cursor: has_more_path stops, and says when a cursor is missing" {
	run --separate-stderr rest-paginate --paginator cursor \
		--has-more-path has_more "$L?style=cursor&has_more=1"
	assert_success
	assert_equal "$(ids <<<"$output")" "$ALL"
	run --separate-stderr rest-paginate --cursor-path nothing.here \
		--has-more-path has_more "$L?style=cursor&has_more=1"
	assert_failure 65
	assert_equal "$stderr" "rest-paginate: page 1: 'has_more' says there is more, but there is no cursor
rest-paginate: resume: rerun from the start"
	run --separate-stderr rest-paginate --paginator cursor \
		--cursor-path data "$L?style=cursor"
	assert_failure 65
	assert_regex "$stderr" "^rest-paginate: page 1: the cursor at 'data' is not a string or a number"
}

@test "cursor in the body of a POST (cursor_body_path, nested)" {
	run --separate-stderr rest-paginate --cursor-path next_cursor \
		--cursor-body-path page.after --json '{"q": "x"}' \
		"$BASE/v2/search?cursor_at=page.after"
	assert_success
	assert_equal "$(ids <<<"$output")" "$ALL"
	assert_equal "$(server_requests | jq -c '.body | fromjson' | paste -sd' ' -)" \
		'{"q":"x"} {"q":"x","page":{"after":"c10"}} {"q":"x","page":{"after":"c20"}}'
	config '{"type": "cursor", "cursor_param": "c", "cursor_body_path": "after"}'
	run --separate-stderr rest-paginate -c c.json
	assert_failure 78
	assert_equal "$stderr" 'rest-paginate: c.json: $.resources[0].endpoint.paginator.cursor_body_path: give cursor_param or cursor_body_path, not both'
	run --separate-stderr rest-paginate --cursor-path next_cursor \
		--cursor-body-path q.after --json '{"q": "x"}' "$BASE/v2/search"
	assert_failure 78
	assert_regex "$stderr" 'q.after: a member on the way is in the request body but not an object'
}

@test "header_cursor: the next header, cursor_key and cursor_param" {
	run --separate-stderr rest-paginate --paginator header_cursor \
		"$L?style=header_cursor"
	assert_success
	assert_equal "$(jq -r '.[].id' <<<"$output" | paste -sd' ' -)" "$ALL"
	config '{"type": "header_cursor", "cursor_key": "X-Next", "cursor_param": "tok"}' \
		'v2/links?hname=X-Next&cparam=tok' header_cursor
	run --separate-stderr rest-paginate -c c.json
	assert_success
	assert_equal "$(jq -r '.[].id' <<<"$output" | paste -sd' ' -)" "$ALL"
}

@test "offset and page numbers in the body of a POST" {
	run --separate-stderr rest-paginate --limit 10 \
		--offset-body-path paging.offset --limit-body-path paging.limit \
		--json '{}' "$BASE/v2/search?mode=offset&offset_at=paging.offset&limit_at=paging.limit"
	assert_success
	assert_equal "$(ids <<<"$output")" "$ALL"
	assert_equal "$(server_requests | jq -c '.body | fromjson' | head -2 | paste -sd' ' -)" \
		'{"paging":{"offset":0,"limit":10}} {"paging":{"offset":10,"limit":10}}'
	cat >c.json <<-EOF
	{"client": {"base_url": "$BASE"},
	 "resources": [{"name": "r", "endpoint": {"path": "v2/search?mode=page",
	   "method": "POST", "json": {"filter": 1},
	   "paginator": {"type": "page_number", "base_page": 1,
	     "page_body_path": "page", "total_path": null}}}]}
	EOF
	run --separate-stderr rest-paginate -c c.json
	assert_success
	assert_equal "$(ids <<<"$output")" "$ALL"
	assert_equal "$(server_requests | jq -c '.body | fromjson' | sed -n 4p)" \
		'{"filter":1,"page":1}'
	cat >c.json <<-EOF
	{"client": {"base_url": "$BASE"},
	 "resources": [{"name": "r", "endpoint": {"path": "v2/search",
	   "paginator": {"type": "offset", "limit": 5, "offset_param": "o",
	     "offset_body_path": "o"}}}]}
	EOF
	run --separate-stderr rest-paginate -c c.json
	assert_failure 78
	assert_equal "$stderr" 'rest-paginate: c.json: $.resources[0].endpoint.paginator.offset_body_path: give the parameter or the body path, not both'
}

@test "a link seen before is 65, also A->B->C->B" {
	run --separate-stderr rest-paginate --paginator json_link \
		"$L?loop=20:10"
	assert_failure 65
	assert_equal "$(ids <<<"$output")" '1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20'
	assert_regex "$stderr" "^rest-paginate: page 3: the next link 'http://127.0.0.1:$PORT/v2/links\?loop=20%3A10&at=10' was followed before in this run: the pages go round in a loop"
	# A cursor too.
	run --separate-stderr rest-paginate --paginator cursor \
		"$L?style=cursor&loop=20:10"
	assert_failure 65
	assert_regex "$stderr" "page 3: the cursor 'c10' was followed before in this run"
	assert_equal "$(server_requests | wc -l)" 6
}

@test "-P with link paging warns and fetches one page at a time" {
	run --separate-stderr rest-paginate -P 4 --paginator json_link "$L"
	assert_success
	assert_equal "$(ids <<<"$output")" "$ALL"
	assert_equal "$stderr" 'rest-paginate: warning: --parallel 4: link and cursor paging is sequential (each page names the next): fetching one page at a time'
}

@test "a link to another host is 69; --allow-other-host follows it with no key" {
	export API_KEY=$KEY
	run --separate-stderr rest-paginate --auth api_key --key-name api_key \
		--key-location query --paginator json_link \
		"$L?require_key=1&other_host=10"
	assert_failure 69
	assert_equal "$(ids <<<"$output")" '1 2 3 4 5 6 7 8 9 10'
	assert_regex "$stderr" "^rest-paginate: page 2: the next link goes to another scheme, host or port than the first request \(http://127.0.0.1:$PORT\), where the credentials must not go: 'http://localhost:$PORT/v2/links\?require_key=1&other_host=10&api_key=\*\*\*(&api_key=\*\*\*)?&at=20'; give --allow-other-host"
	[[ $stderr != *$KEY* ]]
	# A link that echoes the key is not followed there at all.
	run --separate-stderr rest-paginate --auth api_key --key-name api_key \
		--key-location query --paginator json_link --allow-other-host \
		"$L?require_key=1&other_host=10"
	assert_failure 69
	assert_regex "$stderr" "and carries the secret in its URL, which must not go there: 'http://localhost:$PORT/v2/links\?require_key=1&other_host=10&api_key=\*\*\*"
	[[ $stderr != *$KEY* ]]
	assert_equal "$(server_requests | grep -c "localhost:$PORT")" 0
	server_reset
	run --separate-stderr rest-paginate --auth bearer -H 'X-Keep: 1' \
		--paginator json_link --allow-other-host "$L?other_host=0"
	assert_success
	assert_equal "$(ids <<<"$output")" "$ALL"
	assert_equal "$(server_requests | jq -r '.headers.Host' | paste -sd' ' -)" \
		"127.0.0.1:$PORT localhost:$PORT localhost:$PORT"
	# No Authorization header on the other host; other headers go.
	assert_equal "$(server_requests | jq -r '.headers.Authorization // "none"' | paste -sd' ' -)" \
		"Bearer $KEY none none"
	assert_equal "$(server_requests | jq -r '.headers["X-Keep"]' | paste -sd' ' -)" '1 1 1'
	server_reset
	run --separate-stderr rest-paginate --auth api_key --key-name X-API-Key \
		--paginator json_link --allow-other-host "$L?other_host=0"
	assert_success
	assert_equal "$(ids <<<"$output")" "$ALL"
	! server_requests | grep -F "localhost:$PORT" | grep -qF "$KEY"
	assert_equal "$(server_requests | grep -c "$KEY")" 1
	# Nor an OAuth2 access token: it goes to the first host alone, and
	# the other host's pages fetch no token either.
	server_reset
	API_KEY=client-sekrit-456 run --separate-stderr rest-paginate \
		--auth oauth2_client_credentials --token-url "$BASE/oauth/token" \
		--client-id restpipe-client --paginator json_link \
		--allow-other-host "$L?other_host=0"
	assert_success
	assert_equal "$(ids <<<"$output")" "$ALL"
	assert_equal "$(server_requests | jq -r 'select(.path != "/oauth/token") |
		.headers.Authorization // "none"' | paste -sd' ' -)" \
		'Bearer access-tok-0001 none none'
	assert_equal "$(server_requests | jq -r .path | grep -c /oauth/token)" 1
}

@test "a failure says the option that resumes, or that none is safe" {
	server_faults '[{"path": "/v2/links", "action": "status", "status": 404, "skip": 1}]'
	run --separate-stderr rest-paginate --paginator json_link "$L"
	assert_failure 69
	assert_equal "$(ids <<<"$output")" '1 2 3 4 5 6 7 8 9 10'
	assert_regex "$stderr" "rest-paginate: resume with --next-url 'http://127.0.0.1:$PORT/v2/links\?at=10'$"
	run --separate-stderr rest-paginate --paginator json_link \
		--next-url "http://127.0.0.1:$PORT/v2/links?at=20" "$L"
	assert_success
	assert_equal "$(ids <<<"$output")" '21 22 23 24 25'
	# The server echoes the key in its links: no position is safe.
	server_reset
	server_faults '[{"path": "/v2/links", "action": "status", "status": 404, "skip": 1}]'
	export API_KEY=$KEY
	run --separate-stderr rest-paginate --auth api_key --key-name api_key \
		--key-location query --paginator json_link --position-fd 3 \
		"$L" 3>pos
	assert_failure 69
	assert_regex "$stderr" 'rest-paginate: no resume position is safe to print \(it could carry the secret\); rerun from the start$'
	[[ $stderr != *$KEY* ]]
	# The position line still goes to --position-fd, for rest-sync.
	assert_equal "$(cat pos)" "--next-url http://127.0.0.1:$PORT/v2/links?api_key=$KEY&at=10"
	run --separate-stderr rest-paginate --paginator cursor --cursor c20 \
		"$L?style=cursor"
	assert_success
	assert_equal "$(ids <<<"$output")" '21 22 23 24 25'
	echo c10 >cur
	run --separate-stderr rest-paginate --paginator cursor --cursor @cur \
		--position-fd 3 "$L?style=cursor" 3>pos
	assert_success
	assert_equal "$(ids <<<"$output")" '11 12 13 14 15 16 17 18 19 20 21 22 23 24 25'
	assert_equal "$(paste -sd' ' pos)" '--cursor c20 --cursor '
}

@test "link paging options that do not fit are usage errors" {
	run --separate-stderr rest-paginate --paginator bogus "$L"
	assert_failure 78
	assert_regex "$stderr" "^rest-paginate: --paginator: 'bogus' is not offset, page_number, single_page, json_link, header_link, cursor, header_cursor or auto"
	run --separate-stderr rest-paginate --paginator json_link --page-param p "$L"
	assert_failure 64
	assert_equal "$stderr" 'rest-paginate: link and cursor paging do not go with page numbers or --single-page'
	run --separate-stderr rest-paginate --next-url "$L" "$L"
	assert_failure 64
	assert_equal "$stderr" 'rest-paginate: --next-url and --cursor resume link and cursor paging: give its paginator too'
	assert_equal "$(server_requests | wc -l)" 0
}

@test "rest-sync: a link resource that fails mid-way shows no key; its files are private" {
	export API_KEY=$KEY
	cat >c.json <<-EOF
	{"client": {"base_url": "$BASE",
	   "auth": {"type": "api_key", "name": "api_key", "location": "query"}},
	 "resources": [{"name": "r", "primary_key": "id",
	   "endpoint": {"path": "v2/links", "params": {"require_key": "1"},
	     "data_selector": "data", "paginator": {"type": "json_link"}}}]}
	EOF
	server_faults '[{"path": "/v2/links", "action": "status", "status": 404, "skip": 2}]'
	run --separate-stderr timeout 60 rest-sync -c c.json -C out
	assert_failure 69
	[[ $stderr != *$KEY* ]]
	# rest-sync keeps the link itself: no "rerun from the start".
	refute_regex "$stderr" 'rerun from the start'
	assert_regex "$stderr" 'the next run resumes after the 2 pages fetched \(--next-url, not shown\)'
	assert_equal "$(stat -c %a out/.restpipe/r.sync/pages out/.restpipe/r.sync/state)" '600
600'
	# The next run goes on from the link kept, and loads every record.
	server_reset
	run --separate-stderr timeout 60 rest-sync -c c.json -C out
	assert_success
	[[ $stderr != *$KEY* ]]
	assert_equal "$(server_requests | jq -r .args.at | paste -sd' ')" '20'
	assert_equal "$(jq -r .id out/r.jsonl | sort -n | paste -sd' ' -)" "$ALL"
}

@test "an offset paginator that could never stop is 78 naming its keys" {
	config '{"type": "offset", "limit": 10, "total_path": null, "stop_after_empty_page": false}' v1/resource
	run --separate-stderr rest-paginate -c c.json
	assert_failure 78
	assert_output ''
	assert_equal "$stderr" 'rest-paginate: c.json: $.resources[0].endpoint.paginator: paging would never stop: total_path is null and stop_after_empty_page false; give a total_path, maximum_offset or has_more_path'
	config '{"type": "page_number", "total_path": null, "stop_after_empty_page": false}' v1/resource
	run --separate-stderr rest-paginate -c c.json
	assert_failure 78
	assert_regex "$stderr" 'give a total_path, maximum_page or has_more_path$'
	assert_equal "$(server_requests | wc -l)" 0
}

@test "an ignored response stops link paging as an empty page, said on stderr" {
	server_faults '[{"path": "/v2/links", "action": "status", "status": 404, "skip": 1}]'
	run --separate-stderr rest-paginate --paginator json_link \
		--ignore-status 404 "$L"
	assert_success
	assert_equal "$(ids <<<"$output")" '1 2 3 4 5 6 7 8 9 10'
	assert_regex "$stderr" '^rest-paginate: page 2: .*paging stops there, as after an empty page$'
	# Without the action the same 404 is a failure, with the resume.
	server_reset
	server_faults '[{"path": "/v2/links", "action": "status", "status": 404, "skip": 1}]'
	run --separate-stderr rest-paginate --paginator json_link "$L"
	assert_failure 69
}
