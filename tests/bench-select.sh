#!/bin/sh
# shellcheck disable=SC2086 # set -- $out splits on purpose
# bench-select: rest-select data against jq -c '.data[]' on 2,000 pages of
# 100 records, one page a line, the output written to a file as in use.
# Each runs BENCH_REPS times (3); their outputs must be the same bytes
# before any time is printed.  PAGES=n for other sizes; BENCH_QUICK=1:
# 20 pages, once each, outputs only.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
quick=${BENCH_QUICK:-}
if [ -n "$quick" ]; then
	pages=${PAGES:-20} reps=1
else
	pages=${PAGES:-2000} reps=${BENCH_REPS:-3}
fi
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
trap 'exit 130' INT TERM

python3 - "$pages" >"$dir/pages" <<'PY'
import sys

pages = int(sys.argv[1])
labels = ("cat", "dog", "bird", "car", "tree")
out = sys.stdout
n = 0


def conf(n):
    # No trailing zero, so jq prints the number as it came.
    d = n % 1000
    return d + 1 if d % 10 == 0 else d


for p in range(pages):
    recs = []
    for i in range(100):
        n += 1
        recs.append(
            '{"id":%d,"image_id":"img-%06d","analysis_result":'
            '{"label":"%s","confidence":0.%03d,"tags":["a","b"]},'
            '"created_at":"2026-01-01T00:00:00Z","width":640,'
            '"reviewed":%s,"note":null}'
            % (n, n, labels[n % 5], conf(n), "true" if n % 2 else "false"))
    out.write('{"data":[%s],"total":%d}\n' % (",".join(recs), pages * 100))
PY

measure() {
	python3 "$here/measure.py" -n "$reps" -i "$dir/pages" "$@"
}

out=$(measure -o "$dir/ours" -- rest-select data)
set -- $out
ours_t=$1 ours_cpu=$2 ours_rss=$3
out=$(measure -o "$dir/jq" -- jq -c '.data[]')
set -- $out
jq_t=$1 jq_cpu=$2 jq_rss=$3

# The same bytes, all of the records, or no timing at all.
lines=$(wc -l <"$dir/ours")
if ! cmp "$dir/ours" "$dir/jq" >&2; then
	echo "bench-select: rest-select and jq wrote different output" >&2
	exit 1
fi
if [ "$lines" -ne $((pages * 100)) ]; then
	echo "bench-select: $lines lines, not $((pages * 100))" >&2
	exit 1
fi
if [ -n "$quick" ]; then
	echo "bench-select: $pages pages: rest-select data and" \
	    "jq -c '.data[]' wrote the same $lines lines"
	exit 0
fi

mb=$(awk -v b="$(wc -c <"$dir/pages")" 'BEGIN { printf "%.1f", b / 1048576 }')
echo "bench-select: $pages pages ($mb MB), $lines lines, the same from both"
awk -v mb="$mb" -v ot="$ours_t" -v oc="$ours_cpu" -v orss="$ours_rss" \
    -v jt="$jq_t" -v jc="$jq_cpu" -v jrss="$jq_rss" 'BEGIN {
	f = "  %-18s %7.3f s wall %7.3f s CPU %7.1f MB/s %6.1f MB peak RSS\n"
	printf f, "rest-select data", ot, oc, mb / ot, orss / 1024
	printf f, "jq -c .data[]", jt, jc, mb / jt, jrss / 1024
	printf "  rest-select is %.1fx jq (CPU time: %.1fx)\n", jt / ot,
	    jc / oc
}'
