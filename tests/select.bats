#!/usr/bin/env bats
# Tests of rest-select: the selector grammar, how values are split out of a
# stream, byte-for-byte output, locations in errors, and exit statuses.
# The JSON validator's table of good and bad inputs is in json.bats.
# What every program does alike (-h, --version, usage errors, the man
# page against --help) is checked in cli.bats, over all of them.

bats_require_minimum_version 1.5.0

export BATS_LIB_PATH=${BATS_LIB_PATH:-/usr/lib/bats}
bats_load_library bats-support
bats_load_library bats-assert
bats_load_library bats-file

SUPPORTED="supported: data, \$.data, \$.data[*], \$, a.b, a[0].b, a[-1],"
SUPPORTED+=" \$['odd.key'], @odata.nextLink"

# sel INPUT ARG...: run rest-select ARG... with INPUT (no newline added)
# on its standard input.
sel() {
	local input=$1
	shift
	run --separate-stderr rest-select "$@" < <(printf '%s' "$input")
}

# diag MESSAGE: the last run said "rest-select: MESSAGE" on stderr.
diag() {
	assert_equal "$stderr" "rest-select: $1"
}

# missing WHERE N SELECTOR: the message for a value that SELECTOR misses.
missing() {
	diag "$1: value $2: selector '$3' matched nothing"
}

@test "selector: data, \$.data, \$.data[*] and \$.data.* select the elements" {
	local s
	for s in data '$.data' '$.data[*]' '$.data.*' "\$['data']" 'data[*]'; do
		sel '{"data":[1,{"a":2},"x"],"total":3}' "$s"
		assert_success
		assert_output $'1\n{"a":2}\n"x"'
	done
}

@test "selector: \$ selects the value itself" {
	sel '{"a":1} [1,2] "s" 3' '$'
	assert_success
	assert_output $'{"a":1}\n1\n2\n"s"\n3'
	sel '{"a":1} [1,2]' '$[*]'
	assert_success
	assert_output $'{"a":1}\n1\n2'
}

@test "selector: members of members and elements by index" {
	local doc='{"a":{"b":3,"c":[{"d":"x"},{"d":"y"},{"d":"z"}]}}'

	sel "$doc" a.b
	assert_success
	assert_output 3
	sel "$doc" '$.a.b'
	assert_output 3
	sel "$doc" 'a.c[0].d'
	assert_success
	assert_output '"x"'
	sel "$doc" 'a.c[-1]'
	assert_output '{"d":"z"}'
	sel "$doc" 'a.c[-3].d'
	assert_output '"x"'
	sel "$doc" '$["a"]["c"][1]["d"]'
	assert_success
	assert_output '"y"'
	sel '[[1,2],[3,4]]' '[1][0]'
	assert_success
	assert_output 3
}

@test "selector: quoted keys hold dots, spaces and escaped quotes" {
	local doc='{"odd.key":1,"odd":{"key":2},"a b":3,"it'"'"'s":4,'
	doc+='"say \"hi\"":5,"back\\slash":6}'

	sel "$doc" "\$['odd.key']"
	assert_success
	assert_output 1
	sel "$doc" 'odd.key'
	assert_output 2
	sel "$doc" '$["a b"]'
	assert_output 3
	sel "$doc" "\$['it\\'s']"
	assert_output 4
	sel "$doc" '$["say \"hi\""]'
	assert_output 5
	sel "$doc" "\$['back\\\\slash']"
	assert_success
	assert_output 6
}

@test "selector: keys are compared unescaped, the last of a repeated key wins" {
	sel '{"a\u0062":1}' ab
	assert_success
	assert_output 1
	sel '{"\ud83d\ude00":"grin"}' "\$['😀']"
	assert_success
	assert_output '"grin"'
	sel '{"a":1,"b":2,"a":3}' a
	assert_success
	assert_output 3
	sel '{"café":{"n":1}}' 'café.n'
	assert_success
	assert_output 1
}

