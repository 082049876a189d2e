#!/usr/bin/env bats
# Tests of rest-sync against the local test API: a whole configuration
# synced into tables that equal the pipeline's, byte for byte; replace
# committed only whole; interrupts at any moment (signals to the group,
# kill -9, a 75) resumed by the next run, with no page fetched twice but
# those in flight; --prune, --json, --status, --dry-run, -j logs, locks,
# and bad input.

bats_require_minimum_version 1.5.0

load server
bats_load_library bats-file

USAGE='usage: rest-sync [-hqsv] -c file [-C dir] [--dry-run] [--format format] [-j jobs]'

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

# nostate: nothing of a pending run is left in $OUT, and no litter: no
# lock, no state, no temporary file beside the tables.
nostate() {
	run ls -A "$OUT"
	refute_output --partial '.sync'
	refute_output --partial '.lock'
	refute_output --regexp '(^|
)\.[^r]'
	# Only the records of the last run and failures, for --status.
	run bash -c 'ls -A "$1/.restpipe" | grep -v -e "^last-run$" -e "^[a-z_]*\.failure$"' _ "$OUT"
	assert_output ''
	assert [ ! -e "$OUT/.restpipe/image_analysis.sync" ]
}

# ---------------------------------------------------------- the contract

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
	assert_equal "$(norecap)" 'rest-sync: --status and --dry-run: choose one'
}

@test "bad option values are configuration errors naming the option" {
	conf
	run --separate-stderr rest-sync -c "$C" -j 0
	assert_failure 78
	assert_equal "$(norecap)" 'rest-sync: --jobs: 0 is out of range (1 to 64)'
	run --separate-stderr rest-sync -c "$C" -P x
	assert_failure 78
	assert_equal "$(norecap)" "rest-sync: --parallel: 'x' is not an integer"
	run --separate-stderr rest-sync -c "$C" --format xml
	assert_failure 78
	assert_equal "$(norecap)" "rest-sync: --format: 'xml' is not jsonl, csv or tsv"
	assert_equal "$(requests)" 0
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
	assert_regex "$(norecap)" '^rest-sync: image_analysis: '"$T"': 1000 records from 20 pages \(20 requests\): 1000 inserted, 0 updated, 0 deleted, 0 unchanged, 1000 rows; [0-9.]+ s$'
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
	assert_regex "$(norecap)" ': 1000 records from 20 pages \(20 requests\): 0 inserted, 0 updated, 0 deleted, 1000 unchanged, 1000 rows; '
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
	assert_equal "$(norecap)" "rest-sync: $C: no resource 'lables'; there are: image_analysis, labels"
	assert_equal "$(requests)" 0
	assert_file_not_exists "$OUT"
}

@test "two resources that map to one table are 78 before any request" {
	conf "$(resource image_analysis)" \
		"$(resource images '' '"table_name": "Image-Analysis"')"
	run --separate-stderr rest-sync -c "$C" -C "$OUT" -r images
	assert_failure 78
	assert_equal "$(norecap)" "rest-sync: $C: resources 'image_analysis' and 'images' both write $T: one table, one resource; give one a table_name"
	assert_equal "$(requests)" 0
	assert_file_not_exists "$OUT"
}

@test "a resource without a paginator or a data_selector syncs what both detect, as the pipeline does" {
	conf '{"name": "image_analysis", "endpoint": {"path": "/v1/resource",
		"params": {"require_key": 1, "by_page": 1, "base_page": 0,
		"page_size": 100, "wrap": "results.list"}}}'
	run --separate-stderr rest-sync -c "$C" -C "$OUT"
	assert_success
	assert_regex "$(norecap)" "$(said "rest-paginate: detected paginator page_number with total_path 'total_pages'" | sed 's/^[^ ]* //')"
	assert_equal "$(jq -r .id "$T" | sort -n)" "$(seq 1000)"
	assert_equal "$(requests)" 10
	pipeline "$BATS_TEST_TMPDIR/p/image_analysis.jsonl" 2>/dev/null
	assert_equal "$(cat "$T")" "$(cat "$BATS_TEST_TMPDIR/p/image_analysis.jsonl")"
}

@test "a merge without a primary key is 78 before any request" {
	DEFAULTS='{"write_disposition": "merge"}'
	conf
	run --separate-stderr rest-sync -c "$C" -C "$OUT"
	assert_failure 78
	assert_equal "$(norecap)" "rest-sync: $C: resource 'image_analysis' merges but has no primary_key"
	assert_equal "$(requests)" 0
}

@test "a configuration that cannot be read is 66, one that is not JSON 78" {
	run --separate-stderr rest-sync -c nothere.json
	assert_failure 66
	assert_equal "$(norecap)" 'rest-sync: nothere.json: No such file or directory'
	echo '{"resources": [' >"$C"
	run --separate-stderr rest-sync -c "$C"
	assert_failure 78
	assert_equal "$(norecap)" "rest-sync: $C:2:1: unexpected end of input"
}

@test "a missing secret is 78 from rest-paginate, the table untouched" {
	conf
	unset API_KEY
	run --separate-stderr rest-sync -c "$C" -C "$OUT"
	assert_failure 78
	assert_equal "$(norecap)" "rest-sync: image_analysis: $(said "rest-paginate: --auth api_key needs a secret: set API_KEY, or api_key in .dlt/secrets.toml, or use --secret-file")
rest-sync: image_analysis: not synced (rest-paginate exit 78): $T left as it was"
	assert_equal "$(requests)" 0
	assert_file_not_exists "$T"
	nostate
}

# ---------------------------------------------------------- resuming

# shim PROG LINE: PROG, as rest-sync finds it (RESTPIPE_BINDIR first),
# becomes a script that runs LINE, where "$real" is the program shimmed
# and "$@" its arguments; e.g. shim rest-paginate 'exec "$real" --retries
# 0 "$@"'.  The programs not shimmed are found in PATH (where rest-sync
# looked before it looked beside itself).
shim() {
	local real
	real=$(command -v "$1")
	mkdir -p "$BATS_TEST_TMPDIR/bin"
	printf '#!/bin/bash\nreal=%q\n%s\n' "$real" "$2" >"$BATS_TEST_TMPDIR/bin/$1"
	chmod +x "$BATS_TEST_TMPDIR/bin/$1"
	export RESTPIPE_BINDIR=$BATS_TEST_TMPDIR/bin
	[[ $PATH == "$BATS_TEST_TMPDIR/bin:"* ]] || PATH=$BATS_TEST_TMPDIR/bin:$PATH
}

# fails_at OFFSET STATUS: the page at OFFSET fails with STATUS for good.
fails_at() {
	server_faults "[{\"path\": \"/v1/resource\", \"args\": {\"offset\": \"$1\"},
		\"action\": \"status\", \"status\": $2, \"times\": -1}]"
}

# clean_table FILE: the table of a clean, uninterrupted run, into FILE.
clean_table() {
	rest-sync -s -c "$C" -C "$BATS_TEST_TMPDIR/clean"
	cp "$BATS_TEST_TMPDIR/clean/$(basename "$T")" "$1"
	rm -rf "$BATS_TEST_TMPDIR/clean"
	server_reset
}

# pending_at_350: a run that the page at offset 350 fails with 503 (75),
# leaving 7 pages pending; then the server as new.
pending_at_350() {
	[[ -e $BATS_TEST_TMPDIR/bin/rest-paginate ]] ||
		shim rest-paginate 'exec "$real" --retries 0 "$@"'
	fails_at 350 503
	run rest-sync -s -c "$C" -C "$OUT"
	assert_failure 75
	server_reset
}

# offsets: the offsets the server was asked for, in order, on one line.
offsets() {
	server_requests | jq -r .args.offset | paste -sd' ' -
}

@test "a 75 keeps the pages fetched; the next run goes on after them" {
	conf
	clean_table want
	shim rest-paginate 'exec "$real" --retries 0 "$@"'
	fails_at 350 503
	run --separate-stderr rest-sync -c "$C" -C "$OUT"
	assert_failure 75
	assert_equal "$(norecap)" "rest-sync: image_analysis: $(said "rest-paginate: GET $BASE/v1/resource?offset=350&limit=50&require_key=1&api_key=***: HTTP 503: {\"error\":\"injected\"} (gave up after 1 attempt)")
rest-sync: image_analysis: not synced (rest-paginate exit 75): $T left as it was; the next run resumes after the 7 pages fetched (--offset 350)"
	assert_file_not_exists "$T"
	run rest-sync -c "$C" -C "$OUT" --status
	assert_success
	# What is pending, and the failure that left it, with its reason.
	assert_line --index 0 --regexp "^image_analysis: $T: 0 rows, never synced, pending: the run [0-9TZ-]+, 7 pages fetched, to resume with --offset 350, last failure 20[0-9-]+T[0-9:]+Z: exit 75 \\(rest-paginate\\): .*$(said_text 'HTTP 503')"
	assert_line --index 1 --regexp '^last run: started 20[0-9-]+T[0-9:]+Z, ended 20[0-9-]+T[0-9:]+Z, exit 75$'
	assert_equal "${#lines[@]}" 2
	run rest-sync -c "$C" -C "$OUT" --status --json
	assert_equal "$(jq -c '[.last_failure.status, .last_failure.stage, .last_run.status]' <<<"$output")" '[75,"rest-paginate",75]'
	server_reset
	run --separate-stderr rest-sync -c "$C" -C "$OUT"
	assert_success
	assert_regex "$(norecap)" "^rest-sync: image_analysis: resuming the run [0-9TZ-]+: 7 pages fetched, to resume with --offset 350
rest-sync: image_analysis: $T: 1000 records from 20 pages \\(13 requests\\): 1000 inserted, "
	assert_equal "$(offsets)" '350 400 450 500 550 600 650 700 750 800 850 900 950'
	cmp want "$T"
	nostate
	# Its success forgets the failure; the run is the last one now.
	run rest-sync -c "$C" -C "$OUT" --status
	refute_output --partial 'last failure'
	assert_line --index 1 --regexp '^last run: started [0-9TZ:-]+, ended [0-9TZ:-]+, exit 0$'
}

