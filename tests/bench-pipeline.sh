#!/bin/sh
# The whole fetch side against the obvious alternative: a loop of curl +
# jq over the same local server, 2,000 pages of 100 records, against
# rest-paginate | rest-select, one page at a time and 8 at once.  Each
# runs BENCH_REPS times (3); the three must write the same bytes before
# any time is printed.  BENCH_QUICK=1: 20 pages, once each, output only.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
quick=${BENCH_QUICK:-}
if [ -n "$quick" ]; then
	records=2000 reps=1
else
	records=200000 reps=${BENCH_REPS:-3}
fi
. "$here/server.sh"
server_up $records
url="$base/v1/resource"

# Warm the server's record cache so every contender sees the same server.
rest-paginate -s -P 4 "$url" >/dev/null

cat >"$tmp/loop.sh" <<LOOP
set -eo pipefail
offset=0
while [ \$offset -lt $records ]; do
	curl -fsS "$url?offset=\$offset&limit=100" | jq -c '.data[]'
	offset=\$((offset + 100))
done
LOOP

# measure NAME COMMAND: "NAME WALL CPU KIB" of the bash command, whose
# output goes to $tmp/NAME; a stage that fails fails it.
measure() {
	out=$(python3 "$here/measure.py" -n "$reps" -o "$tmp/$1" -- \
	    bash -c "set -o pipefail; $2")
	echo "$1 $out"
}

measure loop "bash $tmp/loop.sh" >"$tmp/results"
measure seq "rest-paginate -s '$url' | rest-select data" >>"$tmp/results"
measure par "rest-paginate -s -P 8 '$url' | rest-select data" \
    >>"$tmp/results"

# The same bytes from all three, every record, or no timing at all.
for other in seq par; do
	if ! cmp "$tmp/loop" "$tmp/$other" >&2; then
		echo "bench-pipeline: the curl + jq loop and $other wrote" \
		    "different output" >&2
		exit 1
	fi
done
n=$(wc -l <"$tmp/loop")
if [ "$n" -ne $records ]; then
	echo "bench-pipeline: $n records, not $records" >&2
	exit 1
fi
if [ -n "$quick" ]; then
	echo "bench-pipeline: $((records / 100)) pages: the curl + jq loop," \
	    "rest-paginate | rest-select and -P 8 wrote the same $n records"
	exit 0
fi

awk -v pages=$((records / 100)) '
{ t[$1] = $2; c[$1] = $3; m[$1] = $4 }
END {
	printf "bench-pipeline: %d pages of 100 records from the local " \
	    "test API, the same bytes from all three\n", pages
	f = "  %-34s %7.2f s wall %7.2f s CPU %7d KiB peak"
	printf f "\n", "curl + jq loop", t["loop"], c["loop"], m["loop"]
	printf f "  %5.1fx faster\n", "rest-paginate | rest-select",
	    t["seq"], c["seq"], m["seq"], t["loop"] / t["seq"]
	printf f "  %5.1fx faster\n", "rest-paginate -P 8 | rest-select",
	    t["par"], c["par"], m["par"], t["loop"] / t["par"]
}' "$tmp/results"
