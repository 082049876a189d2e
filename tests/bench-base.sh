#!/bin/sh
# This tree against another revision, side by side in one run: set
# BENCH_BASE=REV (a commit, a tag, main) for make bench to build REV in a
# scratch directory and time both on the same server, interleaved, each
# BENCH_REPS times (5): the pipeline rest-paginate | rest-select |
# rest-merge into an empty table, then the same records merged into
# that table again.  Both must write the same bytes; then it prints
# each one's best wall and CPU time and their ratio, this tree over REV.
# Without BENCH_BASE, or under BENCH_QUICK, it does nothing.
set -eu
[ -n "${BENCH_BASE:-}" ] && [ -z "${BENCH_QUICK:-}" ] || exit 0
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/.." && pwd)
reps=${BENCH_REPS:-5}
records=${BENCH_RECORDS:-200000}
. "$here/server.sh"

# REV's programs, built as make builds them.
git -C "$top" archive --format=tar "$BENCH_BASE" | (mkdir "$tmp/base" &&
    tar -xf - -C "$tmp/base")
make -s -C "$tmp/base" all >"$tmp/base.log" 2>&1 || {
	tail -n 20 "$tmp/base.log" >&2
	echo "bench-base: $BENCH_BASE does not build" >&2
	exit 1
}
new=$(dirname "$(command -v rest-paginate)")
old=$tmp/base/bin

server_up "$records"
url="$base/v1/resource"
rest-paginate -s -P 4 "$url" >/dev/null

# run BIN TABLE: the pipeline with BIN's programs into TABLE, anew.
cat >"$tmp/run.sh" <<RUN
set -eo pipefail
rm -f "\$2" "\$2.schema.json"
"\$1/rest-paginate" -s '$url' | "\$1/rest-select" data |
    "\$1/rest-merge" -s -k id "\$2"
"\$1/rest-paginate" -s '$url' | "\$1/rest-select" data |
    "\$1/rest-merge" -s -k id "\$2"
RUN

for i in $(seq "$reps"); do
	for who in old new; do
		eval "bin=\$$who"
		python3 "$here/measure.py" -n 1 -r "$tmp/$who.jsonl" -- \
		    bash "$tmp/run.sh" "$bin" "$tmp/$who.jsonl" >>"$tmp/$who.times"
	done
done
if ! cmp -s "$tmp/old.jsonl" "$tmp/new.jsonl"; then
	echo "bench-base: $BENCH_BASE and this tree wrote different tables" >&2
	exit 1
fi
best() {
	sort -n "$tmp/$1.times" | head -n 1
}
echo "bench-base: $records records fetched, selected and merged twice;" \
    "best of $reps, interleaved"
printf '%-10s %8s %8s\n' "" "wall s" "cpu s"
printf '%-10s %8s %8s\n' "$BENCH_BASE" $(best old | cut -d' ' -f1,2)
printf '%-10s %8s %8s\n' "this tree" $(best new | cut -d' ' -f1,2)
best old >"$tmp/o"
best new >"$tmp/n"
awk 'NR == FNR { w = $1; c = $2; next }
    { printf "ratio      %8.3f %8.3f  (this tree / base; over 1.03 is a slowdown)\n",
    $1 / w, $2 / c }' "$tmp/o" "$tmp/n"