@test "a failure before any page keeps nothing" {
	conf
	shim rest-paginate 'exec "$real" --retries 0 "$@"'
	fails_at 0 503
	run --separate-stderr rest-sync -c "$C" -C "$OUT"
	assert_failure 75
	assert_equal "${stderr_lines[1]}" "rest-sync: image_analysis: not synced (rest-paginate exit 75): $T left as it was"
	nostate
}

@test "a replace failing half way leaves the old table byte for byte" {
	DEFAULTS='{"primary_key": "id", "write_disposition": "replace"}'
	conf "$(resource image_analysis '"records": 300')"
	rest-sync -s -c "$C" -C "$OUT"
	cp "$T" before
	# The API now has 1000 records, and its page at 500 fails for good.
	conf
	fails_at 500 404
	run --separate-stderr rest-sync -c "$C" -C "$OUT"
	assert_failure 69
	assert_equal "${stderr_lines[1]}" "rest-sync: image_analysis: not synced (rest-paginate exit 69): $T left as it was; the next run resumes after the 10 pages fetched (--offset 500)"
	cmp before "$T"
	assert_equal "$(jq -r .write_disposition "$T.schema.json")" replace
	# Fixed, the next run fetches the rest and replaces the table whole.
	server_reset
	run --separate-stderr rest-sync -c "$C" -C "$OUT"
	assert_success
	assert_regex "$(norecap)" ': 1000 records from 20 pages \(10 requests\): 1000 inserted, 0 updated, 300 deleted, 0 unchanged, 1000 rows; '
	assert_equal "$(offsets)" '500 550 600 650 700 750 800 850 900 950'
	clean_table want
	cmp want "$T"
}

@test "a pending run whose configuration changed is discarded, with a message" {
	conf
	pending_at_350
	conf "$(resource image_analysis '"records": 400')"
	run --separate-stderr rest-sync -c "$C" -C "$OUT"
	assert_success
	assert_regex "${stderr_lines[0]}" '^rest-sync: image_analysis: discarding the pending run [0-9TZ-]+ \(7 pages fetched, to resume with --offset 350\): the configuration changed$'
	assert_equal "$(offsets)" '0 50 100 150 200 250 300 350'
	assert_equal "$(wc -l <"$T")" 400
	nostate
}

@test "a pending run is discarded when its incremental cursor came or changed, the request the same" {
	local path
	conf
	for path in id image_id; do
		pending_at_350
		# The request stays the same: what is done with the records not.
		conf "{\"name\": \"image_analysis\", \"endpoint\": {\"path\": \"/v1/resource\",
			\"params\": {\"require_key\": 1}, \"data_selector\": \"data\",
			\"paginator\": {\"type\": \"offset\", \"limit\": 50},
			\"incremental\": {\"cursor_path\": \"$path\"}}}"
		run --separate-stderr rest-sync -c "$C" -C "$OUT"
		assert_success
		assert_regex "${stderr_lines[0]}" ': discarding the pending run [0-9TZ-]+ \(7 pages fetched, to resume with --offset 350\): the configuration changed$'
		assert_equal "$(offsets)" '0 50 100 150 200 250 300 350 400 450 500 550 600 650 700 750 800 850 900 950'
	done
}

@test "a spool that is not what the state says is discarded, never trusted" {
	conf
	pending_at_350
	# A byte of the spool changed, as a disk might.
	printf 'X' | dd of="$OUT/.restpipe/image_analysis.sync/spool" bs=1 seek=100 conv=notrunc status=none
	run --separate-stderr rest-sync -c "$C" -C "$OUT"
	assert_success
	assert_equal "${stderr_lines[0]}" "rest-sync: image_analysis: $OUT/.restpipe/image_analysis.sync/spool: not the 7 pages the state records; starting over"
	assert_equal "$(requests)" 20
	clean_table want
	cmp want "$T"
}

@test "a state that rest-sync did not write is discarded" {
	conf
	mkdir -p "$OUT/.restpipe/image_analysis.sync"
	echo 'pages=3' >"$OUT/.restpipe/image_analysis.sync/state"
	run --separate-stderr rest-sync -c "$C" -C "$OUT"
	assert_success
	assert_equal "${stderr_lines[0]}" "rest-sync: image_analysis: $OUT/.restpipe/image_analysis.sync/state: not a state rest-sync wrote; starting over"
	assert_equal "$(wc -l <"$T")" 1000
	nostate
}

@test "a state of another version of rest-sync is discarded, and says so" {
	conf
	pending_at_350
	# The state of version 1, whose checksums were not these.
	sed -i '1s/.*/restpipe sync state 1/' "$OUT/.restpipe/image_analysis.sync/state"
	run --separate-stderr rest-sync -c "$C" -C "$OUT"
	assert_success
	assert_equal "${stderr_lines[0]}" "rest-sync: image_analysis: $OUT/.restpipe/image_analysis.sync/state: a state another version of rest-sync wrote; starting over"
	assert_equal "$(requests)" 20
	clean_table want
	cmp want "$T"
	nostate
}

# ---------------------------------------------------------- interrupts

# interrupt OPTION... -- COMMAND...: tests/interrupt.py, bounded.
interrupt() {
	timeout 90 python3 "$BATS_TEST_DIRNAME/interrupt.py" "$@"
}

# resumes_at_500: the next run, on a server as new, fetches again only
# from the page in flight (offset 500) and ends with the clean table.
resumes_at_500() {
	server_reset
	run --separate-stderr rest-sync -c "$C" -C "$OUT"
	assert_success
	assert_equal "$(offsets)" '500 550 600 650 700 750 800 850 900 950'
	cmp want "$T"
	nostate
}

# slow OFFSET [DELAY]: the page at OFFSET takes DELAY (2) seconds.
slow() {
	server_faults "[{\"path\": \"/v1/resource\", \"args\": {\"offset\": \"$1\"},
		\"action\": \"slow\", \"delay\": ${2:-2}}]"
}

# every_page_slow DELAY: every page takes DELAY seconds.
every_page_slow() {
	server_faults "[{\"path\": \"/v1/resource\", \"action\": \"slow\",
		\"delay\": $1, \"times\": -1}]"
}

@test "Ctrl-C while a page is fetched: the next run goes on from that page" {
	conf
	clean_table want
	slow 500
	run --separate-stderr interrupt --ready 0 --requests 11 -- rest-sync -c "$C" -C "$OUT"
	assert_output 130
	assert_equal "$(norecap)" "rest-sync: image_analysis: interrupted: $T left as it was; the next run resumes after the 10 pages fetched (--offset 500)"
	assert_file_not_exists "$T"
	resumes_at_500
}

@test "SIGTERM to the group: the same as Ctrl-C" {
	conf
	clean_table want
	slow 650
	run --separate-stderr interrupt --signal TERM --ready 0 --requests 14 -- \
		rest-sync -c "$C" -C "$OUT"
	assert_output 143
	assert_equal "$(norecap)" "rest-sync: image_analysis: interrupted: $T left as it was; the next run resumes after the 13 pages fetched (--offset 650)"
	server_reset
	rest-sync -s -c "$C" -C "$OUT"
	assert_equal "$(offsets)" '650 700 750 800 850 900 950'
	cmp want "$T"
}

@test "one signal twice at once, as timeout(1) sends it: rest-sync stops once and waits for its worker; the next run resumes" {
	conf
	clean_table want
	slow 500 5
	# setsid: a group of its own, as timeout(1) makes; SIGTERM, which a
	# background job does not inherit ignored, as it does SIGINT.
	setsid rest-sync -c "$C" -C "$OUT" >/dev/null 2>err &
	local pid=$! st=0 i
	for ((i = 0; i < 500; i++)); do
		(($(requests) >= 11)) && break
		sleep 0.02
	done
	# timeout(1) signals the process, then its group: here 10 ms apart,
	# from one process, so that no fork under load stretches the gap.
	python3 -c 'import os, signal, sys, time
pid = int(sys.argv[1])
os.kill(pid, signal.SIGTERM)
time.sleep(0.01)
try:
	os.killpg(pid, signal.SIGTERM)
except ProcessLookupError:
	pass	# all stopped already' "$pid"
	wait "$pid" || st=$?
	assert_equal "$st" 143
	# All was said, and every worker gone, when rest-sync ended.  (The
	# suite's watchdogs, a bash each, may outlive their program a moment.)
	assert_equal "$(grep -v '^rest-sync: recap: ' err)" "rest-sync: image_analysis: interrupted: $T left as it was; the next run resumes after the 10 pages fetched (--offset 500)"
	run python3 -c '
import os, sys
for p in os.listdir("/proc"):
	try:
		with open("/proc/%s/stat" % p) as f:
			stat = f.read()
		comm = stat[stat.index("(") + 1:stat.rindex(")")]
		if int(stat.rsplit(")", 1)[1].split()[2]) == int(sys.argv[1]) and \
		    comm.startswith("rest-"):
			print(p, comm)
	except (OSError, ValueError, IndexError):
		pass' "$pid"
	assert_output ''
	resumes_at_500
}

@test "Ctrl-C with -w replace: the old table stays, and the next run replaces it whole" {
	DEFAULTS='{"primary_key": "id", "write_disposition": "replace"}'
	conf "$(resource image_analysis '"records": 300')"
	rest-sync -s -c "$C" -C "$OUT"
	cp "$T" before
	conf
	clean_table want
	slow 400
	run --separate-stderr interrupt --ready 0 --requests 9 -- rest-sync -c "$C" -C "$OUT"
	assert_output 130
	cmp before "$T"
	server_reset
	rest-sync -s -c "$C" -C "$OUT"
	assert_equal "$(offsets)" '400 450 500 550 600 650 700 750 800 850 900 950'
	cmp want "$T"
}