# 78 as in rest-paginate: a selector is a value, like a configuration's.
@test "selector: unsupported forms exit 78 and say what is supported" {
	local -A why=(
		['$..a']="recursive descent '..' is not supported"
		['a..b']="recursive descent '..' is not supported"
		['$.a[?(@.b)]']='filters are not supported'
		['$.a[(@.length-1)]']='script expressions are not supported'
		['$.a[1:2]']='slices are not supported'
		['$.a[:2]']="expected an index, a quoted key or '*'"
		['$.a[0,1]']='unions are not supported'
		["\$['a','b']"]='unions are not supported'
		['$.data[*].id']='a wildcard may only be the last step'
		['$.*.id']='a wildcard may only be the last step'
		['$.']='empty name'
		['a.']='empty name'
		['$[']='unterminated bracket'
		['$[0']='unterminated bracket'
		["\$['a'"]='unterminated bracket'
		["\$['a'x]"]="expected ']'"
		["\$['a"]='unterminated quoted key'
		["\$['a\\x']"]="invalid escape in quoted key (only \\' \\\" \\\\)"
		['.data']="a selector starts with '\$', a name or '['"
		['a b']="expected '.' or '['"
		['$.a b']="expected '.' or '['"
		['$.a.b c']="expected '.' or '['"
		['$.a[b]']="expected an index, a quoted key or '*'"
		['$.a[99999999999999999999]']='index out of range'
		['$.a/b']="expected '.' or '['"
		['$.a$']="expected '.' or '['"
	)
	local s
	for s in "${!why[@]}"; do
		sel '{}' "$s"
		assert_failure 78
		assert_output ''
		diag "unsupported selector '$s': ${why[$s]}; $SUPPORTED"
	done
	sel '{}' ''
	assert_failure 78
	diag "unsupported selector '': empty selector; $SUPPORTED"
}

@test "arrays, objects, scalars and null: what a selection writes" {
	local doc='{"d":[1,[2,3],{"x":null},null]}{"d":{"k":[1, 2]}}{"d":"s"}'
	doc+='{"d":4.5}{"d":true}{"d":null}{"d":[]}{"d":{}}'
	sel "$doc" d
	assert_success
	assert_output - <<'EOF'
1
[2,3]
{"x":null}
null
{"k":[1,2]}
"s"
4.5
true
{}
EOF
}

# rest-select tokenizes only down to the selected value's elements
# (json_parse_shallow); the records inside are written from their spans.
# The outputs and errors below are those of the full jsmn parse, which
# tests/fuzz/fuzz_json.c compares with the shallow one on every input.
@test "shallow parse: escaped and repeated keys, nesting, whitespace" {
	sel '{"d\u0061ta":[1,2],"d\"x":3}' data
	assert_success
	assert_output $'1\n2'
	sel '{"d\u0061ta":[1,2],"d\"x":3}' '$["d\"x"]'
	assert_success
	assert_output 3
	sel '{"data":[1],"data":[2,3]}' data
	assert_success
	assert_output $'2\n3'
	sel '{"a":{"b":1},"a":{"c":2}}' a.b
	assert_failure 65
	assert_output ''
	missing "<stdin>:1" 1 'a.b'
	sel '{"data":[[1,[2]],[],[[]],[{}]]} {"data":[]} {"data":[[ ]]}' data
	assert_success
	assert_output $'[1,[2]]\n[]\n[[]]\n[{}]\n[]'
	sel $'\t{ "data" :\n [ { "id" : 1 , "t" : [ "a b" , 2 ] } ,\r\n'\
$' null , "x" ] }\n' data
	assert_success
	assert_output $'{"id":1,"t":["a b",2]}\nnull\n"x"'
	sel '{"data":"s"}{"data":null}{"data":{"k": [1, 2]}}{"data":-0.0}' data
	assert_success
	assert_output $'"s"\n{"k":[1,2]}\n-0.0'
	sel '{"results":{"total":1,"items":[{"x":[{"y":1}]}, 2]}}' \
	    results.items
	assert_success
	assert_output $'{"x":[{"y":1}]}\n2'
}

@test "shallow parse: indexes, and the root's own elements" {
	local doc='{"a":[{"b":[1, {"c":2}]},{"b":3}]}'

	sel "$doc" 'a[0].b'
	assert_success
	assert_output $'1\n{"c":2}'
	sel "$doc" 'a[-1]'
	assert_success
	assert_output '{"b":3}'
	sel "$doc" 'a[-1].b'
	assert_success
	assert_output 3
	sel $'[[1,2],\n [3,[4,\n 5]]]' '$'
	assert_success
	assert_output $'[1,2]\n[3,[4,5]]'
	sel $'[[1,2],\n [3,[4,\n 5]]]' '[1]'
	assert_success
	assert_output $'3\n[4,5]'
}

