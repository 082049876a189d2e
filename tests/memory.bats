#!/usr/bin/env bats
# Tests of rest-merge past its memory budget (--memory): the input spills
# to a temporary file beside FILE, and the table comes out byte for byte
# as the merge in memory writes it, with the same guarantees: nothing left
# behind on any exit, FILE old or new.  A budget of 64K makes inputs of a
# few hundred KB spill several times, over several parts.

bats_require_minimum_version 1.5.0

export BATS_LIB_PATH=${BATS_LIB_PATH:-/usr/lib/bats}
bats_load_library bats-support
bats_load_library bats-assert
bats_load_library bats-file

STRACE=(env ASAN_OPTIONS=detect_leaks=0 strace -qq)

setup() {
	cd "$BATS_TEST_TMPDIR" || return
	F=$BATS_TEST_TMPDIR/f.jsonl
}

sum() {
	sha256sum < "$1"
}

# Assert that no temporary file is left beside FILE.
no_temp() {
	run ls -A "$BATS_TEST_TMPDIR"
	assert_success
	refute_line --regexp '^\.'
}

# gen SEED N KIND [PAD]: N records of about N/2 keys (so duplicates) in
# random order, mixing types; KIND in adds hard deletes, dedup-sort values
# and new nested columns now and then; PAD, a string of about PAD bytes
# in each.  The same SEED, the same records.
gen() {
	python3 - "$@" <<'EOF'
import json, random, sys
seed, n, kind = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
pad = int(sys.argv[4]) if len(sys.argv) > 4 else 0
random.seed(seed)
for i in range(n):
    r = {"id": random.randrange(n // 2 + 1), "k2": random.randrange(3),
         "b": random.choice(["x", "y,z", 'q"t', None, 1]),
         "v": random.random()}
    if pad:
        r["p"] = "x" * random.randrange(pad // 2, pad * 3 // 2)
    if kind == "in":
        if random.random() < 0.1:
            r["del"] = random.choice([True, False, None, "z"])
        if random.random() < 0.5:
            r["ts"] = random.choice([1, 2, 3, "a", None])
        if random.random() < 0.05:
            r["new%d" % random.randrange(3)] = {"n": random.randrange(5)}
    print(json.dumps(r, separators=(",", ":")))
EOF
}

# traced FILE ARGS...: rest-merge ARGS (standard input and error as
# given) under strace, and TIER set to how far past the budget it went:
# "memory" (no temporary file); "spool" (only the text in the file, its
# index kept: the file is read back only in windows of text, never in
# the 8-byte entries of the bucket tables of the hash join); "join" (the
# hash join, which reads them).  The trace goes to FILE.
traced() {
	local log=$1
	shift
	"${STRACE[@]}" -o "$log" -e trace=openat,pread64 rest-merge "$@" ||
	    return
	if ! grep -q '\.spill\.' "$log"; then
		TIER=memory
	elif grep -qE '^pread64\([0-9]+, .*, 8, [0-9]+\) = 8$' "$log"; then
		TIER=join
	else
		TIER=spool
	fi
}

can_trace() {
	"${STRACE[@]}" -o /dev/null true 2> /dev/null ||
	    skip 'strace cannot trace here'
}

# spilling PID: wait until rest-merge PID holds its spill file open (it is
# then past the budget, the file already unlinked); fails after 10 s.
spilling() {
	local i fd
	for i in $(seq 100); do
		for fd in "/proc/$1/fd"/*; do
			[[ $(readlink "$fd") == */."${F##*/}".spill.*' (deleted)' ]] &&
			    return 0
		done
		sleep 0.1
	done
	fail "rest-merge $1 does not spill"
}

# bg INPUT CMD...: CMD in the background, INPUT on its stdin, its stderr
# in err, bounded by 60 s, SIGINT and SIGTERM at their default; BG is the
# job.  merge_pid sets PID to its rest-merge once it catches SIGTERM.
bg() {
	local input=$1
	shift
	(trap - INT TERM; exec timeout --foreground 60 "$@" < "$input" 2> err) &
	BG=$!
}

