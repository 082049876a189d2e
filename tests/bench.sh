#!/bin/sh
# make bench: run every tests/bench-*.sh with the freshly built binaries
# first on PATH.  Each part runs every contender the same number of times
# (BENCH_REPS, 3 by default), proves their outputs equal, and only then
# prints timings and ratios; a mismatch fails the part, and make bench.
#
# BENCH_QUICK=1 runs small sizes once each and checks the outputs only,
# without timings: fast enough for CI.
set -eu
bindir=$(cd "${1:-bin}" && pwd)
here=$(cd "$(dirname "$0")" && pwd)
PATH="$bindir:$PATH"
export PATH
if [ -n "${BENCH_QUICK:-}" ]; then
	echo "bench: quick: outputs checked, nothing timed"
else
	echo "bench: best wall time of ${BENCH_REPS:-3} runs each;" \
	    "CPU and RSS from that run"
fi
curl=$(curl --version | head -n 1 | cut -d' ' -f1,2)
echo "bench: $(jq --version), $curl, $(rest-select --version)"
status=0
for part in "$here"/bench-*.sh; do
	[ -f "$part" ] || continue
	sh "$part" || status=1
done
exit $status
