#!/bin/sh
# make valgrind: a representative run of each program under valgrind's
# memcheck; any leak or invalid access fails the run.  Each stage is also
# checked for what it wrote, not only for its status: the same status,
# output, messages and files as the same stage without valgrind (each
# pipeline in a directory of its own), and the records it must hold.
set -eu
bindir=$(cd "${1:-bin}" && pwd)
here=$(cd "$(dirname "$0")" && pwd)
. "$here/server.sh"
server_up 500
API_KEY=sekrit-key-123
export API_KEY
sed "s|http://127.0.0.1:8080|$base|" "$here/fixtures/image_analysis.json" \
	> "$tmp/config.json"
mkdir "$tmp/vg" "$tmp/plain"

fail() {
	echo "valgrind: $name: $*" >&2
	exit 1
}

# stage NAME STATUS INPUT COMMAND...: run COMMAND with INPUT on its
# standard input, under memcheck in vg/ and without in plain/; both must
# exit STATUS and leave the same NAME.out, NAME.err and other files.
# $children, when set, is memcheck's --trace-children=yes: the programs
# COMMAND runs are checked too; $differ, diff's -x PATTERN for files that
# differ from run to run.
children= differ=
stage() {
	name=$1
	want=$2
	input=$3
	shift 3
	kinds=definite,indirect,possible
	for mode in vg plain; do
		(
			cd "$tmp/$mode"
			if [ $mode = vg ]; then
				set -- valgrind -q --error-exitcode=99 \
				    --leak-check=full --show-leak-kinds=$kinds \
				    --errors-for-leak-kinds=$kinds $children "$@"
			fi
			status=0
			"$@" <"$input" >"$name.out" 2>"$name.err" || status=$?
			echo $status >"$name.status"
		)
	done
	status=$(cat "$tmp/vg/$name.status")
	if [ "$status" -ne "$want" ]; then
		cat "$tmp/vg/$name.err" >&2
		fail "exit $status, not $want (99: errors or leaks)"
	fi
	if ! diff -r $differ "$tmp/vg" "$tmp/plain" >&2; then
		fail "under valgrind, not what the same run wrote without"
	fi
}

# ids FILE FILTER FIRST STEP N: jq -r FILTER on FILE gives the numbers
# FIRST, FIRST + STEP, ..., N of them.
ids() {
	jq -r "$2" "$1" | awk -v first="$3" -v step="$4" -v n="$5" '
	$0 != first + (NR - 1) * step { bad = 1; exit }
	END { exit bad || NR != n }' ||
		fail "$1: not the ids $3, $(($3 + $4)), ... ($5 of them)"
}

# lines FILE N: FILE has N lines.
lines() {
	[ "$(wc -l <"$1")" -eq "$2" ] || fail "$1: $(wc -l <"$1") lines, not $2"
}

cd "$tmp/vg"

stage fetch 0 /dev/null "$bindir/rest-fetch" --auth api_key \
	--key-name api_key --key-location query \
	"$base/v1/resource?require_key=1"
ids fetch.out '.data[].id' 1 1 10
[ "$(jq .total fetch.out)" = 500 ] || fail "fetch.out: no total of 500"
echo "valgrind: fetch: clean; the first 10 records of 500"

stage fetch-retry 75 /dev/null "$bindir/rest-fetch" --retries 1 \
	--backoff-factor 0.1 -s "$base/status/503"
[ ! -s fetch-retry.out ] || fail "a body on stdout"
grep -q 503 fetch-retry.err || fail "no 503 in: $(cat fetch-retry.err)"
echo "valgrind: fetch-retry: clean; 75, nothing on stdout, the 503 said"

stage paginate 0 /dev/null "$bindir/rest-paginate" -c "$tmp/config.json" \
	-q require_key=1
lines paginate.out 5
ids paginate.out '.data[].id' 1 1 500
echo "valgrind: paginate: clean; 5 pages, records 1 to 500"

stage paginate-parallel 0 /dev/null "$bindir/rest-paginate" -P 4 \
	--limit 50 "$base/v1/resource?wrap=results.items"
lines paginate-parallel.out 10
ids paginate-parallel.out '.results.items[].id' 1 1 500
echo "valgrind: paginate-parallel: clean; 10 pages in order, records 1 to 500"

stage select 0 /dev/null "$bindir/rest-select" data paginate.out
jq -c '.data[]' paginate.out | cmp -s - select.out ||
	fail "select.out: not the records jq -c '.data[]' selects"
ids select.out .id 1 1 500
echo "valgrind: select: clean; records 1 to 500, as jq selects them"

stage merge 0 select.out "$bindir/rest-merge" -k id table.jsonl
cmp -s select.out table.jsonl || fail "table.jsonl: not the 500 records"
echo "valgrind: merge: clean; table.jsonl holds the 500 records as read"

stage merge-again 0 select.out "$bindir/rest-merge" -k id table.jsonl
cmp -s select.out table.jsonl || fail "table.jsonl changed"
echo "valgrind: merge-again: clean; table.jsonl unchanged"

# Records with reviewed true (the odd ids) are deletes: the even ids stay.
stage merge-csv 0 select.out "$bindir/rest-merge" -k id \
	--hard-delete reviewed table.csv
python3 - table.csv <<'EOF' || fail "table.csv: not the rows of even ids"
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1], newline="", encoding="utf-8")))
assert [int(r["id"]) for r in rows] == list(range(2, 501, 2))
assert all(r["reviewed"] == "false" for r in rows)
assert rows[0]["analysis_result__label"] == "dog"
EOF
echo "valgrind: merge-csv: clean; table.csv holds the 250 rows kept"

# rest-sync runs the other three, found beside it: each under memcheck
# too, and so is its worker, a fork.
PATH=$bindir:$PATH
children=--trace-children=yes
# The sidecar says when the run was, and its id; .restpipe/last-run when
# the run began and ended.
differ='-x image_analysis.jsonl.schema.json -x last-run'
stage sync 0 /dev/null "$bindir/rest-sync" -s -c "$tmp/config.json" -C mirror
children= differ=
cmp -s select.out mirror/image_analysis.jsonl ||
	fail "mirror/image_analysis.jsonl: not the 500 records"
[ ! -e mirror/.image_analysis.sync ] ||
	fail "mirror/.image_analysis.sync: the state outlived the commit"
echo "valgrind: sync: clean; rest-sync and the three programs it ran," \
    "the 500 records in mirror/"
