#!/usr/bin/env bats
# Tests of -c/--config and -r/--resource: dlt's rest_api_source dict
# written as JSON, each program reading the part it needs.  The first -c
# cases of rest-fetch (params, -X/-q/URL winning, a ${VAR} token, a
# [sources.rest_api] secret, a malformed file) are in fetch.bats.

bats_require_minimum_version 1.5.0

load server
bats_load_library bats-file

# The key the test server accepts for require_key=1.
KEY=sekrit-key-123

setup_file() {
	server_start
}

teardown_file() {
	server_stop
}

setup() {
	server_reset
	unset API_KEY TOKEN PASSWORD MY_KEY
	# A table without FILE and .dlt/secrets.toml are in the current
	# directory.
	cd "$BATS_TEST_TMPDIR" || return 1
}

# fixture NAME: a copy of tests/fixtures/NAME pointing at the test server.
fixture() {
	sed "s|http://127.0.0.1:8080|$BASE|" "$BATS_TEST_DIRNAME/fixtures/$1" \
		>"$BATS_TEST_TMPDIR/$1"
	echo "$1"
}

# The query strings of the requests so far, space separated.
queries() {
	server_requests | jq -r .query | paste -sd' ' -
}

# pager PAGINATOR [PARAMS]: c.json, one resource on the test API with that
# paginator and those endpoint params (by default 25 records).
pager() {
	local params=${2:-'{"records": 25}'}

	cat >c.json <<-EOF
	{"client": {"base_url": "$BASE"},
	 "resources": [{"name": "r", "endpoint": {"path": "v1/resource",
	   "params": $params, "data_selector": "data", "paginator": $1}}]}
	EOF
}

# paged PAGINATOR [PARAMS] QUERIES: rest-paginate -c with that paginator
# succeeds quietly, one line per request, and sends exactly QUERIES.
paged() {
	local want=${*: -1}

	pager "${@:1:$#-1}"
	server_reset
	run --separate-stderr rest-paginate -c c.json
	assert_success
	assert_equal "$stderr" ''
	assert_equal "${#lines[@]}" "$(wc -w <<<"$want")"
	assert_equal "$(queries)" "$want"
}

# bad_config PROGRAM JQ-EDIT MESSAGE: PROGRAM -c on the catalog fixture
# edited by JQ-EDIT exits 78 with "PROGRAM: bad.json: MESSAGE" alone.
bad_config() {
	jq "$2" "$(fixture config-catalog.json)" >bad.json
	run --separate-stderr "$1" -c bad.json -r image_analysis </dev/null
	assert_failure 78
	assert_output ''
	assert_equal "$stderr" "$1: bad.json: $3"
}

# ------------------------------------------------------------ the URL

@test "base_url and path are joined as dlt joins them" {
	local r got=
	cat >c.json <<-EOF
	{"client": {"base_url": "$BASE/echo//"},
	 "resource_defaults": {"endpoint": {"path": "dflt"}},
	 "resources": [
	  {"name": "lead", "endpoint": {"path": "//a/b"}},
	  {"name": "bare", "endpoint": {"path": "a"}},
	  {"name": "full", "endpoint": {"path": "$BASE/echo-full?z=1"}},
	  "plain",
	  {"name": "named"},
	  {"name": "short", "endpoint": "s"},
	  {"name": "nopath", "endpoint": {"method": "GET"}},
	  {"name": "empty", "endpoint": {"path": ""}}]}
	EOF
	for r in lead bare full plain named short nopath empty; do
		run --separate-stderr rest-fetch -c c.json -r "$r"
		assert_success
		assert_equal "$stderr" ''
		got+="$(jq -r '.path + "?" + .query' <<<"$output") "
	done
	assert_equal "$got" \
		'/echo/a/b? /echo/a? /echo-full?z=1 /echo/plain? /echo/named? /echo/s? /echo/nopath? /echo//? '
}

@test "a relative path needs client.base_url" {
	echo '{"resources": ["echo"]}' >c.json
	run --separate-stderr rest-fetch -c c.json
	assert_failure 78
	assert_output ''
	assert_equal "$stderr" \
		'rest-fetch: c.json: $.client: no base_url for a relative path'
	assert_equal "$(queries)" ''
}

# ------------------------------------------------------------ the request

@test "client.headers and the endpoint's headers are sent; -H adds one" {
	local hdrs='.headers | [."X-Client", ."X-Default", ."X-Endpoint", ."X-Cli"]'
	cat >c.json <<-EOF
	{"client": {"base_url": "$BASE", "headers": {"X-Client": "c"}},
	 "resource_defaults": {"endpoint": {"headers": {"X-Default": "d"}}},
	 "resources": [
	  {"name": "own", "endpoint": {"path": "echo",
	    "headers": {"X-Endpoint": "e"}}},
	  {"name": "dflt", "endpoint": {"path": "echo"}}]}
	EOF
	run --separate-stderr rest-fetch -c c.json -r own -H 'X-Cli: 1'
	assert_success
	assert_equal "$stderr" ''
	run jq -c "$hdrs" <<<"$output"
	assert_output '["c",null,"e","1"]'
	run rest-fetch -c c.json -r dflt
	assert_success
	run jq -c "$hdrs" <<<"$output"
	assert_output '["c","d",null,null]'
}

@test "endpoint.method, and endpoint.json merged key by key" {
	cat >c.json <<-EOF
	{"client": {"base_url": "$BASE"},
	 "resource_defaults": {"endpoint": {"method": "POST",
	   "json": {"a": 1, "b": {"x": 1}}}},
	 "resources": [{"name": "r", "endpoint": {"path": "echo",
	   "json": {"b": 2, "c": [1, "\u00e9"]}}}]}
	EOF
	run --separate-stderr rest-fetch -c c.json
	assert_success
	assert_equal "$stderr" ''
	run jq -r '.method, .body, .headers."Content-Type"' <<<"$output"
	assert_output 'POST
{"a":1,"b":2,"c":[1,"\u00e9"]}
application/json'
}

@test "endpoint.params merge key by key, the resource winning; -q adds" {
	cat >c.json <<-EOF
	{"client": {"base_url": "$BASE"},
	 "resource_defaults": {"endpoint": {"params":
	   {"records": 5, "limit": 2, "drop": "x"}}},
	 "resources": [{"name": "r", "endpoint": {"path": "echo",
	   "params": {"limit": 3, "drop": null, "q": "a b&c", "on": true}}}]}
	EOF
	run --separate-stderr rest-fetch -c c.json -q z=1
	assert_success
	assert_equal "$stderr" ''
	assert_equal "$(jq -r .query <<<"$output")" \
		'records=5&limit=3&q=a%20b%26c&on=true&z=1'
}

