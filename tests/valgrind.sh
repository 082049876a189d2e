#!/bin/sh
# make valgrind: a representative run of each program under valgrind's
# memcheck; any leak or invalid access fails the run.
set -eu
bindir=$(cd "${1:-bin}" && pwd)
here=$(cd "$(dirname "$0")" && pwd)
. "$here/server.sh"
server_up 500
API_KEY=sekrit-key-123
export API_KEY
sed "s|http://127.0.0.1:8080|$base|" "$here/fixtures/image_analysis.json" \
	> "$tmp/config.json"

vg() {	# name status command...: the command must exit with status
	name=$1
	want=$2
	shift 2
	status=0
	valgrind -q --error-exitcode=99 --leak-check=full \
	    --show-leak-kinds=definite,indirect,possible \
	    --errors-for-leak-kinds=definite,indirect,possible \
	    "$@" > "$tmp/$name.out" 2> "$tmp/$name.err" || status=$?
	if [ $status -ne "$want" ]; then
		cat "$tmp/$name.err" >&2
		echo "valgrind: $name: exit $status, not $want" \
		    "(99: errors or leaks)" >&2
		exit 1
	fi
	echo "valgrind: $name: clean"
}

vg fetch 0 "$bindir/rest-fetch" --auth api_key --key-name api_key \
	--key-location query "$base/v1/resource?require_key=1"
vg fetch-retry 75 "$bindir/rest-fetch" --retries 1 --backoff-factor 0.1 -s \
	"$base/status/503"
vg paginate 0 "$bindir/rest-paginate" -c "$tmp/config.json" -q require_key=1
vg paginate-parallel 0 "$bindir/rest-paginate" -P 4 --limit 50 \
	"$base/v1/resource?wrap=results.items"
vg select 0 "$bindir/rest-select" data "$tmp/paginate.out"
vg merge 0 "$bindir/rest-merge" -k id "$tmp/table.jsonl" < "$tmp/select.out"
vg merge-again 0 "$bindir/rest-merge" -k id "$tmp/table.jsonl" < "$tmp/select.out"
vg merge-csv 0 "$bindir/rest-merge" -k id --hard-delete reviewed \
	"$tmp/table.csv" < "$tmp/select.out"
