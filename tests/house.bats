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
	(cd "$TOP" && tar -cf - lib fetch paginate select merge sync tests/lint* \
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

# A function named $2 of $3 lines, appended to file $1 of the copy.
long_function() {
	{
		printf '\nint\n%s(void)\n{\n' "$2"
		local i
		for ((i = 3; i < $3; i++)); do
			printf '\t(void)0;\n'
		done
		printf '}\n'
	} >>"$TREE/$1"
}

@test "a function over 80 lines, or a main over 60, fails make lint, naming it" {
	long_function lib/base/clock.c fits 80
	long_function sync/sync.c also_fits 80
	run -0 sh "$TREE/tests/lint.sh"
	long_function lib/base/clock.c too_long 81
	run -1 sh "$TREE/tests/lint.sh"
	assert_output --regexp '^lint: lib/base/clock\.c:[0-9]+: too_long\(\) is 81 lines; at most 80: split it$'
	# main is held to 60.
	sed -i 's/^main(int argc/main_old(int argc/' "$TREE/sync/sync.c"
	long_function sync/sync.c main 60
	run -1 sh "$TREE/tests/lint.sh"
	refute_line --partial 'main()'
	sed -i 's/^main(void)/main_60(void)/' "$TREE/sync/sync.c"
	long_function sync/sync.c main 61
	run -1 sh "$TREE/tests/lint.sh"
	assert_line --regexp '^lint: sync/sync\.c:[0-9]+: main\(\) is 61 lines; at most 60: split it$'
}

@test "a file of lib over 800 lines fails make lint" {
	local i
	for ((i = 0; i < 800; i++)); do
		echo '/* filler */'
	done >>"$TREE/lib/base/clock.c"
	run -1 sh "$TREE/tests/lint.sh"
	assert_output --regexp '^lint: lib/base/clock\.c is 8[0-9][0-9] lines; at most 800: split it by concern$'
}

@test "mutable state at file scope in lib fails make lint; constants do not" {
	cat >>"$TREE/lib/json/jpath.c" <<'C'
static const char *const names[] = { "a", "b" };
static const int limit = 3;
static int count;
static const char *label = "x";	/* a pointer that can change */
static void (*hook)(int);
C
	run -1 sh "$TREE/tests/lint.sh"
	assert_line --regexp '^lint: lib/json/jpath\.c:[0-9]+: count is mutable state at file scope$'
	assert_line --regexp '^lint: lib/json/jpath\.c:[0-9]+: label is mutable state at file scope$'
	assert_line --regexp '^lint: lib/json/jpath\.c:[0-9]+: hook is mutable state at file scope$'
	assert_equal "${#lines[@]}" 3
	# A program may keep state; only lib may not.
	cp "$TOP/lib/json/jpath.c" "$TREE/lib/json/jpath.c"
	echo 'static int count;' >>"$TREE/select/select.c"
	run -0 sh "$TREE/tests/lint.sh"
}

# A commit message in a file, for tests/commit-msg.sh.
message() {
	printf '%s\n' "$@" >"$BATS_TEST_TMPDIR/msg"
}

@test "a commit message of our kind passes: a short imperative subject, a body" {
	message 'Fix the resume offset after a 429' '' \
		'A run stopped by a 429 resumed one page late.'
	run -0 sh "$TOP/tests/commit-msg.sh" "$BATS_TEST_TMPDIR/msg" 40
	assert_output ''
	message 'tests/unit/durable.c: check what symlink(2) returns' '' 'Why.'
	run -0 sh "$TOP/tests/commit-msg.sh" "$BATS_TEST_TMPDIR/msg" 12
	# A small change needs no body.
	message 'Fix a typo in rest-sync(1)'
	run -0 sh "$TOP/tests/commit-msg.sh" "$BATS_TEST_TMPDIR/msg" 2
}

@test "a commit message not of our kind: each fault said, status 1" {
	message 'Fixed the resume offset after a 429, which was wrong in a few more cases.' \
		'and more'
	run -1 sh "$TOP/tests/commit-msg.sh" "$BATS_TEST_TMPDIR/msg" 40
	assert_output 'commit-msg: the subject is 73 characters; at most 72
commit-msg: the subject ends in a full stop
commit-msg: the subject'"'"'s verb "Fixed" is not in the imperative: say what the commit does ("Fix", not "Fixed")
commit-msg: the second line is not blank: the subject is one line
commit-msg: a change of 40 lines needs a body saying why'
	message 'merge: Adds a column'
	run -1 sh "$TOP/tests/commit-msg.sh" "$BATS_TEST_TMPDIR/msg" 3
	assert_output --partial '"Adds" is not in the imperative'
	message 'Add the option table'
	run -1 sh "$TOP/tests/commit-msg.sh" "$BATS_TEST_TMPDIR/msg" 11
	assert_output 'commit-msg: a change of 11 lines needs a body saying why'
	message ''
	run -1 sh "$TOP/tests/commit-msg.sh" "$BATS_TEST_TMPDIR/msg" 0
	assert_output 'commit-msg: the subject is empty'
}

@test "make hooks installs the hook: git commit refuses a bad message, takes a good one" {
	local repo=$BATS_TEST_TMPDIR/repo
	git init -q "$repo"
	cp -r "$TOP/.githooks" "$repo"
	mkdir "$repo/tests"
	cp "$TOP/tests/commit-msg.sh" "$repo/tests"
	cp "$TOP/Makefile" "$repo"
	run -0 make -s -C "$repo" hooks
	git -C "$repo" config user.email t@example.com
	git -C "$repo" config user.name t
	seq 20 >"$repo/f"
	git -C "$repo" add f
	run -1 git -C "$repo" commit -q -m 'Added twenty lines'
	assert_line --partial 'commit-msg: the subject'"'"'s verb "Added"'
	assert_line 'commit-msg: a change of 20 lines needs a body saying why'
	run -0 git -C "$repo" commit -q -m 'Add twenty lines' -m 'The test needs them.'
	run -0 git -C "$repo" log --format=%s
	assert_output 'Add twenty lines'
}

@test "make check-commits checks each commit of a range, naming the bad ones" {
	local repo=$BATS_TEST_TMPDIR/repo
	git init -q "$repo"
	mkdir -p "$repo/tests" "$repo/.ci"
	cp "$TOP/tests/commit-msg.sh" "$TOP/tests/commits.sh" "$repo/tests"
	git -C "$repo" config user.email t@example.com
	git -C "$repo" config user.name t
	git -C "$repo" add tests
	git -C "$repo" commit -q -m 'Start' -m 'The base.'
	git -C "$repo" rev-parse HEAD >"$repo/.ci/history-base"
	git -C "$repo" add .ci
	git -C "$repo" commit -q -m 'Name the base'
	echo x >"$repo/x"
	git -C "$repo" add x
	git -C "$repo" commit -q -m 'Adding x.'
	run -0 sh "$repo/tests/commits.sh" HEAD~1..HEAD~1
	run -1 sh "$repo/tests/commits.sh"
	assert_line --regexp '^commits: [0-9a-f]+ Adding x\.$'
	assert_line 'commit-msg: the subject ends in a full stop'
	assert_line 'commits: 2 checked in '"$(cat "$repo/.ci/history-base")"'..HEAD'
	# A base the clone lacks is said, not passed over.
	echo 0123456789012345678901234567890123456789 >"$repo/.ci/history-base"
	run -1 sh "$repo/tests/commits.sh"
	assert_output --partial 'is not in this clone'"'"'s history'
}
