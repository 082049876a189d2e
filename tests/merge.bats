#!/usr/bin/env bats
# Tests of rest-merge: dispositions, formats, keys, the schema sidecar, and
# that FILE is never half written: bad input, full disks, kill -9 and
# concurrent runs leave it old or new, byte for byte.
# What every program does alike (-h, --version, usage errors, the man
# page against --help) is checked in cli.bats, over all of them.

bats_require_minimum_version 1.5.0

export BATS_LIB_PATH=${BATS_LIB_PATH:-/usr/lib/bats}
bats_load_library bats-support
bats_load_library bats-assert
bats_load_library bats-file

FIX=$BATS_TEST_DIRNAME/fixtures

setup() {
	cd "$BATS_TEST_TMPDIR" || return
	F=$BATS_TEST_TMPDIR/f.jsonl
}

teardown() {
	# The full disk test's small file system, if it is still mounted.
	if mountpoint -q "$BATS_TEST_TMPDIR/disk" 2>/dev/null; then
		umount "$BATS_TEST_TMPDIR/disk"
	fi
}

# merge INPUT ARG...: run rest-merge ARG... with INPUT (printf %b, so \n
# makes lines) on its standard input.  That is a pipe, so with merge and
# append SIGINT and SIGTERM would end the input (see the signals tests);
# the kill tests read a file instead, and stop at once.
merge() {
	local input=$1
	shift
	run --separate-stderr rest-merge "$@" < <(printf '%b' "$input")
}

# diag MESSAGE...: the last run's standard error, line by line.
diag() {
	local want
	want=$(printf 'rest-merge: %s\n' "$@")
	assert_equal "$stderr" "$want"
}

# summary FILE I U D N R: the last run's summary line.
summary() {
	diag "$1: $2 inserted, $3 updated, $4 deleted, $5 unchanged, $6 rows"
}

# nosidecar FILE: the warning about rows of FILE that have no sidecar.
nosidecar() {
	echo "$1: no schema $1.schema.json: the types describe only this run's records"
}

sum() {
	sha256sum < "$1"
}

# Assert that the last run left no temporary file beside FILE.
no_temp() {
	run ls -A "$BATS_TEST_TMPDIR"
	assert_success
	# Line by line: a temporary file is caught wherever ls sorts it.
	refute_line --regexp '^\.'
}

# rows N START [LABEL]: N jsonl records with ids START, START+1, ...
rows() {
	awk -v n="$1" -v s="$2" -v l="${3:-old}" 'BEGIN {
		for (i = s; i < s + n; i++)
			printf "{\"id\":%d,\"label\":\"%s\",\"score\":0.%d7}\n",
			    i, l, i % 1000
	}'
}

# ----------------------------------------------------------- the program

@test "bad values of -w, -f, --dedup-sort and field paths are configuration errors" {
	merge '{"id":1}' -w upsert -k id "$F"
	assert_failure 78
	diag "-w: 'upsert' is not merge, append or replace"
	merge '{"id":1}' -f xml -k id "$F"
	assert_failure 78
	diag "-f: 'xml' is not jsonl, csv or tsv"
	merge '{"id":1}' -k id --dedup-sort ts:newest "$F"
	assert_failure 78
	diag "--dedup-sort: 'ts:newest': the order is asc or desc"
	merge '{"id":1}' -k a..b "$F"
	assert_failure 78
	diag "-k: 'a..b' is not a field path"
	merge '{"id":1}' -k id --hard-delete '' "$F"
	assert_failure 78
	diag "--hard-delete: '' is not a field path"
	assert_file_not_exists "$F"
}

@test "merge needs -k; --hard-delete and --dedup-sort need merge" {
	merge '{"id":1}' "$F"
	assert_failure 64
	diag '-w merge needs a primary key: -k FIELD'
	merge '{"id":1}' -w append --hard-delete gone "$F"
	assert_failure 64
	diag '--hard-delete needs -w merge'
	merge '{"id":1}' -w replace --dedup-sort ts "$F"
	assert_failure 64
	diag '--dedup-sort needs -w merge'
	assert_file_not_exists "$F"
}

@test "the long options do what the short ones do" {
	merge '{"id":1,"v":"a"}\n' --primary-key id --format csv out.txt
	assert_success
	merge '{"id":1,"v":"b"}\n' --primary-key=id --write-disposition=append \
	    --format=csv out.txt
	assert_success
	summary out.txt 1 0 0 0 2
	assert_equal "$(cat out.txt)" $'id,v\r\n1,a\r\n1,b\r'
	merge '{"id":1}\n' -k id -f csv --schema out.txt out.txt
	assert_failure 64
	diag "--schema: 'out.txt' is FILE itself"
}

@test "the format comes from the extension, or -f" {
	merge '{"id":1}' -k id out.txt
	assert_failure 64
	diag 'out.txt: unknown file extension: use -f jsonl, csv or tsv'
	assert_file_not_exists out.txt
	merge '{"id":1}' -k id -f csv out.txt
	assert_success
	assert_equal "$(cat out.txt)" $'id\r\n1\r'
	merge '{"id":1}' -k id out.NDJSON
	assert_success
	assert_equal "$(cat out.NDJSON)" '{"id":1}'
}


# ---------------------------------------------------------- dispositions

@test "a missing FILE is created with its schema, and no lock file is left" {
	merge '{"id":1,"v":"a"}\n{"id":2,"v":"b"}\n' -k id "$F"
	assert_success
	assert_output ''
	summary "$F" 2 0 0 0 2
	assert_equal "$(cat "$F")" $'{"id":1,"v":"a"}\n{"id":2,"v":"b"}'
	assert_file_exists "$F.schema.json"
	assert_file_not_exists "$F.lock"
	no_temp
}

@test "merge replaces rows in place, appends new keys, keeps the rest byte for byte" {
	printf '%s\n' '{"id": 1,  "v": "spaced"}' '{"id":2,"v":"b"}' \
	    '{"id":3,"v":"c"}' > "$F"
	merge '{"id":5,"v":"e"}\n{"id":2,"v":"B"}\n{"id":4,"v":"d"}\n' -k id "$F"
	assert_success
	diag "$(nosidecar "$F")" \
	    "$F: 2 inserted, 1 updated, 0 deleted, 0 unchanged, 5 rows"
	run cat "$F"
	assert_output '{"id": 1,  "v": "spaced"}
{"id":2,"v":"B"}
{"id":3,"v":"c"}
{"id":5,"v":"e"}
{"id":4,"v":"d"}'
}

@test "the later record of a key wins; the key keeps its first place" {
	merge '{"id":1,"v":"a"}\n{"id":2,"v":"b"}\n{"id":1,"v":"A"}\n' -k id "$F"
	assert_success
	summary "$F" 2 0 0 0 2
	assert_equal "$(cat "$F")" $'{"id":1,"v":"A"}\n{"id":2,"v":"b"}'
}

@test "a key FILE holds twice is replaced once; the duplicate goes" {
	printf '%s\n' '{"id":1,"v":"a"}' '{"id":2,"v":"b"}' '{"id":1,"v":"a2"}' \
	    > "$F"
	merge '{"id":1,"v":"new"}\n' -k id "$F"
	assert_success
	diag "$(nosidecar "$F")" \
	    "$F: 0 inserted, 1 updated, 1 deleted, 0 unchanged, 2 rows"
	assert_equal "$(cat "$F")" $'{"id":1,"v":"new"}\n{"id":2,"v":"b"}'
}

@test "append adds every record, duplicates and all" {
	merge '{"id":1,"v":"a"}\n' -w append "$F"
	merge '{"id":1,"v":"a"}\n{"id":1,"v":"b"}\n' -w append "$F"
	assert_success
	summary "$F" 2 0 0 0 3
	assert_equal "$(cat "$F")" \
	    $'{"id":1,"v":"a"}\n{"id":1,"v":"a"}\n{"id":1,"v":"b"}'
	run jq -r .write_disposition "$F.schema.json"
	assert_output append
}

@test "replace makes FILE exactly the input" {
	printf '%s\n' '{"id":1,"v":"a"}' '{"id":2,"v":"b"}' '{"id":3}' > "$F"
	merge '{"id":9,"w":1}\n{"id":9,"w":2}\n' -w replace -k id "$F"
	assert_success
	summary "$F" 2 0 3 0 2
	assert_equal "$(cat "$F")" $'{"id":9,"w":1}\n{"id":9,"w":2}'
	run jq -c '[.write_disposition, [.columns[].name]]' "$F.schema.json"
	assert_output '["replace",["id","w"]]'
}

@test "an empty input leaves FILE's bytes as they were" {
	printf '%s\n' '{"id":1,"v":"a"}' '' '{"id":2}' > "$F"
	local before
	before=$(sum "$F")
	merge '' -k id "$F"
	assert_success
	diag "$(nosidecar "$F")" \
	    "$F: 0 inserted, 0 updated, 0 deleted, 0 unchanged, 2 rows"
	assert_equal "$(sum "$F")" "$before"
}

@test "records are compacted, numbers and strings kept byte for byte" {
	merge '{ "id" : 1 , "big": 123456789012345678901234567890, "f": 1.50,'`
	    `' "e": 1E+2, "s": "caf\\u00e9 \\/ \\"q\\"", "n": [ 1, { "a" : null } ] }\n' \
	    -k id "$F"
	assert_success
	assert_equal "$(cat "$F")" '{"id":1,"big":123456789012345678901234567890,"f":1.50,"e":1E+2,"s":"caf\u00e9 \/ \"q\"","n":[1,{"a":null}]}'
}

@test "blank lines of the input are skipped" {
	merge '\n{"id":1}\n  \n\t\n{"id":2}\n\n' -k id "$F"
	assert_success
	summary "$F" 2 0 0 0 2
}

@test "rows of FILE are keyed as records are: escapes, spaces, repeated members" {
	printf '%s\n' '{"\u0069d":1,"v":"escaped name"}' \
	    '{ "id" : 2 , "v" : "spaced" }' '{"id":0,"v":"repeated","id":3}' \
	    '{"v":{"id":9},"id":"4"}' > "$F"
	merge '{"id":1,"v":"a"}\n{"id":2,"v":"b"}\n{"id":3,"v":"c"}\n'`
	    `'{"id":"4","v":"d"}\n{"id":0,"v":"new"}\n{"id":9,"v":"new"}\n' -k id "$F"
	assert_success
	diag "$F: 2 inserted, 4 updated, 0 deleted, 0 unchanged, 6 rows"
	run jq -c '[.id, .v]' "$F"
	assert_output '[1,"a"]
[2,"b"]
[3,"c"]
["4","d"]
[0,"new"]
[9,"new"]'
}

