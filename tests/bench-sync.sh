#!/bin/sh
# What rest-sync costs over the bare pipeline it runs: 100,000 records
# in 1,000 pages from the local server into an empty table, by
# rest-paginate | rest-select | rest-merge, and by rest-sync on the same
# resource (spooled, logged, resumable).  Each runs BENCH_REPS times (5);
# the two tables must be the same bytes before any time is printed, and
# the overhead must stay under 5% (BENCH_BUDGET, in percent).
# BENCH_QUICK=1: 2,000 records, once each, the tables compared only.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
quick=${BENCH_QUICK:-}
if [ -n "$quick" ]; then
	records=2000 reps=1
else
	records=100000 reps=${BENCH_REPS:-5}
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

# measure NAME DIR COMMAND: "NAME WALL CPU KIB" of the bash command, run
# into the empty directory DIR; each repetition must leave the same table.
measure() {
	out=$(python3 "$here/measure.py" -n "$reps" -s "rm -rf '$2'; mkdir '$2'" \
	    -r "$2/image_analysis.jsonl" -- bash -c "set -o pipefail; $3")
	echo "$1 $out"
}

measure bare "$tmp/bare" "rest-paginate -s '$url' | rest-select data |
    rest-merge -s -k id '$tmp/bare/image_analysis.jsonl'" >"$tmp/results"
measure sync "$tmp/sync" "rest-sync -s -c '$tmp/api.json' -C '$tmp/sync'" \
    >>"$tmp/results"

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

awk -v pages=$((records / 100)) -v budget="$budget" '
{ t[$1] = $2; c[$1] = $3; m[$1] = $4 }
END {
	over = 100 * (t["sync"] / t["bare"] - 1)
	printf "bench-sync: %d pages of 100 records into an empty table, " \
	    "the same table from both\n", pages
	f = "  %-44s %7.2f s wall %7.2f s CPU %7d KiB peak"
	printf f "\n", "rest-paginate | rest-select | rest-merge",
	    t["bare"], c["bare"], m["bare"]
	printf f "  %+5.1f%%\n", "rest-sync", t["sync"], c["sync"], m["sync"],
	    over
	if (over >= budget) {
		printf "bench-sync: rest-sync costs %.1f%% more than the " \
		    "pipeline, over the budget of %s%%\n", over, budget
		exit 1
	}
}' "$tmp/results"