@test "the endpoint merges one level: own path, the defaults' paginator" {
	cat >c.json <<-EOF
	{"client": {"base_url": "$BASE"},
	 "resource_defaults": {"endpoint": {"params": {"records": 25},
	   "data_selector": "data",
	   "paginator": {"type": "offset", "limit": 10}}},
	 "resources": [{"name": "r", "endpoint": {"path": "/v1/resource"}}]}
	EOF
	run --separate-stderr rest-paginate -c c.json
	assert_success
	assert_equal "$stderr" ''
	assert_equal "${#lines[@]}" 3
	run jq -c '[.data[].id] | [first, last]' <<<"${lines[2]}"
	assert_output '[21,25]'
	assert_equal "$(queries)" \
		'offset=0&limit=10&records=25 offset=10&limit=10&records=25 offset=20&limit=10&records=25'
}

# ------------------------------------------------------------ auth

@test "auth api_key: Authorization in a header by default, from API_KEY" {
	cat >c.json <<-EOF
	{"client": {"base_url": "$BASE", "auth": {"type": "api_key"}},
	 "resources": ["echo"]}
	EOF
	export API_KEY=$KEY
	run --separate-stderr rest-fetch -c c.json
	assert_success
	assert_equal "$stderr" ''
	run jq -c '[.headers.Authorization, .query]' <<<"$output"
	assert_output "[\"$KEY\",\"\"]"
}

@test "auth api_key: location header, query, param (an alias) or cookie" {
	local loc where=
	export API_KEY=$KEY
	for loc in header:X-API-Key query:api_key param:api_key \
		cookie:api_key; do
		cat >c.json <<-EOF
		{"client": {"base_url": "$BASE", "auth": {"type": "api_key",
		   "name": "${loc#*:}", "location": "${loc%%:*}"}},
		 "resources": [{"name": "r", "endpoint": {"path": "v1/resource",
		   "params": {"require_key": 1, "limit": 1}}}]}
		EOF
		server_reset
		run --separate-stderr rest-fetch -c c.json
		assert_success
		assert_equal "$stderr" ''
		assert_equal "$(jq -c '[.data[].id]' <<<"$output")" '[1]'
		where+=$(server_requests | jq -r '[.query,
			.headers."X-API-Key" // "-", .headers.Cookie // "-"] |
			join(" ")')$'\n'
	done
	assert_equal "$where" "require_key=1&limit=1 $KEY -
require_key=1&limit=1&api_key=$KEY - -
require_key=1&limit=1&api_key=$KEY - -
require_key=1&limit=1 - api_key=$KEY
"
}

@test "auth bearer reads TOKEN; an auth without a type is bearer" {
	local auth
	for auth in '{"type": "bearer"}' '{}'; do
		cat >c.json <<-EOF
		{"client": {"base_url": "$BASE", "auth": $auth},
		 "resources": ["echo"]}
		EOF
		TOKEN=$KEY run --separate-stderr rest-fetch -c c.json
		assert_success
		assert_equal "$stderr" ''
		assert_equal "$(jq -r .headers.Authorization <<<"$output")" \
			"Bearer $KEY"
	done
	run --separate-stderr rest-fetch -c c.json
	assert_failure 78
	assert_output ''
	assert_equal "$stderr" \
		'rest-fetch: --auth bearer needs a secret: set TOKEN, or token in .dlt/secrets.toml, or use --secret-file'
}

@test "auth http_basic: username in the file, password from the environment" {
	cat >c.json <<-EOF
	{"client": {"base_url": "$BASE",
	   "auth": {"type": "http_basic", "username": "me"}},
	 "resources": ["echo", {"name": "var", "endpoint": "echo"}]}
	EOF
	PASSWORD='pa:ss' run --separate-stderr rest-fetch -c c.json -r echo
	assert_success
	assert_equal "$stderr" ''
	assert_equal "$(jq -r .headers.Authorization <<<"$output")" \
		"Basic $(printf 'me:pa:ss' | base64)"
	jq '.client.auth.password = "${MY_KEY}"' c.json >v.json
	MY_KEY=$KEY run --separate-stderr rest-fetch -c v.json -r var
	assert_success
	assert_equal "$stderr" ''
	assert_equal "$(jq -r .headers.Authorization <<<"$output")" \
		"Basic $(printf 'me:%s' "$KEY" | base64)"
	run --separate-stderr rest-fetch -c v.json -r var
	assert_failure 78
	assert_equal "$stderr" \
		'rest-fetch: --auth http_basic needs a secret: set MY_KEY, or password in .dlt/secrets.toml, or use --secret-file'
	jq 'del(.client.auth.username)' c.json >n.json
	run --separate-stderr rest-fetch -c n.json -r echo
	assert_failure 78
	assert_output ''
	assert_equal "$stderr" \
		'rest-fetch: n.json: $.client.auth: http_basic needs a username'
	assert_equal "$(server_stats | jq .requests)" 2
}

@test "rest-paginate sends the configuration's auth on every page" {
	local cfg
	cfg=$(fixture config-catalog.json)
	jq '.resource_defaults.endpoint.params.require_key = 1' "$cfg" >k.json
	API_KEY=$KEY run --separate-stderr rest-paginate -c k.json \
		-r image_analysis
	assert_success
	assert_equal "$stderr" ''
	assert_equal "${#lines[@]}" 3
	assert_equal "$(server_requests | jq -r '[.args.api_key,
		.headers."X-Client"] | join(" ")' | sort | uniq -c | xargs)" \
		"3 $KEY restpipe-test"
}

# ------------------------------------------------------------ secrets

@test "secrets: --secret-file, --secret-env, a literal, then the variable" {
	cat >c.json <<-EOF
	{"client": {"base_url": "$BASE",
	   "auth": {"type": "bearer", "token": "literal-token"}},
	 "resources": ["echo"]}
	EOF
	echo from-file >secret
	export TOKEN=from-token MY_KEY=from-env
	run --separate-stderr rest-fetch -c c.json
	assert_success
	assert_equal "$stderr" \
		'rest-fetch: warning: c.json: $.client.auth.token: a secret written into the configuration belongs in the environment'
	assert_equal "$(jq -r .headers.Authorization <<<"$output")" \
		'Bearer literal-token'
	run --separate-stderr rest-fetch -c c.json --secret-env MY_KEY
	assert_success
	assert_equal "$(jq -r .headers.Authorization <<<"$output")" \
		'Bearer from-env'
	run --separate-stderr rest-fetch -c c.json --secret-env MY_KEY \
		--secret-file secret
	assert_success
	assert_equal "$(jq -r .headers.Authorization <<<"$output")" \
		'Bearer from-file'
	jq 'del(.client.auth.token)' c.json >v.json
	run --separate-stderr rest-fetch -c v.json
	assert_success
	assert_equal "$stderr" ''
	assert_equal "$(jq -r .headers.Authorization <<<"$output")" \
		'Bearer from-token'
}

