#!/usr/bin/env bats
# The batch job of examples/Makefile against the local test API: the
# mirror by rest-sync and the full load (byte for byte the same table), the
# sharded load (the same again), a failed shard that leaves the previous
# table intact, and the shard arithmetic; the PokeAPI-like and GitHub-like
# configurations of examples/ against the test API's look-alikes.

bats_require_minimum_version 1.5.0

load server
load manpage

setup_file() { server_start --records 950; }
teardown_file() { server_stop; }

setup() {
	server_reset
	export API_KEY=sekrit-key-123
	EX=$BATS_TEST_DIRNAME/../examples
	OUT=$BATS_TEST_TMPDIR/out
	JOB=(make -s -C "$EX" API="$BASE" OUT="$OUT" EXTRA='-q require_key=1')
}

@test "rest-shard-range: shards are whole pages that cover the range once" {
	local total count index opts covered
	for total in 0 1 99 100 101 950 1000 12345; do
		for count in 1 3 4 7; do
			covered=0
			for ((index = 0; index < count; index++)); do
				opts=$(rest-shard-range $index $count $total 100)
				[[ $opts =~ ^--offset\ ([0-9]+)\ --max-offset\ ([0-9]+)$ ]]
				(( BASH_REMATCH[1] == covered || BASH_REMATCH[1] == BASH_REMATCH[2] ))
				(( BASH_REMATCH[1] % 100 == 0 ))
				(( BASH_REMATCH[2] >= BASH_REMATCH[1] ))
				covered=${BASH_REMATCH[2]}
			done
			(( covered >= total && covered < total + 100 ))
		done
	done
}

@test "rest-shard-range: bad arguments are a usage error" {
	local synopsis='usage: rest-shard-range [-h] [--version] INDEX COUNT TOTAL [LIMIT]'
	run -64 rest-shard-range 4 4 100
	assert_output "$synopsis"
	run -64 rest-shard-range x 4 100
	assert_output "$synopsis"
	run -64 rest-shard-range 0 0 100
	assert_output "$synopsis"
	run -64 rest-shard-range 0 1
	assert_output "$synopsis"
	run -64 rest-shard-range 0 1 100 0
	assert_output "$synopsis"
	run -64 rest-shard-range 0 1 100 1 1
	assert_output "$synopsis"
	run -64 rest-shard-range --limit 0 1 100
	assert_output "rest-shard-range: unrecognized option '--limit'
$synopsis"
	run -64 rest-shard-range -1 4 100
	assert_output "rest-shard-range: invalid option -- '1'
$synopsis"
	run -0 rest-shard-range -- 3 4 950
	assert_output '--offset 900 --max-offset 1000'
}

@test "rest-shard-range: --help, --version and the man page agree" {
	run -0 rest-shard-range --help
	assert_line --index 0 'usage: rest-shard-range [-h] [--version] INDEX COUNT TOTAL [LIMIT]'
	run -0 rest-shard-range -h
	assert_line --index 0 --partial 'usage: rest-shard-range'
	run -0 rest-shard-range --version
	assert_output --regexp '^rest-shard-range [0-9]+\.[0-9]+\.[0-9]+$'
	assert_output "rest-shard-range $(sed -n 's/^VERSION[\t ]*= *//p' "$BATS_TEST_DIRNAME/../Makefile")"
	assert_man_long_options rest-shard-range "$EX/../man/rest-shard-range.1"
	assert_man_short_options rest-shard-range "$EX/../man/rest-shard-range.1"
	assert_man_synopsis rest-shard-range "$EX/../man/rest-shard-range.1"
	assert_man_lint "$EX/../man/rest-shard-range.1"
}

@test "the full load stages the records and replaces the table" {
	run "${JOB[@]}"
	assert_success
	[ "$(wc -l < "$OUT/image_analysis.jsonl")" -eq 950 ]
	run diff <(sed 's/^{"id":\([0-9]*\),.*/\1/' "$OUT/image_analysis.jsonl") <(seq 1 950)
	assert_success
	# The key went in the query of every page.
	run bash -c "curl -fsS '$BASE/_requests' | jq -r .args.api_key | sort -u"
	assert_output sekrit-key-123
}