@test "jsonl keys compare as JSON text: 1 and \"1\" differ" {
	merge '{"id":1,"v":"number"}\n{"id":"1","v":"string"}\n' -k id "$F"
	assert_success
	summary "$F" 2 0 0 0 2
	merge '{"id":"1","v":"string2"}\n' -k id "$F"
	assert_success
	summary "$F" 0 1 0 0 2
	assert_equal "$(cat "$F")" \
	    $'{"id":1,"v":"number"}\n{"id":"1","v":"string2"}'
}

# ----------------------------------------------------------- hard delete

@test "--hard-delete: true or a non-null non-boolean deletes; false, null, missing keep" {
	printf '%s\n' '{"id":1}' '{"id":2}' '{"id":3}' '{"id":4}' '{"id":5}' \
	    '{"id":6}' > "$F"
	merge '{"id":1,"gone":true}\n{"id":2,"gone":false}\n'`
	    `'{"id":3,"gone":"2024-01-01"}\n{"id":4,"gone":null}\n{"id":5}\n'`
	    `'{"id":7,"gone":true}\n{"id":6,"gone":0}\n' \
	    -k id --hard-delete gone "$F"
	assert_success
	# 5 is met again as it was: unchanged; 7 was never there.
	summary "$F" 0 2 3 1 3
	run cat "$F"
	assert_output '{"id":2,"gone":false}
{"id":4,"gone":null}
{"id":5}'
	run jq -c '.columns[] | select(.name == "gone")' "$F.schema.json"
	assert_output '{"name":"gone","type":"bool","nullable":true,"hard_delete":true}'
}

@test "--hard-delete: of one key's records the one kept decides" {
	printf '%s\n' '{"id":1,"v":"a"}' '{"id":2,"v":"b"}' > "$F"
	merge '{"id":1,"del":true}\n{"id":1,"v":"again"}\n{"id":2,"v":"x"}\n'`
	    `'{"id":2,"del":true}\n' -k id --hard-delete del "$F"
	assert_success
	summary "$F" 0 1 1 0 1
	assert_equal "$(cat "$F")" '{"id":1,"v":"again"}'
}

@test "--hard-delete works on csv files" {
	merge '{"id":1,"v":"a"}\n{"id":2,"v":"b"}\n' -k id f.csv
	assert_success
	merge '{"id":1,"deleted":true}\n' -k id --hard-delete deleted f.csv
	assert_success
	summary f.csv 0 0 1 0 1
	assert_equal "$(cat f.csv)" $'id,v\r\n2,b\r'
}

# ------------------------------------------------------------ dedup sort

@test "--dedup-sort keeps the highest value by default, the lowest with :asc" {
	local in='{"id":1,"n":5,"v":"five"}\n{"id":1,"n":10,"v":"ten"}\n'
	in+='{"id":1,"n":-2.5,"v":"neg"}\n{"id":2,"n":1,"v":"one"}\n'
	merge "$in" -k id --dedup-sort n "$F"
	assert_success
	assert_equal "$(jq -r .v "$F" | paste -sd' ')" 'ten one'
	merge "$in" -k id --dedup-sort n:desc -w merge "$BATS_TEST_TMPDIR/d.jsonl"
	assert_equal "$(jq -r .v d.jsonl | paste -sd' ')" 'ten one'
	merge "$in" -k id --dedup-sort n:asc "$BATS_TEST_TMPDIR/a.jsonl"
	assert_success
	assert_equal "$(jq -r .v a.jsonl | paste -sd' ')" 'neg one'
	run jq -r '.columns[] | select(.name == "n") | .dedup_sort' \
	    a.jsonl.schema.json
	assert_output asc
}

@test "--dedup-sort: timestamps as strings; no value loses; of equals the later wins" {
	local in='{"id":1,"at":"2024-05-01T10:00:00Z","v":"may"}\n'
	in+='{"id":1,"at":"2024-06-01T10:00:00Z","v":"june"}\n'
	in+='{"id":1,"v":"none"}\n{"id":1,"at":null,"v":"null"}\n'
	in+='{"id":2,"at":"x","v":"first"}\n{"id":2,"at":"x","v":"second"}\n'
	merge "$in" -k id --dedup-sort at "$F"
	assert_success
	assert_equal "$(jq -r .v "$F" | paste -sd' ')" 'june second'
	merge "$in" -k id --dedup-sort at:asc "$BATS_TEST_TMPDIR/a.jsonl"
	assert_success
	assert_equal "$(jq -r .v a.jsonl | paste -sd' ')" 'may second'
}

@test "--dedup-sort splits FIELD at its last colon" {
	merge '{"id":1,"a:b":1,"v":"low"}\n{"id":1,"a:b":2,"v":"high"}\n' \
	    -k id --dedup-sort 'a:b:asc' "$F"
	assert_success
	assert_equal "$(jq -r .v "$F")" low
}

# ------------------------------------------------------------------ keys

@test "a compound key: rows match only when every part does" {
	merge '{"a":1,"b":"x","v":1}\n{"a":1,"b":"y","v":2}\n' -k a -k b "$F"
	merge '{"a":1,"b":"y","v":3}\n{"a":2,"b":"x","v":4}\n' -k a -k b "$F"
	assert_success
	summary "$F" 1 1 0 0 3
	assert_equal "$(jq -c '[.a,.b,.v]' "$F" | paste -sd' ')" \
	    '[1,"x",1] [1,"y",3] [2,"x",4]'
	run jq -c '[.primary_key, [.columns[] | select(.primary_key) | .name]]' \
	    "$F.schema.json"
	assert_output '[["a","b"],["a","b"]]'
}

@test "a dotted key reaches into nested objects, in jsonl and csv" {
	merge '{"m":{"id":1},"v":"a"}\n{"m":{"id":2},"v":"b"}\n' -k m.id "$F"
	merge '{"m":{"id":2,"x":0},"v":"B"}\n' -k m.id "$F"
	assert_success
	summary "$F" 0 1 0 0 2
	assert_equal "$(jq -r .v "$F" | paste -sd' ')" 'a B'

	merge '{"metaData":{"ID":1},"v":"a"}\n{"metaData":{"ID":2},"v":"b"}\n' \
	    -k metaData.ID f.csv
	assert_success
	merge '{"metaData":{"ID":1},"v":"A"}\n' -k metaData.ID f.csv
	assert_success
	summary f.csv 0 1 0 0 2
	assert_equal "$(cat f.csv)" $'meta_data__id,v\r\n1,A\r\n2,b\r'
	run jq -c '[.primary_key, [.columns[] | select(.primary_key) | .name]]' \
	    f.csv.schema.json
	assert_output '[["metaData.ID"],["meta_data__id"]]'
}

@test "csv keys compare as cell text: 1 and \"1\" are one key" {
	merge '{"id":1,"v":"number"}\n' -k id f.csv
	merge '{"id":"1","v":"string"}\n' -k id f.csv
	assert_success
	diag "f.csv: column 'id' widened from bigint to text" \
	    "f.csv: 0 inserted, 1 updated, 0 deleted, 0 unchanged, 1 rows"
	assert_equal "$(cat f.csv)" $'id,v\r\n1,string\r'
}

@test "csv key cells are found by header name, wherever the column is" {
	printf 'v,id\nx,1\ny,2\n' > f.csv
	merge '{"id":2,"v":"Y"}\n{"id":3,"v":"z"}\n' -k id f.csv
	assert_success
	diag "$(nosidecar f.csv)" \
	    "f.csv: 1 inserted, 1 updated, 0 deleted, 0 unchanged, 3 rows"
	# The header ends lines with LF, so new rows do too.
	assert_equal "$(cat f.csv)" $'v,id\nx,1\nY,2\nz,3'
}

@test "a key that is an object or array is refused" {
	merge '{"id":{"a":1}}\n' -k id "$F"
	assert_failure 65
	diag '<stdin>:1: primary key '"'id'"' is not a string, number or boolean'
	assert_file_not_exists "$F"
}

# --------------------------------------------------------------- formats

@test "jsonl keeps records as they came" {
	run rest-merge -k id "$F" < "$FIX/merge-records.jsonl"
	assert_success
	cmp "$F" "$FIX/merge-records.jsonl"
	cmp "$F.schema.json" "$FIX/merge-records.jsonl.schema.json"
}

@test "csv flattens objects, writes arrays as JSON, quotes as RFC 4180 says" {
	run rest-merge -k id f.csv < "$FIX/merge-records.jsonl"
	assert_success
	cmp f.csv "$FIX/merge-records.csv"
	cmp f.csv.schema.json "$FIX/merge-records.csv.schema.json"
	# Python's csv module reads back what went in.
	run python3 -c 'import csv, json, sys
rows = list(csv.DictReader(open(sys.argv[1], newline="")))
print(json.dumps([rows[0]["note"], rows[1]["note"], rows[0]["tags"],
    rows[0]["empty"], rows[2]["extra__nested"]]))' f.csv
	assert_output '["comma, quote \" and\nnewline", "tab\there back\\slash cr\r", "[\"a\",\"b\"]", "", "[{\"a\":1}]"]'
	# Merging the same records again changes nothing.
	run rest-merge -k id f.csv < "$FIX/merge-records.jsonl"
	assert_success
	cmp f.csv "$FIX/merge-records.csv"
}

@test "tsv escapes tab, newline, carriage return and backslash" {
	run rest-merge -k id f.tsv < "$FIX/merge-records.jsonl"
	assert_success
	cmp f.tsv "$FIX/merge-records.tsv"
	run rest-merge -k id f.tsv < "$FIX/merge-records.jsonl"
	assert_success
	cmp f.tsv "$FIX/merge-records.tsv"
}

@test "tsv keys with escapes match their rows" {
	merge '{"k":"a\\tb\\\\c","v":1}\n{"k":"plain","v":2}\n' -k k f.tsv
	assert_success
	merge '{"k":"a\\tb\\\\c","v":3}\n' -k k f.tsv
	assert_success
	summary f.tsv 0 1 0 0 2
	assert_equal "$(cat f.tsv)" $'k\tv\na\\tb\\\\c\t3\nplain\t2'
}

@test "column names follow dlt's snake_case" {
	local names
	names='{"id":1,"camelCase":1,"a-b":1,"1abc":1,"x_":1,"a__b":1,'
	names+='"HTTPServer":1,"getID":1,"  spaced out  ":1,"a+b*c@d|e":1,'
	names+='"caf\\u00e9 menu":1,"trail__":1,"Snake_Case":1}\n'
	merge "$names" -k id f.csv
	assert_success
	# a-b and a__b both become a_b: one column, the later value.
	run head -n1 f.csv
	assert_output "$(printf '%s\r' 'id,camel_case,a_b,_1abc,xx,http_server,get_id,spaced_out,axbxcadle,caf_menu,trailxx,snake_case')"
}