@test "secrets: dlt's environment names, the most specific first, before API_KEY and secrets.toml" {
	local v
	cat >c.json <<-EOF
	{"client": {"base_url": "$BASE",
	   "auth": {"type": "api_key", "name": "X-API-Key"}},
	 "resources": ["echo"]}
	EOF
	mkdir .dlt
	echo 'api_key = "toml"' >.dlt/secrets.toml
	# key: each of dlt's names for api_key with all before it unset.
	key() {
		run --separate-stderr env "$@" rest-fetch -c c.json
		assert_success
		jq -r '.headers."X-API-Key"' <<<"$output"
	}
	assert_equal "$(key)" toml
	assert_equal "$(key API_KEY=plain)" plain
	assert_equal "$(key API_KEY=plain SOURCES__API_KEY=s)" s
	assert_equal "$(key SOURCES__API_KEY=s SOURCES__REST_API__API_KEY=sr)" sr
	assert_equal "$(key SOURCES__REST_API__API_KEY=sr CREDENTIALS__API_KEY=c)" c
	assert_equal "$(key CREDENTIALS__API_KEY=c SOURCES__CREDENTIALS__API_KEY=sc)" sc
	assert_equal "$(key SOURCES__CREDENTIALS__API_KEY=sc SOURCES__REST_API__CREDENTIALS__API_KEY=src)" src
	assert_equal "$(key SOURCES__REST_API__CREDENTIALS__API_KEY=src SOURCES__REST_API__REST_API__CREDENTIALS__API_KEY=srrc)" srrc
	# An empty one is none.
	assert_equal "$(key SOURCES__REST_API__API_KEY= API_KEY=plain)" plain
	# What an option or the configuration names wins over them all.
	run --separate-stderr env SOURCES__REST_API__API_KEY=sr MINE=mine rest-fetch --secret-env MINE -c c.json
	assert_equal "$(jq -r '.headers."X-API-Key"' <<<"$output")" mine
	sed -i 's/"name": "X-API-Key"/&, "api_key": "${MINE}"/' c.json
	run --separate-stderr env SOURCES__REST_API__API_KEY=sr MINE=mine rest-fetch -c c.json
	assert_equal "$(jq -r '.headers."X-API-Key"' <<<"$output")" mine
	# The other fields of an auth too: a bearer's token, a basic password.
	cat >b.json <<-EOF
	{"client": {"base_url": "$BASE", "auth": {"type": "bearer"}},
	 "resources": ["echo"]}
	EOF
	run --separate-stderr env SOURCES__REST_API__TOKEN=tok rest-fetch -c b.json
	assert_success
	assert_equal "$(jq -r '.headers.Authorization' <<<"$output")" 'Bearer tok'
	assert_equal "$(server_stats | jq .requests)" 12
}

@test "secrets: .dlt/secrets.toml, top level, [sources], [sources.rest_api]" {
	cat >c.json <<-EOF
	{"client": {"base_url": "$BASE",
	   "auth": {"type": "api_key", "name": "X-API-Key"}},
	 "resources": ["echo"]}
	EOF
	mkdir .dlt
	printf '%s\n' '# dlt' 'api_key = "top" # a comment' '[destination]' \
		'api_key = "no"' >.dlt/secrets.toml
	run --separate-stderr rest-fetch -c c.json
	assert_success
	assert_equal "$stderr" ''
	assert_equal "$(jq -r '.headers."X-API-Key"' <<<"$output")" top
	# The most specific table wins, wherever it is in the file.
	printf '%s\n' '[sources.rest_api]' "  api_key = 'rest' " '[sources]' \
		'api_key = "sources"' '[sources.other]' 'api_key = "no"' \
		>>.dlt/secrets.toml
	run rest-fetch -c c.json
	assert_success
	assert_equal "$(jq -r '.headers."X-API-Key"' <<<"$output")" rest
	printf '%s\n' 'api_key = "top"' ' [ sources ] ' 'api_key="s\"q"' \
		>.dlt/secrets.toml
	run rest-fetch -c c.json
	assert_success
	assert_equal "$(jq -r '.headers."X-API-Key"' <<<"$output")" 's"q'
	# The environment comes first.
	API_KEY=env-key run rest-fetch -c c.json
	assert_success
	assert_equal "$(jq -r '.headers."X-API-Key"' <<<"$output")" env-key
	# Only the current directory's .dlt counts.
	mkdir sub
	cd sub
	run --separate-stderr rest-fetch -c ../c.json
	assert_failure 78
	assert_output ''
	assert_equal "$stderr" \
		'rest-fetch: --auth api_key needs a secret: set API_KEY, or api_key in .dlt/secrets.toml, or use --secret-file'
	assert_equal "$(server_stats | jq .requests)" 4
}

# ------------------------------------------------------------ paginators

@test "offset paginator: limit, offset, offset_param and limit_param" {
	paged '{"type": "offset", "limit": 10, "offset": 5,
		"offset_param": "start", "limit_param": "size"}' \
		'start=5&size=10&records=25 start=15&size=10&records=25'
}

@test "offset paginator: total_path, null or missing, and maximum_offset" {
	paged '{"type": "offset", "limit": 10, "total_path": "meta.n"}' \
		'{"records": 25, "total_key": "meta.n"}' \
		'offset=0&limit=10&records=25&total_key=meta.n offset=10&limit=10&records=25&total_key=meta.n offset=20&limit=10&records=25&total_key=meta.n'
	# No total: up to the first empty page, quietly.
	paged '{"type": "offset", "limit": 10, "total_path": null}' \
		'offset=0&limit=10&records=25 offset=10&limit=10&records=25 offset=20&limit=10&records=25 offset=30&limit=10&records=25'
	paged '{"type": "offset", "limit": 10, "maximum_offset": 20}' \
		'offset=0&limit=10&records=25 offset=10&limit=10&records=25'
	# A total_path given and missing is an error.
	pager '{"type": "offset", "limit": 10, "total_path": "nope"}'
	server_reset
	run --separate-stderr rest-paginate -c c.json
	assert_failure 65
	assert_output ''
	assert_equal "$stderr" "rest-paginate: page at offset 0: no total at 'nope'
rest-paginate: resume with --offset 0"
}

@test "offset paginator: stop_after_empty_page false and has_more_path" {
	paged '{"type": "offset", "limit": 10, "total_path": null,
		"stop_after_empty_page": false, "has_more_path": "has_more"}' \
		'{"records": 25, "has_more": 1, "total": "omit"}' \
		'offset=0&limit=10&records=25&has_more=1&total=omit offset=10&limit=10&records=25&has_more=1&total=omit offset=20&limit=10&records=25&has_more=1&total=omit'
	# Past the empty page at 30, up to maximum_offset.
	paged '{"type": "offset", "limit": 10, "total_path": null,
		"stop_after_empty_page": false, "maximum_offset": 40}' \
		'offset=0&limit=10&records=25 offset=10&limit=10&records=25 offset=20&limit=10&records=25 offset=30&limit=10&records=25'
}