@test "shallow parse: faults below, beside and after the selection" {
	sel '{"data":[{"id":1,"x":[1,2,]}]}' data
	assert_failure 65
	assert_output ''
	diag '<stdin>:1:27: expected a value'
	sel '{"data":[1],"total":01}' data
	assert_failure 65
	assert_output ''
	diag '<stdin>:1:21: invalid number'
	sel '{"x":{"y":[tru]},"data":[1]}' data
	assert_failure 65
	diag '<stdin>:1:12: invalid literal'
	sel $'{"data":[1]}\n{"data":[{"a":\n  {"b":[1 2]}}]}' data
	assert_failure 65
	assert_output 1
	diag "<stdin>:3:11: expected ',' or ']'"
	sel '{"data":[{"k\u12":1}]}' data
	assert_failure 65
	diag '<stdin>:1:13: invalid escape'
}

@test "values one per line, concatenated, pretty-printed, in any mix" {
	sel $'{"data":[1]}\n{"data":[2]}{"data":[3]} {"data":\n  [\n    4,\n'\
$'    5\n  ]\n}\n\n\t{"data":[6]}' data
	assert_success
	assert_output $'1\n2\n3\n4\n5\n6'
	sel '[1][2] 3 "x"true null{"a":1}' '$'
	assert_success
	assert_output $'1\n2\n3\n"x"\ntrue\n{"a":1}'
	sel $'1\r\n2\r\n' '$'
	assert_success
	assert_output $'1\n2'
}

@test "a golden stream of mixed layouts" {
	local fx=$BATS_TEST_DIRNAME/fixtures
	run --separate-stderr rest-select data "$fx/select-mixed.json"
	assert_success
	assert_output "$(cat "$fx/select-mixed.out")"
}

@test "values split across reads: escapes, brackets in strings, scalars" {
	run --separate-stderr bash -c '
		{ printf "{\"data\":[\"a\\\\"; sleep 0.2; printf "\"b\", \"}\"]"
		  sleep 0.2; printf "}12"; sleep 0.2; printf "34 [\"\\\\\\\\\"]"; } |
		rest-select -m data'
	assert_success
	assert_output $'"a\\"b"\n"}"'
	run --separate-stderr bash -c '
		{ printf "12"; sleep 0.2; printf "34 [\"\\\\\\\\\"]"; } |
		rest-select "\$"'
	assert_success
	assert_output $'1234\n"\\\\"'
}

@test "several files in order, and - for the standard input" {
	local d=$BATS_TEST_TMPDIR
	printf '{"data":[1,2]}\n' >"$d/a.json"
	printf '{"data":[3]}' >"$d/b.json"
	run --separate-stderr rest-select data "$d/a.json" - "$d/b.json" \
	    < <(printf '{"data":["in"]}')
	assert_success
	assert_output $'1\n2\n"in"\n3'
}

@test "numbers and strings are copied byte for byte" {
	local doc='{"data":[12345678901234567890123,1.0e-7,-0.0,1E+2,0.10,'
	doc+='"\u00e9","\/","a\"b","\ud83d\ude00","\\\n","é",'
	doc+='{"k" : "x  y" ,"l":[ 1 , 2 ]}]}'
	sel "$doc" data
	assert_success
	assert_output - <<'EOF'
12345678901234567890123
1.0e-7
-0.0
1E+2
0.10
"\u00e9"
"\/"
"a\"b"
"\ud83d\ude00"
"\\\n"
"é"
{"k":"x  y","l":[1,2]}
EOF
}

@test "bytes outside ASCII pass through unchanged" {
	local input
	local nihon=$'\xe6\x97\xa5\xe6\x9c\xac' grin=$'\xf0\x9f\x98\x80'
	local e=$'\xc3\xa9' ff=$'\xff'
	sel "{\"data\":[\"$nihon\",\"$grin\",{\"$e\":\"$ff\"}]}" data
	assert_success
	assert_output "\"$nihon\""$'\n'"\"$grin\""$'\n'"{\"$e\":\"$ff\"}"
}

@test "a selector matching nothing: exit 65 with line and ordinal" {
	sel $'{"data":[1]}\n\n  {"total":0}\n{"data":[2]}' data
	assert_failure 65
	assert_output 1
	missing "<stdin>:3" 2 'data'

	sel '{"data":{"x":1}}' data.y
	assert_failure 65
	missing "<stdin>:1" 1 'data.y'
	sel '{"a":[1,2]}' 'a[2]'
	assert_failure 65
	missing "<stdin>:1" 1 'a[2]'
	sel '{"a":[1,2]}' 'a[-3]'
	assert_failure 65
	sel '[1]' 'data'
	assert_failure 65
	missing "<stdin>:1" 1 'data'
	sel '{"data":[1]}' 'data[0].x'
	assert_failure 65
	missing "<stdin>:1" 1 'data[0].x'
}

