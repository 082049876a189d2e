#!/bin/sh
# shellcheck disable=SC2086 # set -- $out splits on purpose
# bench-merge: rest-merge upserting 1,000,000 records (half of them updates,
# half new keys) into a 1,000,000-row jsonl file, against the same upsert
# in jq, two ways: the group_by idiom, and a reduce that keeps first-seen
# order as rest-merge does.  Each runs BENCH_REPS times (3), rest-merge on
# a fresh copy of the file each time, and every run with the disk synced
# first; the three must write the same rows before any time is printed.
# rest-merge runs within its default memory budget (spilling past it), and
# once more with a budget that holds the whole batch, for the difference.
# Then rest-merge alone merges 3,000,000 records into 3,000,000 rows, once
# (BIG_ROWS=n for another size, BIG_ROWS=0 to skip), its rows checked.
# ROWS=n for other sizes; BENCH_QUICK=1: 2,000 rows, once each, rows only,
# rest-merge also past a budget of 64K; no 3M run.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
quick=${BENCH_QUICK:-}
if [ -n "$quick" ]; then
	rows=${ROWS:-2000} reps=1 big=0
else
	rows=${ROWS:-1000000} reps=${BENCH_REPS:-3} big=${BIG_ROWS:-3000000}
fi
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
trap 'exit 130' INT TERM

# gen FIRST N LABEL: N records with ids FIRST, FIRST+1, ...  The numbers
# have no trailing zero, so jq prints them as they came.
gen() {
	awk -v s="$1" -v n="$2" -v l="$3" 'BEGIN {
		for (i = s; i < s + n; i++) {
			c = i % 1000
			if (c % 10 == 0)
				c++
			printf "{\"id\":%d,\"image_url\":" \
			    "\"https://img.example.com/%d.jpg\"," \
			    "\"analysis_result\":{\"label\":\"%s\"," \
			    "\"confidence\":0.%03d,\"tags\":[\"a\",\"b\"]}," \
			    "\"created_at\":\"2026-01-01T00:00:00Z\"," \
			    "\"reviewed\":%s}\n", i, i, l, c,
			    i % 2 ? "true" : "false"
		}
	}'
}

gen 1 "$rows" cat >"$dir/old.jsonl"
gen $((rows / 2 + 1)) "$rows" dog >"$dir/new.jsonl"
# FILE as rest-merge made it, sidecar and all.
rest-merge -s -w replace -k id "$dir/start.jsonl" <"$dir/old.jsonl"

measure() {
	python3 "$here/measure.py" -n "$reps" "$@"
}