@test "page_number: base_page, page, page_param, total_path, maximum_page" {
	paged '{"type": "page_number", "base_page": 1,
		"total_path": "total_pages"}' \
		'page=1&records=25 page=2&records=25 page=3&records=25'
	paged '{"type": "page_number", "base_page": 0, "page": 1,
		"page_param": "page", "total_path": "total_pages"}' \
		'{"records": 25, "base_page": 0}' \
		'page=1&records=25&base_page=0 page=2&records=25&base_page=0'
	paged '{"type": "page_number", "base_page": 1, "maximum_page": 3,
		"total_path": null}' \
		'page=1&records=25 page=2&records=25'
	paged '{"type": "page_number", "page_param": "p", "maximum_page": 2,
		"total_path": null}' '{"records": 25, "base_page": 0}' \
		'p=0&records=25&base_page=0 p=1&records=25&base_page=0'
}

@test "paginator strings page_number and single_page; single_page object" {
	# dlt's defaults: base_page 0, the page count at total (25 here), so
	# paging stops at the first empty page.
	paged '"page_number"' '{"records": 25, "base_page": 0}' \
		'page=0&records=25&base_page=0 page=1&records=25&base_page=0 page=2&records=25&base_page=0 page=3&records=25&base_page=0'
	paged '"single_page"' 'records=25'
	paged '{"type": "single_page"}' 'records=25'
}

@test "a bare \"offset\" is 78: dlt's offset paginator needs a limit" {
	pager '"offset"'
	run --separate-stderr rest-paginate -c c.json
	assert_failure 78
	assert_output ''
	assert_equal "$stderr" \
		'rest-paginate: c.json: $.resources[0].endpoint.paginator: the offset paginator needs a limit: write it as {"type": "offset", "limit": N}'
	pager '{"type": "offset"}'
	run --separate-stderr rest-paginate -c c.json
	assert_failure 78
	assert_equal "$stderr" \
		'rest-paginate: c.json: $.resources[0].endpoint.paginator: the offset paginator needs a limit'
	assert_equal "$(queries)" ''
}

@test "an unknown paginator type is 78 naming dlt's; rest-fetch ignores it" {
	pager '{"type": "my_custom", "cursor_path": "next"}'
	run --separate-stderr rest-paginate -c c.json
	assert_failure 78
	assert_output ''
	assert_equal "$stderr" \
		"rest-paginate: c.json: \$.resources[0].endpoint.paginator.type: paginator 'my_custom' is not supported (offset, page_number, single_page, json_link, header_link, cursor, header_cursor and auto are)"
	pager '"my_custom"'
	run --separate-stderr rest-paginate -c c.json
	assert_failure 78
	assert_equal "$stderr" \
		"rest-paginate: c.json: \$.resources[0].endpoint.paginator: paginator 'my_custom' is not supported (offset, page_number, single_page, json_link, header_link, cursor, header_cursor and auto are)"
	assert_equal "$(queries)" ''
	run --separate-stderr rest-fetch -c c.json
	assert_success
	assert_equal "$stderr" ''
	assert_equal "$(jq -c '[.data[].id] | length' <<<"$output")" 10
}

@test "paginator precedence: endpoint, resource_defaults.endpoint, client" {
	cat >c.json <<-EOF
	{"client": {"base_url": "$BASE", "paginator": "single_page"},
	 "resource_defaults": {"endpoint": {"params": {"records": 25},
	   "paginator": {"type": "offset", "limit": 20}}},
	 "resources": [
	  {"name": "own", "endpoint": {"path": "v1/resource",
	    "paginator": {"type": "page_number", "base_page": 1,
	      "total_path": "total_pages"}}},
	  {"name": "dflt", "endpoint": {"path": "v1/resource"}}]}
	EOF
	run --separate-stderr rest-paginate -c c.json -r own
	assert_success
	assert_equal "$stderr" ''
	assert_equal "$(queries)" \
		'page=1&records=25 page=2&records=25 page=3&records=25'
	server_reset
	run --separate-stderr rest-paginate -c c.json -r dflt
	assert_success
	assert_equal "$stderr" ''
	assert_equal "$(queries)" \
		'offset=0&limit=20&records=25 offset=20&limit=20&records=25'
	jq 'del(.resource_defaults.endpoint.paginator)' c.json >client.json
	server_reset
	run --separate-stderr rest-paginate -c client.json -r dflt
	assert_success
	assert_equal "$stderr" ''
	assert_equal "${#lines[@]}" 1
	assert_equal "$(queries)" 'records=25'
	# No paginator anywhere: detected from a plain first request, as dlt
	# does; this page has neither a next link nor a count of pages.
	jq 'del(.client.paginator)' client.json >none.json
	server_reset
	run --separate-stderr rest-paginate -c none.json -r dflt
	assert_success
	assert_equal "${#lines[@]}" 1
	assert_regex "$stderr" '^rest-paginate: warning: no paginator detected: '
	assert_equal "$(queries)" 'records=25'
}

@test "paginator auto, as a string or a type: detected; an endpoint's auto leaves the client's paginator, as in dlt" {
	local p
	for p in '"auto"' '{"type": "auto"}'; do
		pager "$p" '{"records": 25, "by_page": 1, "base_page": 0}'
		server_reset
		run --separate-stderr rest-paginate -c c.json
		assert_success
		assert_equal "${#lines[@]}" 3
		assert_equal "$stderr" "rest-paginate: warning: detected paginator page_number with total_path 'total_pages', page_param 'page' and base_page 0 from the first response: a guess, as dlt's; check it, and set the paginator in the configuration"
		assert_equal "$(queries)" 'records=25&by_page=1&base_page=0 page=1&records=25&by_page=1&base_page=0 page=2&records=25&by_page=1&base_page=0'
	done
	pager '{"type": "auto", "limit": 5}'
	run --separate-stderr rest-paginate -c c.json
	assert_success
	assert_regex "$stderr" "^rest-paginate: warning: c.json: \\$.resources\\[0\\].endpoint.paginator: unknown key 'limit'"
	jq '.client.paginator = {"type": "offset", "limit": 20}' c.json >cl.json
	server_reset
	run --separate-stderr rest-paginate -c cl.json
	assert_success
	assert_equal "$(queries)" 'offset=0&limit=20&records=25 offset=20&limit=20&records=25'
	# The command line's paging options win over a detection.
	pager '"auto"'
	server_reset
	run --separate-stderr rest-paginate -c c.json --limit 10
	assert_success
	assert_equal "$stderr" ''
	assert_equal "$(queries)" 'offset=0&limit=10&records=25 offset=10&limit=10&records=25 offset=20&limit=10&records=25'
}

