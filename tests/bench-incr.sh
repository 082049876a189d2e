#!/bin/sh
# What incremental loading saves: 100,000 records in 1,000 pages synced
# once, then 1% of them changed (every 100th record edited, its
# updated_at moved past the others), and the table re-synced by
# rest-sync incrementally (the records updated since the last value of
# its state) and in full (--full-refresh: every page again).  Each runs
# BENCH_REPS times (3) from a copy of the first sync; both must leave the
# same table, with every changed record edited, before any time is
# printed, and the incremental re-sync must send fewer requests.
# BENCH_QUICK=1: 2,000 records, once each, the tables compared only.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
quick=${BENCH_QUICK:-}
if [ -n "$quick" ]; then
	records=2000 reps=1
else
	records=100000 reps=${BENCH_REPS:-3}
fi
. "$here/server.sh"
server_up $records

# conf FILE EVERY: the resource with every EVERY-th record changed (0: none).
conf() {
	cat >"$1" <<-EOF
	{"client": {"base_url": "$base"},
	 "resources": [{"name": "image_analysis", "primary_key": "id",
	   "write_disposition": "merge",
	   "endpoint": {"path": "/v1/resource", "data_selector": "data",
	     "params": {"updated": "1", "changed_every": "$2"},
	     "paginator": {"type": "offset", "limit": 100},
	     "incremental": {"cursor_path": "updated_at",
	       "start_param": "updated_since",
	       "initial_value": "2000-01-01T00:00:00Z"}}}]}
	EOF
}
conf "$tmp/before.json" 0
conf "$tmp/after.json" 100
rest-sync -s -c "$tmp/before.json" -C "$tmp/base"

# requests NAME [OPTION]: the requests of one re-sync from the first.
requests() {
	dir=$tmp/$1
	shift
	rm -rf "$dir"
	cp -a "$tmp/base" "$dir"
	rest-sync -s --json -c "$tmp/after.json" -C "$dir" "$@" |
	    jq -r '"\(.pages) \(.requests)"'
}
set -- $(requests incr)
incr_pages=$1 incr_requests=$2
set -- $(requests full --full-refresh)
full_pages=$1 full_requests=$2

# measure NAME [OPTION]: "NAME WALL CPU KIB" of the re-sync into DIR.
measure() {
	out=$(python3 "$here/measure.py" -n "$reps" \
	    -s "rm -rf '$tmp/$1'; cp -a '$tmp/base' '$tmp/$1'" \
	    -r "$tmp/$1/image_analysis.jsonl" -- rest-sync -s \
	    -c "$tmp/after.json" -C "$tmp/$1" ${2-})
	echo "$1 $out"
}
measure incr >"$tmp/results"
measure full --full-refresh >>"$tmp/results"

table=image_analysis.jsonl
if ! cmp "$tmp/incr/$table" "$tmp/full/$table" >&2; then
	echo "bench-incr: the incremental and the full re-sync wrote" \
	    "different tables" >&2
	exit 1
fi
n=$(wc -l <"$tmp/incr/$table")
edited=$(jq -r 'select(.note == "edited") | .id' "$tmp/incr/$table" |
    awk '$1 % 100 == 0 { n++ } END { print n + 0 }')
if [ "$n" -ne $records ] || [ "$edited" -ne $((records / 100)) ]; then
	echo "bench-incr: $n records, $edited edited: not $records and" \
	    "$((records / 100))" >&2
	exit 1
fi
if [ "$incr_requests" -ge "$full_requests" ]; then
	echo "bench-incr: $incr_requests requests incrementally, not fewer" \
	    "than $full_requests" >&2
	exit 1
fi
if [ -n "$quick" ]; then
	echo "bench-incr: $records records, 1% changed: the incremental" \
	    "($incr_requests requests) and the full re-sync" \
	    "($full_requests) wrote the same table"
	exit 0
fi

awk -v records=$records -v ir=$incr_requests -v fr=$full_requests \
    -v ip=$incr_pages -v fp=$full_pages '
{ t[$1] = $2; c[$1] = $3; m[$1] = $4 }
END {
	printf "bench-incr: %d records, 1%% changed since the last sync, " \
	    "re-synced; the same table from both\n", records
	f = "  %-30s %5d pages %5d requests %7.2f s wall %7.2f s CPU %7d KiB peak"
	printf f "\n", "rest-sync (incremental)", ip, ir, t["incr"],
	    c["incr"], m["incr"]
	printf f "\n", "rest-sync --full-refresh", fp, fr, t["full"],
	    c["full"], m["full"]
	printf "  incremental: %.1fx faster, %.1fx fewer requests\n",
	    t["full"] / t["incr"], fr / ir
}' "$tmp/results"
