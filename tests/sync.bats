#!/usr/bin/env bats
# Tests of rest-sync against the local test API: a whole configuration
# synced into tables that equal the pipeline's, byte for byte; replace
# committed only whole; interrupts at any moment (signals to the group,
# kill -9, a 75) resumed by the next run, with no page fetched twice but
# those in flight; --prune, --json, --status, --dry-run, -j logs, locks,
# and bad input.

bats_require_minimum_version 1.5.0

load server
load manpage
bats_load_library bats-file

MAN=$BATS_TEST_DIRNAME/../man/rest-sync.1
USAGE='usage: rest-sync -c FILE [-r NAME]... [-C DIR] [-j N] [--format jsonl|csv|tsv]'

setup_file() { server_start --records 1000; }
teardown_file() { server_stop; }

setup() {
	server_reset
	cd "$BATS_TEST_TMPDIR" || return
	export API_KEY=sekrit-key-123
	C=$BATS_TEST_TMPDIR/api.json
	OUT=$BATS_TEST_TMPDIR/out
	T=$OUT/image_analysis.jsonl
	# The sample API, pages of 50 records, the key required.
	IMAGES='{"name": "image_analysis", "endpoint": {"path": "/v1/resource",
		"params": {"require_key": 1}, "data_selector": "data",
		"paginator": {"type": "offset", "limit": 50}}}'
	DEFAULTS='{"primary_key": "id", "write_disposition": "merge"}'
}

# conf [RESOURCE...]: api.json with these resources (the sample one by
# default), the key in the query, $DEFAULTS as resource_defaults.
conf() {
	local list
	list=$(IFS=,; echo "${*:-$IMAGES}")
	cat >"$C" <<-EOF
	{"client": {"base_url": "$BASE", "auth": {"type": "api_key",
		"name": "api_key", "location": "query"}},
	 "resource_defaults": $DEFAULTS,
	 "resources": [$list]}
	EOF
}

# resource NAME PARAMS [MORE]: a resource of the sample API named NAME,
# with the query parameters PARAMS (a JSON object's members) and more
# members MORE.
resource() {
	echo "{\"name\": \"$1\", \"endpoint\": {\"path\": \"/v1/resource\",
		\"params\": {\"require_key\": 1${2:+, $2}}, \"data_selector\": \"data\",
		\"paginator\": {\"type\": \"offset\", \"limit\": 50}}${3:+, $3}}"
}

# pipeline FILE [RESOURCE]: the same resource by the README's pipeline,
# into FILE, for a table to compare with.
pipeline() {
	mkdir -p "$(dirname "$1")"
	rest-paginate -s -c "$C" ${2:+-r "$2"} | rest-select -c "$C" ${2:+-r "$2"} |
		rest-merge -s -c "$C" ${2:+-r "$2"} "$1"
}

# requests: the count of requests the server answered.
requests() {
	server_stats | jq .requests
}

# nostate: nothing of a pending run is left in $OUT.
nostate() {
	run ls -A "$OUT"
	refute_output --partial '.sync
'
	assert [ ! -e "$OUT/.image_analysis.sync" ]
}

# ---------------------------------------------------------- the contract

@test "--help prints the usage on stdout and exits 0" {
	run --separate-stderr rest-sync --help
	assert_success
	assert_line --index 0 "$USAGE"
	assert_line '  -c, --config FILE          the dlt REST API source configuration'
	assert_equal "$stderr" ''
}

@test "no -c, an operand or an unknown option is a usage error" {
	run --separate-stderr rest-sync
	assert_failure 64
	assert_equal "$(head -n 1 <<<"$stderr")" "$USAGE"
	run --separate-stderr rest-sync -c "$C" extra
	assert_failure 64
	assert_equal "$(head -n 1 <<<"$stderr")" "$USAGE"
	run --separate-stderr rest-sync -c "$C" --bogus
	assert_failure 64
	assert_equal "$(head -n 1 <<<"$stderr")" "rest-sync: unrecognized option '--bogus'"
	run --separate-stderr rest-sync -c "$C" --status --dry-run
	assert_failure 64
	assert_equal "$stderr" 'rest-sync: --status and --dry-run: choose one'
}

@test "bad option values are configuration errors naming the option" {
	conf
	run --separate-stderr rest-sync -c "$C" -j 0
	assert_failure 78
	assert_equal "$stderr" 'rest-sync: --jobs: 0 is out of range (1 to 64)'
	run --separate-stderr rest-sync -c "$C" -P x
	assert_failure 78
	assert_equal "$stderr" "rest-sync: --parallel: 'x' is not an integer"
	run --separate-stderr rest-sync -c "$C" --format xml
	assert_failure 78
	assert_equal "$stderr" "rest-sync: --format: 'xml' is not jsonl, csv or tsv"
	assert_equal "$(requests)" 0
}

@test "--version prints the version" {
	run rest-sync --version
	assert_success
	assert_output --regexp '^rest-sync [0-9]+\.[0-9]+\.[0-9]+$'
}

@test "the long options of --help and of the man page are the same" {
	assert_man_long_options rest-sync "$MAN"
}

@test "the short options of --help and of the man page are the same" {
	assert_man_short_options rest-sync "$MAN"
}

@test "the man page SYNOPSIS lists every option of --help" {
	assert_man_synopsis rest-sync "$MAN"
}

@test "the man page is clean under mandoc -Tlint" {
	assert_man_lint "$MAN"
}

