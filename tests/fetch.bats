#!/usr/bin/env bats
# Tests of rest-fetch against the local test server (server.py).  Waits
# are kept short with small backoff factors; elapsed times are checked
# only from below, so a slow machine cannot make a test fail.
# What every program does alike (-h, --version, usage errors, the man
# page against --help) is checked in cli.bats, over all of them.

bats_require_minimum_version 1.5.0

load server
bats_load_library bats-file

# The key the test server accepts for require_key=1.
KEY=sekrit-key-123

# A second server speaking TLS with a certificate made for this run.
tls_start() {
	local dir=$BATS_FILE_TMPDIR i

	openssl req -x509 -newkey rsa:2048 -nodes -subj /CN=127.0.0.1 \
		-addext subjectAltName=IP:127.0.0.1 -days 1 \
		-keyout "$dir/tls.key" -out "$dir/tls.crt" 2>"$dir/openssl.log" ||
		{ cat "$dir/openssl.log" >&2; return 1; }
	python3 "$BATS_TEST_DIRNAME/server.py" --port-file "$dir/tls.port" \
		--tls "$dir/tls.crt" "$dir/tls.key" >"$dir/tls.log" 2>&1 3>&- &
	echo "$!" >"$dir/tls.pid"
	for ((i = 0; i < 200; i++)); do
		[[ -s $dir/tls.port ]] && break
		sleep 0.05
	done
	if [[ ! -s $dir/tls.port ]]; then
		cat "$dir/tls.log" >&2
		return 1
	fi
	export TLS_BASE="https://127.0.0.1:$(<"$dir/tls.port")"
	export TLS_CERT="$dir/tls.crt"
}

tls_stop() {
	server_stop "$BATS_FILE_TMPDIR/tls.pid"
}

setup_file() {
	server_start
	tls_start
}

teardown_file() {
	tls_stop
	server_stop
}

setup() {
	server_reset
	unset API_KEY MY_TOKEN PASSWORD TOKEN
	# $BASE as a regular expression.
	RE_BASE=${BASE//./\\.}
}

teardown() {
	# A listener started by a test (see silent_listener).
	if [[ -f $BATS_TEST_TMPDIR/listener.pid ]]; then
		kill "$(<"$BATS_TEST_TMPDIR/listener.pid")" 2>/dev/null
	fi
	return 0
}

# A port on 127.0.0.1 where nothing listens.
free_port() {
	python3 -c 'import socket
s = socket.socket()
s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])'
}

# Listen on a port but never answer; prints the port.
silent_listener() {
	local portfile=$BATS_TEST_TMPDIR/listener.port i

	python3 -c 'import os, socket, sys, time
s = socket.socket()
s.bind(("127.0.0.1", 0))
s.listen(8)
with open(sys.argv[1] + ".tmp", "w") as f:
    f.write("%d\n" % s.getsockname()[1])
os.rename(sys.argv[1] + ".tmp", sys.argv[1])
time.sleep(60)' "$portfile" >/dev/null 2>&1 3>&- &
	echo "$!" >"$BATS_TEST_TMPDIR/listener.pid"
	for ((i = 0; i < 200; i++)); do
		[[ -s $portfile ]] && break
		sleep 0.05
	done
	cat "$portfile"
}

# The number of requests the server has received since setup.
assert_requests() {
	local n

	n=$(server_stats | jq .requests) || fail "cannot read the server stats"
	assert_equal "$n" "$1"
}

# Seconds since $1, a `date +%s.%N` stamp.
since() {
	awk -v a="$1" -v b="$(date +%s.%N)" 'BEGIN { printf "%.3f\n", b - a }'
}

# assert_ge X Y: X >= Y as numbers.
assert_ge() {
	awk -v a="$1" -v b="$2" 'BEGIN { exit !(a + 0 >= b + 0) }' ||
		fail "expected $1 >= $2"
}

# The request log with the jq paths $1 deleted, to show where a key is not.
requests_without() {
	server_requests | jq -c "del($1)"
}



# Copy fixture $1 pointing at this run's server; prints the copy's path.
config_fixture() {
	local copy=$BATS_TEST_TMPDIR/$1

	sed "s/PORT/$PORT/" "$BATS_TEST_DIRNAME/fixtures/$1" >"$copy"
	echo "$copy"
}

# ---------------------------------------------------------------- output

@test "the body is written byte for byte" {
	local want=$BATS_TEST_TMPDIR/want got=$BATS_TEST_TMPDIR/got
	printf 'caf\xc3\xa9 \xe6\x9d\xb1\t"q"\\\r\nno newline at the end' >"$want"
	run rest-fetch -q "body=$(<"$want")" "$BASE/raw"
	assert_success
	rest-fetch -q "body=$(<"$want")" "$BASE/raw" >"$got"
	assert_files_equal "$want" "$got"
}

@test "a large chunked body is written byte for byte" {
	local got=$BATS_TEST_TMPDIR/got want=$BATS_TEST_TMPDIR/want
	head -c 300000 /dev/zero | tr '\0' x >"$want"
	run rest-fetch "$BASE/bytes/300000?chunked=1"
	assert_success
	rest-fetch "$BASE/bytes/300000?chunked=1" >"$got"
	assert_files_equal "$want" "$got"
	assert_requests 2
}

@test "a resource page is what curl gets" {
	local got=$BATS_TEST_TMPDIR/got want=$BATS_TEST_TMPDIR/want
	rest-fetch "$BASE/v1/resource?offset=7&limit=3" >"$got"
	curl -fsS --noproxy '*' "$BASE/v1/resource?offset=7&limit=3" >"$want"
	assert_files_equal "$want" "$got"
	run jq -c '[.data[].id]' "$got"
	assert_output '[8,9,10]'
}

@test "an empty body is a success with nothing written" {
	run --separate-stderr rest-fetch "$BASE/status/204"
	assert_success
	assert_output ''
	assert_equal "$stderr" ''
	run --separate-stderr rest-fetch "$BASE/bytes/0"
	assert_success
	assert_output ''
	assert_equal "$stderr" ''
}

@test "a reader that goes away ends rest-fetch quietly by SIGPIPE" {
	run --separate-stderr bash -c \
		'rest-fetch "$BASE/bytes/4000000" | head -c1; echo " ${PIPESTATUS[*]}"'
	assert_success
	assert_output 'x 141 0'
	assert_equal "$stderr" ''
}

@test "a failed write to stdout is 74" {
	run --separate-stderr bash -c 'rest-fetch "$BASE/bytes/100" >/dev/full'
	assert_failure 74
	assert_equal "$stderr" \
		'rest-fetch: write error on stdout: No space left on device'
}