@test "options and the URL operand of rest-paginate win over the file" {
	local cfg
	cfg=$(fixture config-catalog.json)
	API_KEY=$KEY run --separate-stderr rest-paginate -c "$cfg" \
		-r image_analysis --limit 20 --data-selector items -q x=1 \
		"$BASE/v1/resource?wrap=items"
	assert_success
	assert_equal "$stderr" ''
	assert_equal "${#lines[@]}" 2
	assert_equal "$(jq -c '.items | length' <<<"${lines[1]}")" 5
	assert_equal "$(queries)" \
		"wrap=items&offset=0&limit=20&records=25&x=1&api_key=$KEY wrap=items&offset=20&limit=20&records=25&x=1&api_key=$KEY"
}

# ------------------------------------------------------------ data_selector

@test "rest-select -c: PATH is endpoint.data_selector, every operand a file" {
	cat >c.json <<-'EOF'
	{"resource_defaults": {"endpoint": {"data_selector": "items"}},
	 "resources": [{"name": "a",
	   "endpoint": {"path": "a", "data_selector": "$.data[*]"}}, "b"]}
	EOF
	printf '{"data":[1,2]}\n' >data
	printf '{"data":[3]}' >p2
	run --separate-stderr rest-select -c c.json -r a data p2
	assert_success
	assert_equal "$stderr" ''
	assert_output $'1\n2\n3'
	run --separate-stderr rest-select --config c.json --resource a \
		<<<'{"data":[4]}'
	assert_success
	assert_output 4
	run --separate-stderr rest-select -c c.json -r b - <<<'{"items":[5]}'
	assert_success
	assert_output 5
	run --separate-stderr rest-select -c c.json -r a missing
	assert_failure 66
	assert_output ''
	assert_equal "$stderr" 'rest-select: missing: No such file or directory'
}

@test "rest-select -c without a data_selector detects it on the first value, as dlt does, and keeps it; operands are files" {
	echo '{"resources": [{"name": "a", "endpoint": "a"}]}' >c.json
	printf '{"meta":{"tags":[0]},"items":[1,2]}\n{"items":[3],"x":[9]}\n' >p
	run --separate-stderr rest-select -c c.json -r a p - <<<'{"items":[4]}'
	assert_success
	assert_equal "$stderr" ''
	assert_output $'1\n2\n3\n4'
	# A first value with no array is one record, the value itself.
	run --separate-stderr rest-select -c c.json <<<'{"id":1,"a":{"b":2}}'
	assert_success
	assert_output '{"id":1,"a":{"b":2}}'
	# The selector of the first value holds for the next ones.
	run --separate-stderr rest-select -c c.json \
		<<<$'{"data":[1]}\n{"items":[2]}'
	assert_failure 65
	assert_output 1
	assert_equal "$stderr" "rest-select: <stdin>:2: value 2: selector 'data' matched nothing"
	run --separate-stderr rest-select -c c.json data <<<'{"data":[1]}'
	assert_failure 66
	assert_equal "$stderr" 'rest-select: data: No such file or directory'
	run --separate-stderr rest-select -c c.json </dev/null
	assert_success
	assert_output ''
	assert_equal "$stderr" ''
}

@test "an unsupported data_selector is 78 in rest-select and rest-paginate" {
	cat >c.json <<-EOF
	{"client": {"base_url": "$BASE"},
	 "resources": [{"name": "a",
	   "endpoint": {"path": "a", "data_selector": "\$..id"}}]}
	EOF
	local why="recursive descent '..' is not supported"
	run --separate-stderr rest-select -c c.json </dev/null
	assert_failure 78
	assert_output ''
	assert_regex "$stderr" \
		"^rest-select: unsupported selector '\\\$\\.\\.id': $why; supported: "
	run --separate-stderr rest-select '$..id' </dev/null
	assert_failure 78
	assert_output ''
	assert_regex "$stderr" "^rest-select: unsupported selector "
	run --separate-stderr rest-paginate -c c.json
	assert_failure 78
	assert_output ''
	assert_regex "$stderr" \
		"^rest-paginate: --data-selector: unsupported path '\\\$\\.\\.id': $why; supported: "
	run --separate-stderr rest-paginate --data-selector '$..id' "$BASE/a"
	assert_failure 78
	assert_output ''
	assert_regex "$stderr" "^rest-paginate: --data-selector: unsupported path "
	assert_equal "$(server_requests)" ''
}

@test "rest-paginate counts a page's records at the data_selector" {
	local cfg
	cfg=$(fixture config-catalog.json)
	jq '.resources[0].endpoint.params = {"wrap": "result.rows"} |
	    .resources[0].endpoint.data_selector = "result.rows"' "$cfg" >w.json
	API_KEY=$KEY run --separate-stderr rest-paginate -c w.json \
		-r image_analysis --progress
	assert_success
	assert_equal "${#lines[@]}" 3
	assert_regex "$stderr" \
		'^rest-paginate: 3 pages, 25 records, 100% of 25, [0-9]+ records/s$'
	jq '.resources[0].endpoint.data_selector = "nope"' "$cfg" >n.json
	server_reset
	API_KEY=$KEY run --separate-stderr rest-paginate -c n.json \
		-r image_analysis
	assert_failure 65
	assert_output ''
	assert_equal "$stderr" "rest-paginate: page at offset 0: data selector 'nope' matched nothing
rest-paginate: resume with --offset 0"
}

# ------------------------------------------------------------ rest-merge

@test "rest-merge: primary_key as a string and as a list" {
	printf '%s\n' '{"id":1,"k":"a","v":1}' '{"id":1,"k":"b","v":2}' \
		'{"id":1,"k":"a","v":3}' >in.jsonl
	echo '{"resources": [{"name": "t", "primary_key": "id",
		"write_disposition": "merge"}]}' >one.json
	run --separate-stderr rest-merge -c one.json <in.jsonl
	assert_success
	assert_output ''
	assert_equal "$stderr" \
		'rest-merge: t.jsonl: 1 inserted, 0 updated, 0 deleted, 0 unchanged, 1 rows'
	assert_equal "$(<t.jsonl)" '{"id":1,"k":"a","v":3}'
	echo '{"resources": [{"name": "t2", "primary_key": ["id", "k"],
		"write_disposition": "merge"}]}' >two.json
	run --separate-stderr rest-merge -c two.json <in.jsonl
	assert_success
	assert_equal "$stderr" \
		'rest-merge: t2.jsonl: 2 inserted, 0 updated, 0 deleted, 0 unchanged, 2 rows'
	assert_equal "$(<t2.jsonl)" $'{"id":1,"k":"a","v":3}\n{"id":1,"k":"b","v":2}'
	assert_equal "$(jq -c .primary_key t2.jsonl.schema.json)" '["id","k"]'
	# -k on the command line replaces the file's keys.
	run --separate-stderr rest-merge -c two.json -k k t3.jsonl <in.jsonl
	assert_success
	assert_equal "$(jq -c .primary_key t3.jsonl.schema.json)" '["k"]'
	assert_equal "$(wc -l <t3.jsonl)" 2
}