# sum_requests: the requests of the runs so far, for the budget below.
@test "Ctrl-C at random moments: the next run completes the table, byte for byte" {
	local n delay clean used
	conf
	clean_table want
	clean=20
	# Every page takes 20 ms, so a run lasts about 0.5 s.
	for n in 1 2 3 4 5 6 7 8 9 10; do
		rm -rf "$OUT"
		server_reset
		every_page_slow 0.02
		delay=$(awk -v n="$n" 'BEGIN { srand(n); printf "%.3f", rand() * 0.6 }')
		run --separate-stderr interrupt --after "$delay" -- rest-sync -c "$C" -C "$OUT"
		[[ $output == 0 || $output == 130 ]] || fail "at $delay s: status $output: $stderr"
		# A run that completed (a signal may come after the commit)
		# leaves the next one a whole re-sync.
		clean=20
		[[ -e $T && ! -e $OUT/.restpipe/image_analysis.sync ]] && clean=40
		run rest-sync -s -c "$C" -C "$OUT"
		assert_success
		refute_output --partial 'starting over'
		cmp want "$T"
		nostate
		# At most the page in flight was fetched twice.
		used=$(requests)
		((used <= clean + 1)) || fail "at $delay s: $used requests, $clean in a clean run"
	done
}

# group_gone PGID: wait up to 5 s until no process is left in group PGID.
group_gone() {
	python3 -c '
import os, sys, time
def alive(g):
	for p in os.listdir("/proc"):
		try:
			with open("/proc/%s/stat" % p) as f:
				if int(f.read().rsplit(")", 1)[1].split()[2]) == g:
					return True
		except (OSError, ValueError, IndexError):
			pass
	return False
for _ in range(500):
	if not alive(int(sys.argv[1])):
		sys.exit(0)
	time.sleep(0.01)
sys.exit(1)' "$1"
}

@test "kill -9 of the group at random moments: the next run completes the table" {
	local n delay used pid clean
	conf
	clean_table want
	for n in 1 2 3 4 5 6 7 8 9 10; do
		rm -rf "$OUT"
		server_reset
		every_page_slow 0.02
		delay=$(awk -v n="$n" 'BEGIN { srand(n + 100); printf "%.3f", rand() * 0.6 }')
		setsid rest-sync -s -c "$C" -C "$OUT" 2>/dev/null &
		pid=$!
		sleep "$delay"
		kill -KILL -- -"$pid" 2>/dev/null || true
		wait "$pid" 2>/dev/null || true
		# Its forked workers hold the table's lock until they are gone,
		# and wait reaps rest-sync alone: wait for the whole group.
		group_gone "$pid" || fail "the group of $pid outlived SIGKILL"
		# A run that completed leaves the next one a whole re-sync.
		clean=20
		[[ -e $T && ! -e $OUT/.restpipe/image_analysis.sync ]] && clean=40
		run rest-sync -s -c "$C" -C "$OUT"
		assert_success
		# What the state records is in the spool, a kill or not.
		refute_output --partial 'starting over'
		cmp want "$T"
		nostate
		# The page in flight, and those in the pipe, unread when killed.
		used=$(requests)
		((used <= clean + 3)) || fail "at $delay s: $used requests, $clean in a clean run"
	done
}

@test "a spool past ulimit -f is 74, said once; the next run resumes after the pages in it" {
	local pages
	conf
	clean_table want
	run --separate-stderr bash -c 'ulimit -f 64; timeout 60 rest-sync -c "$1" -C "$2"' _ "$C" "$OUT"
	assert_failure 74
	assert_equal "${stderr_lines[0]}" "rest-sync: image_analysis: $OUT/.restpipe/image_analysis.sync/spool: write failed: File too large"
	assert_regex "${stderr_lines[1]}" "^rest-sync: image_analysis: not synced \(rest-sync exit 74\): $T left as it was; the next run resumes after the ([0-9]+ pages|page) fetched \(--offset [0-9]+\)\$"
	assert_equal "$(norecap | wc -l)" 2
	assert_file_not_exists "$T"
	pages=$(sed -E 's/.* after the ([0-9]+) pages.*/\1/' <<<"${stderr_lines[1]}")
	server_reset
	run --separate-stderr rest-sync -c "$C" -C "$OUT"
	assert_success
	assert_equal "$(offsets | cut -d' ' -f1)" $((pages * 50))
	assert_equal "$(requests)" $((20 - pages))
	cmp want "$T"
	nostate
}

@test "rest-paginate's resume advice never shows: with --report-fd it leaves resuming to rest-sync" {
	conf
	shim rest-paginate 'exec "$real" --retries 0 "$@"'
	fails_at 350 503
	run --separate-stderr rest-sync -c "$C" -C "$OUT"
	assert_failure 75
	run grep -c 'rest-paginate: .*resume' <<<"$stderr"
	assert_output 0
	# The report has it instead: the position after each page, then why
	# it failed, with the request.
	run --separate-stderr bash -c 'rest-paginate --retries 0 --report-fd 3 -c "$1" 3>&2 2>/dev/null >/dev/null' _ "$C"
	assert_failure 75
	assert_equal "$(jq -r 'select(.kind == "page") | .position' <<<"$stderr" | tail -n 1)" '--offset 350'
	assert_equal "$(jq -c 'select(.kind == "fail") | [.status, .requests, .url]' <<<"$stderr")" "[75,8,\"$BASE/v1/resource?offset=350&limit=50&require_key=1&api_key=***\"]"
}

@test "kill -9 before the first page: the next run starts afresh, without a word" {
	conf
	slow 0 1
	setsid rest-sync -s -c "$C" -C "$OUT" 2>/dev/null &
	sleep 0.5
	kill -KILL -- -$! 2>/dev/null || true
	group_gone $! || fail "the group of $! outlived SIGKILL"
	# Its state says the run began, and no more.
	assert [ -e "$OUT/.restpipe/image_analysis.sync/state" ]
	server_reset
	run --separate-stderr rest-sync -c "$C" -C "$OUT"
	assert_success
	assert_regex "$(norecap)" '^rest-sync: image_analysis: [^ ]+: 1000 records from 20 pages \(20 requests\)'
	assert_equal "$(norecap | wc -l)" 1
	nostate
}

@test "a crash between the commit and the removal of the state commits nothing twice" {
	DEFAULTS='{"primary_key": "id", "write_disposition": "append"}'
	conf "$(resource image_analysis '"records": 120')"
	# rest-merge commits, then the whole group dies before rest-sync
	# removed the state.
	shim rest-merge '"$real" "$@"; kill -KILL 0'
	setsid rest-sync -s -c "$C" -C "$OUT" 2>/dev/null &
	wait $! || true
	assert_equal "$(wc -l <"$T")" 120
	assert_file_exists "$OUT/.restpipe/image_analysis.sync/state"
	rm "$BATS_TEST_TMPDIR/bin/rest-merge"
	server_reset
	run rest-sync -c "$C" -C "$OUT" --status
	assert_output --regexp "^image_analysis: $T: 120 rows, last synced [0-9T:-]+Z, pending: the run [0-9TZ-]+, all 3 pages fetched, not yet committed\$"
	run --separate-stderr rest-sync -c "$C" -C "$OUT"
	assert_success
	assert_regex "$(norecap)" "^rest-sync: image_analysis: resuming the run [0-9TZ-]+: all 3 pages fetched, not yet committed
rest-sync: image_analysis: $T: the run [0-9TZ-]+ had committed it already\$"
	# No request, and the append was not made twice.
	assert_equal "$(requests)" 0
	assert_equal "$(wc -l <"$T")" 120
	nostate
}

@test "a commit that failed keeps the pages; the next run commits them without a request" {
	conf "$(resource image_analysis '"records": 120')"
	# It reads its input, as rest-merge does, then finds the disk full.
	shim rest-merge 'cat >/dev/null; echo "rest-merge: $BASH_ARGV: write failed: No space left on device" >&2; exit 74'
	run --separate-stderr rest-sync -c "$C" -C "$OUT"
	assert_failure 74
	assert_equal "$(norecap)" "rest-sync: image_analysis: rest-merge: $T: write failed: No space left on device
rest-sync: image_analysis: not synced (rest-merge exit 74): $T left as it was; the next run commits the 3 pages fetched"
	rm "$BATS_TEST_TMPDIR/bin/rest-merge"
	server_reset
	run --separate-stderr rest-sync -c "$C" -C "$OUT"
	assert_success
	assert_regex "$(norecap)" ": 120 records from 3 pages \(0 requests\): 120 inserted, "
	assert_equal "$(requests)" 0
	nostate
}

@test "rest-merge ending before its input: its status, not rest-select's; never fetched, the next run resumes" {
	local used
	conf
	# It leaves at once: rest-select, writing to it, dies of that.
	shim rest-merge 'exec 0<&-; sleep 0.2; echo "rest-merge: $BASH_ARGV: no key" >&2; exit 65'
	run --separate-stderr rest-sync -c "$C" -C "$OUT"
	assert_failure 65
	assert_equal "${stderr_lines[0]}" "rest-sync: image_analysis: rest-merge: $T: no key"
	# The pages it fetched meanwhile wait, but the run is never
	# "fetched": a program failed.
	assert_regex "${stderr_lines[1]}" "^rest-sync: image_analysis: not synced \(rest-merge exit 65\): $T left as it was; the next run resumes after the ([0-9]+ pages|page) fetched \(--offset [0-9]+\)\$"
	assert [ ! -e "$T" ]
	used=$(requests)
	run rest-sync -c "$C" -C "$OUT" --status
	refute_output --partial 'not yet committed'
	rm "$BATS_TEST_TMPDIR/bin/rest-merge"
	server_reset
	run --separate-stderr rest-sync -c "$C" -C "$OUT"
	assert_success
	assert_regex "$(norecap)" "^rest-sync: image_analysis: resuming the run [0-9TZ-]+: [0-9]+ pages? fetched, to resume with --offset [0-9]+"
	# The rest, and one past the end when all had come.
	(($(requests) + used <= 21)) || fail "$used and $(requests) requests"
	pipeline "$BATS_TEST_TMPDIR/p/image_analysis.jsonl"
	cmp "$T" "$BATS_TEST_TMPDIR/p/image_analysis.jsonl"
	nostate
}

