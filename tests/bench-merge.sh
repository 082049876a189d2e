#!/bin/sh
# shellcheck disable=SC2046 # set -- $(measure ...) splits on purpose
# bench-merge: rest-merge upserting 1,000,000 records (half of them updates,
# half new keys) into a 1,000,000-row jsonl file, against the same upsert
# in jq, two ways: the group_by idiom, and a reduce that keeps first-seen
# order as rest-merge does.  Prints wall and CPU times, peak RSS and the
# ratios, and checks that all three write the same rows.  ROWS=n for other
# sizes.
set -eu

rows=${ROWS:-1000000}
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

mb() {
	awk -v b="$(wc -c <"$1")" 'BEGIN { printf "%.1f", b / 1048576 }'
}
old_mb=$(mb "$dir/old.jsonl")
new_mb=$(mb "$dir/new.jsonl")
echo "bench-merge: $rows rows ($old_mb MB) + $rows records ($new_mb MB)," \
    "$((rows / 2)) of them updates"

# measure CMD: "WALL CPU KIB" of the shell command CMD: seconds of wall
# and of CPU time, and the peak RSS.  On a busy machine the CPU time shows
# the work done better than the wall time.
measure() {
	python3 - "$1" <<'EOF'
import resource, subprocess, sys, time

t = time.monotonic()
if subprocess.call(["sh", "-c", sys.argv[1]]) != 0:
    sys.exit("bench-merge: failed: " + sys.argv[1])
t = time.monotonic() - t
u = resource.getrusage(resource.RUSAGE_CHILDREN)
print("%.3f %.3f %d" % (t, u.ru_utime + u.ru_stime, u.ru_maxrss))
EOF
}

# less A B: whether the number A is less than B.
less() {
	awk -v a="$1" -v b="$2" 'BEGIN { exit !(a < b) }'
}

# The best of three runs, each on a fresh copy of FILE, with the disk idle
# first: the data just written must not slow down rest-merge's fsync.
ours_t='' ours_cpu='' ours_rss=0
for _ in 1 2 3; do
	cp "$dir/start.jsonl" "$dir/ours.jsonl"
	cp "$dir/start.jsonl.schema.json" "$dir/ours.jsonl.schema.json"
	sync
	set -- $(measure "rest-merge -s -k id '$dir/ours.jsonl' \
	    <'$dir/new.jsonl'")
	if [ -z "$ours_t" ] || less "$1" "$ours_t"; then
		ours_t=$1
	fi
	if [ -z "$ours_cpu" ] || less "$2" "$ours_cpu"; then
		ours_cpu=$2
	fi
	[ "$3" -gt "$ours_rss" ] && ours_rss=$3
done
# shellcheck disable=SC2016 # $r is jq's
reduce='reduce inputs as $r ({}; .[$r.id | tostring] = $r) | .[]'
set -- $(measure "jq -n -c '$reduce' '$dir/old.jsonl' '$dir/new.jsonl' \
    >'$dir/reduce.jsonl'")
reduce_t=$1 reduce_cpu=$2 reduce_rss=$3
group='group_by(.id) | map(last) | .[]'
set -- $(measure "jq -c -s '$group' '$dir/old.jsonl' '$dir/new.jsonl' \
    >'$dir/group.jsonl'")
group_t=$1 group_cpu=$2 group_rss=$3

# The ids ascend, so first-seen order and group_by's order agree.
same=yes
cmp -s "$dir/ours.jsonl" "$dir/reduce.jsonl" || same=no
cmp -s "$dir/ours.jsonl" "$dir/group.jsonl" || same=no

awk -v ot="$ours_t" -v oc="$ours_cpu" -v or="$ours_rss" \
    -v rt="$reduce_t" -v rc="$reduce_cpu" -v rr="$reduce_rss" \
    -v gt="$group_t" -v gc="$group_cpu" -v gr="$group_rss" \
    -v batch="$new_mb" -v same="$same" 'BEGIN {
	f = "  %-34s %7.2f s wall %7.2f s CPU %8.1f MB\n"
	printf f, "rest-merge -k id (best of 3)", ot, oc, or / 1024
	printf f, "jq reduce, first-seen order", rt, rc, rr / 1024
	printf f, "jq -s group_by(.id) | map(last)", gt, gc, gr / 1024
	printf "  rest-merge is %.1fx faster than jq reduce, %.1fx than " \
	    "group_by (CPU time: %.1fx, %.1fx)\n", rt / ot, gt / ot,
	    rc / oc, gc / oc
	printf "  rest-merge peak RSS is %.2fx the input batch (%s MB); " \
	    "jq needs %.1fx and %.1fx\n", or / 1024 / batch, batch,
	    rr / 1024 / batch, gr / 1024 / batch
	printf "  same rows from all three: %s\n", same
}'
[ "$same" = yes ]
