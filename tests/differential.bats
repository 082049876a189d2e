#!/usr/bin/env bats
# Differential tests: rest-merge against a reference written in Python
# from rest-merge(1), and rest-select against jq, on random inputs made by
# differential.py from fixed seeds.  A failure names its seed; replay it
# with "python3 tests/differential.py merge SEED N DIR" (or select).

bats_require_minimum_version 1.5.0

export BATS_LIB_PATH=${BATS_LIB_PATH:-/usr/lib/bats}
bats_load_library bats-support
bats_load_library bats-assert

GEN=$BATS_TEST_DIRNAME/differential.py

setup() {
	cd "$BATS_TEST_TMPDIR" || return
}

# same WANT GOT WHAT: the two files are byte for byte the same, or the
# test fails showing where they differ (cat -A shows CR and tabs).
same() {
	if ! cmp -s "$1" "$2"; then
		diff <(cat -A "$1") <(cat -A "$2") | head -n 20 >&2
		fail "$3: $2 differs from the reference $1"
	fi
}

# widenings_only: the last run's standard error holds nothing but the
# notes of columns whose type widened (-s hides the summary).
widenings_only() {
	local line re="^rest-merge: .*: column '.*' widened"
	re+=" from [a-z]+ to [a-z]+\$"
	[[ -n $stderr ]] || return 0
	while IFS= read -r line; do
		[[ $line =~ $re ]] || fail "unexpected on stderr: $line"
	done <<<"$stderr"
}

# merge_case FORMAT SEED: in1 into a new table, then in2 into it, each
# compared with the reference's table.
# (No loop variable named i: bats' run sets one.)
merge_case() {
	local fmt=$1 seed=$2 part
	mkdir "$seed.$fmt"
	timeout 60 python3 "$GEN" merge "$seed" 60 "$seed.$fmt"
	for part in 1 2; do
		run --separate-stderr timeout 60 rest-merge -s -k id \
		    "$seed.$fmt/t.$fmt" <"$seed.$fmt/in$part.jsonl"
		assert_success
		widenings_only
		same "$seed.$fmt/want$part.$fmt" "$seed.$fmt/t.$fmt" \
		    "seed $seed, input $part"
	done
}

@test "rest-merge writes jsonl as a reference does: later wins, first-seen order" {
	local seed
	for seed in 1 2 3 4 5 6; do
		merge_case jsonl "$seed"
	done
	# The cases hold what the rules are about: keys repeated within an
	# input, and 3 and "3" (or "\u0033") as different keys.
	run timeout 60 jq -s 'map(.id | tojson) | length - (unique | length)' \
	    1.jsonl/in1.jsonl
	assert [ "$output" -gt 10 ]
	run timeout 60 jq -s \
	    'map(.id | tostring) | length - (unique | length)' \
	    1.jsonl/want2.jsonl
	assert [ "$output" -gt 0 ]
}

@test "rest-merge writes csv as a reference does: columns, names, quotes, nulls" {
	local seed
	for seed in 1 2 3 4 5 6; do
		merge_case csv "$seed"
	done
	# Cells that must be quoted are there, a comma alone and a line break
	# among them, and 3 and "3" are one key, so there are fewer rows
	# than in jsonl.
	run grep -cE '(^|,)","(,|'$'\r''$)' 1.csv/want2.csv
	assert_success
	run grep -c '"two$' 1.csv/want2.csv
	assert_success
	run timeout 60 python3 -c 'import csv, sys
print(sum(1 for _ in csv.reader(open(sys.argv[1], newline=""))) - 1)' \
	    1.csv/want2.csv
	assert [ "$output" -lt "$(wc -l <1.csv/want2.jsonl)" ]
}

@test "rest-merge's csv reads back with Python's csv module, cell for cell" {
	local seed=7
	merge_case csv "$seed"
	run timeout 60 python3 - "$seed.csv/t.csv" "$seed.csv/want2.csv" <<'PY'
import csv, sys
got, want = ([row for row in csv.reader(open(p, newline="", encoding="utf-8"))]
             for p in sys.argv[1:])
assert got == want, (got, want)
assert any("," in c for row in got for c in row), "no cell with a comma"
print(len(got) - 1, "rows")
PY
	assert_success
	assert_output --regexp '^[0-9]+ rows$'
}

# select_case SEED [--escapes]: every path of the case through rest-select
# and through jq, each path's lines followed by a marker; with --escapes
# both outputs go through jq -c . first.
select_case() {
	local seed=$1 escapes=${2:-} dir="sel.$1${2:+.e}" sel every
	local n=0 ours theirs
	mkdir "$dir"
	timeout 60 python3 "$GEN" select "$seed" "$dir" ${escapes:+"$escapes"}
	ours=$dir/ours theirs=$dir/jq
	while IFS=$'\t' read -r sel _ every; do
		n=$((n + 1))
		timeout 60 rest-select -m "$sel" "$dir/stream" \
		    >"$dir/out.$n" 2>"$dir/err.$n" ||
			fail "seed $seed, rest-select -m '$sel': exit $?"
		[[ ! -s $dir/err.$n ]] ||
			fail "seed $seed, '$sel': $(cat "$dir/err.$n")"
		# A path in every value selects the same without -m.
		if [[ $every == 1 ]]; then
			timeout 60 rest-select "$sel" "$dir/stream" \
			    >"$dir/all.$n" ||
				fail "seed $seed, rest-select '$sel': exit $?"
			cmp -s "$dir/out.$n" "$dir/all.$n" ||
				fail "seed $seed, '$sel': -m changed the output"
		fi
		cat "$dir/out.$n" >>"$ours"
		echo '"@@end of '"$n"'@@"' >>"$ours"
	done <"$dir/paths"
	# shellcheck disable=SC2016 # $p, $docs and $paths are jq's
	timeout 60 jq -n -c --slurpfile docs "$dir/stream" \
	    --slurpfile paths "$dir/paths.json" '$paths[0] | keys[] as $n |
	    $paths[0][$n] as $p | ($docs[] | (try getpath($p) catch null) |
	    if type == "array" then .[] elif . == null then empty else . end),
	    "@@end of \($n + 1)@@"' >"$theirs"
	if [[ -n $escapes ]]; then
		timeout 60 jq -c . <"$ours" >"$ours.n"
		timeout 60 jq -c . <"$theirs" >"$theirs.n"
		ours=$ours.n theirs=$theirs.n
	fi
	[[ $(grep -c '^"@@end' "$theirs") == "$n" ]] || fail "jq failed"
	if ! cmp -s "$theirs" "$ours"; then
		nl "$dir/paths" >&2
		same "$theirs" "$ours" "seed $seed"
	fi
}

@test "rest-select selects what jq selects, byte for byte, on values jq keeps" {
	local seed
	for seed in 1 2 3 4 5 6 7 8; do
		select_case "$seed"
	done
}

@test "rest-select selects what jq selects, after jq -c ., on values jq rewrites" {
	local seed
	for seed in 1 2 3 4 5 6; do
		select_case "$seed" --escapes
	done
}