@test "a failure names the status and up to 200 bytes of the body" {
	local long
	long=$(printf 'e%.0s' {1..300})
	server_faults "[{\"path\": \"/raw\", \"action\": \"status\",
	                 \"status\": 400, \"body\": \"$long\"},
	                {\"path\": \"/raw\", \"action\": \"status\",
	                 \"status\": 400, \"body\": \"two\\nlines\"}]"
	run --separate-stderr rest-fetch "$BASE/raw"
	assert_failure 69
	assert_output ''
	assert_equal "$stderr" \
		"rest-fetch: GET $BASE/raw: HTTP 400: ${long:0:200}..."
	run --separate-stderr rest-fetch "$BASE/raw"
	assert_failure 69
	assert_output ''
	assert_equal "$stderr" "rest-fetch: GET $BASE/raw: HTTP 400: two lines"
}

# ------------------------------------------------------ request options

@test "-q URL-encodes names and values into the query" {
	run rest-fetch -q 'q=a b&c/d=é' -q 'x y=1+2' -q 'empty=' "$BASE/echo"
	assert_success
	run jq -r '.query' <<<"$output"
	assert_output 'q=a%20b%26c%2Fd%3D%C3%A9&x%20y=1%2B2&empty='
	run server_requests
	run jq -c '.args' <<<"$output"
	assert_output '{"q":"a b&c/d=é","x y":"1+2","empty":""}'
}

@test "-q adds to the URL's own query and drops a fragment" {
	run rest-fetch --query b=2 "$BASE/echo?a=1#top"
	assert_success
	run jq -r '.query' <<<"$output"
	assert_output 'a=1&b=2'
}

@test "a malformed -q is a configuration error" {
	run --separate-stderr rest-fetch -q novalue "$BASE/echo"
	assert_failure 78
	assert_output ''
	assert_equal "$stderr" "rest-fetch: --query: 'novalue' is not NAME=VALUE"
	run --separate-stderr rest-fetch --query =v "$BASE/echo"
	assert_failure 78
	assert_equal "$stderr" "rest-fetch: --query: '=v' is not NAME=VALUE"
	assert_requests 0
}

@test "-H is repeatable and sends each header" {
	run rest-fetch -H 'X-One: 1' --header 'X-Two: two words' -H 'Accept: text/plain' \
		"$BASE/echo"
	assert_success
	run jq -c '.headers | [."X-One", ."X-Two", .Accept]' <<<"$output"
	assert_output '["1","two words","text/plain"]'
}

@test "a malformed -H is a configuration error" {
	run --separate-stderr rest-fetch -H 'NoColon' "$BASE/echo"
	assert_failure 78
	assert_output ''
	assert_equal "$stderr" "rest-fetch: --header: 'NoColon' is not 'Name: value'"
	run --separate-stderr rest-fetch --header ': x' "$BASE/echo"
	assert_failure 78
	assert_equal "$stderr" "rest-fetch: --header: ': x' is not 'Name: value'"
	assert_requests 0
}

@test "-X sets the method" {
	run rest-fetch -X PUT "$BASE/echo"
	assert_success
	run jq -r '[.method, .body] | join(" ")' <<<"$output"
	assert_output 'PUT '
	run rest-fetch --method PATCH "$BASE/echo"
	assert_success
	run jq -r '.method' <<<"$output"
	assert_output 'PATCH'
	run --separate-stderr rest-fetch -X HEAD "$BASE/raw?body=abc"
	assert_success
	assert_output ''
	assert_equal "$stderr" ''
	run server_requests
	run jq -r '.method' <<<"$output"
	assert_output $'PUT\nPATCH\nHEAD'
}

@test "a bad -X is a configuration error" {
	run --separate-stderr rest-fetch -X 'GE T' "$BASE/echo"
	assert_failure 78
	assert_output ''
	assert_equal "$stderr" "rest-fetch: --method: 'GE T' is not a method"
}

@test "-d sends a body with POST" {
	run rest-fetch -d 'a=1&b=2' "$BASE/echo"
	assert_success
	run jq -c '[.method, .headers."Content-Type", .body]' <<<"$output"
	assert_output '["POST","application/x-www-form-urlencoded","a=1&b=2"]'
}

@test "-d @FILE sends the file, with -X" {
	local file=$BATS_TEST_TMPDIR/body
	printf 'line one\nline "two"\n' >"$file"
	run rest-fetch -X PUT --data "@$file" "$BASE/echo"
	assert_success
	run jq -c '[.method, .body]' <<<"$output"
	assert_output '["PUT","line one\nline \"two\"\n"]'
}

@test "-d @- sends stdin" {
	run rest-fetch -d @- "$BASE/echo" < <(printf 'from\nstdin')
	assert_success
	run jq -c '[.method, .body]' <<<"$output"
	assert_output '["POST","from\nstdin"]'
}

@test "-d @FILE that cannot be opened is 66" {
	run --separate-stderr rest-fetch -d "@$BATS_TEST_TMPDIR/missing" "$BASE/echo"
	assert_failure 66
	assert_output ''
	assert_equal "$stderr" \
		"rest-fetch: $BATS_TEST_TMPDIR/missing: No such file or directory"
	assert_requests 0
}

@test "--json sends a JSON body and its content type" {
	run rest-fetch --json '{"a": [1, 2]}' "$BASE/echo"
	assert_success
	run jq -c '[.method, .headers."Content-Type", .body]' <<<"$output"
	assert_output '["POST","application/json","{\"a\": [1, 2]}"]'
	printf '{"from": "file"}' >"$BATS_TEST_TMPDIR/body.json"
	run rest-fetch -X PUT --json "@$BATS_TEST_TMPDIR/body.json" "$BASE/echo"
	assert_success
	run jq -c '[.method, .headers."Content-Type", .body]' <<<"$output"
	assert_output '["PUT","application/json","{\"from\": \"file\"}"]'
}

# ------------------------------------------------------------------ auth

@test "api_key in the query goes there and nowhere else" {
	export API_KEY=$KEY
	run --separate-stderr rest-fetch --auth api_key --key-name api_key \
		--key-location query -q limit=1 "$BASE/v1/resource?require_key=1"
	assert_success
	assert_equal "$stderr" ''
	run jq -c '[.data[].id]' <<<"$output"
	assert_output '[1]'
	run server_requests
	assert_equal "${#lines[@]}" 1
	run jq -r '.query, .args.api_key' <<<"$output"
	assert_output "require_key=1&limit=1&api_key=$KEY
$KEY"
	run requests_without '.query, .args.api_key'
	assert_success
	refute_output --partial "$KEY"
}

@test "--key-location param is query" {
	export API_KEY=$KEY
	run rest-fetch --auth api_key --key-name api_key --key-location param \
		"$BASE/v1/resource?require_key=1&limit=1"
	assert_success
	run server_requests
	run jq -r '.query' <<<"$output"
	assert_output "require_key=1&limit=1&api_key=$KEY"
}

@test "api_key in a header goes there and nowhere else" {
	export API_KEY=$KEY
	run rest-fetch --auth api_key --key-name X-API-Key --key-location header \
		"$BASE/v1/resource?require_key=1&limit=1"
	assert_success
	run server_requests
	run jq -r '.headers."X-API-Key"' <<<"$output"
	assert_output "$KEY"
	run requests_without '.headers."X-API-Key"'
	assert_success
	refute_output --partial "$KEY"
}

@test "api_key goes by default into the Authorization header" {
	export API_KEY=$KEY
	run rest-fetch --auth api_key "$BASE/echo"
	assert_success
	run server_requests
	run jq -r '.headers.Authorization' <<<"$output"
	assert_output "$KEY"
	run requests_without '.headers.Authorization'
	refute_output --partial "$KEY"
}

@test "api_key in a cookie goes there and nowhere else" {
	export API_KEY=$KEY
	run rest-fetch --auth api_key --key-name api_key --key-location cookie \
		"$BASE/v1/resource?require_key=1&limit=1"
	assert_success
	run server_requests
	run jq -r '.headers.Cookie' <<<"$output"
	assert_output "api_key=$KEY"
	run requests_without '.headers.Cookie'
	refute_output --partial "$KEY"
}

@test "bearer sends Authorization: Bearer" {
	export API_KEY=$KEY
	run rest-fetch --auth bearer "$BASE/v1/resource?require_key=1&limit=1"
	assert_success
	run server_requests
	run jq -r '.headers.Authorization' <<<"$output"
	assert_output "Bearer $KEY"
	run requests_without '.headers.Authorization'
	refute_output --partial "$KEY"
}

@test "http_basic sends user:password in base64" {
	export API_KEY='alice:pass:word'
	run rest-fetch --auth http_basic "$BASE/echo"
	assert_success
	run server_requests
	run jq -r '.headers.Authorization' <<<"$output"
	assert_output "Basic $(printf %s 'alice:pass:word' | base64)"
}

@test "http_basic without a colon in the secret is 78" {
	export API_KEY=alice
	run --separate-stderr rest-fetch --auth http_basic "$BASE/echo"
	assert_failure 78
	assert_output ''
	assert_equal "$stderr" \
		'rest-fetch: --auth http_basic needs the secret as user:password'
	assert_requests 0
}

@test "--secret-env names the variable that holds the secret" {
	export API_KEY=wrong TOKEN=$KEY
	run rest-fetch --auth bearer --secret-env TOKEN "$BASE/echo"
	assert_success
	run jq -r '.headers.Authorization' <<<"$output"
	assert_output "Bearer $KEY"
}

@test "--secret-file reads the first line, before the environment" {
	local file=$BATS_TEST_TMPDIR/secret
	printf '%s\nsecond line\n' "$KEY" >"$file"
	export API_KEY=wrong
	run rest-fetch --auth bearer --secret-file "$file" "$BASE/echo"
	assert_success
	run jq -r '.headers.Authorization' <<<"$output"
	assert_output "Bearer $KEY"
}

@test "--secret-file that cannot be opened is 66, empty is 78" {
	run --separate-stderr rest-fetch --auth bearer \
		--secret-file "$BATS_TEST_TMPDIR/missing" "$BASE/echo"
	assert_failure 66
	assert_output ''
	assert_equal "$stderr" \
		"rest-fetch: $BATS_TEST_TMPDIR/missing: No such file or directory"
	printf '\nsecond line\n' >"$BATS_TEST_TMPDIR/empty"
	run --separate-stderr rest-fetch --auth bearer \
		--secret-file "$BATS_TEST_TMPDIR/empty" "$BASE/echo"
	assert_failure 78
	assert_equal "$stderr" \
		"rest-fetch: $BATS_TEST_TMPDIR/empty: the first line holds no secret"
	assert_requests 0
}

@test "no secret is 78 naming API_KEY" {
	run --separate-stderr rest-fetch --auth api_key "$BASE/echo"
	assert_failure 78
	assert_output ''
	assert_equal "$stderr" \
		'rest-fetch: --auth api_key needs a secret: set API_KEY or use --secret-file'
	export API_KEY=
	run --separate-stderr rest-fetch --auth bearer "$BASE/echo"
	assert_failure 78
	assert_equal "$stderr" \
		'rest-fetch: --auth bearer needs a secret: set API_KEY or use --secret-file'
	assert_requests 0
}

@test "no secret is 78 naming the --secret-env variable" {
	export API_KEY=$KEY
	run --separate-stderr rest-fetch --auth http_basic --secret-env TOKEN \
		"$BASE/echo"
	assert_failure 78
	assert_output ''
	assert_equal "$stderr" \
		'rest-fetch: --auth http_basic needs a secret: set TOKEN or use --secret-file'
	assert_requests 0
}

@test "bad --auth, --key-location and --key-name values are 78" {
	export API_KEY=$KEY
	run --separate-stderr rest-fetch --auth foo "$BASE/echo"
	assert_failure 78
	assert_equal "$stderr" \
		"rest-fetch: --auth: 'foo' is not api_key, bearer, http_basic or oauth2_client_credentials"
	run --separate-stderr rest-fetch --auth api_key --key-location body \
		"$BASE/echo"
	assert_failure 78
	assert_equal "$stderr" \
		"rest-fetch: --key-location: 'body' is not header, query or cookie"
	run --separate-stderr rest-fetch --auth api_key --key-name 'a b' \
		"$BASE/echo"
	assert_failure 78
	assert_equal "$stderr" "rest-fetch: --key-name: 'a b' is not a valid name"
	assert_requests 0
}

@test "401 and 403 are 77 and not retried" {
	run --separate-stderr rest-fetch "$BASE/v1/resource?require_key=1"
	assert_failure 77
	assert_output ''
	assert_equal "$stderr" \
		"rest-fetch: GET $BASE/v1/resource?require_key=1: HTTP 401: {\"error\":\"unauthorized\"}"
	export API_KEY=wrong-key
	run --separate-stderr rest-fetch --auth bearer "$BASE/status/403"
	assert_failure 77
	assert_output ''
	assert_equal "$stderr" \
		"rest-fetch: GET $BASE/status/403: HTTP 403: {\"status\":403,\"message\":\"Forbidden\"}"
	assert_requests 2
}

# --------------------------------------------------------------- secrecy

@test "the secret in the query is shown as *** under -v and retries" {
	export API_KEY=$KEY
	run --separate-stderr rest-fetch -v --retries 1 --backoff-factor 0.01 \
		--auth api_key --key-name api_key --key-location query \
		"$BASE/status/500"
	assert_failure 75
	assert_output ''
	assert_equal "${#stderr_lines[@]}" 4
	assert_regex "${stderr_lines[0]}" \
		"^rest-fetch: GET $RE_BASE/status/500\\?api_key=\\*\\*\\*: 500, "
	assert_regex "${stderr_lines[1]}" \
		"^rest-fetch: attempt 1 of 2: GET $RE_BASE/status/500\\?api_key=\\*\\*\\*: HTTP 500"
	assert_regex "${stderr_lines[3]}" \
		"^rest-fetch: GET $RE_BASE/status/500\\?api_key=\\*\\*\\*: HTTP 500: .*gave up"
	refute_regex "$stderr" 'sekrit'
	# The key did reach the server, twice.
	run server_requests
	run jq -r '.args.api_key' <<<"$output"
	assert_output "$KEY"$'\n'"$KEY"
}

@test "a secret the server echoes in an error body is shown as ***" {
	export API_KEY='p@ss w&rd'
	server_faults '[{"path": "/status", "action": "status", "status": 400,
	                 "body": "bad key p@ss w&rd (p%40ss%20w%26rd)"}]'
	run --separate-stderr rest-fetch -v --auth api_key --key-name key \
		--key-location query "$BASE/status/200"
	assert_failure 69
	assert_output ''
	assert_equal "${stderr_lines[1]}" \
		"rest-fetch: GET $BASE/status/200?key=***: HTTP 400: bad key *** (***)"
	refute_regex "$stderr" 'p@ss|p%40ss|w&rd'
	run server_requests
	run jq -r '.args.key' <<<"$output"
	assert_output 'p@ss w&rd'
}