@test "rest-merge: write_disposition as a string or an object; -w wins" {
	local wd
	printf '%s\n' '{"id":1,"v":1}' '{"id":2,"v":1}' >old.jsonl
	echo '{"id":1,"v":2}' >in.jsonl
	for wd in '"append"' '"replace"' '{"disposition": "merge"}' \
		'{"disposition": "merge", "strategy": "upsert"}' \
		'{"disposition": "merge", "strategy": "delete-insert"}'; do
		printf '{"resources": [{"name": "t", "primary_key": "id", "write_disposition": %s}]}\n' \
			"$wd" >c.json
		rm -f t.jsonl t.jsonl.schema.json
		rest-merge -s -w replace -k id t.jsonl <old.jsonl
		run --separate-stderr rest-merge -s -c c.json <in.jsonl
		assert_success
		assert_equal "$stderr" ''
		echo "$(jq -r .write_disposition t.jsonl.schema.json):" \
			"$(jq -c .v t.jsonl | paste -sd, -)"
	done >got
	assert_equal "$(<got)" 'append: 1,1,2
replace: 2
merge: 2,1
merge: 2,1
merge: 2,1'
	run rest-merge -s -c c.json -w append <in.jsonl
	assert_success
	assert_equal "$(jq -c .v t.jsonl | paste -sd, -)" '2,1,2'
	printf '{"resources": [{"name": "t", "primary_key": "id", "write_disposition": {"disposition": "merge", "strategy": "scd2"}}]}\n' \
		>c.json
	run --separate-stderr rest-merge -c c.json <in.jsonl
	assert_failure 78
	assert_equal "$stderr" \
		"rest-merge: c.json: \$.resources[0].write_disposition.strategy: merge strategy 'scd2' is not supported (delete-insert and upsert are)"
}

@test "rest-merge: columns hints dedup_sort and hard_delete, merged deeply" {
	cat >c.json <<-'EOF'
	{"resource_defaults": {"primary_key": "id", "write_disposition": "merge",
	   "columns": {"v": {"dedup_sort": "asc"},
	     "gone": {"hard_delete": true}, "del": {"hard_delete": true}}},
	 "resources": [{"name": "t",
	   "columns": {"v": {"data_type": "bigint"},
	     "del": {"hard_delete": false}}}]}
	EOF
	printf '%s\n' '{"id":1,"v":3}' '{"id":1,"v":2}' '{"id":2,"v":5}' \
		'{"id":3,"v":1}' >in.jsonl
	run --separate-stderr rest-merge -c c.json <in.jsonl
	assert_success
	assert_equal "$(jq -c '[.id, .v]' t.jsonl | paste -sd' ' -)" \
		'[1,2] [2,5] [3,1]'
	run jq -c '.columns[] | select(.name == "v") | .dedup_sort' \
		t.jsonl.schema.json
	assert_output '"asc"'
	# gone deletes; del, a hint the resource turned off, does not.
	printf '%s\n' '{"id":2,"gone":true}' '{"id":3,"del":true}' >del.jsonl
	run --separate-stderr rest-merge -c c.json <del.jsonl
	assert_success
	assert_equal "$stderr" \
		'rest-merge: t.jsonl: 0 inserted, 1 updated, 1 deleted, 0 unchanged, 2 rows'
	assert_equal "$(jq -c .id t.jsonl | paste -sd' ' -)" '1 3'
}

@test "rest-merge: the table is table_name.jsonl, else name.jsonl, here" {
	local cfg
	cfg=$(fixture config-catalog.json)
	echo '{"id":1}' | rest-merge -s -c "$cfg" -r echo
	echo '{"id":2}' | rest-merge -s -c "$cfg" -r image_analysis
	assert_file_exists echoes.jsonl
	assert_file_exists echoes.jsonl.schema.json
	assert_equal "$(<echoes.jsonl)" '{"id":1}'
	assert_equal "$(<image_analysis.jsonl)" '{"id":2}'
	mkdir out
	run --separate-stderr rest-merge -c "$cfg" -r echo out/t.csv \
		<<<'{"id":3}'
	assert_success
	assert_equal "$stderr" \
		'rest-merge: out/t.csv: 1 inserted, 0 updated, 0 deleted, 0 unchanged, 1 rows'
	assert_equal "$(<out/t.csv)" $'id\r\n3\r'
	run --separate-stderr rest-merge -c "$cfg" -r echo a.jsonl b.jsonl \
		</dev/null
	assert_failure 64
	assert_regex "$stderr" '^usage: rest-merge '
}

# ------------------------------------------------------------ choosing

@test "-r: the only resource by default, several need -r, in every program" {
	local cfg prog
	cfg=$(fixture config-catalog.json)
	for prog in rest-paginate rest-select rest-merge; do
		run --separate-stderr "$prog" -c "$cfg" </dev/null
		assert_failure 64
		assert_output ''
		assert_equal "$stderr" \
			"$prog: $cfg: 2 resources, choose one with -r: image_analysis, echo"
		run --separate-stderr "$prog" -c "$cfg" -r nope </dev/null
		assert_failure 64
		assert_equal "$stderr" \
			"$prog: $cfg: no resource 'nope'; there are: image_analysis, echo"
		run --separate-stderr "$prog" -r echo </dev/null
		assert_failure 64
		assert_equal "$stderr" "$prog: --resource needs --config"
	done
	jq 'del(.resources[1])' "$cfg" >one.json
	run --separate-stderr rest-select -c one.json <<<'{"data":[7]}'
	assert_success
	assert_output 7
	assert_equal "$(queries)" ''
}

# ------------------------------------------------------------ bad files

@test "unknown keys are warned, naming the key and its path" {
	local cfg
	cfg=$(fixture config-typos.json)
	TOKEN=$KEY run --separate-stderr rest-fetch -c "$cfg"
	assert_success
	assert_equal "$stderr" "rest-fetch: warning: $cfg: \$: unknown key 'source'
rest-fetch: warning: $cfg: \$.client.auth: unknown key 'tokn'
rest-fetch: warning: $cfg: \$.resources[0].write_disposition: unknown key 'strateg'"
	# rest-paginate reads the paginator too.
	TOKEN=$KEY run --separate-stderr rest-paginate -c "$cfg" --single-page \
		--data-selector data
	assert_success
	assert_equal "${stderr_lines[2]}" \
		"rest-paginate: warning: $cfg: \$.resources[0].endpoint.paginator: unknown key 'max_offset'"
	assert_equal "${#stderr_lines[@]}" 4
	# rest-select and rest-merge warn of the levels every program reads.
	run --separate-stderr rest-select -c "$cfg" <<<'{"data":[1]}'
	assert_success
	assert_output 1
	assert_equal "$stderr" "rest-select: warning: $cfg: \$: unknown key 'source'
rest-select: warning: $cfg: \$.resources[0].write_disposition: unknown key 'strateg'"
	run --separate-stderr rest-merge -s -c "$cfg" -k id <<<'{"id":1}'
	assert_success
	assert_equal "$stderr" "rest-merge: warning: $cfg: \$: unknown key 'source'
rest-merge: warning: $cfg: \$.resources[0].write_disposition: unknown key 'strateg'"
}

