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

@test "paginator null: at the client none given, at the endpoint the client's" {
	cat >c.json <<-EOF
	{"client": {"base_url": "$BASE", "paginator": null},
	 "resources": [{"name": "r", "endpoint": {"path": "v1/resource",
	   "params": {"records": 25}, "data_selector": "data"}}]}
	EOF
	# What rest-paginate does without any paginator: detect one.
	jq 'del(.client.paginator)' c.json >none.json
	run --separate-stderr rest-paginate -c none.json
	assert_success
	local want_out=$output want_err=$stderr want_sent
	want_sent=$(sent)
	[[ $want_err == *'no paginator detected'* ]]
	server_reset
	run --separate-stderr rest-paginate -c c.json
	assert_success
	assert_equal "$output" "$want_out"
	assert_equal "$stderr" "$want_err"
	assert_equal "$(sent)" "$want_sent"
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
	assert_equal "$stderr" "$want_err"
	assert_equal "$(sent)" "$want_sent"
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

# ------------------------------------------------------------ oauth2

CLIENT=restpipe-client
CLIENT_KEY=client-sekrit-456

# oauth_config [TOKEN-QUERY] [AUTH-MEMBERS]: o.json, one resource of 25
# records on the test API that asks for a token of the token endpoint.
oauth_config() {
	cat >o.json <<-EOF
	{"client": {"base_url": "$BASE", "auth": {
	   "type": "oauth2_client_credentials",
	   "access_token_url": "$BASE/oauth/token${1:+?$1}",
	   "client_id": "$CLIENT"${2:+, $2}}},
	 "resources": [{"name": "r", "endpoint": {"path": "v1/resource",
	   "params": {"require_token": 1, "records": 25},
	   "data_selector": "data",
	   "paginator": {"type": "offset", "limit": 10}}}]}
	EOF
}

# The token requests so far, and the token each API request carried.
token_requests() {
	server_requests | jq -r 'select(.path == "/oauth/token") | .body'
}
tokens_sent() {
	server_requests | jq -r 'select(.path != "/oauth/token") |
		.headers.Authorization // "-"' | paste -sd' ' -
}

# No secret, no token on stderr.
assert_hidden() {
	[[ $stderr != *"$CLIENT_KEY"* && $stderr != *access-tok-* ]] ||
		fail "a secret on stderr: $stderr"
}

@test "oauth2: rows load with one token request a run, -P 3 too" {
	oauth_config need_scope=read \
		'"access_token_request_data": {"scope": "read", "n": null}'
	CLIENT_SECRET=$CLIENT_KEY run --separate-stderr rest-paginate -c o.json
	assert_success
	assert_equal "$stderr" ''
	assert_equal "${#lines[@]}" 3
	assert_equal "$(jq -c '.data[].id' <<<"$output" | wc -l)" 25
	assert_equal "$(token_requests)" \
		"client_id=$CLIENT&client_secret=$CLIENT_KEY&grant_type=client_credentials&scope=read"
	assert_equal "$(tokens_sent)" \
		'Bearer access-tok-0001 Bearer access-tok-0001 Bearer access-tok-0001'
	server_reset
	CLIENT_SECRET=$CLIENT_KEY run --separate-stderr rest-paginate -c o.json \
		-P 3 --limit 5
	assert_success
	assert_equal "$stderr" ''
	assert_equal "${#lines[@]}" 5
	assert_equal "$(token_requests | wc -l)" 1
	assert_equal "$(tokens_sent | wc -w)" 10
}

@test "oauth2 on the command line: --token-url, --client-id, --token-data" {
	echo "$CLIENT_KEY" >secret
	run --separate-stderr rest-fetch --auth oauth2_client_credentials \
		--token-url "$BASE/oauth/token?need_audience=api" \
		--client-id "$CLIENT" --token-data audience=api \
		--token-data grant_type=client_credentials --secret-file secret \
		"$BASE/v1/resource?require_token=1&limit=2"
	assert_success
	assert_equal "$stderr" ''
	assert_equal "$(jq -c '[.data[].id]' <<<"$output")" '[1,2]'
	# An extra field replaces dlt's own of the same name.
	assert_equal "$(token_requests)" \
		"client_id=$CLIENT&client_secret=$CLIENT_KEY&audience=api&grant_type=client_credentials"
	# No option takes the client secret.
	run --separate-stderr rest-fetch --auth oauth2_client_credentials \
		--client-secret "$CLIENT_KEY" "$BASE/echo"
	assert_failure 64
	assert_output ''
	[[ ${stderr_lines[0]} == *"unrecognized option '--client-secret"* ]]
	assert_equal "$(server_stats | jq .requests)" 2
}

@test "oauth2: the token is fetched again when it expires" {
	server_faults '[{"path": "/v1/resource", "args": {"offset": "10"},
		"action": "slow", "delay": 1.3}]'
	oauth_config expires_in=1
	CLIENT_SECRET=$CLIENT_KEY run --separate-stderr timeout 60 \
		rest-paginate -c o.json
	assert_success
	assert_equal "$stderr" ''
	assert_equal "${#lines[@]}" 3
	assert_equal "$(token_requests | wc -l)" 2
	assert_equal "$(tokens_sent)" \
		'Bearer access-tok-0001 Bearer access-tok-0001 Bearer access-tok-0002'
	# Without expires_in: default_token_expiration, or --token-expiration.
	oauth_config expires_in=omit '"default_token_expiration": 1'
	server_reset
	server_faults '[{"path": "/v1/resource", "args": {"offset": "10"},
		"action": "slow", "delay": 1.3}]'
	CLIENT_SECRET=$CLIENT_KEY run --separate-stderr timeout 60 \
		rest-paginate -c o.json
	assert_success
	assert_equal "$(token_requests | wc -l)" 2
	oauth_config expires_in=omit
	server_reset
	server_faults '[{"path": "/v1/resource", "args": {"offset": "10"},
		"action": "slow", "delay": 1.3}]'
	CLIENT_SECRET=$CLIENT_KEY run --separate-stderr timeout 60 \
		rest-paginate -c o.json --token-expiration 1
	assert_success
	assert_equal "$(token_requests | wc -l)" 2
	# By default a token lives an hour.
	server_reset
	CLIENT_SECRET=$CLIENT_KEY run --separate-stderr timeout 60 \
		rest-paginate -c o.json
	assert_success
	assert_equal "$(token_requests | wc -l)" 1
}

