#!/usr/bin/env bats
# Table tests of the JSON layer (lib/json/json.c) through its public surface,
# rest-select '$': inputs that strict-mode jsmn lets through but are not
# JSON, each with the message and the line:column it must give, and good
# inputs with the exact compact form they must come out as.  rest-select
# parses with json_parse_shallow(), which shares json_parse()'s validator;
# tests/fuzz/fuzz_json.c checks on every input that the two agree.

bats_require_minimum_version 1.5.0

export BATS_LIB_PATH=${BATS_LIB_PATH:-/usr/lib/bats}
bats_load_library bats-support
bats_load_library bats-assert

# bad INPUT WHERE: INPUT (printf format, no newline added) must be refused
# with exit 65 and "rest-select: <stdin>:WHERE", and nothing written.  It
# is tried with '$', which makes tokens only for the top two levels, and
# with a selector six levels deep, which makes them for nearly every
# input here (-m: a value before the fault may miss it): the same fault
# must be found at the same place either way.
bad() {
	local s
	for s in '$' 'a.b.c.d.e.f'; do
		run --separate-stderr rest-select -m "$s" \
		    < <(printf -- "$1")
		if [[ $status -ne 65 || -n $output ||
		    $stderr != "rest-select: <stdin>:$2" ]]; then
			printf 'input:    %q\n' "$(printf -- "$1")"
			printf 'selector: %s\n' "$s"
			printf 'expected: 65 rest-select: <stdin>:%s\n' "$2"
			printf 'got:      %s %s\n' "$status" "$stderr"
			[[ -z $output ]] || printf 'output:   %s\n' "$output"
			return 1
		fi
	done
}

# good INPUT OUTPUT: INPUT (printf format) must be accepted and written
# as OUTPUT (printf format), one selected line per value.
good() {
	local want
	want=$(printf -- "$2")
	run --separate-stderr rest-select '$' < <(printf -- "$1")
	if [[ $status -ne 0 || $output != "$want" || -n $stderr ]]; then
		printf 'input:    %q\n' "$(printf -- "$1")"
		printf 'expected: %q\n' "$want"
		printf 'got:      %s %q %s\n' "$status" "$output" "$stderr"
		return 1
	fi
}

@test "commas, colons and brackets out of place" {
	bad '{"a":1,}' "1:8: expected a key"
	bad '[1,]' "1:4: expected a value"
	bad '[1,,2]' "1:4: expected a value"
	bad '[,1]' "1:2: expected a value or ']'"
	bad '{,}' "1:2: expected a key or '}'"
	bad '{"a" 1}' "1:6: expected ':'"
	bad '{"a"}' "1:5: expected ':'"
	bad '{"a":}' "1:6: expected a value"
	bad '{"a"::1}' "1:6: expected a value"
	bad '{"a":1 "b":2}' "1:8: expected ',' or '}'"
	bad '{"a":1;"b":2}' "1:7: expected ',' or '}'"
	bad '[1 2]' "1:4: expected ',' or ']'"
	bad '["a" "b"]' "1:6: expected ',' or ']'"
	bad '[1:2]' "1:3: expected ',' or ']'"
	bad '{1:2}' "1:2: expected a key or '}'"
	bad '{"a":1,2:3}' "1:8: expected a key"
	bad '{null:1}' "1:2: expected a key or '}'"
	bad "{'a':1}" "1:2: expected a key or '}'"
	bad '[}' "1:2: expected a value or ']'"
	bad '{]' "1:2: expected a key or '}'"
	bad '{"a":[1}' "1:8: expected ',' or ']'"
	bad '[{"a":1]' "1:8: expected ',' or '}'"
	bad ']' "1:1: expected a value"
	bad ',' "1:1: expected a value"
	bad ':' "1:1: expected a value"
	bad 'null\n,[2]' "2:1: expected a value"
}

@test "literals are exactly true, false and null" {
	bad 'tru' "1:1: invalid literal"
	bad 'nul' "1:1: invalid literal"
	bad 'truex' "1:1: invalid literal"
	bad 'nulll' "1:1: invalid literal"
	bad '[true1]' "1:2: invalid literal"
	bad '[fals]' "1:2: invalid literal"
	bad '{"a":nul}' "1:6: invalid literal"
	bad 'True' "1:1: expected a value"
	bad 'NULL' "1:1: expected a value"
	bad 'NaN' "1:1: expected a value"
	bad '[Infinity]' "1:2: expected a value or ']'"
	bad 'undefined' "1:1: expected a value"
	# A selected null writes nothing; a null element is a line.
	good 'true false null [true,false,null]' \
	    'true\nfalse\ntrue\nfalse\nnull'
}

