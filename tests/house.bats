#!/usr/bin/env bats
# The shape of the code (HACKING.md), as make lint checks it: lib/ in
# floors whose includes point down.

bats_require_minimum_version 1.5.0

setup() {
	export BATS_LIB_PATH=${BATS_LIB_PATH:-/usr/lib/bats}
	bats_load_library bats-support
	bats_load_library bats-assert
	TOP=$BATS_TEST_DIRNAME/..
	# A copy of the sources, for a test to break.
	TREE=$BATS_TEST_TMPDIR/tree
	mkdir "$TREE"
	(cd "$TOP" && tar -cf - lib fetch paginate select merge sync tests/lint.sh \
	    tests/unit tests/fuzz) | tar -xf - -C "$TREE"
}

@test "the tree keeps the rules of make lint" {
	run -0 sh "$TREE/tests/lint.sh"
	assert_output ''
}

@test "lib is four floors, each saying what it holds" {
	run -0 bash -c "cd '$TOP/lib' && ls -d */"
	assert_output "base/
dlt/
json/
net/"
	local f
	for f in base json net dlt; do
		[ -s "$TOP/lib/$f/README" ] || fail "lib/$f has no README"
	done
	# No source file lies outside a floor.
	run -0 find "$TOP/lib" -maxdepth 1 -name '*.[ch]'
	assert_output ''
}

@test "an include that points up a floor fails make lint, naming the line" {
	sed -i '1a #include "net/http.h"' "$TREE/lib/base/buf.c"
	run -1 sh "$TREE/tests/lint.sh"
	assert_output 'lint: lib/base/buf.c:2: includes net/http.h, a floor above base: includes point down (lib/README)'
}

@test "dlt may include net, and net may not include dlt" {
	sed -i '1a #include "net/http.h"' "$TREE/lib/dlt/incr.c"
	run -0 sh "$TREE/tests/lint.sh"
	sed -i '1a #include "dlt/config.h"' "$TREE/lib/net/link.c"
	run -1 sh "$TREE/tests/lint.sh"
	assert_output 'lint: lib/net/link.c:2: includes dlt/config.h, a floor above net: includes point down (lib/README)'
}

@test "lib includes a program's header, or one by its bare name: make lint fails" {
	sed -i '1a #include "merge/merge.h"' "$TREE/lib/dlt/name.c"
	sed -i '1a #include "buf.h"' "$TREE/lib/json/json.c"
	run -1 sh "$TREE/tests/lint.sh"
	assert_line 'lint: lib/dlt/name.c:2: includes merge/merge.h, a floor above dlt: includes point down (lib/README)'
	assert_line 'lint: lib/json/json.c:2: "buf.h" is in no floor: include lib'"'"'s headers as "floor/name.h"'
	assert_equal "${#lines[@]}" 2
}