@test "oauth2: a 401 fetches a new token, once; a second 401 is 77" {
	oauth_config
	server_faults '[{"path": "/v1/resource", "action": "status",
		"status": 401, "times": 1,
		"body": "{\"error\": \"token access-tok-0001 expired\"}"}]'
	CLIENT_SECRET=$CLIENT_KEY run --separate-stderr rest-paginate -c o.json
	assert_success
	assert_equal "${#lines[@]}" 3
	assert_equal "$stderr" "rest-paginate: GET $BASE/v1/resource?offset=0&limit=10&require_token=1&records=25: HTTP 401: {\"error\": \"token *** expired\"}; sending it again with a new access token"
	assert_equal "$(token_requests | wc -l)" 2
	assert_equal "$(tokens_sent)" \
		'Bearer access-tok-0001 Bearer access-tok-0002 Bearer access-tok-0002 Bearer access-tok-0002'
	server_reset
	server_faults '[{"path": "/v1/resource", "action": "status",
		"status": 401, "times": 2}]'
	CLIENT_SECRET=$CLIENT_KEY run --separate-stderr rest-paginate -c o.json
	assert_failure 77
	assert_output ''
	assert_equal "$(token_requests | wc -l)" 2
	assert_equal "${stderr_lines[1]}" "rest-paginate: GET $BASE/v1/resource?offset=0&limit=10&require_token=1&records=25: HTTP 401: {\"error\":\"injected\"}"
	[[ ${stderr_lines[2]} == *'resume with --offset 0'* ]]
	assert_hidden
}