merge_pid() {
	local i p mask
	for i in $(seq 100); do
		p=$(cat "/proc/$BG/task/$BG/children" 2>/dev/null) && p=${p%% *}
		if [ -n "$p" ] && [ "$(cat "/proc/$p/comm")" = rest-merge ]; then
			mask=$(awk '$1 == "SigCgt:" { print $2 }' "/proc/$p/status")
			if (( (16#$mask & 0x4000) != 0 )); then
				PID=$p
				return 0
			fi
		fi
		sleep 0.1
	done
	fail 'rest-merge does not catch SIGTERM'
}

@test "--memory: a size in bytes, K, M or G; bad or too small values are 78 naming it" {
	local arg want
	while IFS='|' read -r arg want; do
		run --separate-stderr rest-merge --memory "$arg" -k id "$F" < /dev/null
		assert_failure 78
		assert_equal "$stderr" "rest-merge: --memory: $want"
	done <<'EOF'
0|0 is less than the least budget, 64K
65535|65535 is less than the least budget, 64K
63K|63K is less than the least budget, 64K
12X|'12X' is not a size (bytes, or a number with K, M or G)
1.5M|'1.5M' is not a size (bytes, or a number with K, M or G)
-64K|'-64K' is not a size (bytes, or a number with K, M or G)
 64K|' 64K' is not a size (bytes, or a number with K, M or G)
|'' is not a size (bytes, or a number with K, M or G)
64KB|'64KB' is not a size (bytes, or a number with K, M or G)
99999999999999999999|'99999999999999999999' is not a size (bytes, or a number with K, M or G)
9999999999999G|'9999999999999G' is not a size (bytes, or a number with K, M or G)
EOF
	assert_file_not_exists "$F"
	run --separate-stderr rest-merge -k id --memory
	assert_failure 64
	assert_equal "${stderr_lines[0]}" "rest-merge: option '--memory' requires an argument"
	for arg in 65536 64k 64K 1m 1M 1g 1G; do
		run --separate-stderr rest-merge -s --memory "$arg" -k id "$F" <<<'{"id":1}'
		assert_success
		assert_equal "$stderr" ""
	done
	assert_equal "$(cat "$F")" '{"id":1}'
}

# same_as_memory WANT: merge in.jsonl into old.jsonl (replaced in) in
# memory and past --memory 64K, jsonl, csv and tsv, with 9 sets of
# options: table, sidecar and summary must be the same byte for byte.
# Past the budget it must have gone as far as WANT (see traced), if
# strace can tell.
same_as_memory() {
	local ext keys args n=0 trace=1
	"${STRACE[@]}" -o /dev/null true 2> /dev/null || trace=
	for ext in jsonl csv tsv; do
		while IFS='|' read -r keys args; do
			rm -f a.* b.*
			# FILE holds duplicate keys too: replace keeps them all.
			# shellcheck disable=SC2086 # the options split on purpose
			rest-merge -s -w replace $keys "a.$ext" < old.jsonl
			cp "a.$ext" "b.$ext"
			cp "a.$ext.schema.json" "b.$ext.schema.json"
			# shellcheck disable=SC2086 # the options split on purpose
			rest-merge $keys $args "a.$ext" < in.jsonl 2> a.err ||
			    fail "$ext $args: in memory: $(cat a.err)"
			if [ -n "$trace" ]; then
				# shellcheck disable=SC2086
				traced trace.log --memory 64K $keys $args "b.$ext" \
				    < in.jsonl 2> b.err ||
				    fail "$ext $args: past the budget: $(cat b.err)"
				[ "$TIER" = "$1" ] ||
				    fail "$ext $keys $args: $TIER, not $1"
			else
				# shellcheck disable=SC2086
				rest-merge --memory 64K $keys $args "b.$ext" \
				    < in.jsonl 2> b.err ||
				    fail "$ext $args: past the budget: $(cat b.err)"
			fi
			cmp "a.$ext" "b.$ext" || fail "$ext $args: the tables differ"
			cmp "a.$ext.schema.json" "b.$ext.schema.json" ||
			    fail "$ext $args: the sidecars differ"
			assert_equal "$(sed 's/ b\./ a./' b.err)" "$(cat a.err)"
			rm -f trace.log
			no_temp
			n=$((n + 1))
		done <<'EOF'
-k id|
-k id -k k2|
-k k2 -k id|--dedup-sort ts --hard-delete del
-k id|--prune
-k id|--hard-delete del
-k id|--dedup-sort ts
-k id|--dedup-sort ts:asc --hard-delete del --prune
-k id|-w append
-k id|-w replace
EOF
	done
	assert_equal "$n" 27
}

# The index of 4000 records of 2000 keys, 6000 as pairs, passes 48K (64K
# less the spool's two buffers of 8K): its 16-byte entries alone take 64K.
@test "past --memory the output equals the merge in memory, byte for byte: table, sidecar, summary" {
	gen 1 3000 old > old.jsonl
	gen 2 4000 in > in.jsonl
	same_as_memory join
}

# 300 records of about 480 bytes, 144K of text, pass 64K; their index
# (at most 151 keys, 453 as pairs, 300 records without a key: 512
# entries of 16 bytes, 1024 hash slots of 12, 8K of key bytes, 4K of
# dedup-sort places) stays under 48K.  Their ids come in random order.
@test "past --memory, the index within it: the text spools, the output equals the merge in memory" {
	can_trace
	gen 1 300 old 400 > old.jsonl
	gen 2 300 in 400 > in.jsonl
	same_as_memory spool
}

@test "past --memory: a new table, an empty input, and --dry-run are as in memory" {
	gen 3 3000 in > in.jsonl
	run --separate-stderr rest-merge --memory 64K -k id --hard-delete del "$F" < in.jsonl
	assert_success
	rest-merge -s -k id --hard-delete del want.jsonl < in.jsonl
	cmp "$F" want.jsonl
	local before
	before=$(sum "$F")
	run --separate-stderr rest-merge --memory 64K -k id "$F" < /dev/null
	assert_success
	assert_equal "$stderr" "rest-merge: $F: 0 inserted, 0 updated, 0 deleted, 0 unchanged, $(wc -l < "$F") rows"
	assert_equal "$(sum "$F")" "$before"
	gen 4 3000 in > more.jsonl
	run --separate-stderr rest-merge -n -k id want.jsonl < more.jsonl
	local want=$stderr
	run --separate-stderr rest-merge --memory 64K -n -k id "$F" < more.jsonl
	assert_success
	assert_equal "$stderr" "${want//want.jsonl/$F}"
	assert_equal "$(sum "$F")" "$before"
	no_temp
}

@test "past --memory it spills to one file beside FILE, unlinked the moment it is made" {
	"${STRACE[@]}" -o /dev/null true 2> /dev/null ||
	    skip 'strace cannot trace here'
	mkdir sub
	gen 5 3000 in > in.jsonl
	"${STRACE[@]}" -o trace.log \
	    -e trace=openat,unlink rest-merge -s --memory 64K -k id sub/t.jsonl < in.jsonl
	run grep -c 'spill' trace.log
	assert_output 2
	run grep 'spill' trace.log
	assert_line --index 0 --regexp '^openat\(AT_FDCWD, "sub/\.t\.jsonl\.spill\.[A-Za-z0-9]{6}", O_RDWR\|O_CREAT\|O_EXCL, 0600\) += [0-9]+$'
	local name
	name=$(sed -n 's/.*"\(sub\/\.t\.jsonl\.spill\.[A-Za-z0-9]*\)".*/\1/p' trace.log | head -n 1)
	assert_line --index 1 --regexp "^unlink\(\"${name//./\\.}\"\) += 0$"
	# Within the budget, nothing spills.
	"${STRACE[@]}" -o trace.log \
	    -e trace=openat,unlink rest-merge -s -k id sub/u.jsonl < in.jsonl
	run grep -c 'spill' trace.log
	assert_output 0
	cmp sub/t.jsonl sub/u.jsonl
}

@test "past --memory a bad record is 65 naming its line, FILE as it was, nothing left" {
	gen 6 3000 old > old.jsonl
	rest-merge -s -k id "$F" < old.jsonl
	local before schema
	before=$(sum "$F")
	schema=$(sum "$F.schema.json")
	gen 7 3000 in > in.jsonl
	printf '{"id":1,"v":\n' >> in.jsonl
	run --separate-stderr rest-merge --memory 64K -k id "$F" < in.jsonl
	assert_failure 65
	assert_equal "$stderr" "rest-merge: <stdin>:3001:13: unexpected end of input"
	assert_equal "$(sum "$F")" "$before"
	assert_equal "$(sum "$F.schema.json")" "$schema"
	no_temp
}

@test "past --memory a bad row of FILE is 65 naming its line, FILE as it was, nothing left" {
	gen 8 3000 old > old.jsonl
	rest-merge -s -w replace -k id f.csv < old.jsonl
	printf '1,2\n' >> f.csv
	local before
	before=$(sum f.csv)
	gen 9 3000 in > in.jsonl
	run --separate-stderr rest-merge --memory 64K -k id f.csv < in.jsonl
	assert_failure 65
	assert_equal "$stderr" "rest-merge: f.csv:3002: 2 fields, the header has 4"
	assert_equal "$(sum f.csv)" "$before"
	no_temp
}

@test "past --memory the file size limit is 74, FILE as it was, nothing left" {
	gen 10 3000 old > old.jsonl
	rest-merge -s -k id "$F" < old.jsonl
	local before schema
	before=$(sum "$F")
	schema=$(sum "$F.schema.json")
	gen 11 6000 in > in.jsonl
	# 128 KiB: the spill passes it before the table would.
	run --separate-stderr bash -c '(ulimit -f 128; timeout 60 rest-merge --memory 64K -k id "$1" < in.jsonl)' _ "$F"
	assert_failure 74
	assert_equal "$stderr" "rest-merge: $F: temporary file beside it: write failed: File too large"
	assert_equal "$(sum "$F")" "$before"
	assert_equal "$(sum "$F.schema.json")" "$schema"
	no_temp
}

# term_mid_run: rest-merge --memory 64K of in.jsonl into $F, spilling,
# killed by SIGTERM: a replace leaves $F and its sidecar as they were,
# with nothing left beside; a merge reading a pipe commits the records it
# read (want.jsonl: the same merge, whole) and dies.
term_mid_run() {
	local before schema
	before=$(sum "$F")
	schema=$(sum "$F.schema.json")
	mkfifo in
	# A replace stops at once, the stage before still writing.
	bg in rest-merge --memory 64K -w replace -k id "$F"
	exec 9> in
	cat in.jsonl >&9
	merge_pid
	spilling "$PID"
	kill -TERM "$PID"
	ST=0
	wait "$BG" || ST=$?
	exec 9>&-
	assert_equal "$ST" 143
	assert_equal "$(cat err)" "rest-merge: interrupted: $F left as it was (a replace commits only a whole input); rerun from the start"
	assert_equal "$(sum "$F")" "$before"
	assert_equal "$(sum "$F.schema.json")" "$schema"
	no_temp
	# A merge reading a pipe commits the records read, then dies.
	cp "$F" want.jsonl
	cp "$F.schema.json" want.jsonl.schema.json
	rest-merge -s -k id want.jsonl < in.jsonl
	bg in rest-merge --memory 64K -k id "$F"
	exec 9> in
	cat in.jsonl >&9
	merge_pid
	spilling "$PID"
	kill -TERM "$PID"
	exec 9>&-
	ST=0
	wait "$BG" || ST=$?
	assert_equal "$ST" 143
	run cat err
	assert_output --regexp "^rest-merge: $F: [0-9]+ inserted, [0-9]+ updated, 0 deleted, [0-9]+ unchanged, [0-9]+ rows \(interrupted: committed the records read before the input ended\)$"
	cmp "$F" want.jsonl
}

@test "SIGTERM mid-spill: a replace stops at once, a merge commits what it read; nothing left" {
	gen 12 3000 old > old.jsonl
	gen 13 3000 in > in.jsonl
	rest-merge -s -k id "$F" < old.jsonl
	term_mid_run
	no_temp
	# A second signal stops it before the commit.
	cp old.jsonl "$F"
	before=$(sum "$F")
	bg in rest-merge --memory 64K -k id "$F"
	exec 9> in
	cat in.jsonl >&9
	merge_pid
	spilling "$PID"
	kill -TERM "$PID"
	sleep 0.2
	kill -TERM "$PID"
	ST=0
	wait "$BG" || ST=$?
	exec 9>&-
	assert_equal "$ST" 143
	assert_equal "$(cat err)" "rest-merge: interrupted again: $F left as it was, so a resume offset printed before does not apply; rerun from the start"
	assert_equal "$(sum "$F")" "$before"
	no_temp
}

# spooling: the input of the tests below stays in the middle way, as a
# whole run of it says: 600 records of about 480 bytes (288K of text, past
# 128K), 301 keys, their index under 48K.
spooling() {
	can_trace
	gen "$1" 600 in 400 > in.jsonl
	cp "$F" t.jsonl
	cp "$F.schema.json" t.jsonl.schema.json
	traced trace.log -s --memory 64K -k id t.jsonl < in.jsonl
	assert_equal "$TIER" spool
	rm -f t.jsonl* trace.log
}

@test "the text spooled: a bad record is 65 naming its line, the size limit 74, FILE as it was, nothing left" {
	gen 20 600 old 400 > old.jsonl
	rest-merge -s -k id "$F" < old.jsonl
	spooling 21
	local before schema
	before=$(sum "$F")
	schema=$(sum "$F.schema.json")
	cp in.jsonl bad.jsonl
	printf '{"id":1,"v":\n' >> bad.jsonl
	run --separate-stderr rest-merge --memory 64K -k id "$F" < bad.jsonl
	assert_failure 65
	assert_equal "$stderr" "rest-merge: <stdin>:601:13: unexpected end of input"
	assert_equal "$(sum "$F")" "$before"
	assert_equal "$(sum "$F.schema.json")" "$schema"
	no_temp
	# 128 KiB: the text spooled passes it before the table would.
	run --separate-stderr bash -c '(ulimit -f 128; timeout 60 rest-merge --memory 64K -k id "$1" < in.jsonl)' _ "$F"
	assert_failure 74
	assert_equal "$stderr" "rest-merge: $F: temporary file beside it: write failed: File too large"
	assert_equal "$(sum "$F")" "$before"
	assert_equal "$(sum "$F.schema.json")" "$schema"
	no_temp
}

@test "the text spooled, SIGTERM: a replace stops at once, a merge commits what it read; nothing left" {
	gen 22 600 old 400 > old.jsonl
	rest-merge -s -k id "$F" < old.jsonl
	spooling 23
	term_mid_run
	cmp "$F.schema.json" want.jsonl.schema.json
	no_temp
}