# ---------------------------------------------------------- the run's state

# real_bin PROG: the program itself, not the test suite's shim of it.
real_bin() {
	local p
	p=$(command -v "$1")
	if [[ $(head -c 2 "$p") == '#!' ]]; then
		sed -n 's/^exec "\([^"]*\)" "\$@"$/\1/p' "$p"
	else
		readlink -f "$p"
	fi
}

@test "rest-merge killed, then a page that fails: never 'fetched'; a replace table stays whole" {
	DEFAULTS='{"primary_key": "id", "write_disposition": "replace"}'
	conf
	rest-sync -s -c "$C" -C "$OUT"
	assert_equal "$(wc -l <"$T")" 1000
	cp "$T" want
	# rest-merge dies at once, as the OOM killer kills it; the pages
	# go on with 400s from the 11th on.
	shim rest-merge 'kill -KILL $$'
	server_faults '[{"path": "/v1/resource", "skip": 10, "times": -1,
		"action": "status", "status": 400}]'
	run --separate-stderr rest-sync -c "$C" -C "$OUT"
	assert_failure 137
	assert_regex "$(norecap | tail -n 1)" "^rest-sync: image_analysis: not synced \(rest-merge exit 137\): $T left as it was"
	run rest-sync -c "$C" -C "$OUT" --status
	refute_output --partial 'not yet committed'
	rm "$BATS_TEST_TMPDIR/bin/rest-merge"
	server_reset
	run rest-sync -s -c "$C" -C "$OUT"
	assert_success
	cmp want "$T"
	nostate
}

@test "run by its full path with cron's PATH, it runs the programs beside it" {
	local sync
	conf
	sync=$(real_bin rest-sync)
	assert [ -x "$sync" ]
	run --separate-stderr env -i HOME="$HOME" API_KEY="$API_KEY" \
		PATH=/usr/bin:/bin "$sync" -c "$C" -C "$OUT"
	assert_success
	assert_regex "$(norecap)" ": 1000 records from 20 pages \(20 requests\): 1000 inserted, "
	pipeline "$BATS_TEST_TMPDIR/p/image_analysis.jsonl"
	cmp "$T" "$BATS_TEST_TMPDIR/p/image_analysis.jsonl"
	nostate
}

@test "programs that cannot start: 71 every time, never 'fetched'; a replace table stays whole" {
	local sync i
	DEFAULTS='{"primary_key": "id", "write_disposition": "replace"}'
	conf
	rest-sync -s -c "$C" -C "$OUT"
	cp "$T" want
	sync=$(real_bin rest-sync)
	mkdir "$BATS_TEST_TMPDIR/none"
	# A race in which one program failed before another: several runs.
	for i in 1 2 3 4 5; do
		run --separate-stderr env -i HOME="$HOME" API_KEY="$API_KEY" \
			RESTPIPE_BINDIR="$BATS_TEST_TMPDIR/none" PATH=/usr/bin:/bin \
			"$sync" -c "$C" -C "$OUT"
		assert_failure 71
		assert_regex "$(norecap)" "cannot run rest-(select|merge): No such file or directory"
		cmp want "$T"
		nostate
	done
	server_reset
	run rest-sync -s -c "$C" -C "$OUT"
	assert_success
	cmp want "$T"
}

# ---------------------------------------------------------- stopping as a service

# two_resources: the sample resource and labels (600 records), their
# clean tables in want/, then every page 0.1 s.
two_resources() {
	conf "$(resource image_analysis)" "$(resource labels '"records": 600')"
	rest-sync -s -j 2 -c "$C" -C "$BATS_TEST_TMPDIR/want"
	server_reset
	every_page_slow 0.1
}

# resumes_both: the next run resumes what was pending and ends with the
# clean tables; no page was fetched twice but those in flight.
resumes_both() {
	local used
	used=$(requests)
	server_reset
	run --separate-stderr rest-sync -j 2 -c "$C" -C "$OUT"
	assert_success
	assert_regex "$(norecap)" "rest-sync: (image_analysis|labels): resuming the run [0-9TZ-]+: [0-9]+ pages? fetched, to resume with --offset [0-9]+"
	cmp "$BATS_TEST_TMPDIR/want/image_analysis.jsonl" "$T"
	cmp "$BATS_TEST_TMPDIR/want/labels.jsonl" "$OUT/labels.jsonl"
	nostate
	# 20 and 12 pages, and one past the end of each paged run.
	((used + $(requests) <= 32 + 4)) || fail "$used and $(requests) requests"
}

# within STATUS ELAPSED...: interrupt.py's line: rest-sync ended with
# STATUS, within 2 s of the signal.
within() {
	assert_equal "${output% *}" "$1"
	awk -v t="${output##* }" 'BEGIN { exit !(t < 2.0) }' ||
		fail "stopped in ${output##* } s"
}

# stop_alone SIG STATUS: SIG to rest-sync's process alone, as systemd,
# docker stop and Kubernetes send it, while two resources sync at once.
stop_alone() {
	two_resources
	run --separate-stderr interrupt --alone --signal "$1" --requests 6 \
		--elapsed --leftover -- rest-sync -j 2 -c "$C" -C "$OUT"
	within "$2"
	assert_regex "$(norecap)" "rest-sync: image_analysis: interrupted: $T left as it was; the next run resumes after the ([0-9]+ pages|page) fetched \(--offset [0-9]+\)"
	assert_regex "$(norecap)" "rest-sync: labels: interrupted: $OUT/labels.jsonl left as it was"
	resumes_both
}

@test "SIGTERM to rest-sync alone, as systemd and Kubernetes send it: every program stopped within 2 s, 143, none left; the next run resumes" {
	stop_alone TERM 143
}

@test "SIGINT to rest-sync alone: the same, 130" {
	stop_alone INT 130
}

@test "SIGHUP to rest-sync alone (a closed ssh session): the same, 129; no orphan goes on and holds the lock" {
	stop_alone HUP 129
}

@test "a second signal in the grace period stops at once; the run stays resumable" {
	conf "$(resource image_analysis '"records": 120')"
	# rest-merge takes long to commit: the first signal waits for it.
	shim rest-merge 'cat >/dev/null; touch "$BATS_TEST_TMPDIR/committing"; sleep 30'
	run --separate-stderr interrupt --alone --signal TERM --twice \
		--file "$BATS_TEST_TMPDIR/committing" --elapsed --leftover -- \
		rest-sync --grace 30 -c "$C" -C "$OUT"
	within 143
	assert_file_not_exists "$T"
	# Every page was in: the next run commits them, without a request.
	rm "$BATS_TEST_TMPDIR/bin/rest-merge"
	server_reset
	run --separate-stderr rest-sync -c "$C" -C "$OUT"
	assert_success
	assert_regex "$(norecap)" "resuming the run [0-9TZ-]+: all 3 pages fetched, not yet committed"
	assert_equal "$(requests)" 0
	assert_equal "$(wc -l <"$T")" 120
	nostate
}

@test "--grace: what has not stopped by then is killed; the next run resumes" {
	conf "$(resource image_analysis '"records": 120')"
	shim rest-merge 'cat >/dev/null; touch "$BATS_TEST_TMPDIR/committing"; sleep 30'
	run --separate-stderr interrupt --alone --signal TERM \
		--file "$BATS_TEST_TMPDIR/committing" --elapsed --leftover -- \
		rest-sync --grace 1 -c "$C" -C "$OUT"
	within 143
	awk -v t="${output##* }" 'BEGIN { exit !(t > 0.5) }' ||
		fail "killed after ${output##* } s, before the grace"
	assert_equal "$(norecap)" "rest-sync: image_analysis: stopped at the end of the grace period (--grace 1): $T left as it was; the next run resumes after the pages fetched"
	rm "$BATS_TEST_TMPDIR/bin/rest-merge"
	server_reset
	run rest-sync -s -c "$C" -C "$OUT"
	assert_success
	assert_equal "$(requests)" 0
	assert_equal "$(wc -l <"$T")" 120
	run --separate-stderr rest-sync -c "$C" --grace -1
	assert_failure 78
	assert_equal "$(norecap)" "rest-sync: --grace: -1 is out of range (0 to 3600)"
}

@test "rest-sync as PID 1 of a PID namespace, as in a container: SIGTERM stops it within 2 s with 143, not 0" {
	unshare --fork --pid --mount-proc true 2>/dev/null ||
		skip "unshare --pid is not permitted here"
	two_resources
	run --separate-stderr interrupt --alone --descend 1 --signal TERM \
		--requests 6 --elapsed --leftover -- \
		unshare --fork --pid --mount-proc rest-sync -j 2 -c "$C" -C "$OUT"
	within 143
	assert_regex "$(norecap)" "rest-sync: image_analysis: interrupted: $T left as it was"
	resumes_both
}

@test "under timeout -s TERM: stopped, no process left, the next run resumes" {
	two_resources
	run --separate-stderr timeout -s TERM 1 rest-sync -j 2 -c "$C" -C "$OUT"
	assert_failure 124
	run pgrep -f -- "-C $OUT"
	assert_output ''
	resumes_both
}

