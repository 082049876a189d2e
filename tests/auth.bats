#!/usr/bin/env bats
# Tests of the auth of issue 12: endpoint-level auth, explicit nulls, bare
# type names (auth and paginator), and oauth2_client_credentials against
# the test server's token endpoint.

bats_require_minimum_version 1.5.0

load server

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
	unset API_KEY TOKEN PASSWORD CLIENT_SECRET CLIENT_ID ACCESS_TOKEN_URL
	cd "$BATS_TEST_TMPDIR" || return 1
}

# What each request carried: the query, then Authorization or "-".
sent() {
	server_requests | jq -r '[.path, .query,
		.headers.Authorization // "-"] | join(" ")'
}

# ------------------------------------------------------------ endpoint auth

@test "endpoint auth overrides the client's: two resources, two auths" {
	cat >c.json <<-EOF
	{"client": {"base_url": "$BASE", "auth": {"type": "api_key",
	   "name": "api_key", "location": "query"}},
	 "resources": [
	  {"name": "keyed", "endpoint": {"path": "v1/resource",
	    "params": {"require_key": 1, "limit": 1}}},
	  {"name": "bearer", "endpoint": {"path": "v1/resource",
	    "params": {"require_key": 1, "limit": 1},
	    "auth": {"type": "bearer"}}}]}
	EOF
	API_KEY=$KEY run --separate-stderr rest-fetch -c c.json -r keyed
	assert_success
	assert_equal "$stderr" ''
	assert_equal "$(jq -c '[.data[].id]' <<<"$output")" '[1]'
	TOKEN=$KEY run --separate-stderr rest-fetch -c c.json -r bearer
	assert_success
	assert_equal "$stderr" ''
	assert_equal "$(jq -c '[.data[].id]' <<<"$output")" '[1]'
	assert_equal "$(sent)" "/v1/resource require_key=1&limit=1&api_key=$KEY -
/v1/resource require_key=1&limit=1 Bearer $KEY"
	# The endpoint's auth needs its own secret, not the client's.
	API_KEY=$KEY run --separate-stderr rest-fetch -c c.json -r bearer
	assert_failure 78
	assert_output ''
	assert_equal "$stderr" \
		'rest-fetch: --auth bearer needs a secret: set TOKEN, or token in .dlt/secrets.toml, or use --secret-file'
	assert_equal "$(server_stats | jq .requests)" 2
}

@test "resource_defaults.endpoint.auth applies; the resource's own wins" {
	cat >c.json <<-EOF
	{"client": {"base_url": "$BASE"},
	 "resource_defaults": {"endpoint": {"auth": {"type": "api_key",
	   "name": "X-API-Key"}}},
	 "resources": [
	  {"name": "dflt", "endpoint": {"path": "echo"}},
	  {"name": "own", "endpoint": {"path": "echo", "auth": "bearer"}}]}
	EOF
	API_KEY=$KEY TOKEN=tok run --separate-stderr rest-fetch -c c.json \
		-r dflt
	assert_success
	assert_equal "$stderr" ''
	assert_equal "$(jq -r '[.headers."X-API-Key",
		.headers.Authorization // "-"] | join(" ")' <<<"$output")" "$KEY -"
	API_KEY=$KEY TOKEN=tok run --separate-stderr rest-fetch -c c.json \
		-r own
	assert_success
	assert_equal "$stderr" ''
	assert_equal "$(jq -r '[.headers."X-API-Key" // "-",
		.headers.Authorization] | join(" ")' <<<"$output")" "- Bearer tok"
}

@test "rest-paginate sends the endpoint's auth on every page" {
	cat >c.json <<-EOF
	{"client": {"base_url": "$BASE", "auth": {"type": "api_key",
	   "name": "api_key", "location": "query"}},
	 "resources": [{"name": "r", "endpoint": {"path": "v1/resource",
	   "params": {"require_key": 1, "records": 25},
	   "paginator": {"type": "offset", "limit": 10},
	   "auth": {"type": "bearer", "token": "\${MY_TOKEN}"}}}]}
	EOF
	MY_TOKEN=$KEY run --separate-stderr rest-paginate -c c.json
	assert_success
	assert_equal "$stderr" ''
	assert_equal "${#lines[@]}" 3
	assert_equal "$(server_requests | jq -r '[.args.api_key // "-",
		.headers.Authorization] | join(" ")' | sort | uniq -c | xargs)" \
		"3 - Bearer $KEY"
}

# ------------------------------------------------------------ explicit nulls

@test "auth null at the endpoint sends nothing, over the client's auth" {
	cat >c.json <<-EOF
	{"client": {"base_url": "$BASE", "auth": {"type": "api_key",
	   "name": "api_key", "location": "query"}},
	 "resources": [{"name": "open", "endpoint": {"path": "echo",
	   "auth": null}}]}
	EOF
	# No secret is needed, and none is sent even when there is one.
	run --separate-stderr rest-fetch -c c.json
	assert_success
	assert_equal "$stderr" ''
	API_KEY=$KEY run --separate-stderr rest-fetch -c c.json
	assert_success
	assert_equal "$stderr" ''
	assert_equal "$(sent)" '/echo  -
/echo  -'
	# The command line still wins over the file.
	API_KEY=$KEY run --separate-stderr rest-fetch -c c.json --auth bearer
	assert_success
	assert_equal "$(jq -r .headers.Authorization <<<"$output")" \
		"Bearer $KEY"
}