@test "a bearer or basic secret is never on stderr, even under -v" {
	export API_KEY="user:$KEY"
	server_faults '[{"path": "/echo", "action": "status", "status": 503,
	                 "times": 2}]'
	run --separate-stderr rest-fetch -v --backoff-factor 0.01 \
		--auth http_basic "$BASE/echo"
	assert_success
	assert_equal "${#stderr_lines[@]}" 5
	refute_regex "$stderr" "sekrit|$(printf %s "user:$KEY" | base64)"
	export API_KEY=$KEY
	run --separate-stderr rest-fetch -v --retries 0 --auth bearer \
		"$BASE/status/502"
	assert_failure 75
	assert_output ''
	assert_equal "${#stderr_lines[@]}" 2
	refute_regex "$stderr" 'sekrit'
}

# --------------------------------------------------------------- retries

@test "503 twice, then the body: two retry lines, three requests" {
	server_faults '[{"path": "/raw", "action": "status", "status": 503,
	                 "times": 2}]'
	run --separate-stderr rest-fetch --backoff-factor 0.01 "$BASE/raw?body=ok"
	assert_success
	assert_output 'ok'
	assert_equal "$stderr" \
"rest-fetch: attempt 1 of 4: GET $BASE/raw?body=ok: HTTP 503: {\"error\":\"injected\"}; retrying in 0.01 s
rest-fetch: attempt 2 of 4: GET $BASE/raw?body=ok: HTTP 503: {\"error\":\"injected\"}; retrying in 0.02 s"
	assert_requests 3
}