@test "SIGKILL of rest-sync alone at 10 random moments: its programs die with it; each next run completes the table" {
	local n delay clean used
	conf
	clean_table want
	for n in 1 2 3 4 5 6 7 8 9 10; do
		rm -rf "$OUT"
		server_reset
		# A run takes about a second: a worker that outlived
		# rest-sync would still be fetching 0.3 s later.
		every_page_slow 0.05
		delay=$(awk -v n="$n" 'BEGIN { srand(n + 200); printf "%.3f", rand() * 0.6 }')
		run --separate-stderr interrupt --alone --signal KILL \
			--after "$delay" --leftover -- rest-sync -s -c "$C" -C "$OUT"
		assert_success
		# A run may end before its moment.
		[[ $output == 137 || $output == 0 ]] || fail "at $delay s: $output"
		clean=20
		[[ -e $T && ! -e $OUT/.restpipe/image_analysis.sync ]] && clean=40
		run rest-sync -s -c "$C" -C "$OUT"
		assert_success
		refute_output --partial 'starting over'
		cmp want "$T"
		nostate
		used=$(requests)
		((used <= clean + 3)) || fail "at $delay s: $used requests, $clean in a clean run"
	done
}

# ---------------------------------------------------------- for a person

@test "retries: one line a resource at the end; each said as it comes with -v, and all of them when the resource fails" {
	conf "$(resource image_analysis '"records": 200')"
	shim rest-paginate 'exec "$real" --backoff-factor 0.01 "$@"'
	server_faults '[{"path": "/v1/resource", "args": {"offset": "50"},
		"action": "status", "status": 503, "times": 2},
		{"path": "/v1/resource", "args": {"offset": "100"},
		"action": "status", "status": 429, "times": 1}]'
	run --separate-stderr rest-sync -c "$C" -C "$OUT"
	assert_success
	assert_equal "${stderr_lines[0]}" 'rest-sync: image_analysis: 3 retries: 2x 503, 1x 429, longest wait 0.02 s'
	# Nothing else of them: no line of rest-paginate's.
	assert_equal "$(norecap | grep -cE 'retr|attempt')" 1
	# -v: each as it comes, from the report, and rest-paginate's own.
	rm -rf "$OUT"
	server_reset
	server_faults '[{"path": "/v1/resource", "args": {"offset": "50"},
		"action": "status", "status": 503, "times": 1}]'
	run --separate-stderr rest-sync -v -c "$C" -C "$OUT"
	assert_success
	[[ $stderr == *"rest-sync: image_analysis: retry 1 of 3 after 503: $BASE/v1/resource?offset=50&limit=50&require_key=1&records=200&api_key=***; waited 0.01 s"* ]]
	# A failure: every retry before it is said, though not -v.
	rm -rf "$OUT"
	server_reset
	server_faults '[{"path": "/v1/resource", "args": {"offset": "100"},
		"action": "status", "status": 503, "times": -1}]'
	run --separate-stderr rest-sync -c "$C" -C "$OUT"
	assert_failure 75
	assert_equal "$(grep -c ': retry [1-3] of 3 after 503: ' <<<"$stderr")" 3
	assert_regex "$(norecap)" "$(said_text 'HTTP 503: ').*$(said_text 'gave up after 4 attempts')"
	# -s: nothing at all.
	rm -rf "$OUT"
	server_reset
	server_faults '[{"path": "/v1/resource", "args": {"offset": "50"},
		"action": "status", "status": 503, "times": 1}]'
	run --separate-stderr rest-sync -s -c "$C" -C "$OUT"
	assert_success
	assert_equal "$stderr" ''
}

@test "progress: on a terminal a block redrawn in place, under -P too; nothing off one unless --progress; -q silences it" {
	conf "$(resource image_analysis '"records": 300')" \
		"$(resource labels '"records": 200')"
	every_page_slow 0.1
	# script(1) gives rest-sync a terminal.
	run script -qec "rest-sync -c '$C' -C '$OUT' -j 2 -P 2" /dev/null
	assert_success
	assert_regex "$output" 'rest-sync: image_analysis: [0-9]+ records, [0-9]+ pages?, [0-9]+ records/s, [0-9]+%, ETA [0-9]+:[0-9][0-9]'
	assert_regex "$output" 'rest-sync: [0-2] of 2 done, [0-2] running, [0-9.k]+ records, [0-9]+ s'
	# Redrawn in place: the cursor goes up over the block.
	assert_regex "$output" $'\e\\[[0-9]+A\e\\[J'
	# Taken off at the end: the recap comes last.
	assert_regex "$(tail -n 1 <<<"$output")" '^rest-sync: recap: labels: ok'
	rm -rf "$OUT"
	run script -qec "rest-sync -q -c '$C' -C '$OUT' -j 2" /dev/null
	assert_success
	refute_output --partial 'records/s'
	refute_output --partial $'\e['
	rm -rf "$OUT"
	run --separate-stderr rest-sync -c "$C" -C "$OUT" -j 2
	assert_success
	refute_output --partial 'records/s'
	assert_equal "$(grep -c 'records/s' <<<"$stderr")" 0
	rm -rf "$OUT"
	run --separate-stderr rest-sync --progress -c "$C" -C "$OUT" -j 2
	assert_success
	assert_regex "$stderr" 'rest-sync: [0-2] of 2 done, [0-2] running'
	refute_regex "$stderr" $'\e\\['
}

@test "a hint rest-sync shows can be followed in its configuration: an API that clamps the page size" {
	# The server sends at most 20 records a page, whatever the limit.
	conf "$(resource image_analysis '"records": 100, "max_limit": 20')"
	run --separate-stderr rest-sync -c "$C" -C "$OUT"
	assert_failure 65
	[[ $(norecap) == *"$(said_text 'try --limit 20 (the paginator')"* ]]
	# The configuration form it names: the paginator's limit.
	conf '{"name": "image_analysis", "endpoint": {"path": "/v1/resource",
		"params": {"require_key": 1, "records": 100, "max_limit": 20},
		"data_selector": "data", "paginator": {"type": "offset", "limit": 20}}}'
	rm -rf "$OUT"
	run --separate-stderr rest-sync -c "$C" -C "$OUT"
	assert_success
	assert_equal "$(wc -l <"$T")" 100
	# Or restpipe's own key, on the resource or on the client.
	conf "$(resource image_analysis '"records": 100, "max_limit": 20' \
		'"restpipe": {"allow_short": true}')"
	rm -rf "$OUT"
	run --separate-stderr rest-sync -c "$C" -C "$OUT"
	assert_success
	# As it asked: the short pages taken as they are (20 of each 50).
	assert_equal "$(wc -l <"$T")" 40
	[[ $stderr == *"$(said_text 'warning: page at offset 0 had 20 records, fewer than --limit 50')"* ]]
	# A key of that namespace it does not know is refused, naming it.
	conf "$(resource image_analysis '' '"restpipe": {"allow_shrot": true}')"
	run --separate-stderr rest-sync -c "$C" -C "$OUT"
	assert_failure 78
	assert_regex "$stderr" "unknown key 'allow_shrot'"
}

@test "a hint rest-sync shows can be followed in its configuration: an API that does not page" {
	# The server ignores the offset: every page is the first.
	conf "$(resource image_analysis '"records": 100, "ignore_offset": 1')"
	run --separate-stderr rest-sync -c "$C" -C "$OUT"
	assert_failure 65
	[[ $(norecap) == *"$(said_text 'give --single-page ({"type": "single_page"})')"* ]]
	# As it says: a single_page paginator.
	conf '{"name": "image_analysis", "endpoint": {"path": "/v1/resource",
		"params": {"require_key": 1, "records": 100, "ignore_offset": 1,
		"limit": 100}, "data_selector": "data",
		"paginator": {"type": "single_page"}}}'
	rm -rf "$OUT"
	run --separate-stderr rest-sync -c "$C" -C "$OUT"
	assert_success
	assert_equal "$(wc -l <"$T")" 100
	nostate
}

@test "the recap: a row per resource, and for each failure its reason and the command that resumes it, which works" {
	local cmd
	conf "$(resource image_analysis '"records": 120')" \
		"$(resource labels '"records": 300')"
	server_faults '[{"path": "/v1/resource", "args": {"records": "300", "offset": "100"},
		"action": "status", "status": 404, "times": 1}]'
	run --separate-stderr rest-sync -c "$C" -C "$OUT"
	assert_failure 69
	run grep '^rest-sync: recap: ' <<<"$stderr"
	assert_line --index 0 --regexp '^rest-sync: recap: image_analysis: ok, 120 rows \(120 inserted, 0 updated, 0 unchanged, 0 deleted\), 3 pages, 3 requests, 0 retries, [0-9.]+ s$'
	assert_line --index 1 --regexp '^rest-sync: recap: labels: failed \(exit 69\), 2 pages, 3 requests, 0 retries, [0-9.]+ s$'
	assert_line --index 2 "rest-sync: recap: labels: $(said_text "GET $BASE/v1/resource?offset=100&limit=50&require_key=1&records=300&api_key=***: HTTP 404: {\"error\":\"injected\"}")"
	assert_line --index 3 "rest-sync: recap: labels: the server refused for good: fix the request, then run: rest-sync -c $C -C $OUT -r labels"
	assert_equal "${#lines[@]}" 4
	# The recap is the last thing said.
	assert_equal "$(tail -n 4 <<<"$stderr")" "$output"
	# Its command, run as it is, resumes and completes the table.
	cmd=${lines[3]#*then run: }
	run --separate-stderr bash -c "$cmd"
	assert_success
	assert_regex "$(norecap)" 'labels: resuming the run [0-9TZ-]+: 2 pages fetched, to resume with --offset 100'
	[[ $stderr == *'rest-sync: recap: labels: resumed, 300 rows (300 inserted, 0 updated, 0 unchanged, 0 deleted), 4 pages, 4 requests, 0 retries, '* ]]
	assert_equal "$(wc -l <"$OUT/labels.jsonl")" 300
	nostate
}

