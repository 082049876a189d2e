#!/bin/sh
# The whole fetch side against the obvious alternative: a bash loop of
# curl + jq over the same local server, 2,000 pages of 100 records.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
records=200000
. "$here/server.sh"
server_up $records
url="$base/v1/resource"

# Warm the server's record cache so every contender sees the same server.
rest-paginate -s -P 4 "$url" >/dev/null

measure() {	# name command: prints "name seconds kib" and checks the count
	out=$(python3 "$here/measure.py" "$2 > $tmp/out")
	n=$(wc -l < "$tmp/out")
	[ "$n" -eq $records ] || { echo "$1: $n records, not $records" >&2; exit 1; }
	echo "$1 $out"
}

cat > "$tmp/loop.sh" <<LOOP
offset=0
while [ \$offset -lt $records ]; do
	curl -fsS "$url?offset=\$offset&limit=100" | jq -c '.data[]'
	offset=\$((offset + 100))
done
LOOP

{
	measure loop "bash $tmp/loop.sh"
	measure seq "rest-paginate -s '$url' | rest-select data"
	measure par "rest-paginate -s -P 8 '$url' | rest-select data"
} > "$tmp/results"

awk '
{ t[$1] = $2; m[$1] = $3 }
END {
	printf "pipeline, %d pages of 100 records from the local test API:\n", 2000
	printf "  curl + jq loop                      %7.2f s  %6d KiB peak\n", t["loop"], m["loop"]
	printf "  rest-paginate | rest-select         %7.2f s  %6d KiB peak  %5.1fx faster\n", t["seq"], m["seq"], t["loop"] / t["seq"]
	printf "  rest-paginate -P 8 | rest-select    %7.2f s  %6d KiB peak  %5.1fx faster\n", t["par"], m["par"], t["loop"] / t["par"]
}' "$tmp/results"