@test "a member name that gives no column name is refused in csv" {
	merge '{"id":1,"  ":2}\n' -k id f.csv
	assert_failure 65
	diag '<stdin>:1: member name "  " gives no column name'
	assert_file_not_exists f.csv
}

@test "a new column extends the header; rows before get empty cells, byte for byte otherwise" {
	printf 'id,v\r\n1,"a"\r\n2,b\r\n' > f.csv
	merge '{"id":2,"v":"B","extra":{"deep":true}}\n{"id":3,"tags":[1]}\n' \
	    -k id f.csv
	assert_success
	diag "$(nosidecar f.csv)" \
	    "f.csv: 1 inserted, 1 updated, 0 deleted, 0 unchanged, 3 rows"
	run cat f.csv
	assert_output "$(printf '%s\r\n' 'id,v,extra__deep,tags' '1,"a",,' \
	    '2,B,true,' '3,,,[1]')"
}

@test "a quoted field over two lines in FILE is one row" {
	printf 'id,note\r\n1,"two\r\nlines"\r\n2,x\r\n' > f.csv
	merge '{"id":2,"note":"y"}\n' -k id f.csv
	assert_success
	diag "$(nosidecar f.csv)" \
	    "f.csv: 0 inserted, 1 updated, 0 deleted, 0 unchanged, 2 rows"
	assert_equal "$(cat f.csv)" $'id,note\r\n1,"two\r\nlines"\r\n2,y\r'
}

@test "append and replace on csv" {
	merge '{"id":1,"a":1}\n' -k id f.csv
	merge '{"id":1,"b":2}\n' -w append f.csv
	assert_success
	summary f.csv 1 0 0 0 2
	assert_equal "$(cat f.csv)" $'id,a,b\r\n1,1,\r\n1,,2\r'
	merge '{"z":true}\n' -w replace f.csv
	assert_success
	summary f.csv 1 0 2 0 1
	assert_equal "$(cat f.csv)" $'z\r\ntrue\r'
}

# ---------------------------------------------------------------- schema

@test "the schema records types, nullability, key and hints" {
	merge '{"id":1,"n":1,"f":1.5,"b":true,"t":"2024-05-01T12:00:00.5+02:00",'`
	    `'"s":"x","o":{"a":1},"a":[1],"z":null,"del":false,"at":1}\n'`
	    `'{"id":2,"n":2,"f":2,"b":false,"t":"2024-05-01 12:00","s":"y"}\n' \
	    -k id --hard-delete del --dedup-sort at "$F"
	assert_success
	run cat "$F.schema.json"
	assert_output '{
  "write_disposition": "merge",
  "primary_key": ["id"],
  "columns": [
    {"name": "id", "type": "bigint", "nullable": false, "primary_key": true},
    {"name": "n", "type": "bigint", "nullable": false},
    {"name": "f", "type": "double", "nullable": false},
    {"name": "b", "type": "bool", "nullable": false},
    {"name": "t", "type": "timestamp", "nullable": false},
    {"name": "s", "type": "text", "nullable": false},
    {"name": "o", "type": "json", "nullable": true},
    {"name": "a", "type": "json", "nullable": true},
    {"name": "del", "type": "bool", "nullable": true, "hard_delete": true},
    {"name": "at", "type": "bigint", "nullable": true, "dedup_sort": "desc"}
  ]
}'
}

@test "types widen, say so on stderr, and never narrow" {
	merge '{"id":1,"n":1,"t":"2024-05-01T00:00:00Z","b":true}\n' -k id "$F"
	assert_success
	merge '{"id":2,"n":2.5,"t":"soon","b":1}\n' -k id "$F"
	assert_success
	diag "$F: column 'n' widened from bigint to double" \
	    "$F: column 't' widened from timestamp to text" \
	    "$F: column 'b' widened from bool to text" \
	    "$F: 1 inserted, 0 updated, 0 deleted, 0 unchanged, 2 rows"
	merge '{"id":3,"n":"many"}\n' -k id -s "$F"
	assert_success
	diag "$F: column 'n' widened from double to text"
	merge '{"id":4,"n":4,"t":"2024-05-01T00:00:00Z"}\n' -k id -s "$F"
	assert_success
	assert_equal "$stderr" ''
	run jq -c '[.columns[] | [.name, .type, .nullable]]' "$F.schema.json"
	assert_output '[["id","bigint",false],["n","text",false],["t","text",true],["b","text",true]]'
}

@test "the sidecar escapes quotes, backslashes and control bytes, and reads them back" {
	merge '{"i\\"d":1,"b\\\\s\\u0001\\n":2,"\\u00e9":3}\n' -k 'i"d' "$F"
	assert_success
	run cat "$F.schema.json"
	assert_output '{
  "write_disposition": "merge",
  "primary_key": ["i\"d"],
  "columns": [
    {"name": "i\"d", "type": "bigint", "nullable": false, "primary_key": true},
    {"name": "b\\s\u0001\u000a", "type": "bigint", "nullable": false},
    {"name": "é", "type": "bigint", "nullable": false}
  ]
}'
	run jq -c '[.primary_key, [.columns[].name]]' "$F.schema.json"
	assert_output '[["i\"d"],["i\"d","b\\s\u0001\n","é"]]'
	# Read back: the same key, the same columns, nothing widened.
	local schema
	schema=$(sum "$F.schema.json")
	merge '{"i\\"d":2,"b\\\\s\\u0001\\n":4,"\\u00e9":5}\n' "$F"
	assert_success
	summary "$F" 1 0 0 0 2
	assert_equal "$(sum "$F.schema.json")" "$schema"
}

@test "a new column is nullable when FILE keeps rows without it" {
	merge '{"id":1}\n' -k id "$F"
	merge '{"id":2,"new":1}\n' -k id "$F"
	assert_success
	run jq -c '.columns[] | select(.name == "new") | .nullable' \
	    "$F.schema.json"
	assert_output true
}

@test "--schema puts the sidecar elsewhere" {
	mkdir meta
	merge '{"id":1}\n' -k id --schema meta/s.json "$F"
	assert_success
	assert_file_not_exists "$F.schema.json"
	run jq -c '[.columns[].name]' meta/s.json
	assert_output '["id"]'
}

@test "a -k other than the schema's primary key is a configuration error" {
	merge '{"id":1,"code":"a"}\n' -k id "$F"
	local before schema
	before=$(sum "$F")
	schema=$(sum "$F.schema.json")
	merge '{"id":2,"code":"b"}\n' -k code "$F"
	assert_failure 78
	diag "primary key 'code' differs from 'id' in $F.schema.json"
	assert_equal "$(sum "$F")" "$before"
	assert_equal "$(sum "$F.schema.json")" "$schema"
	no_temp
	merge '{"id":2,"code":"b"}\n' -k code -w replace "$F"
	assert_success
}

@test "rows without a sidecar are warned about" {
	printf '{"id":1}\n' > "$F"
	merge '{"id":2}\n' -k id "$F"
	assert_success
	diag "$F: no schema $F.schema.json: the types describe only this run's records" \
	    "$F: 1 inserted, 0 updated, 0 deleted, 0 unchanged, 2 rows"
}

@test "a malformed schema is bad data" {
	printf '{"id":1}\n' > "$F"
	printf '{"columns": [' > "$F.schema.json"
	merge '{"id":2}\n' -k id "$F"
	assert_failure 65
	diag "$F.schema.json:1:14: unexpected end of input"
	printf '{"columns": [{"name": "id", "type": "integer"}]}' > "$F.schema.json"
	merge '{"id":2}\n' -k id "$F"
	assert_failure 65
	diag "$F.schema.json: unknown column type"
	assert_equal "$(cat "$F")" '{"id":1}'
}

@test "a sidecar that is not a schema names its fault: 65, 78, FILE unchanged" {
	printf '{"id":1}\n' > "$F"
	local before
	before=$(sum "$F")
	printf '{"cols": []}' > "$F.schema.json"
	merge '{"id":2}\n' -k id "$F"
	assert_failure 65
	diag "$F.schema.json: no \"columns\" array"
	printf '{"columns": [{"type": "text"}]}' > "$F.schema.json"
	merge '{"id":2}\n' -k id "$F"
	assert_failure 65
	diag "$F.schema.json: a column without a name"
	printf '{"columns": [], "primary_key": [1]}' > "$F.schema.json"
	merge '{"id":2}\n' -k id "$F"
	assert_failure 65
	diag "$F.schema.json: a primary key that is not a string"
	printf '{"columns": [], "primary_key": ["a..b"]}' > "$F.schema.json"
	merge '{"id":2}\n' -k id "$F"
	assert_failure 65
	diag "$F.schema.json: a primary key with an empty name"
	printf '{"columns": [], "primary_key": ["a", "b"]}' > "$F.schema.json"
	merge '{"id":2,"a":1}\n' -k id -k a "$F"
	assert_failure 78
	diag "primary key 'id+a' differs from 'a+b' in $F.schema.json"
	assert_equal "$(sum "$F")" "$before"
	no_temp
}

@test "a sidecar that cannot be read: 66, 74, or 65 past 64 MiB, FILE unchanged" {
	printf '{"id":1}\n' > "$F"
	local before
	before=$(sum "$F")
	merge '{"id":2}\n' -k id --schema "$F/s.json" "$F"
	assert_failure 66
	diag "$F/s.json: cannot open: Not a directory"
	# A regular file to stat(2) that read(2) refuses.
	merge '{"id":2}\n' -k id --schema /proc/self/mem "$F"
	assert_failure 74
	diag "/proc/self/mem: read error: Input/output error"
	truncate -s $((64 * 1024 * 1024 + 1)) "$F.schema.json"
	merge '{"id":2}\n' -k id "$F"
	assert_failure 65
	diag "$F.schema.json: too large"
	assert_equal "$(sum "$F")" "$before"
	rm "$F.schema.json"
	no_temp
}

@test "a csv header of empty names: 65 for the key it lacks, or merged" {
	# Under SANITIZE=1 this once stopped on a null pointer sum instead.
	printf ',\r\n1,2\r\n' > f.csv
	merge '{"id":1}\n' -k id f.csv
	assert_failure 65
	diag "f.csv: no column 'id' for primary key 'id'"
	printf 'id,\r\n1,2\r\n' > f.csv
	merge '{"id":1,"v":3}\n{"id":2}\n' -k id f.csv
	assert_success
	run cat f.csv
	assert_output $'id,"",v\r\n1,,3\r\n2,,\r'
}

@test "a csv quote followed by more than a comma is bad data" {
	printf 'id,v\r\n1,"a"b\r\n' > f.csv
	merge '{"id":1,"v":"x"}\n' -k id f.csv
	assert_failure 65
	diag 'f.csv:2: expected '"','"' after a quoted field'
}