@test "--json is exact: requests as the server counts them, by class; a resume's own work and where it took up; an error object" {
	conf "$(resource image_analysis '"records": 300')"
	shim rest-paginate 'exec "$real" --retries 2 --backoff-factor 0.01 "$@"'
	server_faults '[{"path": "/v1/resource", "args": {"offset": "50"},
		"action": "status", "status": 502, "times": 1},
		{"path": "/v1/resource", "args": {"offset": "150"},
		"action": "status", "status": 503, "times": -1}]'
	run --separate-stderr rest-sync -c "$C" -C "$OUT" --json
	assert_failure 75
	assert_equal "$(jq -c '[.outcome, .pages, .requests, .sent, .retries, .retry_causes, .pending]' <<<"$output")" \
		'["failed",3,7,{"2xx":3,"5xx":4},3,{"502":1,"503":2},"--offset 150"]'
	assert_equal "$(jq .requests <<<"$output")" "$(requests)"
	assert_equal "$(jq -c '.error | [.stage, .status, .url]' <<<"$output")" \
		"[\"rest-paginate\",75,\"$BASE/v1/resource?offset=150&limit=50&require_key=1&records=300&api_key=***\"]"
	assert_regex "$(jq -r .error.message <<<"$output")" "$(said_text 'HTTP 503').*$(said_text 'gave up after 3 attempts')"
	# The resume: this run's pages and requests, and where it took up.
	server_reset
	run --separate-stderr rest-sync -c "$C" -C "$OUT" --json
	assert_success
	assert_equal "$(jq -c '[.outcome, .pages, .requests, .sent, .resumed, .records, .rows, .error]' <<<"$output")" \
		'["resumed",3,3,{"2xx":3},{"pages":3,"from":"--offset 150"},300,300,null]'
	assert_equal "$(jq .requests <<<"$output")" "$(requests)"
}

# ---------------------------------------------------------- --prune

@test "--prune after the server deleted and changed records" {
	conf "$(resource image_analysis '"records": 120')"
	rest-sync -s -c "$C" -C "$OUT"
	# Three records gone, two changed.
	conf "$(resource image_analysis '"records": 120, "skip_ids": "3,50,77", "edit_ids": "10,20"')"
	run --separate-stderr rest-sync -c "$C" -C "$OUT"
	assert_success
	assert_regex "$(norecap)" ': 117 records from 3 pages \(3 requests\): 0 inserted, 2 updated, 0 deleted, 115 unchanged, 120 rows; '
	# Without --prune, merge keeps the rows the server no longer returns.
	assert_equal "$(jq -c 'select(.id == 3 or .id == 50 or .id == 77) | .id' "$T" | paste -sd' ' -)" '3 50 77'
	run --separate-stderr rest-sync -c "$C" -C "$OUT" --prune --json
	assert_success
	assert_equal "$(norecap)" ''
	assert_equal "$(jq -c '[.inserted, .updated, .deleted, .unchanged, .rows]' <<<"$output")" '[0,0,3,117,117]'
	# The table is what a load of the changed server from scratch gives.
	pipeline "$BATS_TEST_TMPDIR/p/image_analysis.jsonl"
	run diff <(jq -c . "$T" | sort) <(jq -c . "$BATS_TEST_TMPDIR/p/image_analysis.jsonl" | sort)
	assert_success
	assert_equal "$(jq -r 'select(.id == 10) | .note' "$T")" edited
}

@test "--prune of an incremental resource is 78 before any request" {
	conf "$(resource image_analysis '' '"endpoint": {"path": "/v1/resource",
		"data_selector": "data", "incremental": {"cursor_path": "created_at"}}')"
	run --separate-stderr rest-sync -c "$C" -C "$OUT" --prune
	assert_failure 78
	assert_equal "$(norecap)" "rest-sync: --prune: resource 'image_analysis' loads incrementally (endpoint.incremental): its input is never complete, so no key it lacks may be deleted"
	assert_equal "$(requests)" 0
	assert_file_not_exists "$OUT"
}

@test "--prune leaves append resources alone; replace mirrors anyway" {
	DEFAULTS='{"primary_key": "id", "write_disposition": "append"}'
	conf "$(resource image_analysis '"records": 30')"
	rest-sync -s -c "$C" -C "$OUT" --prune
	run rest-sync -s -c "$C" -C "$OUT" --prune
	assert_success
	assert_equal "$(wc -l <"$T")" 60
}

# ---------------------------------------------------------- --json

@test "--json: one object per resource, for jq" {
	local json
	conf "$(resource image_analysis '"records": 120')" \
		"$(resource labels '"records": 30')"
	# The labels fail for good.
	server_faults '[{"path": "/v1/resource", "args": {"records": "30"},
		"action": "status", "status": 404, "times": -1}]'
	run --separate-stderr rest-sync -c "$C" -C "$OUT" --json
	assert_failure 69
	assert_equal "$(jq -s length <<<"$output")" 2
	assert_equal "$(wc -l <<<"$output")" 2
	json=$output
	run jq -c 'select(.resource == "image_analysis") | del(.seconds)' <<<"$json"
	assert_output "{\"resource\":\"image_analysis\",\"table\":\"image_analysis\",\"file\":\"$T\",\"status\":0,\"outcome\":\"ok\",\"pages\":3,\"records\":120,\"inserted\":120,\"updated\":0,\"unchanged\":0,\"deleted\":0,\"rows\":120,\"requests\":3,\"sent\":{\"2xx\":3},\"retries\":0,\"retry_causes\":{},\"longest_wait\":0,\"resumed\":null,\"pending\":null,\"error\":null}"
	run jq -c 'select(.resource == "labels") | del(.seconds, .error.message)' <<<"$json"
	assert_output "{\"resource\":\"labels\",\"table\":\"labels\",\"file\":\"$OUT/labels.jsonl\",\"status\":69,\"outcome\":\"failed\",\"pages\":0,\"records\":null,\"inserted\":null,\"updated\":null,\"unchanged\":null,\"deleted\":null,\"rows\":null,\"requests\":1,\"sent\":{\"4xx\":1},\"retries\":0,\"retry_causes\":{},\"longest_wait\":0,\"resumed\":null,\"pending\":null,\"error\":{\"stage\":\"rest-paginate\",\"status\":69,\"url\":\"$BASE/v1/resource?offset=0&limit=50&require_key=1&records=30&api_key=***\"}}"
	# The reason is rest-paginate's own words, passed on as they came.
	run jq -r 'select(.resource == "labels") | .error.message' <<<"$json"
	assert_output "$(said_text "GET $BASE/v1/resource?offset=0&limit=50&require_key=1&records=30&api_key=***: HTTP 404: {\"error\":\"injected\"}")"
	run jq -e '.seconds >= 0' <<<"$json"
	assert_success
	# No summary lines, but the failure is still said.
	assert_equal "$(grep -c 'rows; ' <<<"$stderr")" 0
	assert_regex "$(norecap)" "rest-sync: labels: not synced \\(rest-paginate exit 69\\): $OUT/labels.jsonl left as it was"
}

@test "--json counts the retries as requests, and a pending resume" {
	conf
	shim rest-paginate 'exec "$real" --retries 2 --backoff-factor 0.01 "$@"'
	server_faults '[{"path": "/v1/resource", "args": {"offset": "100"},
		"action": "status", "status": 503, "times": 2},
		{"path": "/v1/resource", "args": {"offset": "300"},
		"action": "status", "status": 503, "times": -1}]'
	run --separate-stderr rest-sync -c "$C" -C "$OUT" --json
	assert_failure 75
	# Six pages, offset 100 three times, offset 300 three times: the
	# requests sent, as the server counts them.
	assert_equal "$(jq -c '[.status, .pages, .requests, .pending]' <<<"$output")" '[75,6,11,"--offset 300"]'
	assert_equal "$(requests)" 11
	server_reset
	run --separate-stderr rest-sync -c "$C" -C "$OUT" --json
	assert_success
	assert_equal "$(jq -c '[.status, .pages, .records, .requests, .rows, .pending]' <<<"$output")" '[0,14,1000,14,1000,null]'
}

# ---------------------------------------------------------- --status

@test "--status: rows, the last complete sync, and what is pending" {
	conf "$(resource image_analysis '"records": 120')" \
		"$(resource labels '"records": 30')"
	run --separate-stderr rest-sync -c "$C" -C "$OUT" --status
	assert_success
	assert_output "image_analysis: $T: 0 rows, never synced
labels: $OUT/labels.jsonl: 0 rows, never synced"
	assert_equal "$(norecap)" ''
	# It changed nothing: no directory, no lock, no request.
	assert_file_not_exists "$OUT"
	assert_equal "$(requests)" 0
	rest-sync -s -c "$C" -C "$OUT" -r image_analysis
	shim rest-paginate 'exec "$real" --retries 0 "$@"'
	fails_at 0 503
	run rest-sync -s -c "$C" -C "$OUT" -r labels
	assert_failure 75
	server_faults '[{"path": "/v1/resource", "args": {"offset": "50"},
		"action": "status", "status": 503, "times": -1}]'
	conf "$(resource image_analysis '"records": 120')" \
		"$(resource labels '"records": 130')"
	run rest-sync -s -c "$C" -C "$OUT" -r labels
	assert_failure 75
	run --separate-stderr rest-sync -c "$C" -C "$OUT" --status
	assert_success
	assert_regex "$output" "^image_analysis: $T: 120 rows, last synced 20[0-9]{2}-[01][0-9]-[0-3][0-9]T[0-2][0-9]:[0-5][0-9]:[0-5][0-9]Z
