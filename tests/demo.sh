#!/bin/sh
# make demo: start the bundled sample API on a free port of 127.0.0.1, sync
# its image_analysis resource with the whole pipeline into
# out/image_analysis.jsonl, show the summary and the first records, and
# stop the server.
set -eu
bindir=$(cd "${1:-bin}" && pwd)
here=$(cd "$(dirname "$0")" && pwd)
PATH="$bindir:$PATH"
tmp=$(mktemp -d)
pid=
cleanup() {
	[ -n "$pid" ] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT INT TERM

python3 "$here/server.py" --port-file "$tmp/port" --records 250 \
	>"$tmp/server.log" 2>&1 &
pid=$!
i=0
while [ ! -s "$tmp/port" ]; do
	i=$((i + 1))
	[ $i -lt 100 ] || { cat "$tmp/server.log" >&2; exit 1; }
	sleep 0.1
done
base="http://127.0.0.1:$(cat "$tmp/port")"

# The sample API wants the key of the seed's dlt config in the query.
API_KEY=sekrit-key-123
export API_KEY

echo "\$ rest-fetch --auth api_key --key-name api_key --key-location query \\"
echo "    '$base/v1/resource?limit=2&require_key=1'"
rest-fetch --auth api_key --key-name api_key --key-location query \
	"$base/v1/resource?limit=2&require_key=1"
echo