# --------------------------------------------------- errors change nothing

# bad INPUT MESSAGE ARG...: merging INPUT fails with 65 and MESSAGE, and
# leaves FILE, its schema and the directory as they were.
bad() {
	local input=$1 message=$2 before schema
	shift 2
	printf '%s\n' '{"id":1,"v":"a"}' '{"id":2,"v":"b"}' > "$F"
	rest-merge -k id "$F" < /dev/null 2>/dev/null
	rm -f "$F.lock"
	before=$(sum "$F")
	schema=$(sum "$F.schema.json")
	merge "$input" -k id "$@" "$F"
	assert_failure 65
	diag "$message"
	assert_equal "$(sum "$F")" "$before"
	assert_equal "$(sum "$F.schema.json")" "$schema"
	# The input is checked before the lock is taken.
	assert_file_not_exists "$F.lock"
	no_temp
}

@test "a record without the key: 65 naming the line, FILE unchanged" {
	bad '{"id":3}\n{"v":"no key"}\n' "<stdin>:2: no primary key 'id'"
}

@test "a null key: 65, FILE unchanged" {
	bad '{"id":3}\n\n{"id":null}\n' "<stdin>:3: primary key 'id' is null"
}

@test "a missing part of a compound key: 65, FILE unchanged" {
	bad '{"id":3,"v":1}\n{"id":4}\n' "<stdin>:2: no primary key 'v'" -k v
}

@test "a line that is not an object: 65, FILE unchanged" {
	bad '{"id":3}\n[{"id":4}]\n' '<stdin>:2: not a JSON object'
	bad '{"id":3}\n"text"\n' '<stdin>:2: not a JSON object'
}

@test "malformed JSON: 65 with line and column, FILE unchanged" {
	bad '{"id":3}\n{"id":4,}\n' "<stdin>:2:9: expected a key"
	bad '{"id":3,"v":tru}\n' "<stdin>:1:13: invalid literal"
}

@test "a truncated last line: 65, FILE unchanged" {
	bad '{"id":3}\n{"id":4,"v":"cut sh' \
	    '<stdin>:2:20: unexpected end of input (the last line is truncated)'
}

@test "a line over 64 MiB: 65, FILE unchanged" {
	local big=$BATS_TEST_TMPDIR/big.jsonl
	{
		printf '{"id":3}\n{"id":4,"v":"'
		head -c $((64 * 1024 * 1024)) /dev/zero | tr '\0' x
		printf '"}\n'
	} > "$big"
	printf '%s\n' '{"id":1}' > "$F"
	local before
	before=$(sum "$F")
	run --separate-stderr rest-merge -k id "$F" < "$big"
	assert_failure 65
	diag '<stdin>:2: line too long (over 64 MiB)'
	assert_equal "$(sum "$F")" "$before"
	rm "$big"
	no_temp
}

@test "a bad row in FILE: 65 naming FILE and line, FILE unchanged" {
	printf '%s\n' '{"id":1}' '{"id":2' '{"id":3}' > "$F"
	local before
	before=$(sum "$F")
	merge '{"id":3,"v":1}\n' -k id "$F"
	assert_failure 65
	diag "$F:2:8: unexpected end of input"
	assert_equal "$(sum "$F")" "$before"
	no_temp
	printf '%s\n' '{"id":1}' '{"v":2}' > "$F"
	merge '{"id":3}\n' -k id "$F"
	assert_failure 65
	diag "$F:2: no primary key 'id'"
	# A value run into a quote: the light key scan hands the row on.
	printf '%s\n' '{"id":1}' '{"id":2,"v":tru"e"}' > "$F"
	before=$(sum "$F")
	merge '{"id":3}\n' -k id "$F"
	assert_failure 65
	diag "$F:2:13: invalid literal"
	assert_equal "$(sum "$F")" "$before"
}

@test "bad csv in FILE: 65 naming the line, FILE unchanged" {
	printf 'id,v\r\n1,a\r\n2,b,extra\r\n' > f.csv
	local before
	before=$(sum f.csv)
	merge '{"id":1,"v":"x"}\n' -k id f.csv
	assert_failure 65
	diag 'f.csv:3: 3 fields, the header has 2'
	printf 'id,v\r\n1,"a\r\n' > f.csv
	merge '{"id":1,"v":"x"}\n' -k id f.csv
	assert_failure 65
	diag 'f.csv:2: unterminated quoted field'
	printf 'id,v\r\n1,a"b\r\n' > f.csv
	merge '{"id":1,"v":"x"}\n' -k id f.csv
	assert_failure 65
	diag 'f.csv:2: quote in an unquoted field'
	printf 'code,v\r\n1,a\r\n' > f.csv
	before=$(sum f.csv)
	merge '{"id":1,"v":"x"}\n' -k id f.csv
	assert_failure 65
	diag "f.csv: no column 'id' for primary key 'id'"
	assert_equal "$(sum f.csv)" "$before"
	no_temp
}

@test "FILE that is a directory, or unwritable beside: 66 and 74" {
	mkdir d.jsonl
	merge '{"id":1}\n' -k id d.jsonl
	assert_failure 66
	diag 'd.jsonl: not a regular file'
	merge '{"id":1}\n' -k id no/such/dir/f.jsonl
	assert_failure 74
	diag 'no/such/dir/f.jsonl.lock: cannot lock: No such file or directory'
}

# ---------------------------------------------------------------- dry run

@test "--dry-run checks, prints the summary, and writes nothing at all" {
	merge '{"id":1}\n{"id":2}\n' -n -k id "$F"
	assert_success
	summary "$F" 2 0 0 0 2
	assert_file_not_exists "$F"
	assert_file_not_exists "$F.schema.json"
	assert_file_not_exists "$F.lock"

	printf '%s\n' '{"id":1,"n":1}' | rest-merge -k id "$F" 2>/dev/null
	local before schema
	before=$(sum "$F")
	schema=$(sum "$F.schema.json")
	merge '{"id":1,"n":1.5,"gone":true}\n{"id":3}\n' --dry-run -k id "$F"
	assert_success
	diag "$F: column 'n' widened from bigint to double" \
	    "$F: 1 inserted, 1 updated, 0 deleted, 0 unchanged, 2 rows"
	assert_equal "$(sum "$F")" "$before"
	assert_equal "$(sum "$F.schema.json")" "$schema"
	merge '{"id":1}\n{"v":1}\n' -n -k id "$F"
	assert_failure 65
	diag "<stdin>:2: no primary key 'id'"
	no_temp
}

@test "--silent drops the summary only" {
	merge '{"id":1}\n' -s -k id "$F"
	assert_success
	assert_equal "$stderr" ''
	merge '{"id":2}\n{"x":1}\n' --silent -k id "$F"
	assert_failure 65
	diag "<stdin>:2: no primary key 'id'"
}

@test "the new FILE keeps the old one's permissions" {
	printf '{"id":1}\n' > "$F"
	chmod 640 "$F"
	merge '{"id":2}\n' -k id "$F"
	assert_success
	run stat -c %a "$F"
	assert_output 640
}

# ------------------------------------------------------ never losing data

@test "a full disk: 74, and the old FILE stays" {
	local disk=$BATS_TEST_TMPDIR/disk
	mkdir "$disk"
	if ! mount -t tmpfs -o size=256k tmpfs "$disk" 2>/dev/null; then
		skip 'cannot mount a tmpfs (needs root): no small disk to fill'
	fi
	rows 4000 1 | rest-merge -s -k id "$disk/f.jsonl"
	cp "$disk/f.jsonl" old.jsonl
	rows 4000 1001 new > new.jsonl
	run --separate-stderr rest-merge -k id "$disk/f.jsonl" < new.jsonl
	local status_=$status stderr_=$stderr left same
	left=$(ls -A "$disk")
	cmp -s "$disk/f.jsonl" old.jsonl && same=1 || same=0
	umount "$disk"
	[ "$status_" -eq 74 ] || fail "status $status_, stderr: $stderr_"
	assert_equal "$stderr_" "rest-merge: $disk/f.jsonl: write failed: No space left on device"
	assert_equal "$same" 1
	assert_equal "$left" $'f.jsonl\nf.jsonl.schema.json'
}

@test "kill -9 at random moments leaves FILE old or new, never a mix" {
	rows 100000 1 > old.jsonl
	rows 100000 50001 new > new.jsonl
	cp old.jsonl want.jsonl
	rest-merge -s -k id want.jsonl < new.jsonl
	local i pid ms olds=0 news=0 start end
	start=$(date +%s%N)
	cp old.jsonl "$F"
	rest-merge -s -k id "$F" < new.jsonl
	end=$(date +%s%N)
	ms=$(( (end - start) / 1000000 + 1 ))
	for i in 1 2 3 4 5; do
		cp old.jsonl "$F"
		rest-merge -s -k id "$F" < new.jsonl &
		pid=$!
		sleep "$(printf '0.%03d' $((RANDOM % ms % 1000)))"
		kill -9 "$pid" 2>/dev/null || true
		wait "$pid" || true
		if cmp -s "$F" old.jsonl; then
			olds=$((olds + 1))
		elif cmp -s "$F" want.jsonl; then
			news=$((news + 1))
		else
			fail "run $i: FILE is neither the old nor the new content"
		fi
		rm -f .f.jsonl.*
	done
	assert_equal $((olds + news)) 5
	echo "# kill -9 after up to $ms ms: $olds old, $news new" >&3
}

@test "SIGTERM removes the temporary file and leaves FILE old or new" {
	rows 100000 1 > old.jsonl
	rows 100000 50001 new > new.jsonl
	cp old.jsonl want.jsonl
	rest-merge -s -k id want.jsonl < new.jsonl
	local i pid
	for i in 1 2 3; do
		cp old.jsonl "$F"
		rest-merge -s -k id "$F" < new.jsonl &
		pid=$!
		sleep "0.$((RANDOM % 3))$((RANDOM % 10))"
		kill -TERM "$pid" 2>/dev/null || true
		wait "$pid" || true
		no_temp
		cmp -s "$F" old.jsonl || cmp -s "$F" want.jsonl ||
			fail "run $i: FILE is neither the old nor the new content"
	done
}

@test "eight merges started at once all land, one at a time, and leave no lock file" {
	local i
	for i in 0 1 2 3 4 5 6 7; do
		rows 10000 $((i * 10000 + 1)) "run$i" > in$i.jsonl
	done
	# Each removes the lock file as it ends: one waiting on it takes the
	# next one, never a second holder beside it.
	for i in 0 1 2 3 4 5 6 7; do
		rest-merge -s -k id "$F" < in$i.jsonl &
	done
	wait
	run jq -s -c '[length, (map(.id) | unique | length),
	    (map(.label) | unique | length)]' "$F"
	assert_output '[80000,80000,8]'
	assert_file_not_exists "$F.lock"
	no_temp
}