labels: $OUT/labels.jsonl: 0 rows, never synced, pending: the run [0-9TZ-]+, 1 page fetched, to resume with --offset 50, last failure [0-9TZ:-]+: exit 75 \\(rest-paginate\\): [^
]*
last run: started [0-9TZ:-]+, ended [0-9TZ:-]+, exit 75\$"
	run rest-sync -c "$C" -C "$OUT" --status --json
	assert_success
	assert_equal "$(jq -c '[.resource, .rows, (.last_sync | type), .pending]' <<<"$output" | paste -sd' ' -)" '["image_analysis",120,"string",null] ["labels",0,"null","--offset 50"]'
	# The time is the commit's, as the sidecar records it.
	assert_equal "$(jq -r 'select(.resource == "image_analysis") | .last_sync' <<<"$output")" "$(jq -r .last_run.at "$T.schema.json")"
}

@test "--status counts the rows of csv and tsv tables, a quoted line break in one" {
	conf "$(resource image_analysis '"records": 40')"
	rest-sync -s -c "$C" -C "$OUT" --format csv
	run rest-sync -c "$C" -C "$OUT" --format csv --status
	assert_output --regexp "^image_analysis: $OUT/image_analysis.csv: 40 rows, last synced "
	# The notes of the sample hold line breaks, so lines are not rows.
	assert [ "$(wc -l <"$OUT/image_analysis.csv")" -gt 41 ]
	rest-sync -s -c "$C" -C "$OUT" --format tsv
	run rest-sync -c "$C" -C "$OUT" --format tsv --status
	assert_output --regexp "^image_analysis: $OUT/image_analysis.tsv: 40 rows, last synced "
}

# ---------------------------------------------------------- --dry-run

@test "--dry-run prints each first request, the key hidden, and sends nothing" {
	conf "$(resource image_analysis '"records": 120')" \
		"$(resource labels '"records": 30')"
	run --separate-stderr rest-sync -c "$C" -C "$OUT" --dry-run
	assert_success
	assert_output "image_analysis: GET $BASE/v1/resource?offset=0&limit=50&require_key=1&records=120&api_key=***
labels: GET $BASE/v1/resource?offset=0&limit=50&require_key=1&records=30&api_key=***"
	assert_equal "$(norecap)" ''
	assert_equal "$(requests)" 0
	assert_file_not_exists "$OUT"
	refute_output --partial "$API_KEY"
}

@test "--dry-run shows the request a pending run resumes with" {
	conf
	pending_at_350
	run --separate-stderr rest-sync -c "$C" -C "$OUT" --dry-run
	assert_success
	assert_output "image_analysis: GET $BASE/v1/resource?offset=350&limit=50&require_key=1&api_key=***"
	assert_equal "$(requests)" 0
}

# ---------------------------------------------------------- -j and logs

@test "-j 2: every stderr line names its resource and is one write(2)" {
	local log=$BATS_TEST_TMPDIR/trace.log
	conf "$(resource image_analysis '"records": 600')" \
		"$(resource labels '"records": 601')" \
		"$(resource tags '"records": 602')"
	shim rest-paginate 'exec "$real" --retries 3 --backoff-factor 0.01 -v "$@"'
	# Retries, warnings and a failure, in every resource at once.
	server_faults '[{"path": "/v1/resource", "action": "status",
		"status": 503, "times": 12},
		{"path": "/v1/resource", "args": {"records": "602", "offset": "500"},
		"action": "status", "status": 404, "times": -1}]'
	env ASAN_OPTIONS=detect_leaks=0 strace -f -qq -s 100000 -e trace=write \
		-e signal=none -o "$log" rest-sync -v -c "$C" -C "$OUT" -j 2 \
		2>"$BATS_TEST_TMPDIR/stderr" || true
	run grep -cv -e '^rest-sync: image_analysis: ' -e '^rest-sync: labels: ' \
		-e '^rest-sync: tags: ' -e '^rest-sync: recap: [a-z_]*: ' \
		"$BATS_TEST_TMPDIR/stderr"
	assert_output 0
	assert [ "$(wc -l <"$BATS_TEST_TMPDIR/stderr")" -gt 20 ]
	run grep -cF ": $(said 'rest-paginate: attempt')" "$BATS_TEST_TMPDIR/stderr"
	assert_output --regexp '^[1-9][0-9]*$'
	# Each write of rest-sync to stderr is one whole line (the programs
	# it runs write theirs into its pipe, as cli.bats checks); strace
	# shows a write cut by another process's as unfinished.
	run awk '/write\(2, "rest-(paginate|select|merge): / { next }
		/write\(2,/ { n++; if ($0 !~ /^[0-9]+ +write\(2, "rest-sync: [a-z_]+: [^\n]*\\n", [0-9]+(\) = [0-9]+| <unfinished \.\.\.>)$/) bad++ }
		END { print n + 0, bad + 0 }' "$log"
	assert_output --regexp '^[2-9][0-9]+ 0$'
	assert_file_not_exists "$OUT/tags.jsonl"
}

@test "-j 2 syncs two resources at once" {
	conf "$(resource image_analysis '"records": 100')" \
		"$(resource labels '"records": 101')"
	every_page_slow 0.3
	run rest-sync -s -c "$C" -C "$OUT" -j 2
	assert_success
	# Each page takes 0.3 s: the two resources asked for theirs together,
	# where one after the other would ask all of one's pages first.
	assert_equal "$(server_requests | jq -r .args.records | head -n 2 | sort | paste -sd' ' -)" '100 101'
	assert_equal "$(wc -l <"$OUT/image_analysis.jsonl")" 100
	assert_equal "$(wc -l <"$OUT/labels.jsonl")" 101
	server_reset
	every_page_slow 0.3
	rest-sync -s -c "$C" -C "$OUT" -j 1
	assert_equal "$(server_requests | jq -r .args.records | paste -sd' ' -)" '100 100 101 101 101'
}

# ---------------------------------------------------------- locks, DIR

@test "a second rest-sync on the same DIR says which table is busy, 75" {
	local pid
	conf "$(resource image_analysis '"records": 300')" \
		"$(resource labels '"records": 30')"
	every_page_slow 0.2
	rest-sync -s -c "$C" -C "$OUT" -r image_analysis &
	pid=$!
	# Once the first holds its lock: its state is there.
	for _ in $(seq 100); do
		[[ -e $OUT/.restpipe/image_analysis.sync/state ]] && break
		sleep 0.05
	done
	run --separate-stderr rest-sync -c "$C" -C "$OUT"
	assert_failure 75
	assert_equal "${stderr_lines[0]}" "rest-sync: image_analysis: $OUT/.restpipe/image_analysis.lock: busy: another rest-sync is syncing this table; try again later"
	assert_equal "${stderr_lines[1]}" "rest-sync: image_analysis: not synced (rest-sync exit 75): $T left as it was"
	# The other table was synced all the same.
	assert_equal "$(wc -l <"$OUT/labels.jsonl")" 30
	wait "$pid"
	assert_equal "$(wc -l <"$T")" 300
	nostate
}

@test "--status of a table being synced says which rest-sync holds it, not that a run is pending" {
	local pid
	conf "$(resource image_analysis '"records": 300')"
	every_page_slow 0.2
	rest-sync -s -c "$C" -C "$OUT" &
	pid=$!
	for _ in $(seq 100); do
		[[ -s $OUT/.restpipe/image_analysis.sync/pages ]] && break
		sleep 0.05
	done
	run rest-sync -c "$C" -C "$OUT" --status
	assert_success
	assert_output "image_analysis: $T: 0 rows, never synced, running now: the rest-sync of process $pid holds $OUT/.restpipe/image_analysis.lock"
	run rest-sync -c "$C" -C "$OUT" --status --json
	assert_equal "$(jq .running <<<"$output")" "$pid"
	kill -TERM "$pid"
	wait "$pid" || true
	run rest-sync -c "$C" -C "$OUT" --status --json
	assert_equal "$(jq .running <<<"$output")" null
	assert_equal "$(jq -r .pending <<<"$output")" "--offset $(($(wc -l <"$OUT/.restpipe/image_analysis.sync/pages") * 50))"
}

@test "a symbolic link planted at DIR/.TABLE.sync is not written through, and its target keeps its files" {
	conf
	mkdir -p "$OUT/.restpipe" elsewhere
	echo 'keep me' >elsewhere/spool
	echo 'keep me too' >elsewhere/state
	ln -s "$BATS_TEST_TMPDIR/elsewhere" "$OUT/.restpipe/image_analysis.sync"
	run --separate-stderr rest-sync -c "$C" -C "$OUT"
	assert_failure 74
	assert_equal "${stderr_lines[0]}" "rest-sync: image_analysis: $OUT/.restpipe/image_analysis.sync: a symbolic link; will not write through it"
	assert_equal "$(cat elsewhere/spool elsewhere/state)" 'keep me
keep me too'
	assert_equal "$(ls elsewhere | wc -l)" 2
	assert_equal "$(requests)" 0
	run --separate-stderr rest-sync -c "$C" -C "$OUT" --status
	assert_output --partial "$OUT/.restpipe/image_analysis.sync: a symbolic link; will not write through it"
	assert_equal "$(cat elsewhere/spool elsewhere/state)" 'keep me
keep me too'
	# The folder of the runs itself: the same.
	rm -r "$OUT/.restpipe"
	ln -s "$BATS_TEST_TMPDIR/elsewhere" "$OUT/.restpipe"
	run --separate-stderr rest-sync -c "$C" -C "$OUT"
	assert_failure 74
	assert_equal "$(norecap)" "rest-sync: $OUT/.restpipe: a symbolic link; will not write through it"
	assert_equal "$(ls elsewhere | wc -l)" 2
	assert_equal "$(requests)" 0
}

@test "every file of a pending run is mode 0600 in a folder of mode 0700, whatever the umask" {
	conf
	mkdir -p "$OUT/.restpipe/image_analysis.sync"
	chmod 0755 "$OUT/.restpipe/image_analysis.sync"
	shim rest-paginate 'exec "$real" --retries 0 "$@"'
	fails_at 350 503
	run bash -c 'umask 000; rest-sync -s -c "$1" -C "$2"' _ "$C" "$OUT"
	assert_failure 75
	assert_equal "$(stat -c %a "$OUT/.restpipe/image_analysis.sync")" 700
	assert_equal "$(stat -c '%n %a' "$OUT"/.restpipe/image_analysis.sync/* | sed 's|.*/||')" "pages 600
spool 600
state 600"
}

