#!/bin/sh
# What rest-sync costs over the bare pipeline it runs: 100,000 records
# in 1,000 pages from the local server into an empty table, by
# rest-paginate | rest-select | rest-merge, and by rest-sync on the same
# resource (spooled, logged, resumable).  The two run in BENCH_PAIRS
# pairs (9), back to back, the first of a pair in turn one and the other,
# each after a sync(1), so that neither pays for what the other left to
# write back, and drift over the minutes hits both alike.  The overhead
# is the median of the pairs' ratios of wall time; it must stay under
# BENCH_BUDGET percent (5).  The two tables must be the same bytes
# before any time is printed.
# BENCH_QUICK=1: 2,000 records, one pair, the tables compared only.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
quick=${BENCH_QUICK:-}
if [ -n "$quick" ]; then
	records=2000 pairs=1
else
	records=100000 pairs=${BENCH_PAIRS:-9}
fi
budget=${BENCH_BUDGET:-5}
. "$here/server.sh"
server_up $records
url="$base/v1/resource"

cat >"$tmp/api.json" <<EOF
{"client": {"base_url": "$base"},
 "resource_defaults": {"primary_key": "id", "write_disposition": "merge"},
 "resources": [{"name": "image_analysis", "endpoint": {"path": "/v1/resource",
   "data_selector": "data", "paginator": {"type": "offset", "limit": 100}}}]}
EOF

# Warm the server's record cache so both contenders see the same server.
rest-paginate -s -P 4 "$url" >/dev/null

# measure NAME DIR COMMAND: "NAME WALL CPU KIB" of one run of the bash
# command into the empty directory DIR.
measure() {
	out=$(python3 "$here/measure.py" -n 1 \
	    -s "rm -rf '$2'; mkdir '$2'; sync" -- bash -c "set -o pipefail; $3")
	echo "$1 $out"
}
run_bare() {
	measure bare "$tmp/bare" "rest-paginate -s '$url' | rest-select data |
	    rest-merge -s -k id '$tmp/bare/image_analysis.jsonl'"
}
run_sync() {
	measure sync "$tmp/sync" "rest-sync -s -c '$tmp/api.json' -C '$tmp/sync'"
}

: >"$tmp/results"
i=0
while [ $i -lt $pairs ]; do
	if [ $((i % 2)) -eq 0 ]; then
		run_bare && run_sync
	else
		run_sync && run_bare
	fi >>"$tmp/results"
	i=$((i + 1))
done

if ! cmp "$tmp/bare/image_analysis.jsonl" "$tmp/sync/image_analysis.jsonl" \
    >&2; then
	echo "bench-sync: the pipeline and rest-sync wrote different tables" >&2
	exit 1
fi
n=$(wc -l <"$tmp/sync/image_analysis.jsonl")
if [ "$n" -ne $records ]; then
	echo "bench-sync: $n records, not $records" >&2
	exit 1
fi
if [ -n "$quick" ]; then
	echo "bench-sync: $((records / 100)) pages: the pipeline and rest-sync" \
	    "wrote the same table of $n records"
	exit 0
fi

awk -v pages=$((records / 100)) -v budget="$budget" -v pairs=$pairs '
function best(k,   i, b) {
	b = 0
	for (i = 1; i <= pairs; i++)
		if (b == 0 || t[k, i] < t[k, b])
			b = i
	return b
}
{ n[$1]++; t[$1, n[$1]] = $2; c[$1, n[$1]] = $3; m[$1, n[$1]] = $4 }
END {
	# The median overhead of the pairs, by an insertion sort.
	for (i = 1; i <= pairs; i++) {
		r = 100 * (t["sync", i] / t["bare", i] - 1)
		for (j = i; j > 1 && o[j - 1] > r; j--)
			o[j] = o[j - 1]
		o[j] = r
	}
	over = pairs % 2 ? o[(pairs + 1) / 2] : \
	    (o[pairs / 2] + o[pairs / 2 + 1]) / 2
	b = best("bare")
	s = best("sync")
	printf "bench-sync: %d pages of 100 records into an empty table, " \
	    "the same table from both; best of %d runs each\n", pages, pairs
	f = "  %-44s %7.2f s wall %7.2f s CPU %7d KiB peak\n"
	printf f, "rest-paginate | rest-select | rest-merge",
	    t["bare", b], c["bare", b], m["bare", b]
	printf f, "rest-sync", t["sync", s], c["sync", s], m["sync", s]
	printf "  rest-sync over the pipeline, median of %d pairs: %+.1f%% " \
	    "(pairs from %+.1f%% to %+.1f%%)\n", pairs, over, o[1], o[pairs]
	if (over >= budget) {
		printf "bench-sync: rest-sync costs %.1f%% more than the " \
		    "pipeline, over the budget of %s%%\n", over, budget
		exit 1
	}
}' "$tmp/results"