@test "a merge that waited on a lock file its holder removed takes the new one: no update lost" {
	local a b
	rows 1 1 waited >a.jsonl
	rows 5 2 came-after >b.jsonl
	mkfifo feed
	# The test holds the lock; a merge waits on that file (not through
	# fd 8, which would hold the test's lock too).
	exec 8>"$F.lock"
	flock 8
	rest-merge -s -k id "$F" <a.jsonl 8>&- &
	a=$!
	sleep 0.3
	# As a holder ending does: the file goes, then the lock.  A merge
	# started meanwhile makes and locks a new file, and holds it while
	# its input waits.
	rm "$F.lock"
	rest-merge -s -k id "$F" <feed 8>&- &
	b=$!
	sleep 0.3
	exec 8>&-
	# The first one now waits for the second, not beside it.
	sleep 0.5
	assert kill -0 "$a"
	assert_file_not_exists "$F"
	cat b.jsonl >feed
	wait "$b"
	wait "$a"
	run jq -s -c '[length, (map(.label) | unique)]' "$F"
	assert_output '[6,["came-after","waited"]]'
	assert_file_not_exists "$F.lock"
}

@test "replace after a failed upstream: stage first, replace on success" {
	printf '%s\n' '{"id":1}' '{"id":2}' '{"id":3}' > "$F"
	cp "$F" old.jsonl
	# An upstream stage that dies after one record.
	upstream() { printf '{"id":9}\n'; return 75; }
	export -f upstream

	# Piped straight into replace, the partial input would be the file.
	run bash -c 'set -o pipefail; upstream | rest-merge -s -w replace -k id "$1"' _ "$F"
	assert_failure 75
	assert_equal "$(cat "$F")" '{"id":9}'

	# The idiom: stage the records, replace only when all went well.
	cp old.jsonl "$F"
	run bash -c 'set -o pipefail
	    upstream > stage.jsonl && rest-merge -s -w replace -k id "$1" < stage.jsonl' _ "$F"
	assert_failure 75
	cmp "$F" old.jsonl
	run bash -c 'set -o pipefail
	    printf "{\"id\":7}\n" > stage.jsonl &&
	    rest-merge -s -w replace -k id "$1" < stage.jsonl' _ "$F"
	assert_success
	assert_equal "$(cat "$F")" '{"id":7}'

	# With merge, the partial input only updates what arrived.
	cp old.jsonl "$F"
	run bash -c 'set -o pipefail; upstream | rest-merge -s -k id "$1"' _ "$F"
	assert_failure 75
	assert_equal "$(cat "$F")" $'{"id":1}\n{"id":2}\n{"id":3}\n{"id":9}'
}

# Found by tests/fuzz/fuzz_merge.c: a quoted csv cell across lines read
# back with its line break doubled, so such a key never matched again.
@test "a csv cell holding a comma alone is quoted, read back, and merged again" {
	local csv=$BATS_TEST_TMPDIR/c.csv
	merge '{"id":1,"name":"a,b"}\n{"id":2,"name":"c"}\n' -k id "$csv"
	assert_success
	printf 'id,name\r\n1,"a,b"\r\n2,c\r\n' > want.csv
	cmp "$csv" want.csv
	run python3 -c 'import csv, sys
print(list(csv.DictReader(open(sys.argv[1], newline=""))))' "$csv"
	assert_output "[{'id': '1', 'name': 'a,b'}, {'id': '2', 'name': 'c'}]"
	cp "$csv" before.csv
	merge '{"id":1,"name":"a,b"}\n' -k id "$csv"
	assert_success
	diag "$csv: 0 inserted, 0 updated, 0 deleted, 1 unchanged, 2 rows"
	cmp "$csv" before.csv
}

@test "a csv key holding a line break is found again (fuzz regression)" {
	merge '{"id":"a\\r\\nb","v":1}\n' -s -k id t.csv
	assert_success
	merge '{"id":"a\\r\\nb","v":2}\n' -k id t.csv
	assert_success
	assert_equal "$stderr" \
	    'rest-merge: t.csv: 0 inserted, 1 updated, 0 deleted, 0 unchanged, 1 rows'
	run cat t.csv
	assert_output "$(printf 'id,v\r\n"a\r\nb",2\r')"
}

# Found by tests/fuzz/fuzz_merge.c: a tsv row of empty cells read as a
# blank line, so its key (the empty string) was never found again.
@test "a tsv row of empty cells is a row, not a blank line (fuzz regression)" {
	merge '{"id":"","v":""}\n' -s -k id t.tsv
	assert_success
	merge '{"id":"","v":"x"}\n' -k id t.tsv
	assert_success
	assert_equal "$stderr" \
	    'rest-merge: t.tsv: 0 inserted, 1 updated, 0 deleted, 0 unchanged, 1 rows'
	run cat t.tsv
	assert_output "$(printf 'id\tv\n\tx')"
}

# ---------------------------------------------------------------- counts

@test "counts: identical records are unchanged, changed ones updated, absent keys only rows" {
	rows 450 1 > old.jsonl
	rest-merge -s -k id "$F" < old.jsonl
	# 1-10 changed, 11-445 as they were, 446-450 missing.
	{ rows 10 1 new; rows 435 11; } > in.jsonl
	run --separate-stderr rest-merge -k id "$F" < in.jsonl
	assert_success
	summary "$F" 0 10 0 435 450
	assert_equal "$(jq -r .label "$F" | sort | uniq -c | awk '{ print $1, $2 }' |
	    paste -sd' ')" '10 new 440 old'
	# Merged again, nothing changes.
	run --separate-stderr rest-merge -k id "$F" < in.jsonl
	summary "$F" 0 0 0 445 450
	# A row written other than compact is rewritten: updated.
	printf '%s\n' '{"id": 1}' '{"id":2}' > "$F"
	merge '{"id":1}\n{"id":2}\n{"id":3}\n' -k id "$F"
	assert_success
	summary "$F" 1 1 0 1 3
}

@test "counts in csv: an old row with the empty cells of a new column is unchanged" {
	merge '{"id":1,"v":"a"}\n{"id":2,"v":"b"}\n{"id":3,"v":"c"}\n' -s -k id f.csv
	merge '{"id":1,"v":"a","extra":1}\n{"id":2,"v":"b"}\n{"id":3,"v":"C"}\n' \
	    -k id f.csv
	assert_success
	summary f.csv 0 2 0 1 3
	assert_equal "$(cat f.csv)" $'id,v,extra\r\n1,a,1\r\n2,b,\r\n3,C,\r'
	merge '{"id":2,"v":"b"}\n{"id":4,"v":"d"}\n' -k id f.csv
	assert_success
	summary f.csv 1 0 0 1 4
}

@test "counts with append and replace: every record inserted; replace deletes the old rows" {
	merge '{"id":1}\n{"id":2}\n' -s -k id "$F"
	merge '{"id":1}\n{"id":3}\n' -w append "$F"
	assert_success
	summary "$F" 2 0 0 0 4
	merge '{"id":1}\n' -w replace "$F"
	assert_success
	summary "$F" 1 0 4 0 1
}

# ------------------------------------------------------ key from the sidecar

@test "without -k, merge takes the primary key from the sidecar" {
	merge '{"id":1,"v":"a"}\n{"id":2,"v":"b"}\n' -s -k id "$F"
	merge '{"id":2,"v":"B"}\n{"id":3,"v":"c"}\n' "$F"
	assert_success
	summary "$F" 1 1 0 0 3
	assert_equal "$(jq -c '[.id, .v]' "$F" | paste -sd' ')" \
	    '[1,"a"] [2,"B"] [3,"c"]'
	# A compound key, and --schema elsewhere.
	merge '{"a":1,"b":2,"v":1}\n' -s -k a -k b --schema s.json t.jsonl
	merge '{"a":1,"b":2,"v":2}\n{"a":1,"b":3,"v":3}\n' --schema s.json t.jsonl
	assert_success
	summary t.jsonl 1 1 0 0 2
}

@test "without -k, no sidecar or a sidecar without a key is a usage error" {
	merge '{"id":1}\n' "$F"
	assert_failure 64
	diag '-w merge needs a primary key: -k FIELD'
	merge '{"id":1}\n' -w append "$F"
	assert_success
	local before schema
	before=$(sum "$F")
	schema=$(sum "$F.schema.json")
	merge '{"id":1}\n' "$F"
	assert_failure 64
	diag "-w merge needs a primary key: -k FIELD ($F.schema.json records none)"
	assert_equal "$(sum "$F")" "$before"
	assert_equal "$(sum "$F.schema.json")" "$schema"
}

# --------------------------------------------------- replace with nothing

@test "replace with no records: 65 naming --allow-empty, FILE unchanged" {
	printf '%s\n' '{"id":1}' '{"id":2}' > "$F"
	rest-merge -s -k id "$F" < /dev/null
	local before schema input
	before=$(sum "$F")
	schema=$(sum "$F.schema.json")
	for input in '' '\n  \n\t\n'; do
		merge "$input" -w replace -k id "$F"
		assert_failure 65
		diag "$F: no records in the input: a replace would empty it; --allow-empty allows that"
		assert_equal "$(sum "$F")" "$before"
		assert_equal "$(sum "$F.schema.json")" "$schema"
	done
	merge '' -w replace -n "$F"
	assert_failure 65
	no_temp
	merge '\n' -w replace --allow-empty "$F"
	assert_success
	summary "$F" 0 0 2 0 0
	assert_equal "$(wc -c < "$F")" 0
	# Other dispositions take no records as before, with or without it.
	merge '' --allow-empty -k id "$F"
	assert_success
	summary "$F" 0 0 0 0 0
}

@test "replace with no records on a file that does not exist is refused too" {
	merge '' -w replace f.csv
	assert_failure 65
	diag "f.csv: no records in the input: a replace would empty it; --allow-empty allows that"
	assert_file_not_exists f.csv
	merge '' -w replace --allow-empty f.csv
	assert_success
	summary f.csv 0 0 0 0 0
	assert_file_exists f.csv
}

# ------------------------------------------------------------ table names