@test "oauth2: a refused client is 77 with status and message, secret hidden" {
	oauth_config
	CLIENT_SECRET=wrong-secret run --separate-stderr rest-paginate -c o.json
	assert_failure 77
	assert_output ''
	assert_equal "${stderr_lines[0]}" "rest-paginate: access token: POST $BASE/oauth/token: HTTP 401: {\"error\":\"invalid_client\",\"error_description\":\"no client 'restpipe-client' with secret '***'\"} (check the client id and secret)"
	[[ ${stderr_lines[1]} == *'resume with --offset 0'* ]]
	[[ $stderr != *wrong-secret* ]]
	# An OAuth2 error that refuses the client is 77 whatever the status.
	server_faults '[{"path": "/oauth/token", "action": "status",
		"status": 400, "body": "{\"error\": \"invalid_grant\"}"}]'
	CLIENT_SECRET=$CLIENT_KEY run --separate-stderr rest-fetch -c o.json
	assert_failure 77
	assert_equal "$stderr" "rest-fetch: access token: POST $BASE/oauth/token: HTTP 400: {\"error\": \"invalid_grant\"} (check the client id and secret)"
	# Other refusals are 69, as any request's.
	CLIENT_SECRET=$CLIENT_KEY run --separate-stderr rest-fetch -c o.json \
		--token-data grant_type=password
	assert_failure 69
	assert_equal "$stderr" "rest-fetch: access token: POST $BASE/oauth/token: HTTP 400: {\"error\":\"unsupported_grant_type\"}"
	assert_equal "$(tokens_sent)" ''
}

@test "oauth2: the token request is retried like any; 75 when exhausted" {
	oauth_config
	server_faults '[{"path": "/oauth/token", "action": "status",
		"status": 503, "times": 1}]'
	CLIENT_SECRET=$CLIENT_KEY run --separate-stderr rest-fetch -c o.json \
		--backoff-factor 0.01
	assert_success
	assert_equal "$stderr" "rest-fetch: attempt 1 of 4: POST $BASE/oauth/token: HTTP 503: {\"error\":\"injected\"}; retrying in 0.01 s"
	assert_equal "$(token_requests | wc -l)" 2
	server_reset
	server_faults '[{"path": "/oauth/token", "action": "status",
		"status": 503, "times": -1}]'
	CLIENT_SECRET=$CLIENT_KEY run --separate-stderr rest-fetch -c o.json \
		--backoff-factor 0.01 --retries 1
	assert_failure 75
	assert_output ''
	assert_equal "${stderr_lines[1]}" "rest-fetch: access token: POST $BASE/oauth/token: HTTP 503: {\"error\":\"injected\"} (gave up after 2 attempts)"
	assert_equal "$(tokens_sent)" ''
}

@test "oauth2: an answer without a token, or a bad expires_in, is 65 unquoted" {
	oauth_config no_token=1
	CLIENT_SECRET=$CLIENT_KEY run --separate-stderr rest-fetch -c o.json
	assert_failure 65
	assert_output ''
	assert_equal "$stderr" "rest-fetch: access token: POST $BASE/oauth/token?no_token=1: the answer has no \"access_token\" string"
	oauth_config expires_value=%22soon%22
	CLIENT_SECRET=$CLIENT_KEY run --separate-stderr rest-fetch -c o.json
	assert_failure 65
	assert_equal "$stderr" "rest-fetch: access token: POST $BASE/oauth/token?expires_value=%22soon%22: its \"expires_in\" is not a count of seconds"
	# A count as a string is a count, as dlt's int() reads it.
	oauth_config expires_value=%2260%22
	CLIENT_SECRET=$CLIENT_KEY run --separate-stderr rest-fetch -c o.json
	assert_success
	assert_equal "$stderr" ''
	assert_equal "$(tokens_sent)" 'Bearer access-tok-0003'
}

@test "oauth2: neither the client secret nor the token shows, -v included" {
	oauth_config
	server_faults '[{"path": "/v1/resource", "action": "status",
		"status": 500, "times": 1,
		"body": "{\"echo\": \"access-tok-0001 client-sekrit-456\"}"}]'
	CLIENT_SECRET=$CLIENT_KEY run --separate-stderr rest-paginate -c o.json \
		-v --backoff-factor 0.01
	assert_success
	assert_hidden
	assert_equal "${stderr_lines[0]}" \
		"rest-paginate: POST $BASE/oauth/token: 200, 74 bytes, ${stderr_lines[0]##*bytes, }"
	[[ $stderr == *'{"echo": "*** ***"}'* ]]
	run --separate-stderr rest-paginate -c o.json --dry-run \
		--secret-file /dev/stdin <<<"$CLIENT_KEY"
	assert_success
	assert_output "GET $BASE/v1/resource?offset=0&limit=10&require_token=1&records=25
