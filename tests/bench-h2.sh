#!/bin/sh
# What -P 8 gains over HTTPS and HTTP/2 against a server with 50 ms of
# latency a request: nginx from Debian (a self-signed certificate) in
# front of the local test API, every page 50 ms slow.  rest-paginate
# one page at a time against -P 8, both on one HTTP/2 connection (the
# log says how many connections each used).  The outputs must be the
# same bytes before a time is printed.  BENCH_QUICK=1: 20 pages, once,
# output only.  Without nginx the part says so and is skipped.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
quick=${BENCH_QUICK:-}
if [ -n "$quick" ]; then
	records=2000 reps=1
else
	records=20000 reps=${BENCH_REPS:-3}
fi
. "$here/server.sh"
. "$here/nginx.sh"
if [ -z "$(nginx_bin)" ]; then
	echo "bench-h2: skipped: no nginx (apt-get install nginx)"
	exit 0
fi
server_up $records
trap 'nginx_down "$tmp/nginx"; server_cleanup' EXIT
nginx_up "$tmp/nginx" "$base"
curl -fsS --noproxy '*' -X POST -H 'Content-Type: application/json' \
    --data-binary '[{"path": "/v1/resource", "action": "slow",
    "delay": 0.05, "times": -1}]' "$base/_faults" >/dev/null
url="$h2base/v1/resource"

measure() {
	: >"$tmp/nginx/access.log"
	out=$(python3 "$here/measure.py" -n "$reps" -o "$tmp/$1" -- \
	    bash -c "set -o pipefail; $2")
	conns=$(awk '{ print $1 }' "$tmp/nginx/access.log" | sort -u | wc -l)
	proto=$(awk '{ print $2 }' "$tmp/nginx/access.log" | sort -u |
	    paste -sd, -)
	echo "$1 $out $conns $proto"
}

measure seq "rest-paginate -s --cacert '$h2cert' '$url'" >"$tmp/results"
measure par "rest-paginate -s -P 8 --cacert '$h2cert' '$url'" \
    >>"$tmp/results"
if ! cmp "$tmp/seq" "$tmp/par" >&2; then
	echo "bench-h2: -P 8 wrote other pages than -P 1" >&2
	exit 1
fi
if ! awk -v r="$reps" '$5 != r || $6 != "HTTP/2.0" { bad = 1 } END { exit bad }' \
    "$tmp/results"; then
	echo "bench-h2: not one HTTP/2 connection a run:" >&2
	cat "$tmp/results" >&2
	exit 1
fi
if [ -n "$quick" ]; then
	echo "bench-h2: $((records / 100)) pages over HTTP/2, 50 ms each:" \
	    "-P 1 and -P 8 wrote the same pages, one connection a run"
	exit 0
fi
awk -v pages=$((records / 100)) '
{ t[$1] = $2; c[$1] = $3 }
END {
	printf "bench-h2: %d pages over HTTPS and HTTP/2 (nginx), 50 ms a " \
	    "request, one connection a run\n", pages
	f = "  %-34s %7.2f s wall %7.2f s CPU"
	printf f "\n", "rest-paginate", t["seq"], c["seq"]
	printf f "  %5.1fx faster\n", "rest-paginate -P 8", t["par"], c["par"],
	    t["seq"] / t["par"]
}' "$tmp/results"