@test "a table name from a config is normalized and never leaves the directory" {
	mkdir here
	cd here
	printf '{"resources": [{"name": "../escape", "primary_key": "id"}]}\n' \
	    > c.json
	merge '{"id":1}\n' -c c.json
	assert_success
	summary _escape.jsonl 1 0 0 0 1
	assert_file_exists _escape.jsonl
	assert_file_not_exists ../escape.jsonl
	run find .. -name '*.jsonl*' ! -path '../here/*'
	assert_output ''
	printf '{"resources": [{"name": "x", "table_name": "/tmp/Image Analysis", "primary_key": "id"}]}\n' \
	    > c.json
	merge '{"id":1}\n' -c c.json
	assert_success
	summary _tmp_image_analysis.jsonl 1 0 0 0 1
	printf '{"resources": [{"name": "  ", "primary_key": "id"}]}\n' > c.json
	merge '{"id":1}\n' -c c.json
	assert_failure 78
	diag "table name '  ' gives no file name"
}

# ------------------------------------------------------- the lock and mode

@test "a lock file that is a symbolic link is refused: 74, its target neither created nor touched" {
	printf '{"id":1}\n' > "$F"
	local before
	before=$(sum "$F")
	ln -s "$BATS_TEST_TMPDIR/victim" "$F.lock"
	merge '{"id":2}\n' -k id "$F"
	assert_failure 74
	diag "$F.lock: not a regular file; will not lock through it"
	assert_file_not_exists victim
	assert_equal "$(sum "$F")" "$before"
	no_temp
	printf 'precious\n' > victim
	touch -d '2001-01-01 00:00:00' victim
	rm "$F.lock"
	ln -s victim "$F.lock"
	merge '{"id":2}\n' -k id "$F"
	assert_failure 74
	diag "$F.lock: not a regular file; will not lock through it"
	assert_equal "$(cat victim)" precious
	assert_equal "$(stat -c %Y victim)" "$(date -d '2001-01-01 00:00:00' +%s)"
	assert_equal "$(sum "$F")" "$before"
}

@test "a lock file that is a FIFO or a directory is refused: 74" {
	printf '{"id":1}\n' > "$F"
	mkfifo "$F.lock"
	run --separate-stderr timeout 60 rest-merge -k id "$F" <<< '{"id":2}'
	assert_failure 74
	diag "$F.lock: not a regular file; will not lock through it"
	rm "$F.lock"
	mkdir "$F.lock"
	merge '{"id":2}\n' -k id "$F"
	assert_failure 74
	diag "$F.lock: not a regular file; will not lock through it"
	assert_equal "$(cat "$F")" '{"id":1}'
}

@test "the new FILE drops the setuid, setgid and sticky bits of the old one" {
	local mode
	for mode in 4755 2755 1755 6777; do
		printf '{"id":1}\n' > "$F"
		chmod "$mode" "$F"
		merge '{"id":2}\n' -s -k id "$F"
		assert_success
		run stat -c %a "$F"
		assert_output "${mode#?}"
		rm "$F"
	done
}

# -------------------------------------------------- committing together

# state DIR: copy FILE and its sidecar into DIR.
state() {
	mkdir -p "$1"
	cp "$F" "$F.schema.json" "$1"
}

# same DIR: FILE and its sidecar are those of DIR, byte for byte.
same() {
	cmp -s "$F" "$1/${F##*/}" && cmp -s "$F.schema.json" "$1/${F##*/}.schema.json"
}

# Only FILE and its sidecar are left in the directory (besides the test's
# own files): no lock file either.
only_table() {
	run bash -c 'ls -A "$1" | grep -v "^separate-stderr-"' _ "$BATS_TEST_TMPDIR"
	assert_output "$(printf '%s\n' f.jsonl f.jsonl.schema.json \
	    in.jsonl new old want-new want-old)"
}

# strace, following forks.  LeakSanitizer cannot work under ptrace(2),
# so a -fsanitize=address build checks no leaks there.
STRACE=(env ASAN_OPTIONS=detect_leaks=0 strace -f)

# Whether strace can trace here (ptrace(2) may be denied in a container).
can_strace() {
	"${STRACE[@]}" -o /dev/null true 2> /dev/null
}

# syscall SET: the one of the system calls of SET (comma separated) that
# rest-merge makes, as strace names it: glibc's rename(3) is rename(2) on
# x86_64 but renameat(2) where there is none.
syscall() {
	local dir name
	dir=$(mktemp -d "$BATS_FILE_TMPDIR/probe.XXXXXX")
	printf '{"id":0}\n' | timeout 60 "${STRACE[@]}" -qq -o "$dir/log" \
	    -e trace="$1" rest-merge -s -k id "$dir/p.jsonl" || return 1
	name=$(sed -nE 's/^([0-9]+ +)?([a-z0-9_]+)\(.*/\2/p' "$dir/log" |
	    head -n1)
	[ -n "$name" ] && echo "$name"
}