@test "the sharded table equals the single-run table byte for byte" {
	run "${JOB[@]}"
	assert_success
	server_reset
	run "${JOB[@]}" -j4 shards SHARDS=4
	assert_success
	cmp "$OUT/image_analysis.jsonl" "$OUT/sharded.jsonl"
	# Four shards of three pages each (the last shard one short), and no
	# page fetched twice.
	run bash -c "curl -fsS '$BASE/_requests' | jq -r 'select(.args.limit != \"1\") | .args.offset' | sort -n | uniq -d"
	assert_output ''
}

@test "a failed shard leaves the previous table intact, and make resumes" {
	run "${JOB[@]}" -j4 shards SHARDS=4
	assert_success
	cp "$OUT/sharded.jsonl" "$BATS_TEST_TMPDIR/before"
	rm "$OUT"/shard-*.records
	# The third shard's second page fails for good.
	server_faults '[{"path":"/v1/resource","args":{"offset":"700"},"action":"status","status":404,"times":-1}]'
	run "${JOB[@]}" -j4 shards SHARDS=4
	assert_failure 2
	assert_output --partial 'HTTP 404'
	cmp "$BATS_TEST_TMPDIR/before" "$OUT/sharded.jsonl"
	[ ! -e "$OUT/shard-2.records" ]
	[ -s "$OUT/shard-0.records" ]
	server_reset
	run "${JOB[@]}" -j4 shards SHARDS=4
	assert_success
	cmp "$BATS_TEST_TMPDIR/before" "$OUT/sharded.jsonl"
	# Only the failed shard was fetched again.
	run bash -c "curl -fsS '$BASE/_requests' | jq -r .args.offset | sort -n | paste -sd' '"
	assert_output '600 700 800'
}

@test "sync merges into the table, and a failure keeps the pages before it" {
	run "${JOB[@]}"
	assert_success
	server_faults '[{"path":"/v1/resource","args":{"offset":"300"},"action":"status","status":503,"times":-1}]'
	run "${JOB[@]}" sync EXTRA='-q require_key=1 --retries 0'
	assert_failure 2
	assert_output --partial 'resume with --offset 300'
	[ "$(wc -l < "$OUT/image_analysis.jsonl")" -eq 950 ]
}

@test "the mirror by rest-sync: the table of the full load, and deletions mirrored" {
	local config=$BATS_TEST_TMPDIR/api.json
	run "${JOB[@]}"
	assert_success
	cp "$OUT/image_analysis.jsonl" "$BATS_TEST_TMPDIR/full"
	rm -r "$OUT"
	# The seed's configuration, pointed at the local API.
	jq --arg base "$BASE" '.client.base_url = $base |
		.resources[0].endpoint.params = {"require_key": 1}' \
		"$BATS_TEST_DIRNAME/fixtures/image_analysis.json" >"$config"
	run "${JOB[@]}" CONFIG="$config" mirror
	assert_success
	assert_output ''
	cmp "$BATS_TEST_TMPDIR/full" "$OUT/image_analysis.jsonl"
	# Two records gone from the API are gone from the table.
	jq '.resources[0].endpoint.params.skip_ids = "7,8"' "$config" >"$config.new"
	mv "$config.new" "$config"
	run "${JOB[@]}" CONFIG="$config" mirror
	assert_success
	assert_equal "$(wc -l <"$OUT/image_analysis.jsonl")" 948
	run jq -e 'select(.id == 7 or .id == 8)' "$OUT/image_analysis.jsonl"
	assert_failure
}

