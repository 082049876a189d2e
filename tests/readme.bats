#!/usr/bin/env bats
# The first screen of README.md, as a newcomer reads it: what restpipe is,
# the two commands, the main job (rest-sync) on the configuration it
# shows, and the parts; every command of it runs as written, against the
# local test API in place of api.example.com.

bats_require_minimum_version 1.5.0

load server

setup_file() { server_start --records 250; }
teardown_file() { server_stop; }

setup() {
	server_reset
	cd "$BATS_TEST_TMPDIR" || return
	README=$BATS_TEST_DIRNAME/../README.md
	# The first screen: up to the section after Installing.
	FIRST=$(sed -n '1,/^## The programs/p' "$README")
	export API_KEY=sekrit-key-123
}

# block AFTER: the indented lines of the first screen's code block that
# follows the line matching AFTER, unindented, pointed at the test API.
block() {
	awk -v after="$1" '
		found && /^    / { sub(/^    /, ""); print; inblock = 1; next }
		found && inblock && !/^    / { exit }
		index($0, after) { found = 1 }' <<<"$FIRST" |
		sed "s|https://api.example.com|$BASE|"
}

@test "the first screen says what restpipe is, then the two commands, the main job, Install" {
	assert [ "$(wc -l <<<"$FIRST")" -lt 60 ]
	assert_regex "$(sed -n 3,4p <<<"$FIRST")" 'keeps a local mirror of a paginated REST API'
	run grep -n -e '^    make demo ' -e '^    make check ' -e '^    rest-sync -c api.json -C mirror/$' \
		-e '^## Installing$' -e 'debhelper' -e '^    rest-paginate ' <<<"$FIRST"
	assert_success
	assert_equal "${#lines[@]}" 6
	# In that order: the commands, the main job, the parts, Install.
	assert_equal "$(cut -d: -f1 <<<"$output" | sort -n | paste -sd' ' -)" \
		"$(cut -d: -f1 <<<"$output" | paste -sd' ' -)"
	run make -n -C "$BATS_TEST_DIRNAME/.." demo check
	assert_success
}

@test "the main job on the first screen's configuration mirrors the API" {
	block 'as dlt writes it' >api.json
	run jq -e '.resources[0].name' api.json
	assert_output '"image_analysis"'
	run --separate-stderr rest-sync -c api.json -C mirror/
	assert_success
	assert_equal "$(wc -l <mirror/image_analysis.jsonl)" 250
	assert_regex "$stderr" 'rest-sync: recap: image_analysis: ok, 250 rows'
}

@test "the parts on the first screen give the same table" {
	block 'as dlt writes it' >api.json
	rest-sync -s -c api.json -C want/
	block 'The parts, joined by hand' >parts.sh
	assert_equal "$(wc -l <parts.sh)" 4
	mkdir mirror
	run --separate-stderr bash -o pipefail parts.sh
	assert_success
	cmp want/image_analysis.jsonl mirror/image_analysis.jsonl
}

@test "make demo ends with the recap of a run that resumed" {
	local p bin
	p=$(command -v rest-sync)
	if [[ $(head -c 2 "$p") == '#!' ]]; then
		p=$(sed -n 's/^exec "\([^"]*\)" "\$@"$/\1/p' "$p")
	fi
	bin=$(dirname "$p")
	run sh "$BATS_TEST_DIRNAME/demo.sh" "$bin"
	assert_success
	assert_regex "${lines[-1]}" '^rest-sync: recap: image_analysis: resumed, 250 rows \(250 inserted, 0 updated, 0 unchanged, 0 deleted\), [0-9]+ pages?, [0-9]+ requests?, 0 retries, [0-9.]+ s$'
}