@test "failing each rename in turn: 74, and after the next run table and sidecar are both old or both new" {
	local rename
	can_strace || skip 'strace cannot trace here'
	rename=$(syscall rename,renameat,renameat2)
	merge '{"id":1,"v":"a"}\n{"id":2,"v":"b"}\n' -s -k id "$F"
	state old
	printf '%s\n' '{"id":2,"v":"B","n":1.5}' '{"id":3,"v":"c"}' > in.jsonl
	rest-merge -s -k id "$F" < in.jsonl
	state new
	# What the next run, here with no input, makes of either.
	cp old/* .
	rest-merge -s -k id "$F" < /dev/null
	state want-old
	cp new/* .
	rest-merge -s -k id "$F" < /dev/null
	state want-new
	local n st
	for n in 1 2 3 4; do
		cp old/* .
		run --separate-stderr timeout 60 "${STRACE[@]}" -o /dev/null \
		    -e inject="$rename":error=EIO:when=$n rest-merge -k id "$F" \
		    < in.jsonl
		st=$status
		case $n in
		1)	assert_equal "$st" 74
			diag "$F: cannot commit: Input/output error"
			same old || fail "rename 1: not the old files"
			only_table ;;
		2|3)	assert_equal "$st" 74
			diag "$F: the commit stopped half way; the next run finishes it from $F.journal: Input/output error"
			assert_file_exists "$F.journal" ;;
		4)	assert_equal "$st" 0
			summary "$F" 1 1 0 0 3
			same new || fail "no failure: not the new files" ;;
		esac
		run --separate-stderr timeout 60 rest-merge -k id "$F" < /dev/null
		assert_success
		case $n in
		1)	same want-old || fail "rename 1: not both old" ;;
		2|3)	assert_equal "${stderr_lines[0]}" \
			    "rest-merge: $F: finished the commit an earlier run left in $F.journal"
			same want-new || fail "rename $n: not both new" ;;
		4)	same want-new || fail "not both new" ;;
		esac
		only_table
	done
}

@test "the commit is durable: each file fsynced, renamed, then its directory fsynced" {
	can_strace || skip 'strace cannot trace here'
	merge '{"id":1}\n' -s -k id "$F"
	printf '{"id":2}\n' | "${STRACE[@]}" -y -qq -o trace.log \
	    -e trace=fsync,fdatasync,rename,renameat,renameat2 \
	    rest-merge -s -k id "$F"
	run python3 - trace.log "$BATS_TEST_TMPDIR" <<'EOF'
import os, re, sys
log, top = sys.argv[1], os.path.realpath(sys.argv[2])
synced, order = set(), []
for line in open(log):
    m = re.search(r"f(?:data)?sync\(\d+<([^>]*)>\) = 0", line)
    if m:
        synced.add(os.path.basename(m.group(1)))
        order.append(("sync", m.group(1)))
    m = re.search(r'rename(?:at2?)?\(.*?"([^"]+)", .*?"([^"]+)".*\) = 0', line)
    if m:
        order.append(("rename", os.path.basename(m.group(1)),
                      os.path.basename(m.group(2))))
for name in ("f.jsonl", "f.jsonl.schema.json"):
    moves = [i for i, e in enumerate(order) if e[0] == "rename" and e[2] == name]
    if len(moves) != 1:
        sys.exit("%s renamed %d times" % (name, len(moves)))
    i = moves[0]
    tmp = order[i][1]
    if not any(e == ("sync", os.path.join(top, tmp)) for e in order[:i]):
        sys.exit("%s: %s not fsynced before its rename" % (name, tmp))
    if not any(e == ("sync", top) for e in order[i + 1:]):
        sys.exit("%s: the directory not fsynced after the rename" % name)
print("durable")
EOF
	assert_success
	assert_output 'durable'
}

@test "a journal the next run cannot finish: 74, and the run after finishes it" {
	local rename
	can_strace || skip 'strace cannot trace here'
	rename=$(syscall rename,renameat,renameat2)
	merge '{"id":1}\n' -s -k id "$F"
	timeout 60 "${STRACE[@]}" -o /dev/null -e inject="$rename":error=EIO:when=2 \
	    rest-merge -s -k id "$F" <<< '{"id":2,"v":1}' 2>/dev/null || true
	assert_file_exists "$F.journal"
	local before schema
	before=$(sum "$F")
	schema=$(sum "$F.schema.json")
	run --separate-stderr timeout 60 "${STRACE[@]}" -o /dev/null \
	    -e inject="$rename":error=EIO:when=1 rest-merge -k id "$F" <<< '{"id":3}'
	assert_failure 74
	diag "$F: cannot finish the commit an earlier run left in $F.journal: Input/output error"
	assert_equal "$(sum "$F")" "$before"
	assert_equal "$(sum "$F.schema.json")" "$schema"
	merge '{"id":3}\n' -k id "$F"
	assert_success
	diag "$F: finished the commit an earlier run left in $F.journal" \
	    "$F: 1 inserted, 0 updated, 0 deleted, 0 unchanged, 3 rows"
	assert_equal "$(cat "$F")" $'{"id":1}\n{"id":2,"v":1}\n{"id":3}'
	run jq -c '[.columns[].name]' "$F.schema.json"
	assert_output '["id","v"]'
	assert_file_not_exists "$F.journal"
	no_temp
}

@test "a journal that does not name a commit of ours renames nothing: 74" {
	merge '{"id":1}\n' -s -k id "$F"
	local before
	before=$(sum "$F")
	printf 'other\n' > victim
	printf 'restpipe journal 1\nvictim\0f.jsonl\0' > "$F.journal"
	merge '{"id":2}\n' -k id "$F"
	assert_failure 74
	diag "$F: cannot finish the commit an earlier run left in $F.journal: Bad message"
	assert_equal "$(sum "$F")" "$before"
	assert_equal "$(cat victim)" other
	printf 'junk' > "$F.journal"
	merge '{"id":2}\n' -k id "$F"
	assert_failure 74
	diag "$F: cannot finish the commit an earlier run left in $F.journal: Bad message"
	assert_equal "$(sum "$F")" "$before"
}

@test "a journal that cannot be removed: the table is new, and the next run removes it" {
	local unlink
	can_strace || skip 'strace cannot trace here'
	unlink=$(syscall unlink,unlinkat)
	merge '{"id":1}\n' -s -k id "$F"
	run --separate-stderr timeout 60 "${STRACE[@]}" -o /dev/null \
	    -e inject="$unlink":error=EIO:when=1 rest-merge -k id "$F" <<< '{"id":2}'
	assert_failure 74
	diag "$F: the commit stopped half way; the next run finishes it from $F.journal: Input/output error"
	assert_equal "$(cat "$F")" $'{"id":1}\n{"id":2}'
	merge '' -k id "$F"
	assert_success
	diag "$F: finished the commit an earlier run left in $F.journal" \
	    "$F: 0 inserted, 0 updated, 0 deleted, 0 unchanged, 2 rows"
	assert_file_not_exists "$F.journal"
	no_temp
}

@test "a journal in FILE's directory finds a sidecar elsewhere, run from another directory" {
	local rename
	can_strace || skip 'strace cannot trace here'
	rename=$(syscall rename,renameat,renameat2)
	mkdir -p d/meta
	merge '{"id":1}\n' -s -k id --schema d/meta/s.json d/t.jsonl
	timeout 60 "${STRACE[@]}" -o /dev/null -e inject="$rename":error=EIO:when=2 \
	    rest-merge -s -k id --schema d/meta/s.json d/t.jsonl \
	    <<< '{"id":2,"v":1}' 2>/dev/null || true
	assert_file_exists d/t.jsonl.journal
	cd d
	merge '' -k id --schema meta/s.json t.jsonl
	assert_success
	assert_equal "${stderr_lines[0]}" \
	    'rest-merge: t.jsonl: finished the commit an earlier run left in t.jsonl.journal'
	assert_equal "$(cat t.jsonl)" $'{"id":1}\n{"id":2,"v":1}'
	run jq -c '[.columns[].name]' meta/s.json
	assert_output '["id","v"]'
	run ls -A . meta
	assert_output $'.:\nmeta\nt.jsonl\n\nmeta:\ns.json'
}

@test "--dry-run does not finish a journal; it says one is there" {
	local rename
	can_strace || skip 'strace cannot trace here'
	rename=$(syscall rename,renameat,renameat2)
	merge '{"id":1}\n' -s -k id "$F"
	timeout 60 "${STRACE[@]}" -o /dev/null -e inject="$rename":error=EIO:when=2 \
	    rest-merge -s -k id "$F" <<< '{"id":2}' 2>/dev/null || true
	assert_file_exists "$F.journal"
	merge '' -n -k id "$F"
	assert_success
	diag "$F: $F.journal holds a commit the next run finishes; the dry run reads the files as they are" \
	    "$F: 0 inserted, 0 updated, 0 deleted, 0 unchanged, 1 rows"
	assert_file_exists "$F.journal"
}

@test "the next run removes the temporary files a killed run left, and nothing else" {
	local name kept
	mkdir d
	merge '{"id":1,"v":"a"}\n' -s -k id d/t.jsonl
	assert_success
	# The names atomic_open() gives the temporary files of the table, its
	# sidecar, its state and its journal, as a kill -9 leaves them.
	for name in .t.jsonl.rp-Ab3dE9 .t.jsonl.schema.json.rp-x0Y1z2 \
	    .t.jsonl.state.json.rp-QQQQQQ .t.jsonl.journal.rp-a1b2c3; do
		echo stale > "d/$name"
	done
	# Names like theirs that atomic_open() never gives them: a user's
	# backups (six letters, without the infix), 5 or 7 characters, one
	# mkstemp(3) never puts, another table's, no dot, a spill file's
	# (unlinked as it is made); and a directory and a symbolic link with
	# a name that would be theirs.
	kept=(.t.jsonl.bak .t.jsonl.backup .t.jsonl.Ab3dE9 .t.jsonl.rp-12345
	    .t.jsonl.rp-1234567 .t.jsonl.rp-Ab3d-9 .other.jsonl.rp-Ab3dE9
	    t.jsonl.rp-Ab3dE9 .t.jsonl.spill.rp-Ab3dE9
	    .t.jsonl.schema.json.rp-12345)
	for name in "${kept[@]}"; do
		echo keep > "d/$name"
	done
	mkdir d/.t.jsonl.rp-Dir123
	echo target > target
	ln -s ../target d/.t.jsonl.rp-Lnk123

	# A dry run changes nothing.
	run env LC_ALL=C ls -A d
	assert_success
	local before=$output
	merge '{"id":2,"v":"b"}\n' -n -k id d/t.jsonl
	assert_success
	summary d/t.jsonl 1 0 0 0 2
	run env LC_ALL=C ls -A d
	assert_output "$before"

	merge '{"id":2,"v":"b"}\n' -k id d/t.jsonl
	assert_success
	summary d/t.jsonl 1 0 0 0 2
	assert_equal "$(cat d/t.jsonl)" $'{"id":1,"v":"a"}\n{"id":2,"v":"b"}'
	run jq -c '[.columns[].name]' d/t.jsonl.schema.json
	assert_output '["id","v"]'
	run env LC_ALL=C ls -A d
	assert_output "$(printf '%s\n' "${kept[@]}" .t.jsonl.rp-Dir123 \
	    .t.jsonl.rp-Lnk123 t.jsonl t.jsonl.schema.json |
	    LC_ALL=C sort)"
	for name in "${kept[@]}"; do
		assert_equal "$(cat "d/$name")" keep
	done
	assert_equal "$(readlink d/.t.jsonl.rp-Lnk123)" ../target
	assert_equal "$(cat target)" target
}

@test "a sidecar in another directory: its temporary files there are removed" {
	mkdir -p d/meta
	merge '{"id":1}\n' -s -k id --schema d/meta/s.json d/t.jsonl
	assert_success
	echo stale > d/.t.jsonl.rp-Ab3dE9
	echo stale > d/meta/.s.json.rp-Ab3dE9
	# The table's name, but not in the table's directory.
	echo keep > d/meta/.t.jsonl.rp-Ab3dE9
	merge '{"id":2}\n' -s -k id --schema d/meta/s.json d/t.jsonl
	assert_success
	assert_equal "$stderr" ''
	assert_equal "$(cat d/t.jsonl)" $'{"id":1}\n{"id":2}'
	run env LC_ALL=C ls -A d d/meta
	assert_output $'d:\nmeta\nt.jsonl\n\nd/meta:\n.t.jsonl.rp-Ab3dE9\ns.json'
}

@test "kill -9 as FILE is written leaves its temporary file; the next run removes it" {
	local kill tmp size n
	can_strace || skip 'strace cannot trace here'
	rows 200000 1 > old.jsonl
	rows 200000 100001 new > new.jsonl
	mkdir w
	rest-merge -s -k id w/t.jsonl < old.jsonl
	rest-merge -s -k id w/t.jsonl < new.jsonl
	size=$(stat -c %s w/t.jsonl)
	# SIGKILL at the fourth write(2), 3 MiB into the 8 MiB of the new
	# table; then at its fsync(2), the table written and the sidecar's
	# temporary file made.
	for kill in write:signal=KILL:when=4 fsync:signal=KILL:when=1; do
		rm -rf d
		mkdir d
		rest-merge -s -k id d/t.jsonl < old.jsonl
		run timeout 60 "${STRACE[@]}" -o /dev/null -e inject="$kill" \
		    rest-merge -s -k id d/t.jsonl < new.jsonl
		assert_failure 137
		cmp d/t.jsonl old.jsonl
		tmp=(d/.t.jsonl.rp-??????)
		assert_file_exists "${tmp[0]}"
		assert_equal "${#tmp[@]}" 1
		n=$(stat -c %s "${tmp[0]}")
		case $kill in
		write:*)
			((n > 0 && n < size)) ||
			    fail "$kill: $n bytes of $size: not half written" ;;
		fsync:*)
			assert_equal "$n" "$size"
			assert_file_exists d/.t.jsonl.schema.json.rp-?????? ;;
		esac

		run --separate-stderr rest-merge -k id d/t.jsonl < new.jsonl
		assert_success
		summary d/t.jsonl 100000 100000 0 0 300000
		cmp d/t.jsonl w/t.jsonl
		cmp d/t.jsonl.schema.json w/t.jsonl.schema.json
		run env LC_ALL=C ls -A d
		assert_output $'t.jsonl\nt.jsonl.schema.json'
	done
}

@test "a temporary file left that cannot be removed: said once, and the merge goes on" {
	can_strace || skip 'strace cannot trace here'
	mkdir d
	merge '{"id":1}\n' -s -k id d/t.jsonl
	assert_success
	echo stale > d/.t.jsonl.rp-Ab3dE9
	echo stale > d/.t.jsonl.schema.json.rp-Ab3dE9
	run --separate-stderr timeout 60 "${STRACE[@]}" -o /dev/null \
	    -e inject=unlinkat:error=EACCES:when=1..2 \
	    rest-merge -k id d/t.jsonl <<< '{"id":2}'
	assert_success
	diag "d/t.jsonl: cannot remove the temporary files an earlier run left beside it: Permission denied" \
	    "d/t.jsonl: 1 inserted, 0 updated, 0 deleted, 0 unchanged, 2 rows"
	assert_equal "$(cat d/t.jsonl)" $'{"id":1}\n{"id":2}'
	merge '' -k id d/t.jsonl
	assert_success
	summary d/t.jsonl 0 0 0 0 2
	run env LC_ALL=C ls -A d
	assert_output $'t.jsonl\nt.jsonl.schema.json'
}

@test "the file size limit: 74, both temporary files removed, FILE as it was" {
	rows 10 1 | rest-merge -s -k id "$F"
	local before schema
	before=$(sum "$F")
	schema=$(sum "$F.schema.json")
	rows 3000 1 new > new.jsonl
	run --separate-stderr bash -c '(ulimit -f 8; timeout 60 rest-merge -k id "$1" < new.jsonl)' _ "$F"
	assert_failure 74
	diag "$F: write failed: File too large"
	assert_equal "$(sum "$F")" "$before"
	assert_equal "$(sum "$F.schema.json")" "$schema"
	no_temp
}

# ------------------------------------------------------------- signals

# bg INPUT CMD...: start CMD (rest-merge, perhaps under strace) in the
# background with INPUT on its standard input and its standard error in
# err, bounded by 60 s; SIGINT and SIGTERM at their default, as in a
# terminal's foreground job (a script's background job ignores SIGINT).
# Sets BG to the job.
bg() {
	local input=$1
	shift
	(trap - INT TERM; exec timeout --foreground 60 "$@" < "$input" 2> err) &
	BG=$!
}

# merge_pid: set PID to the job's rest-merge once it catches SIGINT and
# SIGTERM; fails after 10 s.
merge_pid() {
	local i p mask
	for i in $(seq 100); do
		p=$BG
		# Down the first children: timeout, perhaps strace, rest-merge.
		while p=$(cat "/proc/$p/task/$p/children" 2>/dev/null) &&
		    p=${p%% *} && [ -n "$p" ]; do
			[ "$(cat "/proc/$p/comm" 2>/dev/null)" = rest-merge ] ||
			    continue
			mask=$(awk '$1 == "SigCgt:" { print $2 }' "/proc/$p/status")
			if [ -n "$mask" ] && (( (16#$mask & 0x4002) == 0x4002 )); then
				PID=$p
				return 0
			fi
		done
		sleep 0.1
	done
	fail 'rest-merge does not catch SIGINT and SIGTERM'
}

# wait_for FILE...: wait until a file matching the glob FILE exists; fails
# after 10 s.
wait_for() {
	local i
	for i in $(seq 100); do
		compgen -G "$1" > /dev/null && return 0
		sleep 0.1
	done
	fail "no $1"
}

# job_status: wait for the job and set ST to its status.
job_status() {
	ST=0
	wait "$BG" || ST=$?
}

@test "SIGINT or SIGTERM reading a pipe: the records read are committed, then it dies of the signal" {
	local sig want
	for sig in INT:130 TERM:143; do
		want=${sig#*:}
		sig=${sig%:*}
		rm -f "$F" "$F.schema.json" in
		merge '{"id":1,"v":"a"}\n' -s -k id "$F"
		mkfifo in
		bg in rest-merge -k id "$F"
		exec 9> in
		printf '%s\n' '{"id":2,"v":"b"}' '{"id":1,"v":"A"}' >&9
		merge_pid
		kill -"$sig" "$PID"
		# The stage before, stopping, writes what it has, cut short.
		printf '%s\n%s' '{"id":3,"v":"c","new":true}' '{"id":4,"v":"cu' >&9
		exec 9>&-
		job_status
		assert_equal "$ST" "$want"
		assert_equal "$(cat err)" "rest-merge: <stdin>:4: interrupted: the last line is incomplete; skipped
rest-merge: $F: 2 inserted, 1 updated, 0 deleted, 0 unchanged, 3 rows (interrupted: committed the records read before the input ended)"
		assert_equal "$(cat "$F")" \
		    $'{"id":1,"v":"A"}\n{"id":2,"v":"b"}\n{"id":3,"v":"c","new":true}'
		run jq -c '[.columns[].name]' "$F.schema.json"
		assert_output '["id","v","new"]'
		no_temp
	done
}

@test "a deferred signal with a whole last line commits it; --dry-run counts" {
	merge '{"id":1}\n' -s -k id "$F"
	mkfifo in
	bg in rest-merge -w append "$F"
	exec 9> in
	merge_pid
	kill -INT "$PID"
	printf '{"id":2}' >&9
	exec 9>&-
	job_status
	assert_equal "$ST" 130
	assert_equal "$(cat err)" "rest-merge: $F: 1 inserted, 0 updated, 0 deleted, 0 unchanged, 2 rows (interrupted: committed the records read before the input ended)"
	assert_equal "$(cat "$F")" $'{"id":1}\n{"id":2}'
	bg in rest-merge -n -k id "$F"
	exec 9> in
	merge_pid
	kill -TERM "$PID"
	printf '{"id":3}\n' >&9
	exec 9>&-
	job_status
	assert_equal "$ST" 143
	assert_equal "$(cat err)" "rest-merge: $F: 1 inserted, 0 updated, 0 deleted, 0 unchanged, 3 rows (interrupted: counted the records read before the input ended)"
	assert_equal "$(cat "$F")" $'{"id":1}\n{"id":2}'
}

@test "a second signal before the commit: the table as it was, no temporary file, rerun from the start" {
	can_strace || skip 'strace cannot trace here'
	merge '{"id":1}\n' -s -k id "$F"
	local before schema
	before=$(sum "$F")
	schema=$(sum "$F.schema.json")
	mkfifo in
	# The first fsync(2), of the new table, takes 3 s.
	bg in "${STRACE[@]}" -o /dev/null -e inject=fsync:delay_enter=3000000:when=1 \
	    rest-merge -k id "$F"
	exec 9> in
	printf '{"id":2,"v":1}\n' >&9
	merge_pid
	kill -INT "$PID"
	exec 9>&-
	wait_for ".${F##*/}.schema.json.*"
	# Past 0.1 s: a second stop, not one signal sent twice (lib/base/stop.c).
	sleep 0.2
	kill -TERM "$PID"
	job_status
	assert_equal "$ST" 143
	assert_equal "$(cat err)" "rest-merge: interrupted again: $F left as it was, so a resume offset printed before does not apply; rerun from the start"
	assert_equal "$(sum "$F")" "$before"
	assert_equal "$(sum "$F.schema.json")" "$schema"
	no_temp
}