@test "an unknown key in the client, a resource or an endpoint is 78, before any request" {
	local edit prog
	for edit in '.client.header = {}:$.client: unknown key '"'header'" \
		'.resource_defaults.primary_keys = "id":$.resource_defaults: unknown key '"'primary_keys'" \
		'.resources[0].write_dispositon = "replace":$.resources[0]: unknown key '"'write_dispositon'" \
		'.resource_defaults.endpoint.param = {}:$.resource_defaults.endpoint: unknown key '"'param'" \
		'.resources[0].endpoint.data_selecter = "data":$.resources[0].endpoint: unknown key '"'data_selecter'"; do
		jq "${edit%%:\$*}" "$(fixture config-catalog.json)" >bad.json
		for prog in rest-fetch rest-paginate; do
			run --separate-stderr "$prog" -c bad.json -r image_analysis
			assert_failure 78
			assert_output ''
			assert_equal "$stderr" "$prog: bad.json: \$${edit#*:\$} (at this level every key may change the rows)"
		done
	done
	assert_equal "$(queries)" ''
	# rest-select and rest-merge read the resource levels too.
	jq '.resources[0].write_dispositon = "replace"' \
		"$(fixture config-catalog.json)" >bad.json
	run --separate-stderr rest-merge -c bad.json -r image_analysis x.jsonl </dev/null
	assert_failure 78
	assert_equal "$stderr" "rest-merge: bad.json: \$.resources[0]: unknown key 'write_dispositon' (at this level every key may change the rows)"
	assert_file_not_exists x.jsonl
	# A key with a line break is named on one line, escaped.
	jq '.client["\nheaders"] = {}' "$(fixture config-catalog.json)" >bad.json
	run --separate-stderr rest-paginate -c bad.json -r image_analysis
	assert_failure 78
	assert_equal "$stderr" "rest-paginate: bad.json: \$.client: unknown key '\\u000aheaders' (at this level every key may change the rows)"
}

@test "invalid JSON is 78 with the file, line and column, in every program" {
	local prog
	printf '{"resources": [\n  "a",\n  "b" "c"]}\n' >bad.json
	for prog in rest-fetch rest-paginate rest-select rest-merge; do
		run --separate-stderr "$prog" -c bad.json </dev/null
		assert_failure 78
		assert_output ''
		assert_regex "$stderr" "^$prog: bad\\.json:3:7: [a-z]"
	done
	printf '{"resources": ["a"]} x' >trail.json
	run --separate-stderr rest-select -c trail.json data </dev/null
	assert_failure 78
	assert_regex "$stderr" '^rest-select: trail\.json:1:22: [a-z]'
	echo '["a"]' >array.json
	run --separate-stderr rest-merge -c array.json </dev/null
	assert_failure 78
	assert_equal "$stderr" 'rest-merge: array.json: $: expected an object'
}

@test "values of the wrong type are 78 naming their JSON path" {
	bad_config rest-fetch '.client = []' '$.client: expected an object'
	bad_config rest-fetch '.client.base_url = 5' \
		'$.client.base_url: expected a string'
	bad_config rest-fetch '.client.headers = {"X-A": 1}' \
		'$.client.headers.X-A: expected a string'
	bad_config rest-fetch '.client.headers = {"X-A": "a\nb"}' \
		'$.client.headers.X-A: a line break in a header'
	bad_config rest-fetch '.client.headers = {"X A": "a"}' \
		'$.client.headers.X A: not a valid header name'
	bad_config rest-fetch '.client.auth = 5' \
		'$.client.auth: expected an object, a type name or null'
	bad_config rest-fetch '.client.auth = "oauth1"' \
		'$.client.auth: expected api_key, bearer, http_basic or oauth2_client_credentials'
	bad_config rest-fetch '.client.auth.type = "oauth1"' \
		'$.client.auth.type: expected api_key, bearer, http_basic or oauth2_client_credentials'
	bad_config rest-fetch '.client.auth.location = "body"' \
		'$.client.auth.location: expected header, query or cookie'
	bad_config rest-fetch '.resources = {}' '$.resources: expected an array'
	bad_config rest-fetch '.resources = []' '$.resources: no resources'
	bad_config rest-fetch '.resources[1] = 7' \
		'$.resources[1]: expected an object or a string'
	bad_config rest-fetch 'del(.resources[1].name)' \
		'$.resources[1]: a resource needs a name'
	bad_config rest-fetch '.resources[0].endpoint = 5' \
		'$.resources[0].endpoint: expected an object or a string'
	bad_config rest-fetch '.resources[0].endpoint.method = 1' \
		'$.resources[0].endpoint.method: expected a string'
	bad_config rest-fetch '.resources[0].endpoint.params = {"since": {"cursor_path": "t"}}' \
		'$.resources[0].endpoint.params.since: expected a string, number or boolean'
	bad_config rest-fetch '.resource_defaults.endpoint.params = [1]' \
		'$.resource_defaults.endpoint.params: expected an object'
	bad_config rest-paginate '.resource_defaults.endpoint.paginator.limit = "10"' \
		'$.resource_defaults.endpoint.paginator.limit: expected a count (an integer, 0 or more)'
	bad_config rest-paginate '.resource_defaults.endpoint.paginator.limit = 0' \
		'$.resource_defaults.endpoint.paginator.limit: expected a limit of 1 or more'
	bad_config rest-paginate '.resource_defaults.endpoint.paginator.maximum_offset = -1' \
		'$.resource_defaults.endpoint.paginator.maximum_offset: expected a count (an integer, 0 or more)'
	bad_config rest-paginate '.resource_defaults.endpoint.paginator.stop_after_empty_page = "no"' \
		'$.resource_defaults.endpoint.paginator.stop_after_empty_page: expected true or false'
	bad_config rest-paginate '.resource_defaults.endpoint.paginator = {"limit": 10}' \
		'$.resource_defaults.endpoint.paginator: a paginator needs a type'
	bad_config rest-paginate '.resource_defaults.endpoint.paginator = 10' \
		'$.resource_defaults.endpoint.paginator: expected an object or a string'
	bad_config rest-select '.resource_defaults.endpoint.data_selector = ["data"]' \
		'$.resource_defaults.endpoint.data_selector: expected a string'
	bad_config rest-merge '.resource_defaults.primary_key = 1' \
		'$.resource_defaults.primary_key: expected a string or a list of strings'
	bad_config rest-merge '.resources[0].primary_key = ["id", 2]' \
		'$.resources[0].primary_key[1]: expected a string'
	bad_config rest-merge '.resource_defaults.write_disposition = "upsert"' \
		'$.resource_defaults.write_disposition: expected merge, append or replace'
	bad_config rest-merge '.resource_defaults.write_disposition = {"strategy": "upsert"}' \
		'$.resource_defaults.write_disposition: no disposition'
	bad_config rest-merge '.resources[0].columns = 5' \
		'$.resources[0].columns: expected an object or a list'
	bad_config rest-merge '.resources[0].columns = [5]' \
		'$.resources[0].columns[0]: expected a column (an object with a name)'
	bad_config rest-merge '.resources[0].columns = [{"data_type": "text"}]' \
		'$.resources[0].columns[0]: a column needs a name'
	bad_config rest-merge '.resources[0].columns = [{"name": "x", "hard_delete": 1}]' \
		'$.resources[0].columns[0].hard_delete: expected true or false'
	bad_config rest-merge '.resources[0].columns = {"del": {"hard_delete": "yes"}}' \
		'$.resources[0].columns.del.hard_delete: expected true or false'
	bad_config rest-merge '.resource_defaults.columns = {"v": {"dedup_sort": "up"}}' \
		'$.resource_defaults.columns.v.dedup_sort: expected asc or desc'
	bad_config rest-merge '.resources[0].table_name = 5' \
		'$.resources[0].table_name: expected a string'
	assert_equal "$(queries)" ''
}