@test "a DIR that cannot be written is 73, and nothing is sent" {
	conf
	run --separate-stderr rest-sync -c "$C" -C /sys
	assert_failure 73
	assert_regex "$(norecap)" '^rest-sync: /sys/.restpipe: cannot create: (Permission denied|Operation not permitted)$'
	touch afile
	run --separate-stderr rest-sync -c "$C" -C afile
	assert_failure 73
	assert_equal "$(norecap)" 'rest-sync: afile: cannot create: Not a directory'
	run --separate-stderr rest-sync -c "$C" -C nothere/out
	assert_failure 73
	assert_equal "$(norecap)" 'rest-sync: nothere/out: cannot create: No such file or directory'
	assert_equal "$(requests)" 0
}

@test "a DIR that does not exist yet is created" {
	conf "$(resource image_analysis '"records": 10')"
	run rest-sync -s -c "$C" -C "$OUT"
	assert_success
	assert_equal "$(wc -l <"$T")" 10
}

# ---------------------------------------------------------- and more

@test "a warning that every program prints is said once" {
	DEFAULTS='{"primary_key": "id", "write_disposition": {"disposition": "merge", "strateg": "upsert"}}'
	conf "$(resource image_analysis '"records": 30')" \
		"$(resource labels '"records": 30' '"write_disposition": {"disposition": "merge", "colums": {}}')"
	run --separate-stderr rest-sync -s -c "$C" -C "$OUT" -j 2
	assert_success
	assert_equal "$(norecap)" "rest-sync: warning: $C: \$.resource_defaults.write_disposition: unknown key 'strateg'
rest-sync: warning: $C: \$.resources[1].write_disposition: unknown key 'colums'"
}

@test "a program that cannot be run is 71 and nothing is fetched; the next run syncs the table whole" {
	local p
	conf "$(resource image_analysis '"records": 30')"
	mkdir -p "$BATS_TEST_TMPDIR/nomerge"
	# Neither beside rest-sync (RESTPIPE_BINDIR says where that is)
	# nor in PATH; bash too, for the test suite's watchdogs.
	for p in rest-sync rest-paginate rest-select bash; do
		ln -s "$(command -v "$p")" "$BATS_TEST_TMPDIR/nomerge/$p"
	done
	run --separate-stderr env RESTPIPE_BINDIR="$BATS_TEST_TMPDIR/nomerge" \
		PATH="$BATS_TEST_TMPDIR/nomerge" rest-sync -c "$C" -C "$OUT"
	assert_failure 71
	assert_equal "$(norecap)" "rest-sync: image_analysis: cannot run rest-merge: No such file or directory
rest-sync: image_analysis: not synced (rest-merge exit 71): $T left as it was"
	assert_file_not_exists "$T"
	assert_equal "$(requests)" 0
	nostate
	run rest-sync -s -c "$C" -C "$OUT"
	assert_success
	assert_equal "$(requests)" 1
	assert_equal "$(wc -l <"$T")" 30
}

@test "a detected page_number paginator resumes by --page after a 75, detecting again on the page asked" {
	conf '{"name": "image_analysis", "endpoint": {"path": "/v1/resource",
		"params": {"require_key": 1, "by_page": 1, "base_page": 0,
		"page_size": 100}}}'
	shim rest-paginate 'exec "$real" --retries 0 "$@"'
	server_faults '[{"path": "/v1/resource", "args": {"page": "4"},
		"action": "status", "status": 503, "times": 1}]'
	run --separate-stderr rest-sync -c "$C" -C "$OUT"
	assert_failure 75
	assert_regex "$(norecap)" 'the next run resumes after the 4 pages fetched \(--page 4\)'
	server_reset
	run --separate-stderr rest-sync -c "$C" -C "$OUT"
	assert_success
	assert_equal "$(server_requests | jq -r .args.page | paste -sd' ')" \
		'4 5 6 7 8 9'
	assert_equal "$(jq -r .id "$T" | sort -n)" "$(seq 1000)"
}

# ---------------------------------------------------------- links, cursors

# A resource of the test API paged by a link or a cursor each page gives
# (style json or cursor), 50 records a page, the key required: the
# server echoes it into its next links.
LINKS_STYLE_PAGER='{"json": "json_link", "cursor": "cursor"}'
link_resource() {
	echo "{\"name\": \"image_analysis\", \"endpoint\": {\"path\": \"/v2/links\",
		\"params\": {\"require_key\": 1, \"style\": \"$1\", \"limit\": 50},
		\"data_selector\": \"data\",
		\"paginator\": {\"type\": \"$(jq -r ".$1" <<<"$LINKS_STYLE_PAGER")\"}}}"
}

# argv_log: rest-paginate runs through a shim that logs its arguments.
argv_log() {
	shim rest-paginate 'printf "%s\n" "$*" >>"$BATS_TEST_TMPDIR/argv"
exec "$real" --retries 0 "$@"'
}

@test "Ctrl-C at a page of a link resource: the next run goes on from that page by a file, the key in no argument or message" {
	conf "$(link_resource json)"
	clean_table want
	argv_log
	server_faults '[{"path": "/v2/links", "args": {"at": "500"},
		"action": "slow", "delay": 2}]'
	run --separate-stderr interrupt --ready 0 --requests 11 -- rest-sync -c "$C" -C "$OUT"
	assert_output 130
	assert_equal "$(norecap)" "rest-sync: image_analysis: interrupted: $T left as it was; the next run resumes after the 10 pages fetched (--next-url, not shown)"
	assert_file_not_exists "$T"
	run rest-sync -c "$C" -C "$OUT" --status
	assert_success
	assert_line --index 0 --regexp "^image_analysis: $T: 0 rows, never synced, pending: the run [0-9TZ-]+, 10 pages fetched, to resume with --next-url, not shown, last failure [0-9TZ:-]+: exit 130 \\(rest-(paginate|sync)\\): stopped by signal 2\$"
	run rest-sync -c "$C" -C "$OUT" --status --json
	assert_success
	[[ $output != *$API_KEY* ]]
	server_reset
	run --separate-stderr rest-sync -c "$C" -C "$OUT"
	assert_success
	[[ $stderr != *$API_KEY* ]]
	assert_regex "$(norecap)" "^rest-sync: image_analysis: resuming the run [0-9TZ-]+: 10 pages fetched, to resume with --next-url, not shown
rest-sync: image_analysis: $T: 1000 records from 20 pages \\(10 requests\\)"
	# Only the page in flight is fetched again, from its link.
	assert_equal "$(server_requests | jq -r .args.at | paste -sd' ')" \
		'500 550 600 650 700 750 800 850 900 950'
	cmp want "$T"
	# The link went by a file, never on a command line.
	run cat "$BATS_TEST_TMPDIR/argv"
	[[ $output != *$API_KEY* ]]
	assert_line --index 1 --regexp " --next-url @$OUT/\\.restpipe/image_analysis\\.sync/position\$"
	nostate
}

@test "a 75 in the middle of a cursor resource: the next run goes on after the last whole page, byte for byte a clean run" {
	conf "$(link_resource cursor)"
	clean_table want
	argv_log
	server_faults '[{"path": "/v2/links", "args": {"cursor": "c350"},
		"action": "status", "status": 503, "times": -1}]'
	run --separate-stderr rest-sync -c "$C" -C "$OUT"
	assert_failure 75
	assert_regex "$(norecap)" "rest-sync: image_analysis: not synced \\(rest-paginate exit 75\\): $T left as it was; the next run resumes after the 7 pages fetched \\(--cursor, not shown\\)\$"
	assert_equal "$(stat -c %a "$OUT/.restpipe/image_analysis.sync/pages")" 600
	server_reset
	run --separate-stderr rest-sync -c "$C" -C "$OUT"
	assert_success
	assert_regex "$(norecap)" "resuming the run [0-9TZ-]+: 7 pages fetched, to resume with --cursor, not shown"
	assert_equal "$(server_requests | jq -r .args.cursor | paste -sd' ')" \
		'c350 c400 c450 c500 c550 c600 c650 c700 c750 c800 c850 c900 c950'
	cmp want "$T"
	run cat "$BATS_TEST_TMPDIR/argv"
	assert_line --index 1 --regexp " --cursor @$OUT/\\.restpipe/image_analysis\\.sync/position\$"
	refute_output --partial c350
	nostate
}

@test "a detected json_link resource resumes after a 75 by its link, detecting again on the page asked" {
	conf '{"name": "image_analysis", "endpoint": {"path": "/v2/links",
		"params": {"require_key": 1, "limit": 100}}}'
	argv_log
	server_faults '[{"path": "/v2/links", "args": {"at": "400"},
		"action": "status", "status": 503, "times": 1}]'
	run --separate-stderr rest-sync -c "$C" -C "$OUT"
	assert_failure 75
	assert_regex "$(norecap)" "$(said "rest-paginate: detected paginator json_link with next_url_path 'next'" | sed 's/^[^ ]* //')"
	assert_regex "$(norecap)" 'the next run resumes after the 4 pages fetched \(--next-url, not shown\)$'
	[[ $stderr != *$API_KEY* ]]
	server_reset
	run --separate-stderr rest-sync -c "$C" -C "$OUT"
	assert_success
	[[ $stderr != *$API_KEY* ]]
	assert_equal "$(server_requests | jq -r .args.at | paste -sd' ')" \
		'400 500 600 700 800 900'
	assert_equal "$(jq -r .id "$T" | sort -n)" "$(seq 1000)"
	run cat "$BATS_TEST_TMPDIR/argv"
	[[ $output != *$API_KEY* ]]
	nostate
}