@test "a replace reading a pipe stops at once on SIGINT: FILE as it was, said on stderr" {
	merge '{"id":1}\n' -s -k id "$F"
	local before schema
	before=$(sum "$F")
	schema=$(sum "$F.schema.json")
	mkfifo in
	bg in rest-merge -w replace -k id "$F"
	exec 9> in
	printf '{"id":2}\n' >&9
	merge_pid
	kill -INT "$PID"
	job_status
	exec 9>&-
	assert_equal "$ST" 130
	assert_equal "$(cat err)" "rest-merge: interrupted: $F left as it was (a replace commits only a whole input); rerun from the start"
	assert_equal "$(sum "$F")" "$before"
	assert_equal "$(sum "$F.schema.json")" "$schema"
	no_temp
}

@test "reading a file, or replacing, a signal stops the run at once and removes the temporary files" {
	can_strace || skip 'strace cannot trace here'
	merge '{"id":1}\n' -s -k id "$F"
	local before schema wd why
	before=$(sum "$F")
	schema=$(sum "$F.schema.json")
	printf '{"id":2}\n' > in.jsonl
	for wd in merge replace; do
		why=
		[ "$wd" = replace ] && why=' (a replace commits only a whole input)'
		bg in.jsonl "${STRACE[@]}" -o /dev/null \
		    -e inject=fsync:delay_enter=2000000:when=1 \
		    rest-merge -w "$wd" -k id "$F"
		merge_pid
		wait_for ".${F##*/}.schema.json.*"
		kill -TERM "$PID"
		job_status
		assert_equal "$ST" 143
		assert_equal "$(cat err)" "rest-merge: interrupted: $F left as it was$why; rerun from the start"
		assert_equal "$(sum "$F")" "$before"
		assert_equal "$(sum "$F.schema.json")" "$schema"
		no_temp
	done
}

@test "a signal during the commit waits for it: table and sidecar both new, then it dies" {
	local rename
	can_strace || skip 'strace cannot trace here'
	rename=$(syscall rename,renameat,renameat2)
	merge '{"id":1}\n' -s -k id "$F"
	printf '{"id":2,"v":1}\n' > in.jsonl
	# The second rename(2), the first after the journal's, takes 2 s.
	bg in.jsonl "${STRACE[@]}" -o /dev/null \
	    -e inject="$rename":delay_enter=2000000:when=2 rest-merge -k id "$F"
	merge_pid
	wait_for "$F.journal"
	kill -INT "$PID"
	job_status
	assert_equal "$ST" 130
	assert_equal "$(cat err)" "rest-merge: $F: 1 inserted, 0 updated, 0 deleted, 0 unchanged, 2 rows"
	assert_equal "$(cat "$F")" $'{"id":1}\n{"id":2,"v":1}'
	run jq -c '[.columns[].name]' "$F.schema.json"
	assert_output '["id","v"]'
	assert_file_not_exists "$F.journal"
	no_temp

	# Deferred: the first signal ends the input, the second waits too.
	mkfifo in
	bg in "${STRACE[@]}" -o /dev/null \
	    -e inject="$rename":delay_enter=2000000:when=2 rest-merge -k id "$F"
	exec 9> in
	printf '{"id":3}\n' >&9
	merge_pid
	kill -INT "$PID"
	exec 9>&-
	wait_for "$F.journal"
	sleep 0.2	# a second stop, as above
	kill -TERM "$PID"
	job_status
	assert_equal "$ST" 143
	assert_equal "$(cat err)" "rest-merge: $F: 1 inserted, 0 updated, 0 deleted, 0 unchanged, 3 rows (interrupted: committed the records read before the input ended)"
	assert_equal "$(cat "$F")" $'{"id":1}\n{"id":2,"v":1}\n{"id":3}'
	assert_file_not_exists "$F.journal"
	no_temp
}

@test "--prune deletes the rows whose key the input lacks, counted as deleted" {
	local csv=$BATS_TEST_TMPDIR/p.csv
	merge '{"id":1,"v":1}\n{"id":2,"v":2}\n{"id":3,"v":3}\n' -s -k id "$F"
	merge '{"id":1,"v":1}\n{"id":3,"v":9}\n' --prune -k id "$F"
	assert_success
	summary "$F" 0 1 1 1 2
	assert_equal "$(cat "$F")" '{"id":1,"v":1}
{"id":3,"v":9}'
	merge '{"id":1,"v":1}\n{"id":2,"v":2}\n{"id":3,"v":3}\n' -s -k id "$csv"
	merge '{"id":2,"v":2}\n' --prune -k id "$csv"
	assert_success
	summary "$csv" 0 0 2 1 1
	assert_equal "$(tr -d '\r' < "$csv")" 'id,v
2,2'
	merge '{"id":1}\n' --prune -w append "$F"
	assert_failure 64
	diag '--prune needs -w merge'
}

@test "--run-id is recorded with the commit; the same run again changes nothing" {
	merge '{"id":1}\n{"id":2}\n' -w append --run-id run-1 "$F"
	assert_success
	summary "$F" 2 0 0 0 2
	run jq -r '.last_run.id, (.last_run.at | test("^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:]{8}Z$"))' "$F.schema.json"
	assert_output 'run-1
true'
	cp "$F" before
	merge '{"id":1}\n{"id":2}\n' -w append --run-id run-1 "$F"
	assert_success
	diag "$F: run run-1 committed it already; nothing changed"
	cmp "$F" before
	# Another run appends; a merge without an id keeps the last one.
	merge '{"id":3}\n' -w append --run-id run-2 "$F"
	assert_success
	merge '{"id":3,"x":1}\n' -s -k id "$F"
	assert_equal "$(jq -r .last_run.id "$F.schema.json")" run-2
	assert_equal "$(wc -l < "$F")" 3
	merge '{"id":1}\n' -w replace --run-id run-2 "$F"
	diag "$F: run run-2 committed it already; nothing changed"
	merge '{"id":1}\n' --run-id '' -k id "$F"
	assert_failure 78
	diag "--run-id: '' is not an id"
}