@test "the backoff waits factor * 2^(n-1) before retry n" {
	local start elapsed
	server_faults '[{"path": "/raw", "action": "status", "status": 502,
	                 "times": 3}]'
	start=$(date +%s.%N)
	run --separate-stderr rest-fetch --backoff-factor 0.2 "$BASE/raw?body=ok"
	elapsed=$(since "$start")
	assert_success
	assert_output 'ok'
	assert_equal "${#stderr_lines[@]}" 3
	assert_regex "${stderr_lines[0]}" 'attempt 1 of 4: .*; retrying in 0\.2 s$'
	assert_regex "${stderr_lines[1]}" 'attempt 2 of 4: .*; retrying in 0\.4 s$'
	assert_regex "${stderr_lines[2]}" 'attempt 3 of 4: .*; retrying in 0\.8 s$'
	assert_ge "$elapsed" 1.4
	assert_requests 4
}

@test "retries exhausted on 5xx are 75, with nothing on stdout" {
	run --separate-stderr rest-fetch --retries 2 --backoff-factor 0.01 \
		"$BASE/status/503"
	assert_failure 75
	assert_output ''
	assert_equal "${#stderr_lines[@]}" 3
	assert_equal "${stderr_lines[2]}" \
		"rest-fetch: GET $BASE/status/503: HTTP 503: {\"status\":503,\"message\":\"Service Unavailable\"} (gave up after 3 attempts)"
	assert_requests 3
}

@test "429 exhausted is 75" {
	run --separate-stderr rest-fetch --backoff-factor 0.01 "$BASE/status/429"
	assert_failure 75
	assert_output ''
	assert_equal "${#stderr_lines[@]}" 4
	assert_regex "${stderr_lines[3]}" \
		'HTTP 429: .*Too Many Requests.* \(gave up after 4 attempts\)$'
	assert_requests 4
}

@test "--retries 0 makes one attempt" {
	run --separate-stderr rest-fetch --retries 0 "$BASE/status/500"
	assert_failure 75
	assert_output ''
	assert_equal "$stderr" \
		"rest-fetch: GET $BASE/status/500: HTTP 500: {\"status\":500,\"message\":\"Internal Server Error\"} (gave up after 1 attempt)"
	assert_requests 1
}

@test "404 is 69 and not retried" {
	run --separate-stderr rest-fetch "$BASE/status/404"
	assert_failure 69
	assert_output ''
	assert_equal "$stderr" \
		"rest-fetch: GET $BASE/status/404: HTTP 404: {\"status\":404,\"message\":\"Not Found\"}"
	assert_requests 1
	run --separate-stderr rest-fetch -X DELETE "$BASE/v1/resource"
	assert_failure 69
	assert_equal "$stderr" \
		"rest-fetch: DELETE $BASE/v1/resource: HTTP 405: {\"error\":\"method not allowed\"}"
}

@test "--retry-status changes which statuses are retried" {
	run --separate-stderr rest-fetch --retry-status 404,500 --retries 1 \
		--backoff-factor 0.01 "$BASE/status/404"
	assert_failure 75
	assert_output ''
	assert_regex "${stderr_lines[0]}" 'attempt 1 of 2: .*HTTP 404'
	assert_requests 2
	server_reset
	run --separate-stderr rest-fetch --retry-status 500 "$BASE/status/503"
	assert_failure 69
	assert_regex "$stderr" '^rest-fetch: GET .*: HTTP 503: '
	assert_requests 1
	server_reset
	run --separate-stderr rest-fetch --retry-status '' "$BASE/status/500"
	assert_failure 69
	assert_equal "${#stderr_lines[@]}" 1
	assert_requests 1
}

@test "bad retry and timing values are 78 naming the option" {
	local args want
	while IFS='|' read -r args want; do
		# shellcheck disable=SC2086
		run --separate-stderr rest-fetch $args "$BASE/echo"
		assert_failure 78
		assert_output ''
		assert_equal "$stderr" "rest-fetch: $want"
	done <<-'EOF'
	--retries x|--retries: 'x' is not an integer
	--retries 101|--retries: 101 is out of range (0 to 100)
	--retries -1|--retries: -1 is out of range (0 to 100)
	--backoff-factor x|--backoff-factor: 'x' is not a number
	--backoff-factor -1|--backoff-factor: -1 is out of range (0 to 3600)
	--retry-status abc|--retry-status: 'abc' is not an integer
	--retry-status 99|--retry-status: 99 is out of range (100 to 599)
	--max-retry-delay -0.5|--max-retry-delay: -0.5 is out of range (0 to 86400)
	--timeout 0|--timeout: 0 is out of range (0.001 to 86400)
	--timeout 1s|--timeout: '1s' is not a number
	--connect-timeout x|--connect-timeout: 'x' is not a number
	--max-size 0|--max-size: 0 is out of range (1 to 9223372036854775807)
	--max-size 1k|--max-size: '1k' is not an integer
	EOF
	assert_requests 0
}

@test "Retry-After in seconds wins over the backoff" {
	local start elapsed
	server_faults '[{"path": "/raw", "action": "status", "status": 503,
	                 "headers": {"Retry-After": "1"}}]'
	start=$(date +%s.%N)
	run --separate-stderr rest-fetch --backoff-factor 0.01 "$BASE/raw?body=ok"
	elapsed=$(since "$start")
	assert_success
	assert_output 'ok'
	assert_regex "$stderr" '; retrying in 1 s \(Retry-After\)$'
	assert_ge "$elapsed" 1
	assert_requests 2
}

@test "Retry-After as an HTTP date wins over the backoff" {
	local start elapsed when
	when=$(LC_ALL=C date -u -d '+2 sec' '+%a, %d %b %Y %H:%M:%S GMT')
	server_faults "[{\"path\": \"/raw\", \"action\": \"status\",
	                 \"status\": 429,
	                 \"headers\": {\"Retry-After\": \"$when\"}}]"
	start=$(date +%s.%N)
	run --separate-stderr rest-fetch --backoff-factor 0.01 "$BASE/raw?body=ok"
	elapsed=$(since "$start")
	assert_success
	assert_output 'ok'
	assert_regex "$stderr" '; retrying in [12] s \(Retry-After\)$'
	assert_ge "$elapsed" 1
	assert_requests 2
}