Authorization: Bearer *** (an access token from $BASE/oauth/token)"
}

@test "oauth2: a token URL, client id and secret are needed; bare name resolves them" {
	oauth_config
	run --separate-stderr rest-fetch -c o.json
	assert_failure 78
	assert_equal "$stderr" 'rest-fetch: --auth oauth2_client_credentials needs a secret: set CLIENT_SECRET, or client_secret in .dlt/secrets.toml, or use --secret-file'
	CLIENT_SECRET=x run --separate-stderr rest-fetch --auth \
		oauth2_client_credentials --client-id c "$BASE/echo"
	assert_failure 78
	assert_equal "$stderr" 'rest-fetch: --auth oauth2_client_credentials needs a token URL: --token-url, or access_token_url in the configuration'
	API_KEY=x run --separate-stderr rest-fetch --auth \
		oauth2_client_credentials --token-url "$BASE/oauth/token" \
		"$BASE/echo"
	assert_failure 78
	assert_equal "$stderr" 'rest-fetch: --auth oauth2_client_credentials needs a client id: --client-id, or client_id in the configuration'
	assert_equal "$(server_stats | jq .requests)" 0
	# The bare name: each member as dlt.secrets resolves it.
	jq '.client.auth = "oauth2_client_credentials"' o.json >b.json
	mkdir .dlt
	printf '[sources.rest_api]\nclient_secret = "%s"\nclient_id = "%s"\n' \
		"$CLIENT_KEY" "$CLIENT" >.dlt/secrets.toml
	ACCESS_TOKEN_URL=$BASE/oauth/token run --separate-stderr \
		rest-paginate -c b.json
	assert_success
	assert_equal "$stderr" ''
	assert_equal "${#lines[@]}" 3
	assert_equal "$(token_requests | wc -l)" 1
}

@test "oauth2: invalid members are 78 naming their JSON path" {
	oauth_config '' '"access_token_request_data": {"scope": ["a"]}'
	CLIENT_SECRET=x run --separate-stderr rest-fetch -c o.json
	assert_failure 78
	assert_equal "$stderr" 'rest-fetch: o.json: $.client.auth.access_token_request_data.scope: expected a string, number or boolean'
	oauth_config '' '"access_token_request_data": "scope=a"'
	CLIENT_SECRET=x run --separate-stderr rest-fetch -c o.json
	assert_failure 78
	assert_equal "$stderr" 'rest-fetch: o.json: $.client.auth.access_token_request_data: expected an object'
	oauth_config '' '"default_token_expiration": "1h"'
	CLIENT_SECRET=x run --separate-stderr rest-fetch -c o.json
	assert_failure 78
	assert_equal "$stderr" 'rest-fetch: o.json: $.client.auth.default_token_expiration: expected a count (an integer, 0 or more)'
	oauth_config '' '"client_id": 5'
	CLIENT_SECRET=x run --separate-stderr rest-fetch -c o.json
	assert_failure 78
	assert_equal "$stderr" 'rest-fetch: o.json: $.client.auth.client_id: expected a string'
	oauth_config '' '"scopes": "a"'
	CLIENT_SECRET=$CLIENT_KEY run --separate-stderr rest-fetch -c o.json
	assert_success
	assert_equal "$stderr" "rest-fetch: warning: o.json: \$.client.auth: unknown key 'scopes'"
	run --separate-stderr rest-fetch --token-data =x "$BASE/echo"
	assert_failure 78
	assert_equal "$stderr" "rest-fetch: --token-data: '=x' is not NAME=VALUE"
}

@test "oauth2: the endpoint's response_actions do not apply to the token URL" {
	oauth_config
	jq '.client.auth.access_token_url |= sub("/oauth/token"; "/oauth/none")
	  | .resources[0].endpoint.response_actions =
	    [{"status_code": 404, "action": "ignore"}]' o.json >i.json
	CLIENT_SECRET=$CLIENT_KEY run --separate-stderr rest-fetch -c i.json
	assert_failure 69
	assert_output ''
	assert_equal "$stderr" "rest-fetch: access token: POST $BASE/oauth/none: HTTP 404: {\"error\":\"not found\"}"
}