@test "a configuration file that cannot be opened is 66" {
	local prog
	for prog in rest-fetch rest-paginate rest-select rest-merge; do
		run --separate-stderr "$prog" -c missing.json -r a </dev/null
		assert_failure 66
		assert_output ''
		assert_equal "$stderr" \
			"$prog: missing.json: No such file or directory"
	done
}

# ------------------------------------------------------------ the seed

@test "the seed's configuration syncs like the long-option pipeline" {
	local cfg
	cfg=$(fixture image_analysis.json)
	export API_KEY=$KEY
	mkdir long
	run --separate-stderr bash -c 'set -o pipefail
		rest-paginate --auth api_key --key-name api_key \
			--key-location query --limit 100 --data-selector data \
			"$1/v1/resource" | rest-select data |
		rest-merge -k id -w merge long/image_analysis.jsonl' _ "$BASE"
	assert_success
	assert_equal "$stderr" \
		'rest-merge: long/image_analysis.jsonl: 250 inserted, 0 updated, 0 deleted, 0 unchanged, 250 rows'
	local long_queries
	long_queries=$(queries)
	server_reset
	run --separate-stderr bash -c 'set -o pipefail
		rest-paginate -c "$1" | rest-select -c "$1" | rest-merge -c "$1"' \
		_ "$cfg"
	assert_success
	assert_equal "$stderr" \
		'rest-merge: image_analysis.jsonl: 250 inserted, 0 updated, 0 deleted, 0 unchanged, 250 rows'
	assert_equal "$(queries)" "$long_queries"
	assert_equal "$(queries)" \
		"offset=0&limit=100&api_key=$KEY offset=100&limit=100&api_key=$KEY offset=200&limit=100&api_key=$KEY"
	cmp long/image_analysis.jsonl image_analysis.jsonl
	cmp long/image_analysis.jsonl.schema.json \
		image_analysis.jsonl.schema.json
	assert_equal "$(jq -c '[.write_disposition, .primary_key]' \
		image_analysis.jsonl.schema.json)" '["merge",["id"]]'
	# Again: every key is met again and the table stays the same.
	run --separate-stderr bash -c 'set -o pipefail
		rest-paginate -c "$1" | rest-select -c "$1" | rest-merge -c "$1"' \
		_ "$cfg"
	assert_success
	assert_equal "$stderr" \
		'rest-merge: image_analysis.jsonl: 0 inserted, 0 updated, 0 deleted, 250 unchanged, 250 rows'
	cmp long/image_analysis.jsonl image_analysis.jsonl
}

# ------------------------------------------------------------ docs

@test "the man pages describe the keys each program reads" {
	local page key keys
	for page in rest-fetch:base_url,headers,auth,method,params,json,path \
		rest-select:data_selector \
		rest-merge:primary_key,write_disposition,columns,table_name; do
		run bash -c 'mandoc -T ascii "$1" | sed "s/.\x08//g" |
			sed -n "/^CONFIGURATION/,/^[A-Z]/p"' _ \
			"$BATS_TEST_DIRNAME/../man/${page%%:*}.1"
		assert_success
		assert_line --index 0 CONFIGURATION
		IFS=, read -ra keys <<<"${page#*:}"
		for key in "${keys[@]}"; do
			assert_output --partial "$key"
		done
	done
}

@test "the README's JSON is the seed's configuration the suite runs" {
	local readme=$BATS_TEST_DIRNAME/../README.md
	local fixture=$BATS_TEST_DIRNAME/fixtures/image_analysis.json

	sed -n '/^```json$/,/^```$/p' "$readme" | sed '1d;$d' >readme.json
	run jq -S -c '.client.base_url' readme.json
	assert_success
	assert_output '"https://api.example.com"'
	assert_equal "$(jq -S -c 'del(.client.base_url)' readme.json)" \
		"$(jq -S -c 'del(.client.base_url)' "$fixture")"
}

@test "a configuration file over 16 MiB is refused" {
	local f=$BATS_TEST_TMPDIR/huge.json
	python3 -c 'import sys; sys.stdout.write("{\"x\":\"" + "a" * (16 << 20) + "\"}")' > "$f"
	run --separate-stderr rest-select -c "$f"
	assert_failure 78
	assert_equal "$stderr" "rest-select: $f: larger than 16 MiB"
}

@test "paginator total_header (restpipe's, not dlt's): the total from a header; not a string is 78 naming its path" {
	pager '{"type": "offset", "limit": 10, "total_header": "Content-Range"}' \
		'{"records": 25, "total_header": "range"}'
	run --separate-stderr rest-paginate -c c.json
	assert_success
	assert_equal "$stderr" ''
	assert_equal "${#lines[@]}" 3
	assert_equal "$(queries)" 'offset=0&limit=10&records=25&total_header=range offset=10&limit=10&records=25&total_header=range offset=20&limit=10&records=25&total_header=range'
	pager '{"type": "page_number", "base_page": 1, "total_header": 5}'
	run --separate-stderr rest-paginate -c c.json
	assert_failure 78
	assert_output ''
	assert_equal "$stderr" 'rest-paginate: c.json: $.resources[0].endpoint.paginator.total_header: expected a string'
}