@test "numbers follow JSON's grammar" {
	bad '01' "1:1: invalid number"
	bad '-01' "1:1: invalid number"
	bad '[00]' "1:2: invalid number"
	bad '-' "1:1: invalid number"
	bad '[-]' "1:2: invalid number"
	bad '1.' "1:1: invalid number"
	bad '[1.]' "1:2: invalid number"
	bad '1.e5' "1:1: invalid number"
	bad '1e' "1:1: invalid number"
	bad '1e+' "1:1: invalid number"
	bad '[1.5e+]' "1:2: invalid number"
	bad '0x10' "1:1: invalid number"
	bad '1.5.2' "1:1: invalid number"
	bad '[1a]' "1:2: invalid number"
	bad '-a' "1:1: invalid number"
	bad '.5' "1:1: expected a value"
	bad '+1' "1:1: expected a value"
	bad '[--1]' "1:2: invalid number"
	local n
	n=(0 -0 1 -1 0.5 -0.0 10 1e5 1E5 1e+5 1e-5 1.5E-10 -2.5e-300
	    123456789012345678901234567890)
	good "${n[*]}" "$(IFS=$'\n'; echo "${n[*]}")"
	good '[0,-0.0,2.50,1.0e-7]' '0\n-0.0\n2.50\n1.0e-7'
}

@test "strings: escapes and control characters" {
	bad '"\\x"' "1:2: invalid escape"
	bad '"ab\\c"' "1:4: invalid escape"
	bad '"\\u12g4"' "1:2: invalid escape"
	bad '"\\u12"' "1:2: invalid escape"
	bad '"\\U0041"' "1:2: invalid escape"
	bad '"\\\x27"' "1:2: invalid escape"
	bad '"a\001b"' "1:3: control character in string"
	bad '"a\tb"' "1:3: control character in string"
	bad '["ok","a\nb"]' "1:9: control character in string"
	bad '{"k\037":1}' "1:4: control character in string"
	bad '"\000"' "1:2: control character in string"
	good '"\\"\\\\\\/\\b\\f\\n\\r\\t" "\\u00e9\\u00E9"' \
	    '"\\"\\\\\\/\\b\\f\\n\\r\\t"\n"\\u00e9\\u00E9"'
	good '"\\ud83d\\ude00" "\\ud800"' '"\\ud83d\\ude00"\n"\\ud800"'
	good '"\x7f" "\xc3\xa9" "a  b"' '"\x7f"\n"\xc3\xa9"\n"a  b"'
}

@test "the end of input inside a value" {
	bad '[1,2' "1:5: unexpected end of input"
	bad '[1,2,' "1:6: unexpected end of input"
	bad '{"a"' "1:5: unexpected end of input"
	bad '{"a":' "1:6: unexpected end of input"
	bad '{"a":1' "1:7: unexpected end of input"
	bad '{' "1:2: unexpected end of input"
	bad '[[[' "1:4: unexpected end of input"
	bad '"abc' "1:5: unexpected end of input"
	bad '"\\u00' "1:6: unexpected end of input"
	bad '{"a":[1,\n  2,\n' "3:1: unexpected end of input"
}

@test "nesting deeper than 512 is refused" {
	local deep inner
	deep=$(printf '%.0s[' {1..512})$(printf '%.0s]' {1..512})
	inner=${deep:1:-1}
	good "$deep" "$inner"
	bad "[$deep]" "1:513: nesting too deep"
	deep=$(printf '%.0s{"a":' {1..513})
	bad "$deep" "1:2561: nesting too deep"
}

@test "whitespace between tokens goes, inside strings it stays" {
	good ' \t\r\n{ "a" : [ 1 ,\n\t2 ] , "b c" : "d  e" }\r\n ' \
	    '{"a":[1,2],"b c":"d  e"}'
	good '[ ]  { }  [ [ ] , { } ]' '{}\n[]\n{}'
	good '' ''
	good ' \n\t\r\n ' ''
}

@test "lines and columns count bytes from 1" {
	bad '\n\n   [1,]' "3:7: expected a value"
	bad '{"\xc3\xa9":x}' "1:7: expected a value"
	bad '[]\r\n[2,]' "2:4: expected a value"
	bad '{\n  "a": 1,\n  "b": 02\n}' "3:8: invalid number"
}

@test "a value of more than 16,777,216 tokens is refused" {
	local f=$BATS_TEST_TMPDIR/many
	# An array of 2^24 zeros: with the array itself one token too many.
	python3 -c 'import sys; sys.stdout.write("[" + "0," * (2**24 - 1) + "0]\n")' > "$f"
	run --separate-stderr rest-select '$' "$f"
	assert_failure 65
	assert_output ''
	assert_regex "$stderr" "^rest-select: $f:1:[0-9]+: too many tokens"
	# One fewer is fine.
	python3 -c 'import sys; sys.stdout.write("[" + "0," * (2**24 - 2) + "0]\n")' > "$f"
	run --separate-stderr rest-select '$[-1]' "$f"
	assert_success
	assert_output 0
	# rest-merge, on a record, says which line.
	python3 -c 'import sys; sys.stdout.write("{\"id\":1,\"a\":[" + "0," * (2**24) + "0]}\n")' > "$f"
	run --separate-stderr rest-merge -k id "$BATS_TEST_TMPDIR/t.jsonl" < "$f"
	assert_failure 65
	assert_regex "$stderr" '^rest-merge: <stdin>:1:[0-9]+: too many tokens'
	assert [ ! -e "$BATS_TEST_TMPDIR/t.jsonl" ]
}