@test "a file is named in a missing selection, ordinals count per file" {
	local f=$BATS_TEST_TMPDIR/pages.json
	printf '{"data":[1]}\n{"data":[2]}\n{"x":0}\n' >"$f"
	run --separate-stderr rest-select data "$f" "$f"
	assert_failure 65
	assert_output $'1\n2'
	missing "$f:3" 3 'data'
}

@test "-m and --allow-missing skip values the selector misses" {
	sel $'{"data":[1]}\n{"total":0}\n[5]\n{"data":[2]}' -m data
	assert_success
	assert_output $'1\n2'
	sel $'{"total":0}\n{"data":null}\n{"data":[]}' --allow-missing data
	assert_success
	assert_output ''
}

@test "-v and --verbose count the records written and the values read, at the end" {
	sel $'{"data":[1,{"a":2},"x"]}\n{"data":{"b":1}}\n{"data":null}\n{"data":[]}' -v data
	assert_success
	assert_output $'1\n{"a":2}\n"x"\n{"b":1}'
	diag '4 records from 4 values'
	# One of each, and files counted together.
	local one=$BATS_TEST_TMPDIR/one.json
	printf '{"data":[7]}' >"$one"
	run --separate-stderr rest-select --verbose data "$one"
	assert_success
	assert_output 7
	diag '1 record from 1 value'
	run --separate-stderr rest-select -v data "$one" "$one"
	diag '2 records from 2 values'
	# Values skipped by -m are read, not selected.
	sel $'{"data":[1]}\n{"total":0}' -mv data
	assert_success
	diag '1 record from 2 values'
	# Nothing read, nothing written: still said.
	sel '' -v data
	assert_success
	diag '0 records from 0 values'
}

@test "-v says nothing after an error, only the error" {
	sel $'{"data":[1]}\n{"data":[2' -v data
	assert_failure 65
	assert_output 1
	diag '<stdin>:2:11: unexpected end of input'
	# Nor when the records could not all be written.
	run --separate-stderr bash -c 'echo "{\"data\":[1]}" | rest-select -v data >/dev/full'
	assert_failure 74
	refute [ -z "$stderr" ]
	refute_regex "$stderr" 'record'
}

@test "invalid JSON: exit 65 with file, line and column; earlier output stays" {
	sel $'{"data":[1]}\n{"data":[2]}\n  {"data":[3,]}\n{"data":[4]}' data
	assert_failure 65
	assert_output $'1\n2'
	diag '<stdin>:3:14: expected a value'

	sel $'{\n  "data": [1,\n    2,,\n  ]\n}' data
	assert_failure 65
	assert_output ''
	diag '<stdin>:3:7: expected a value'

	local f=$BATS_TEST_TMPDIR/bad.json
	printf '{"data":[1]} {"data":[tru]}' >"$f"
	run --separate-stderr rest-select data "$f"
	assert_failure 65
	assert_output 1
	diag "$f:1:23: invalid literal"
}

@test "a NUL byte where a value starts is bad data, not the end of input" {
	# It once read as no value at all: what followed was dropped, exit 0.
	run --separate-stderr bash -c \
	    'printf "{\"data\":[1]}\n\\0abc\n{\"data\":[2]}\n" | rest-select data'
	assert_failure 65
	assert_output 1
	diag '<stdin>:2:1: expected a value'
	run --separate-stderr bash -c \
	    'printf "{\"data\":[1]} \\0{\"data\":[2]}" | rest-select data'
	assert_failure 65
	assert_output 1
	diag '<stdin>:1:14: expected a value'
	local f=$BATS_TEST_TMPDIR/nul.json
	printf '{"data":[1]}\n\0' >"$f"
	run --separate-stderr rest-select data "$f"
	assert_failure 65
	assert_output 1
	diag "$f:2:1: expected a value"
}

@test "a value cut short by the end of input: exit 65 unexpected end" {
	sel $'{"data":[1]}\n{"data":[2,3' data
	assert_failure 65
	assert_output 1
	diag '<stdin>:2:13: unexpected end of input'
	sel '{"data":"abc' data
	assert_failure 65
	diag '<stdin>:1:13: unexpected end of input'
	sel $'"abc\\' '$'
	assert_failure 65
	diag '<stdin>:1:6: unexpected end of input'
}