@test "auth null at the client, and in resource_defaults, is none" {
	cat >c.json <<-EOF
	{"client": {"base_url": "$BASE", "auth": null},
	 "resources": ["echo"]}
	EOF
	API_KEY=$KEY run --separate-stderr rest-fetch -c c.json
	assert_success
	assert_equal "$stderr" ''
	cat >d.json <<-EOF
	{"client": {"base_url": "$BASE", "auth": "bearer"},
	 "resource_defaults": {"endpoint": {"auth": null}},
	 "resources": ["echo"]}
	EOF
	run --separate-stderr rest-fetch -c d.json
	assert_success
	assert_equal "$stderr" ''
	assert_equal "$(sent)" '/echo  -
/echo  -'
}

@test "paginator null: at the client none, at the endpoint the client's" {
	cat >c.json <<-EOF
	{"client": {"base_url": "$BASE", "paginator": null},
	 "resources": [{"name": "r", "endpoint": {"path": "v1/resource",
	   "params": {"records": 25}, "data_selector": "data"}}]}
	EOF
	# No paginator at all: what rest-paginate does without one.
	run --separate-stderr rest-paginate -c c.json
	assert_success
	assert_equal "$stderr" ''
	assert_equal "$(sent)" '/v1/resource offset=0&limit=100&records=25 -'
	# An endpoint's null hides the defaults' paginator...
	cat >d.json <<-EOF
	{"client": {"base_url": "$BASE"},
	 "resource_defaults": {"endpoint": {"paginator": {"type": "offset",
	   "limit": 5}}},
	 "resources": [{"name": "r", "endpoint": {"path": "v1/resource",
	   "params": {"records": 25}, "data_selector": "data",
	   "paginator": null}}]}
	EOF
	server_reset
	run --separate-stderr rest-paginate -c d.json
	assert_success
	assert_equal "$stderr" ''
	assert_equal "$(sent)" '/v1/resource offset=0&limit=100&records=25 -'
	# ...but not the client's, as in dlt: said on stderr.
	jq '.client.paginator = "single_page"' d.json >e.json
	server_reset
	run --separate-stderr rest-paginate -c e.json
	assert_success
	assert_equal "$stderr" \
		"rest-paginate: warning: e.json: \$.resources[0].endpoint.paginator: null takes the client's paginator, as in dlt; write \"single_page\" for one page"
	assert_equal "$(sent)" '/v1/resource records=25 -'
}

# ------------------------------------------------------------ bare names

@test "bare auth names: bearer, api_key, http_basic, as dlt resolves them" {
	local type
	for type in bearer api_key http_basic; do
		cat >"$type.json" <<-EOF
		{"client": {"base_url": "$BASE", "auth": "$type"},
		 "resources": ["echo"]}
		EOF
	done
	TOKEN=t1 run --separate-stderr rest-fetch -c bearer.json
	assert_success
	assert_equal "$stderr" ''
	API_KEY=k1 run --separate-stderr rest-fetch -c api_key.json
	assert_success
	assert_equal "$stderr" ''
	# http_basic alone: user:password, or a username in secrets.toml.
	PASSWORD=me:pw run --separate-stderr rest-fetch -c http_basic.json
	assert_success
	assert_equal "$stderr" ''
	mkdir .dlt
	printf '[sources.rest_api]\nusername = "you"\ntoken = "t2"\n' \
		>.dlt/secrets.toml
	PASSWORD=pw run --separate-stderr rest-fetch -c http_basic.json
	assert_success
	assert_equal "$stderr" ''
	run --separate-stderr rest-fetch -c bearer.json
	assert_success
	assert_equal "$stderr" ''
	assert_equal "$(sent)" "/echo  Bearer t1
/echo  k1
/echo  Basic $(printf me:pw | base64)
/echo  Basic $(printf you:pw | base64)
/echo  Bearer t2"
	run --separate-stderr rest-fetch -c api_key.json
	assert_failure 78
	assert_output ''
	assert_equal "$stderr" \
		'rest-fetch: --auth api_key needs a secret: set API_KEY, or api_key in .dlt/secrets.toml, or use --secret-file'
}

@test "a bare name that is no auth type is 78 naming the types" {
	cat >c.json <<-EOF
	{"client": {"base_url": "$BASE"},
	 "resources": [{"name": "r", "endpoint": {"path": "echo",
	   "auth": "oauth"}}]}
	EOF
	run --separate-stderr rest-fetch -c c.json
	assert_failure 78
	assert_output ''
	assert_equal "$stderr" \
		'rest-fetch: c.json: $.resources[0].endpoint.auth: expected api_key, bearer, http_basic or oauth2_client_credentials'
	jq '.resources[0].endpoint.auth = ["bearer"]' c.json >d.json
	run --separate-stderr rest-fetch -c d.json
	assert_failure 78
	assert_equal "$stderr" \
		'rest-fetch: d.json: $.resources[0].endpoint.auth: expected an object, a type name or null'
	assert_equal "$(server_stats | jq .requests)" 0
}