@test "Retry-After zero, past or invalid leaves the backoff" {
	local past
	past=$(LC_ALL=C date -u -d '-1 hour' '+%a, %d %b %Y %H:%M:%S GMT')
	server_faults "[{\"path\": \"/raw\", \"action\": \"status\", \"status\": 503,
	                 \"headers\": {\"Retry-After\": \"0\"}},
	                {\"path\": \"/raw\", \"action\": \"status\", \"status\": 503,
	                 \"headers\": {\"Retry-After\": \"$past\"}},
	                {\"path\": \"/raw\", \"action\": \"status\", \"status\": 503,
	                 \"headers\": {\"Retry-After\": \"soon\"}}]"
	run --separate-stderr rest-fetch --backoff-factor 0.01 "$BASE/raw?body=ok"
	assert_success
	assert_output 'ok'
	assert_regex "${stderr_lines[0]}" '; retrying in 0\.01 s$'
	assert_regex "${stderr_lines[1]}" '; retrying in 0\.02 s$'
	assert_regex "${stderr_lines[2]}" '; retrying in 0\.04 s$'
	assert_requests 4
}

@test "--max-retry-delay caps Retry-After and the backoff" {
	local start elapsed
	server_faults '[{"path": "/raw", "action": "status", "status": 503,
	                 "headers": {"Retry-After": "30"}},
	                {"path": "/raw", "action": "status", "status": 503}]'
	start=$(date +%s.%N)
	run --separate-stderr rest-fetch --backoff-factor 100 \
		--max-retry-delay 0.3 "$BASE/raw?body=ok"
	elapsed=$(since "$start")
	assert_success
	assert_output 'ok'
	assert_regex "${stderr_lines[0]}" '; retrying in 0\.3 s \(Retry-After\)$'
	assert_regex "${stderr_lines[1]}" '; retrying in 0\.3 s$'
	assert_ge "$elapsed" 0.6
	# Far below the 30 s asked for: the cap held.
	assert_ge 20 "$elapsed"
	assert_requests 3
}

@test "drop, truncate and reset are retried, then the body comes" {
	server_faults '[{"path": "/raw", "action": "drop"},
	                {"path": "/raw", "action": "truncate"},
	                {"path": "/raw", "action": "reset"}]'
	run --separate-stderr rest-fetch --backoff-factor 0.01 \
		"$BASE/raw?body=complete"
	assert_success
	assert_output 'complete'
	assert_equal "${#stderr_lines[@]}" 3
	assert_regex "${stderr_lines[0]}" \
		"^rest-fetch: attempt 1 of 4: GET $RE_BASE/raw\\?body=complete: Empty reply from server; retrying in 0\\.01 s$"
	assert_regex "${stderr_lines[1]}" \
		'^rest-fetch: attempt 2 of 4: .*: transfer closed with 4 bytes remaining to read; retrying in 0\.02 s$'
	assert_regex "${stderr_lines[2]}" \
		'^rest-fetch: attempt 3 of 4: .*: Recv failure: Connection reset by peer; retrying in 0\.04 s$'
	assert_requests 4
}

@test "a truncated chunked body is retried and never half written" {
	server_faults '[{"path": "/bytes", "action": "truncate", "times": 4}]'
	run --separate-stderr rest-fetch --backoff-factor 0.01 \
		"$BASE/bytes/50000?chunked=1"
	assert_failure 75
	assert_output ''
	assert_equal "${#stderr_lines[@]}" 4
	assert_regex "${stderr_lines[3]}" '\(gave up after 4 attempts\)$'
	assert_requests 4
}

@test "--timeout ends a slow attempt, which is retried" {
	server_faults '[{"path": "/raw", "action": "slow", "delay": 2}]'
	run --separate-stderr rest-fetch --timeout 0.5 --backoff-factor 0.01 \
		"$BASE/raw?body=ok"
	assert_success
	assert_output 'ok'
	assert_regex "$stderr" \
		'^rest-fetch: attempt 1 of 4: .*: Operation timed out after [0-9]+ milliseconds.*; retrying in 0\.01 s$'
	assert_requests 2
}

@test "timeouts on every attempt are 75" {
	server_faults '[{"path": "/raw", "action": "slow", "delay": 2,
	                 "times": -1}]'
	run --separate-stderr rest-fetch --timeout 0.3 --retries 1 \
		--backoff-factor 0.01 "$BASE/raw?body=ok"
	assert_failure 75
	assert_output ''
	assert_regex "${stderr_lines[1]}" \
		'timed out .*\(gave up after 2 attempts\)$'
	assert_requests 2
}

@test "a refused connection is retried, then 75" {
	local port
	port=$(free_port)
	run --separate-stderr rest-fetch --retries 2 --backoff-factor 0.01 \
		"http://127.0.0.1:$port/x"
	assert_failure 75
	assert_output ''
	assert_equal "${#stderr_lines[@]}" 3
	assert_regex "${stderr_lines[0]}" \
		"^rest-fetch: attempt 1 of 3: GET http://127\\.0\\.0\\.1:$port/x: .*onnect.*; retrying in 0\\.01 s$"
	assert_regex "${stderr_lines[2]}" '\(gave up after 3 attempts\)$'
}

@test "--connect-timeout ends a handshake that never comes" {
	local port start elapsed
	port=$(silent_listener)
	start=$(date +%s.%N)
	run --separate-stderr rest-fetch --connect-timeout 0.5 --timeout 30 \
		--retries 0 "https://127.0.0.1:$port/"
	elapsed=$(since "$start")
	assert_failure 75
	assert_output ''
	assert_regex "$stderr" \
		"^rest-fetch: GET https://127\\.0\\.0\\.1:$port/: .*time.*\\(gave up after 1 attempt\\)$"
	assert_ge "$elapsed" 0.5
	# Well before --timeout 30.
	assert_ge 20 "$elapsed"
}

@test "-s silences the retry lines, not the failure" {
	run --separate-stderr rest-fetch -s --retries 2 --backoff-factor 0.01 \
		"$BASE/status/500"
	assert_failure 75
	assert_output ''
	assert_equal "$stderr" \
		"rest-fetch: GET $BASE/status/500: HTTP 500: {\"status\":500,\"message\":\"Internal Server Error\"} (gave up after 3 attempts)"
	assert_requests 3
	server_faults '[{"path": "/raw", "action": "status", "status": 503}]'
	run --separate-stderr rest-fetch --silent --backoff-factor 0.01 \
		"$BASE/raw?body=ok"
	assert_success
	assert_output 'ok'
	assert_equal "$stderr" ''
}

@test "-v reports each attempt: method, URL, status, bytes, ms" {
	server_faults '[{"path": "/raw", "action": "status", "status": 503}]'
	run --separate-stderr rest-fetch -v --backoff-factor 0.01 \
		"$BASE/raw?body=hello"
	assert_success
	assert_output 'hello'
	assert_equal "${#stderr_lines[@]}" 3
	assert_regex "${stderr_lines[0]}" \
		"^rest-fetch: GET $RE_BASE/raw\\?body=hello: 503, 20 bytes, [0-9]+ ms$"
	assert_regex "${stderr_lines[1]}" '^rest-fetch: attempt 1 of 4: '
	assert_regex "${stderr_lines[2]}" \
		"^rest-fetch: GET $RE_BASE/raw\\?body=hello: 200, 5 bytes, [0-9]+ ms$"
	run --separate-stderr rest-fetch --verbose -d x "$BASE/echo"
	assert_success
	assert_regex "$stderr" \
		"^rest-fetch: POST $RE_BASE/echo: 200, [0-9]+ bytes, [0-9]+ ms$"
}

# ------------------------------------------------------------ size, TLS