@test "line numbers stay right far into a long stream" {
	local out=$BATS_TEST_TMPDIR/out
	run --separate-stderr bash -c '
		awk "BEGIN { for (i = 1; i <= 100000; i++)
		    printf \"{\\\"data\\\":[%d]}\\n\", i
		    print \"  {\\\"data\\\":[1,]}\" }" |
		rest-select data >"$1"' _ "$out"
	assert_failure 65
	diag '<stdin>:100001:14: expected a value'
	run wc -l <"$out"
	assert_output 100000

	run --separate-stderr bash -c '
		awk "BEGIN { for (i = 1; i <= 100000; i++)
		    printf \"{\\\"data\\\":[%d]}\\n\", i
		    print \"{}\" }" |
		rest-select data >/dev/null'
	assert_failure 65
	missing "<stdin>:100001" 100001 'data'
}

@test "a file that cannot be opened exits 66" {
	local f=$BATS_TEST_TMPDIR/nonexistent.json
	run --separate-stderr rest-select data "$f"
	assert_failure 66
	assert_output ''
	diag "$f: No such file or directory"
	run --separate-stderr rest-select data "$BATS_TEST_TMPDIR"
	assert_failure 66
	diag "$BATS_TEST_TMPDIR: Is a directory"
}

@test "a failed write exits 74 with a message" {
	run --separate-stderr bash -c \
	    'printf "{\"data\":[1,2]}" | rest-select data >/dev/full'
	assert_failure 74
	diag 'write error on stdout: No space left on device'
}

@test "a reader that goes away ends rest-select quietly" {
	local f=$BATS_TEST_TMPDIR/many.json err=$BATS_TEST_TMPDIR/err
	awk 'BEGIN { printf "{\"data\":["
	    for (i = 1; i < 300000; i++) printf "%d,", i
	    print "0]}" }' >"$f"
	run bash -c 'set -o pipefail; rest-select data "$1" 2>"$2" | head -n1' \
	    _ "$f" "$err"
	assert_failure 141
	assert_output 1
	assert_file_empty "$err"
}

@test "a 50 MB single-line page, from a file and through a pipe" {
	local f=$BATS_TEST_TMPDIR/big.json last
	python3 - "$f" <<'EOF'
import sys
rec = ('{"id":%d,"image_id":"img-%06d","analysis_result":{"label":"cat",'
       '"confidence":0.5,"tags":["a","b \\"c\\""]},"note":"%s"}')
with open(sys.argv[1], "w") as f:
    f.write('{"data":[')
    f.write(",".join(rec % (i, i, "x" * (i % 50)) for i in range(350000)))
    f.write('],"total":350000}\n')
EOF
	run stat -c %s "$f"
	(( output > 50000000 ))
	run bash -c 'rest-select data "$1" | wc -l' _ "$f"
	assert_success
	assert_output 350000
	run bash -c 'cat "$1" | rest-select data | tail -n1' _ "$f"
	assert_success
	last='{"id":349999,"image_id":"img-349999","analysis_result":'
	last+='{"label":"cat","confidence":0.5,"tags":["a","b \"c\""]},'
	last+="\"note\":\"$(printf 'x%.0s' {1..49})\"}"
	assert_output "$last"
}

@test "memory stays flat over a long stream of small values" {
	[[ -x /usr/bin/time ]] || skip "needs GNU time"
	# peak N: the peak memory (KB) of rest-select over N values of 100
	# records; the lines it wrote are checked.
	peak() {
		run --separate-stderr bash -c '
			awk -v n="$1" "BEGIN { for (i = 0; i < n; i++) {
			    printf \"{\\\"data\\\":[\"
			    for (j = 0; j < 99; j++) printf \"{\\\"id\\\":%d},\", j
			    print \"{}]}\" } }" |
			/usr/bin/time -f %M rest-select data | wc -l' _ "$1"
		assert_success
		assert_output "$(($1 * 100))"
	}
	peak 2000
	local small=$stderr
	peak 20000
	# About 25 MB went through where 2.5 MB did: the peak may not grow
	# with it (a sanitizer's own overhead cancels out).
	(( stderr - small < 4096 )) || fail "peak $small KB, then $stderr KB"
}