# shellcheck disable=SC2016 # $r is jq's
reduce='reduce inputs as $r ({}; .[$r.id | tostring] = $r) | .[]'
group='group_by(.id) | map(last) | .[]'
out=$(measure -s "cp '$dir/start.jsonl' '$dir/ours.jsonl' &&
    cp '$dir/start.jsonl.schema.json' '$dir/ours.jsonl.schema.json' && sync" \
    -i "$dir/new.jsonl" -r "$dir/ours.jsonl" -- \
    rest-merge -s -k id "$dir/ours.jsonl")
set -- $out
ours_t=$1 ours_cpu=$2 ours_rss=$3
# The same with the whole batch in memory: a budget of 4G.
out=$(measure -s "cp '$dir/start.jsonl' '$dir/held.jsonl' &&
    cp '$dir/start.jsonl.schema.json' '$dir/held.jsonl.schema.json' && sync" \
    -i "$dir/new.jsonl" -r "$dir/held.jsonl" -- \
    rest-merge -s --memory 4G -k id "$dir/held.jsonl")
set -- $out
held_t=$1 held_cpu=$2 held_rss=$3
if [ -n "$quick" ]; then
	measure -s "cp '$dir/start.jsonl' '$dir/spill.jsonl' &&
	    cp '$dir/start.jsonl.schema.json' '$dir/spill.jsonl.schema.json'" \
	    -i "$dir/new.jsonl" -r "$dir/spill.jsonl" -- \
	    rest-merge -s --memory 64K -k id "$dir/spill.jsonl" >/dev/null
	cmp "$dir/ours.jsonl" "$dir/spill.jsonl" >&2 || {
		echo "bench-merge: past --memory 64K rest-merge wrote other" \
		    "rows" >&2
		exit 1
	}
fi
out=$(measure -s sync -o "$dir/reduce.jsonl" -- \
    jq -n -c "$reduce" "$dir/old.jsonl" "$dir/new.jsonl")
set -- $out
reduce_t=$1 reduce_cpu=$2 reduce_rss=$3
out=$(measure -s sync -o "$dir/group.jsonl" -- \
    jq -c -s "$group" "$dir/old.jsonl" "$dir/new.jsonl")
set -- $out
group_t=$1 group_cpu=$2 group_rss=$3

# The same rows from all three, all of them, or no timing at all.  The
# ids ascend, so first-seen order and group_by's order agree.
want=$((rows / 2 + rows))
for other in reduce group held; do
	if ! cmp "$dir/ours.jsonl" "$dir/$other.jsonl" >&2; then
		echo "bench-merge: rest-merge and jq $other wrote different" \
		    "rows" >&2
		exit 1
	fi
done
if [ "$(wc -l <"$dir/ours.jsonl")" -ne "$want" ]; then
	echo "bench-merge: $(wc -l <"$dir/ours.jsonl") rows, not $want" >&2
	exit 1
fi
if [ -n "$quick" ]; then
	echo "bench-merge: $rows rows + $rows records: rest-merge (past" \
	    "--memory 64K too), jq reduce and jq group_by wrote the same" \
	    "$want rows"
	exit 0
fi

mb() {
	awk -v b="$(wc -c <"$1")" 'BEGIN { printf "%.1f", b / 1048576 }'
}
new_mb=$(mb "$dir/new.jsonl")
echo "bench-merge: $rows rows ($(mb "$dir/old.jsonl") MB) + $rows records" \
    "($new_mb MB), $((rows / 2)) of them updates; the same $want rows" \
    "from all three"
awk -v ot="$ours_t" -v oc="$ours_cpu" -v or="$ours_rss" \
    -v rt="$reduce_t" -v rc="$reduce_cpu" -v rr="$reduce_rss" \
    -v gt="$group_t" -v gc="$group_cpu" -v gr="$group_rss" \
    -v ht="$held_t" -v hc="$held_cpu" -v hr="$held_rss" \
    -v batch="$new_mb" 'BEGIN {
	f = "  %-34s %7.2f s wall %7.2f s CPU %8.1f MB\n"
	printf f, "rest-merge -k id", ot, oc, or / 1024
	printf f, "rest-merge --memory 4G (in memory)", ht, hc, hr / 1024
	printf f, "jq reduce, first-seen order", rt, rc, rr / 1024
	printf f, "jq -s group_by(.id) | map(last)", gt, gc, gr / 1024
	printf "  rest-merge is %.1fx faster than jq reduce, %.1fx than " \
	    "group_by (CPU time: %.1fx, %.1fx)\n", rt / ot, gt / ot,
	    rc / oc, gc / oc
	printf "  rest-merge peak RSS is %.2fx the input batch (%s MB); " \
	    "jq needs %.1fx and %.1fx\n", or / 1024 / batch, batch,
	    rr / 1024 / batch, gr / 1024 / batch
}'

# 3M records into 3M rows: rest-merge alone, once, its rows checked as the
# jq runs check them above: ids ascend, so the merge is the first half of
# the old rows and then every new record.
[ "$big" -gt 0 ] || exit 0
rm -f "$dir"/*.jsonl "$dir"/*.schema.json
gen 1 "$big" cat >"$dir/old.jsonl"
gen $((big / 2 + 1)) "$big" dog >"$dir/new.jsonl"
rest-merge -s -w replace -k id "$dir/start.jsonl" <"$dir/old.jsonl"
rm "$dir/old.jsonl"
out=$(measure -n 1 -s "sync" -i "$dir/new.jsonl" \
    -r "$dir/start.jsonl" -- rest-merge -s -k id "$dir/start.jsonl")
set -- $out
big_t=$1 big_cpu=$2 big_rss=$3
{ gen 1 $((big / 2)) cat; cat "$dir/new.jsonl"; } | cmp - "$dir/start.jsonl" >&2 || {
	echo "bench-merge: rest-merge wrote other rows at $big records" >&2
	exit 1
}
echo "bench-merge: $big rows + $big records ($(mb "$dir/new.jsonl") MB)," \
    "$((big / 2)) of them updates, once; the rows checked"
awk -v t="$big_t" -v c="$big_cpu" -v r="$big_rss" 'BEGIN {
	printf "  %-34s %7.2f s wall %7.2f s CPU %8.1f MB\n",
	    "rest-merge -k id", t, c, r / 1024
}'