@test "--max-size refuses a larger body: 69, not retried" {
	run --separate-stderr rest-fetch --max-size 999 "$BASE/bytes/1000"
	assert_failure 69
	assert_output ''
	assert_equal "$stderr" \
		"rest-fetch: GET $BASE/bytes/1000: response body larger than --max-size 999 bytes"
	assert_requests 1
	run --separate-stderr rest-fetch --max-size 999 "$BASE/bytes/1000?chunked=1"
	assert_failure 69
	assert_output ''
	assert_equal "$stderr" \
		"rest-fetch: GET $BASE/bytes/1000?chunked=1: response body larger than --max-size 999 bytes"
	assert_requests 2
}

@test "--max-size accepts a body of exactly that size" {
	run --separate-stderr rest-fetch --max-size 1000 "$BASE/bytes/1000?chunked=1"
	assert_success
	assert_equal "${#output}" 1000
	run --separate-stderr rest-fetch --max-size 1000 "$BASE/bytes/1000"
	assert_success
	assert_equal "${#output}" 1000
}

@test "TLS: a self-signed certificate is refused: 69" {
	run --separate-stderr rest-fetch "$TLS_BASE/raw?body=secure"
	assert_failure 69
	assert_output ''
	assert_regex "$stderr" \
		"^rest-fetch: GET ${TLS_BASE//./\\.}/raw\\?body=secure: SSL certificate problem: .*self.signed"
	assert_equal "${#stderr_lines[@]}" 1
}

@test "TLS: --cacert trusts the certificate" {
	run --separate-stderr rest-fetch --cacert "$TLS_CERT" "$TLS_BASE/raw?body=secure"
	assert_success
	assert_output 'secure'
	assert_equal "$stderr" ''
}

@test "TLS: -k skips verification" {
	run --separate-stderr rest-fetch -k "$TLS_BASE/raw?body=secure"
	assert_success
	assert_output 'secure'
	run --separate-stderr rest-fetch --insecure "$TLS_BASE/raw?body=again"
	assert_success
	assert_output 'again'
}

@test "--cacert that cannot be opened is 66, one that is no certificate 78" {
	run --separate-stderr rest-fetch --cacert "$BATS_TEST_TMPDIR/missing.pem" \
		"$TLS_BASE/raw?body=secure"
	assert_failure 66
	assert_output ''
	assert_equal "$stderr" \
		"rest-fetch: $BATS_TEST_TMPDIR/missing.pem: No such file or directory"
	# Also for plain HTTP, where libcurl would never look at it.
	run --separate-stderr rest-fetch --cacert "$BATS_TEST_TMPDIR/missing.pem" \
		"$BASE/echo"
	assert_failure 66
	assert_requests 0
	echo 'not a certificate' >"$BATS_TEST_TMPDIR/junk.pem"
	run --separate-stderr rest-fetch --cacert "$BATS_TEST_TMPDIR/junk.pem" \
		"$TLS_BASE/raw?body=secure"
	assert_failure 78
	assert_output ''
	assert_regex "$stderr" "^rest-fetch: GET $TLS_BASE/raw\\?body=secure: .*certificate"
}

# ------------------------------------------------------------ -c and -r

@test "-c reads the URL, params, headers and api_key of a resource" {
	local cfg
	cfg=$(config_fixture fetch-config.json)
	export API_KEY=$KEY
	run --separate-stderr rest-fetch -c "$cfg" -r image_analysis
	assert_success
	assert_equal "$stderr" ''
	run jq -c '[.data[].id]' <<<"$output"
	assert_output '[1,2]'
	run server_requests
	run jq -r '.path, .query, .headers."X-Client"' <<<"$output"
	assert_output "/v1/resource
limit=2&require_key=1&api_key=$KEY
restpipe-test"
	run requests_without '.query, .args.api_key'
	refute_output --partial "$KEY"
}

