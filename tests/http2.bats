#!/usr/bin/env bats
# rest-paginate -P over HTTPS multiplexes on one HTTP/2 connection, with
# libcurl's defaults: nginx from Debian in front of the test API, with a
# self-signed certificate, logs the connection of every request.

bats_require_minimum_version 1.5.0

load server

setup_file() {
	server_start --records 1000
	. "$BATS_TEST_DIRNAME/nginx.sh"
	local rc=0
	nginx_up "$BATS_FILE_TMPDIR/nginx" "$BASE" || rc=$?
	if [ "$rc" -eq 1 ]; then
		echo "no nginx" >"$BATS_FILE_TMPDIR/nginx.missing"
		return 0
	fi
	[ "$rc" -eq 0 ] || return 1
	echo "$h2base" >"$BATS_FILE_TMPDIR/h2base"
}

teardown_file() {
	. "$BATS_TEST_DIRNAME/nginx.sh"
	nginx_down "$BATS_FILE_TMPDIR/nginx"
	server_stop
}

setup() {
	[ ! -e "$BATS_FILE_TMPDIR/nginx.missing" ] ||
		skip 'needs nginx (apt-get install nginx)'
	server_reset
	H2=$(<"$BATS_FILE_TMPDIR/h2base")
	CERT=$BATS_FILE_TMPDIR/nginx/cert.pem
	LOG=$BATS_FILE_TMPDIR/nginx/access.log
	: >"$LOG"
}

# The requests nginx logged: "CONNECTION PROTOCOL STATUS URI" a line.
logged() {
	# nginx writes its log line after the response: give it a moment.
	local i
	for i in {1..50}; do
		[ "$(wc -l <"$LOG")" -ge "$1" ] && break
		sleep 0.05
	done
	cat "$LOG"
}

@test "-P 8 over HTTPS: every page on one HTTP/2 connection, in order" {
	run --separate-stderr rest-paginate -s -P 8 --limit 50 --cacert "$CERT" \
		"$H2/v1/resource"
	assert_success
	assert_equal "${#lines[@]}" 20
	assert_equal "$(printf '%s\n' "$output" | jq -c '.data[].id' |
		paste -sd' ' - | tr ' ' '\n' | awk '$1 != NR { bad = 1 }
		END { print NR, bad + 0 }')" '1000 0'
	run logged 21
	# 20 pages and the empty-or-total check: each over HTTP/2.0, one
	# connection for all.
	assert_equal "$(awk '{ print $2 }' <<<"$output" | sort -u)" 'HTTP/2.0'
	assert_equal "$(awk '{ print $1 }' <<<"$output" | sort -u | wc -l)" 1
	assert [ "$(wc -l <<<"$output")" -ge 20 ]
}

@test "without -P the pages reuse the one connection too" {
	run --separate-stderr rest-paginate -s --limit 100 --cacert "$CERT" \
		"$H2/v1/resource"
	assert_success
	assert_equal "${#lines[@]}" 10
	run logged 10
	assert_equal "$(awk '{ print $2 }' <<<"$output" | sort -u)" 'HTTP/2.0'
	assert_equal "$(awk '{ print $1 }' <<<"$output" | sort -u | wc -l)" 1
}

@test "the self-signed certificate is refused without --cacert: 69, nothing logged" {
	run --separate-stderr rest-paginate -s --retries 0 "$H2/v1/resource"
	assert_failure
	assert_output ''
	assert_regex "$stderr" 'certificate'
	assert_equal "$(wc -l <"$LOG")" 0
}