@test "make -C examples CONFIG=api.json: the file where make was called from, else beside the Makefile; examples/out is ignored by git" {
	cd "$BATS_TEST_TMPDIR"
	mkdir caller
	cd caller
	cat >api.json <<-EOF
	{"client": {"base_url": "$BASE", "auth": {"type": "api_key",
	   "name": "api_key", "location": "query"}},
	 "resource_defaults": {"primary_key": "id"},
	 "resources": [{"name": "labels", "endpoint": {"path": "/v1/resource",
	   "params": {"require_key": 1, "records": 30}, "data_selector": "data",
	   "paginator": {"type": "offset", "limit": 50}}}]}
	EOF
	run make -s -C "$EX" OUT="$OUT" CONFIG=api.json mirror
	assert_success
	assert_equal "$(wc -l <"$OUT/labels.jsonl")" 30
	# Not here: beside the Makefile, as the README's pokeapi.json.
	run make -s -C "$EX" OUT="$OUT" CONFIG=nosuch.json mirror
	assert_failure
	assert_output --partial "rest-sync: $(cd "$EX" && pwd)/nosuch.json: No such file or directory"
	cd "$BATS_TEST_DIRNAME/.."
	if git rev-parse --git-dir >/dev/null 2>&1; then
		run git check-ignore examples/out/image_analysis.jsonl
		assert_success
	fi
}

@test "examples/pokeapi.json: every resource, every page by the next URL in the body, as the mirror job runs it" {
	local config=$BATS_TEST_TMPDIR/pokeapi.json kind
	jq --arg base "$BASE/api/v2/" '.client.base_url = $base' \
		"$EX/pokeapi.json" >"$config"
	run "${JOB[@]}" CONFIG="$config" mirror
	assert_success
	assert_output ''
	for kind in pokemon berry location; do
		assert_equal "$(jq -r .name "$OUT/$kind.jsonl" | sort -V)" \
			"$(seq -f "$kind-%g" 950)"
	done
	# Ten pages a resource, each link followed once.
	assert_equal "$(server_requests | jq -r '.path + " " + (.args.offset // "-")' | sort -u | wc -l)" 30
	assert_equal "$(server_requests | wc -l)" 30
	# With no paginator at all, dlt's detector finds the same link.
	jq 'del(.client.paginator)' "$config" >"$config.auto"
	rm -r "$OUT"
	run --separate-stderr rest-sync -c "$config.auto" -C "$OUT" -r pokemon
	assert_success
	assert_regex "$stderr" "detected paginator json_link with next_url_path 'next'"
	assert_equal "$(wc -l <"$OUT/pokemon.jsonl")" 950
}

@test "examples/github.json: every page by the Link header, the token sent as a bearer and never shown" {
	local config=$BATS_TEST_TMPDIR/github.json
	jq --arg base "$BASE/github/" '.client.base_url = $base' \
		"$EX/github.json" >"$config"
	TOKEN=$API_KEY run --separate-stderr rest-sync -c "$config" -C "$OUT" -r issues
	assert_success
	assert_regex "$stderr" "^rest-sync: issues: $OUT/issues.jsonl: 950 records from 10 pages \\(10 requests\\): 950 inserted"
	assert_equal "$(jq -r .number "$OUT/issues.jsonl" | sort -n)" "$(seq 950)"
	assert_equal "$(server_requests | jq -r .args.page | paste -sd' ')" \
		'null 2 3 4 5 6 7 8 9 10'
	assert_equal "$(server_requests | jq -r .headers.Authorization | sort -u)" \
		"Bearer $API_KEY"
	# A token the API refuses: 77, the table as it was, no token shown.
	cp "$OUT/issues.jsonl" "$BATS_TEST_TMPDIR/before"
	TOKEN=wrong run --separate-stderr rest-sync -c "$config" -C "$OUT" -r issues
	assert_failure 77
	assert_regex "$stderr" 'HTTP 401: \{"message":"Bad credentials"\}'
	[[ $stderr != *wrong* ]]
	cmp "$BATS_TEST_TMPDIR/before" "$OUT/issues.jsonl"
	# No token at all: 78 before any request.
	server_reset
	run --separate-stderr env -u TOKEN rest-sync -c "$config" -C "$OUT" -r issues
	assert_failure 78
	assert_regex "$stderr" 'bearer needs a secret: set TOKEN'
	assert_equal "$(server_requests | wc -l)" 0
}
