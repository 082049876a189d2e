#!/bin/sh
# bench-select: rest-select data against jq -c '.data[]' on 2,000 pages of
# 100 records, one page a line.  Prints the best wall time of three runs,
# throughput and peak RSS of each (output written to a file, as in use),
# checks that both print the same lines, and the speed ratio.
set -eu

pages=${PAGES:-2000}
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
trap 'exit 130' INT TERM

python3 - "$pages" >"$dir/pages" <<'EOF'
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
EOF

# measure IN OUT CMD...: run CMD three times with stdin from IN and stdout
# to OUT; print the best wall time in seconds and the peak RSS in KB.
# GNU time reports the RSS when it is there: a child forked from python
# would count python's own pages too.
measure() {
	python3 - "$@" <<'EOF'
import os, resource, subprocess, sys, time

inp, outp, cmd = sys.argv[1], sys.argv[2], sys.argv[3:]
gnutime = os.access("/usr/bin/time", os.X_OK)
if gnutime:
    cmd = ["/usr/bin/time", "-f", "%M"] + cmd
best, rss = None, 0
for _ in range(3):
    with open(inp, "rb") as i, open(outp, "wb") as o:
        t = time.monotonic()
        p = subprocess.Popen(cmd, stdin=i, stdout=o, stderr=subprocess.PIPE)
        err = p.communicate()[1]
        t = time.monotonic() - t
    if p.returncode != 0:
        sys.exit("bench-select: %s failed: %s" % (cmd, err.decode()))
    kb = int(err.split()[-1]) if gnutime else \
        resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    best = t if best is None else min(best, t)
    rss = max(rss, kb)
print("%.4f %d" % (best, rss))
EOF
}

bytes=$(wc -c <"$dir/pages")
mb=$(awk -v b="$bytes" 'BEGIN { printf "%.1f", b / 1048576 }')
echo "bench-select: $pages pages, $mb MB"

set -- $(measure "$dir/pages" "$dir/ours" rest-select data)
ours_t=$1 ours_rss=$2
set -- $(measure "$dir/pages" "$dir/jq" jq -c '.data[]')
jq_t=$1 jq_rss=$2

ours_n=$(wc -l <"$dir/ours")
jq_n=$(wc -l <"$dir/jq")
if [ "$ours_n" -ne "$jq_n" ]; then
	echo "bench-select: line counts differ: $ours_n vs $jq_n" >&2
	exit 1
fi
if cmp -s "$dir/ours" "$dir/jq"; then
	same="identical output"
else
	same="output differs from jq's"
fi

awk -v mb="$mb" -v ot="$ours_t" -v orss="$ours_rss" -v jt="$jq_t" \
    -v jrss="$jq_rss" -v n="$ours_n" -v same="$same" 'BEGIN {
	printf "  rest-select data   %6.3f s %7.1f MB/s %6.1f MB peak RSS\n",
	    ot, mb / ot, orss / 1024
	printf "  jq -c .data[]      %6.3f s %7.1f MB/s %6.1f MB peak RSS\n",
	    jt, mb / jt, jrss / 1024
	printf "  %d lines each, %s; rest-select is %.1fx jq\n",
	    n, same, jt / ot
}'
