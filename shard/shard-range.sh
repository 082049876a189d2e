#!/bin/sh
# rest-shard-range INDEX COUNT TOTAL [LIMIT]: the rest-paginate options that
# fetch shard INDEX (0-based) of COUNT shards of TOTAL records, as
# "--offset A --max-offset B".  Shards are whole pages of LIMIT (100)
# records, so they neither overlap nor leave gaps; a shard past the end is
# empty (A = B), which rest-paginate fetches as nothing.  make substitutes
# the version for @VERSION@ when it copies this file to bin/.
set -eu
prog=rest-shard-range
synopsis="usage: $prog [-h] [--version] INDEX COUNT TOTAL [LIMIT]"
usage() {
	echo "$synopsis" >&2
	exit 64
}
case ${1:-} in
-h | --help)
	echo "$synopsis"
	echo "  -h, --help                 show this help"
	echo "      --version              show the version"
	exit 0
	;;
--version)
	echo "$prog @VERSION@"
	exit 0
	;;
--)
	shift
	;;
--?*)
	echo "$prog: unrecognized option '$1'" >&2
	usage
	;;
-?*)
	echo "$prog: invalid option -- '$(printf %.1s "${1#-}")'" >&2
	usage
	;;
esac
[ $# -eq 3 ] || [ $# -eq 4 ] || usage
index=$1 count=$2 total=$3 limit=${4:-100}
for n in "$index" "$count" "$total" "$limit"; do
	case $n in '' | *[!0-9]*) usage ;; esac
done
[ "$count" -gt 0 ] && [ "$limit" -gt 0 ] && [ "$index" -lt "$count" ] || usage
pages=$(( (total + limit - 1) / limit ))
per=$(( (pages + count - 1) / count ))
start=$(( index * per * limit ))
end=$(( (index + 1) * per * limit ))
[ $end -le $(( pages * limit )) ] || end=$(( pages * limit ))
[ $start -le $end ] || start=$end
echo "--offset $start --max-offset $end"