@test "rest-sync links no libcurl: it runs the programs that do" {
	run ldd "$(command -v rest-sync)"
	refute_output --partial libcurl
}

# ---------------------------------------------------------- a whole sync

@test "a resource synced equals the pipeline's table, byte for byte" {
	conf
	run --separate-stderr rest-sync -c "$C" -C "$OUT"
	assert_success
	assert_output ''
	assert_regex "$stderr" '^rest-sync: image_analysis: '"$T"': 1000 records from 20 pages \(20 requests\): 1000 inserted, 0 updated, 0 deleted, 0 unchanged, 1000 rows; [0-9.]+ s$'
	nostate
	assert_equal "$(requests)" 20
	pipeline "$BATS_TEST_TMPDIR/p/image_analysis.jsonl"
	cmp "$T" "$BATS_TEST_TMPDIR/p/image_analysis.jsonl"
	# The key went in the query, never on a command line.
	run bash -c "curl -fsS --noproxy '*' '$BASE/_requests' | jq -r .args.api_key | sort -u"
	assert_output sekrit-key-123
}

@test "a second sync changes nothing and says so" {
	conf
	rest-sync -s -c "$C" -C "$OUT"
	cp "$T" before
	run --separate-stderr rest-sync -c "$C" -C "$OUT"
	assert_success
	assert_regex "$stderr" ': 1000 records from 20 pages \(20 requests\): 0 inserted, 0 updated, 0 deleted, 1000 unchanged, 1000 rows; '
	cmp before "$T"
}

@test "every resource of the configuration, each into its table" {
	conf "$(resource image_analysis '"records": 120')" \
		"$(resource labels '"records": 30' '"table_name": "Label Sets"')"
	run --separate-stderr rest-sync -c "$C" -C "$OUT"
	assert_success
	assert_equal "$(wc -l <"$T")" 120
	assert_equal "$(wc -l <"$OUT/label_sets.jsonl")" 30
	assert_output ''
	assert_equal "$(grep -c 'rows; ' <<<"$stderr")" 2
}

@test "-r syncs only the resources named" {
	conf "$(resource image_analysis '"records": 120')" \
		"$(resource labels '"records": 30')"
	run --separate-stderr rest-sync -c "$C" -C "$OUT" -r labels
	assert_success
	assert_file_exists "$OUT/labels.jsonl"
	assert_file_not_exists "$T"
}

@test "--format csv writes DIR/TABLE.csv as rest-merge writes it" {
	conf
	run --separate-stderr rest-sync -c "$C" -C "$OUT" --format csv
	assert_success
	pipeline "$BATS_TEST_TMPDIR/p/image_analysis.csv"
	cmp "$OUT/image_analysis.csv" "$BATS_TEST_TMPDIR/p/image_analysis.csv"
}

# ---------------------------------------------------------- bad input

@test "an unknown resource lists the ones there are, before any request" {
	conf "$(resource image_analysis)" "$(resource labels)"
	run --separate-stderr rest-sync -c "$C" -C "$OUT" -r image_analysis -r lables
	assert_failure 64
	assert_equal "$stderr" "rest-sync: $C: no resource 'lables'; there are: image_analysis, labels"
	assert_equal "$(requests)" 0
	assert_file_not_exists "$OUT"
}

@test "two resources that map to one table are 78 before any request" {
	conf "$(resource image_analysis)" \
		"$(resource images '' '"table_name": "Image-Analysis"')"
	run --separate-stderr rest-sync -c "$C" -C "$OUT" -r images
	assert_failure 78
	assert_equal "$stderr" "rest-sync: $C: resources 'image_analysis' and 'images' both write $T: one table, one resource; give one a table_name"
	assert_equal "$(requests)" 0
	assert_file_not_exists "$OUT"
}

@test "a resource without a data_selector is 78 before any request" {
	conf '{"name": "raw", "endpoint": {"path": "/v1/resource"}}'
	run --separate-stderr rest-sync -c "$C" -C "$OUT"
	assert_failure 78
	assert_equal "$stderr" "rest-sync: $C: resource 'raw' has no data_selector: rest-sync selects the records of the pages it keeps with rest-select, which does not guess one"
	assert_equal "$(requests)" 0
}

@test "a merge without a primary key is 78 before any request" {
	DEFAULTS='{}'
	conf
	run --separate-stderr rest-sync -c "$C" -C "$OUT"
	assert_failure 78
	assert_equal "$stderr" "rest-sync: $C: resource 'image_analysis' merges but has no primary_key"
	assert_equal "$(requests)" 0
}

@test "a configuration that cannot be read is 66, one that is not JSON 78" {
	run --separate-stderr rest-sync -c nothere.json
	assert_failure 66
	assert_equal "$stderr" 'rest-sync: nothere.json: No such file or directory'
	echo '{"resources": [' >"$C"
	run --separate-stderr rest-sync -c "$C"
	assert_failure 78
	assert_equal "$stderr" "rest-sync: $C:2:1: unexpected end of input"
}

@test "a missing secret is 78 from rest-paginate, the table untouched" {
	conf
	unset API_KEY
	run --separate-stderr rest-sync -c "$C" -C "$OUT"
	assert_failure 78
	assert_equal "$stderr" "rest-sync: image_analysis: rest-paginate: --auth api_key needs a secret: set API_KEY, or api_key in .dlt/secrets.toml, or use --secret-file
rest-sync: image_analysis: not synced (rest-paginate exit 78): $T left as it was"
	assert_equal "$(requests)" 0
	assert_file_not_exists "$T"
	nostate
}