@test "-c: options and the URL on the command line win" {
	local cfg
	cfg=$(config_fixture fetch-config.json)
	export API_KEY=$KEY
	run rest-fetch --config "$cfg" --resource echo
	assert_success
	run jq -r '.method, .path, .query, .body, .headers."Content-Type"' \
		<<<"$output"
	assert_output "POST
/echo
limit=2&q=a%20b&api_key=$KEY
{\"a\":1}
application/json"
	run rest-fetch -c "$cfg" -r echo -X PUT -q x=1 --key-name key \
		"$BASE/echo?z=1"
	assert_success
	run jq -r '.method, .path, .query' <<<"$output"
	assert_output "PUT
/echo
z=1&limit=2&q=a%20b&x=1&key=$KEY"
}

@test "-c: a resource must be chosen among several, and exist" {
	local cfg
	cfg=$(config_fixture fetch-config.json)
	export API_KEY=$KEY
	run --separate-stderr rest-fetch -c "$cfg"
	assert_failure 64
	assert_output ''
	assert_equal "$stderr" \
		"rest-fetch: $cfg: 2 resources, choose one with -r: image_analysis, echo"
	run --separate-stderr rest-fetch -c "$cfg" -r nope
	assert_failure 64
	assert_equal "$stderr" \
		"rest-fetch: $cfg: no resource 'nope'; there are: image_analysis, echo"
	run --separate-stderr rest-fetch -r echo "$BASE/echo"
	assert_failure 64
	assert_equal "$stderr" 'rest-fetch: --resource needs --config'
	assert_requests 0
}

@test "-c: a file that cannot be opened is 66, malformed JSON 78" {
	run --separate-stderr rest-fetch -c "$BATS_TEST_TMPDIR/missing.json"
	assert_failure 66
	assert_output ''
	assert_equal "$stderr" \
		"rest-fetch: $BATS_TEST_TMPDIR/missing.json: No such file or directory"
	printf '{"client":\n  {"base_url": }}\n' >"$BATS_TEST_TMPDIR/bad.json"
	run --separate-stderr rest-fetch -c "$BATS_TEST_TMPDIR/bad.json"
	assert_failure 78
	assert_output ''
	assert_regex "$stderr" "^rest-fetch: ${BATS_TEST_TMPDIR//./\\.}/bad\\.json:2:[0-9]+: "
	assert_requests 0
}

@test "-c: a secret given as a variable reads that variable" {
	local cfg
	cfg=$(config_fixture fetch-config-bearer.json)
	export MY_TOKEN=$KEY
	run rest-fetch -c "$cfg"
	assert_success
	run jq -r '.path, .headers.Authorization' <<<"$output"
	assert_output "/echo
Bearer $KEY"
	unset MY_TOKEN
	run --separate-stderr rest-fetch -c "$cfg"
	assert_failure 78
	assert_output ''
	assert_equal "$stderr" \
		'rest-fetch: --auth bearer needs a secret: set MY_TOKEN, or token in .dlt/secrets.toml, or use --secret-file'
}

@test "-c: .dlt/secrets.toml holds the secret when the environment does not" {
	local cfg
	cfg=$(config_fixture fetch-config.json)
	mkdir "$BATS_TEST_TMPDIR/.dlt"
	printf '[sources.rest_api]\napi_key = "%s"\n' "$KEY" \
		>"$BATS_TEST_TMPDIR/.dlt/secrets.toml"
	cd "$BATS_TEST_TMPDIR"
	run --separate-stderr rest-fetch -c "$cfg" -r image_analysis
	assert_success
	assert_equal "$stderr" ''
	run jq -c '[.data[].id]' <<<"$output"
	assert_output '[1,2]'
}

# ------------------------------------------------------------- redirects

@test "redirects are followed" {
	run --separate-stderr rest-fetch "$BASE/redirect?to=/echo%3Fx%3D1"
	assert_success
	assert_equal "$(jq -r .query <<<"$output")" 'x=1'
	assert_requests 2
}

@test "a key in a custom header is not taken along a redirect" {
	export API_KEY=sekrit-key-123
	run --separate-stderr rest-fetch --auth api_key --key-name X-API-Key \
	    "$BASE/redirect?to=/echo"
	assert_failure 69
	assert_output ''
	assert_equal "$stderr" "rest-fetch: GET $BASE/redirect?to=/echo: HTTP 302 (not followed: the key would go along in its header): {\"to\":\"/echo\"}"
	assert_requests 1
	# In Authorization, which libcurl drops when the host changes, it is.
	run --separate-stderr rest-fetch --auth bearer "$BASE/redirect?to=/echo"
	assert_success
	assert_requests 3
}

@test "a key in a cookie stays with its host across a redirect" {
	export API_KEY=sekrit-key-123
	run --separate-stderr rest-fetch --auth api_key --key-name api_key \
	    --key-location cookie "$BASE/redirect?to=http://localhost:$PORT/echo"
	assert_success
	assert_equal "$(jq -r '.headers.Host' <<<"$output")" "localhost:$PORT"
	assert_equal "$(jq -r '.headers.Cookie' <<<"$output")" null
	# On the same host it goes along.
	run --separate-stderr rest-fetch --auth api_key --key-name api_key \
	    --key-location cookie "$BASE/redirect?to=/echo"
	assert_success
	assert_equal "$(jq -r '.headers.Cookie' <<<"$output")" \
	    'api_key=sekrit-key-123'
}

@test "a redirect to another scheme is the server's fault: 69" {
	run --separate-stderr rest-fetch "$BASE/redirect?to=ftp://127.0.0.1/x"
	assert_failure 69
	assert_output ''
	assert_regex "$stderr" '^rest-fetch: GET .*: .*ftp.*not supported'
}

# ------------------------------------------------------ secrets in bodies

# fail_with BODY: every request to /echo fails with 400 and BODY.
fail_with() {
	server_faults "$(jq -cn --arg b "$1" \
	    '[{"path":"/echo","action":"status","status":400,"body":$b,"times":-1}]')"
}

@test "a secret cut by the 200-byte excerpt still does not show" {
	export API_KEY=sekrit-key-123
	fail_with "{\"error\":\"$(printf 'x%.0s' {1..180}) key sekrit-key-123 rejected\"}"
	run --separate-stderr rest-fetch --auth bearer "$BASE/echo"
	assert_failure 69
	refute_regex "$stderr" 'sekri|t-key'
	assert_regex "$stderr" 'HTTP 400: \{"error":"x+ key \*\*'
}

@test "a secret the server escapes as JSON does not show" {
	export API_KEY='ab/cd/ef-long-token'
	fail_with '{"error":"bad key ab\/cd\/ef-long-token"}'
	run --separate-stderr rest-fetch --auth bearer "$BASE/echo"
	assert_failure 69
	refute_regex "$stderr" 'cd|long-token'
	assert_regex "$stderr" 'bad key \*\*\*"\}$'
}

@test "http_basic: neither the password nor the header value shows" {
	export API_KEY=alice:hunter2-long
	fail_with "wrong password hunter2-long; you sent Basic $(printf '%s' "$API_KEY" | base64)"
	run --separate-stderr rest-fetch --auth http_basic "$BASE/echo"
	assert_failure 69
	refute_regex "$stderr" 'hunter2|YWxpY2'
	assert_regex "$stderr" 'wrong password \*\*\*; you sent Basic \*\*\*$'
}

@test "a key the server encodes as lowercase %xx does not show" {
	export API_KEY='ab/cd/ef-long-token'
	fail_with 'bad key ab%2fcd%2fef-long-token'
	run --separate-stderr rest-fetch --auth bearer "$BASE/echo"
	assert_failure 69
	assert_output ''
	assert_equal "$stderr" "rest-fetch: GET $BASE/echo: HTTP 400: bad key ***"
}

@test "a key the server escapes as JSON \\u002f does not show" {
	export API_KEY='ab/cd/ef-long-token'
	fail_with '{"error":"bad key ab\u002fcd\u002Fef-long-token"}'
	run --separate-stderr rest-fetch --auth bearer "$BASE/echo"
	assert_failure 69
	assert_output ''
	assert_equal "$stderr" \
		"rest-fetch: GET $BASE/echo: HTTP 400: {\"error\":\"bad key ***\"}"
}

@test "a key in base64, padded or URL-safe, alone or inside, does not show" {
	local std url in
	export API_KEY='sekrit???key-123'
	std=$(printf %s "$API_KEY" | base64)
	url=$(printf %s "$std" | tr '+/' '-_' | tr -d =)
	in=$(printf 'Authorization: Bearer %s\r\n' "$API_KEY" | base64 -w0)
	assert_equal "$std $url" \
		'c2Vrcml0Pz8/a2V5LTEyMw== c2Vrcml0Pz8_a2V5LTEyMw'
	fail_with "std $std, url $url, in $in"
	run --separate-stderr rest-fetch --auth bearer "$BASE/echo"
	assert_failure 69
	assert_output ''
	# The digits around the key depend on the bytes beside it.
	assert_equal "$stderr" "rest-fetch: GET $BASE/echo: HTTP 400: std ***, url ***, in QXV0aG9yaXphdGlvbjogQmVhcmVyIH***MNCg=="
}

@test "http_basic: base64 of user:password, URL-safe, unpadded, does not show" {
	local url
	export API_KEY='alice:hunter2???x'
	url=$(printf %s "$API_KEY" | base64 | tr '+/' '-_' | tr -d =)
	assert_equal "$url" 'YWxpY2U6aHVudGVyMj8_P3g'
	fail_with "you sent Basic $url, password hunter2%3f%3f%3fx"
	run --separate-stderr rest-fetch --auth http_basic "$BASE/echo"
	assert_failure 69
	assert_output ''
	assert_equal "$stderr" \
		"rest-fetch: GET $BASE/echo: HTTP 400: you sent Basic ***, password ***"
}

@test "a key with a tab that the server echoes raw does not show" {
	export API_KEY=$'tab\tsecret-key'
	fail_with $'bad key tab\tsecret-key!\tend'
	run --separate-stderr rest-fetch --auth bearer "$BASE/echo"
	assert_failure 69
	assert_output ''
	assert_equal "$stderr" \
		"rest-fetch: GET $BASE/echo: HTTP 400: bad key ***! end"
}

@test "many copies of a 32-byte key: none of it before the 200-byte cut" {
	local body='' want='' i
	export API_KEY=k3y-0123456789abcdefghijklmnopqr
	for ((i = 0; i < 30; i++)); do
		body+="key $API_KEY; "
	done
	# Hidden, each copy is 9 bytes: 22 of them, and 2 bytes, make 200.
	for ((i = 0; i < 22; i++)); do
		want+='key ***; '
	done
	fail_with "$body"
	run --separate-stderr rest-fetch --auth bearer "$BASE/echo"
	assert_failure 69
	assert_output ''
	assert_equal "$stderr" "rest-fetch: GET $BASE/echo: HTTP 400: ${want}ke..."
}

@test "8 bytes of a key, or a start of one that ends the body, do not show" {
	export API_KEY=$KEY
	fail_with 'bad key rit-key-1 or sekrit-ke'
	run --separate-stderr rest-fetch --auth bearer "$BASE/echo"
	assert_failure 69
	assert_output ''
	assert_equal "$stderr" \
		"rest-fetch: GET $BASE/echo: HTTP 400: bad key *** or ***"
	# Shorter runs are not the key.
	fail_with 'bad key sekrit- or -123'
	run --separate-stderr rest-fetch --auth bearer "$BASE/echo"
	assert_failure 69
	assert_equal "$stderr" \
		"rest-fetch: GET $BASE/echo: HTTP 400: bad key sekrit- or -123"
}

# -------------------------------------------------------- secrets in URLs

# The warning a secret in a URL brings, for the names in $1.
url_warning() {
	echo "rest-fetch: warning: a secret in the URL ($1): a URL shows in ps, shell history and logs; put the secret in the environment (API_KEY) and use --auth"
}

@test "-q api_key=KEY is *** under -v, in retries and failures, with a warning" {
	run --separate-stderr rest-fetch -v --retries 1 --backoff-factor 0.01 \
		-q api_key="$KEY" "$BASE/status/500"
	assert_failure 75
	assert_output ''
	assert_equal "${#stderr_lines[@]}" 5
	assert_equal "${stderr_lines[0]}" "$(url_warning api_key)"
	assert_regex "${stderr_lines[1]}" \
		"^rest-fetch: GET $RE_BASE/status/500\\?api_key=\\*\\*\\*: 500, 48 bytes, [0-9]+ ms\$"
	assert_equal "${stderr_lines[2]}" \
		"rest-fetch: attempt 1 of 2: GET $BASE/status/500?api_key=***: HTTP 500: {\"status\":500,\"message\":\"Internal Server Error\"}; retrying in 0.01 s"
	assert_equal "${stderr_lines[4]}" \
		"rest-fetch: GET $BASE/status/500?api_key=***: HTTP 500: {\"status\":500,\"message\":\"Internal Server Error\"} (gave up after 2 attempts)"
	refute_regex "$stderr" 'sekrit'
	run server_requests
	run jq -r '.args.api_key' <<<"$output"
	assert_output "$KEY"$'\n'"$KEY"
}

@test "secret parameters in the URL operand are ***, and so are their echoes" {
	fail_with "you sent $KEY and tok/value 99"
	run --separate-stderr rest-fetch \
		"$BASE/echo?API%5Fkey=$KEY&monkey=1&keys=2&key=&Access_Token=tok%2Fvalue+99"
	assert_failure 69
	assert_output ''
	assert_equal "$stderr" "$(url_warning 'api_key, access_token')
rest-fetch: GET $BASE/echo?API%5Fkey=***&monkey=1&keys=2&key=&Access_Token=***: HTTP 400: you sent *** and ***"
	run server_requests
	run jq -r '.args.API_key, .args.Access_Token' <<<"$output"
	assert_output "$KEY"$'\n''tok/value 99'
}

@test "user:password@ in the URL is shown as user:***@" {
	fail_with "bad password $KEY"
	run --separate-stderr rest-fetch "http://bob:$KEY@127.0.0.1:$PORT/echo"
	assert_failure 69
	assert_output ''
	assert_equal "$stderr" "$(url_warning 'the userinfo password')
rest-fetch: GET http://bob:***@127.0.0.1:$PORT/echo: HTTP 400: bad password ***"
	run server_requests
	run jq -r '.headers.Authorization' <<<"$output"
	assert_output "Basic $(printf 'bob:%s' "$KEY" | base64)"
}

@test "a query parameter named as --key-name is hidden too" {
	run --separate-stderr rest-fetch --key-name apitoken -v \
		-q ApiToken=value-123456 "$BASE/status/404"
	assert_failure 69
	assert_output ''
	assert_equal "${#stderr_lines[@]}" 3
	assert_equal "${stderr_lines[0]}" "$(url_warning apitoken)"
	assert_equal "${stderr_lines[2]}" \
		"rest-fetch: GET $BASE/status/404?ApiToken=***: HTTP 404: {\"status\":404,\"message\":\"Not Found\"}"
	refute_regex "$stderr" 'value-123456'
}

@test "-c: a secret in endpoint.params is hidden as from -q" {
	local cfg=$BATS_TEST_TMPDIR/params.json
	cat >"$cfg" <<-JSON
	{"client": {"base_url": "$BASE/"},
	 "resources": [{"name": "r", "endpoint": {"path": "status/404",
	   "params": {"limit": 2, "token": "cfg-secret-777"}}}]}
	JSON
	run --separate-stderr rest-fetch -c "$cfg"
	assert_failure 69
	assert_output ''
	assert_equal "$stderr" "$(url_warning token)
rest-fetch: GET $BASE/status/404?limit=2&token=***: HTTP 404: {\"status\":404,\"message\":\"Not Found\"}"
}

@test "the warning comes once a process, also over many pages" {
	run --separate-stderr timeout 60 rest-paginate --limit 10 \
		"$BASE/v1/resource?records=25&api_key=$KEY"
	assert_success
	assert_equal "${#lines[@]}" 3
	assert_equal "$stderr" "$(url_warning api_key | sed s/rest-fetch/rest-paginate/)"
}

# ---------------------------------------------------------- core dumps

# strace_prctl ARGS...: run rest-fetch ARGS under strace, the prctl calls
# in $BATS_TEST_TMPDIR/trace.  LeakSanitizer cannot work under ptrace.
strace_prctl() {
	ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0 \
		timeout 60 strace -f -e trace=prctl -o "$BATS_TEST_TMPDIR/trace" \
		rest-fetch "$@"
}

@test "a secret makes the process non-dumpable; no secret, no prctl" {
	command -v strace >/dev/null || skip 'strace is not installed'
	local nodump='prctl\(PR_SET_DUMPABLE, (SUID_DUMP_DISABLE|0)\) += 0'
	export API_KEY=$KEY
	run --separate-stderr strace_prctl --auth bearer "$BASE/raw?body=ok"
	assert_success
	assert_output 'ok'
	assert_equal "$stderr" ''
	assert_regex "$(<"$BATS_TEST_TMPDIR/trace")" "$nodump"
	run --separate-stderr strace_prctl "$BASE/raw?body=ok"
	assert_success
	assert_output 'ok'
	refute_regex "$(<"$BATS_TEST_TMPDIR/trace")" 'PR_SET_DUMPABLE'
	run --separate-stderr strace_prctl "$BASE/raw?body=ok&token=x"
	assert_success
	assert_output 'ok'
	assert_equal "$stderr" "$(url_warning token)"
	assert_regex "$(<"$BATS_TEST_TMPDIR/trace")" "$nodump"
}

@test "--dry-run prints the request with every secret hidden, and sends nothing" {
	export API_KEY=$KEY
	run --separate-stderr rest-fetch --dry-run --auth api_key \
		--key-name X-Key -H 'Accept: text/plain' -q 'a=b c' "$BASE/echo"
	assert_success
	assert_output "GET $BASE/echo?a=b%20c
Accept: text/plain
X-Key: ***"
	assert_equal "$stderr" ''
	export API_KEY=user:$KEY
	run --separate-stderr rest-fetch --dry-run --auth http_basic \
		--json '{"a":1}' "$BASE/echo"
	assert_success
	assert_output "POST $BASE/echo
Content-Type: application/json
Accept: application/json
Authorization: Basic ***

(a body of 7 bytes)"
	refute_output --partial "$KEY"
	assert_equal "$(server_stats)" '{"requests":0,"connections":0}'
}
