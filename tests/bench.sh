#!/bin/sh
# make bench: run every tests/bench-*.sh with the freshly built binaries
# first on PATH.  Each part prints its own timings and ratios.
set -eu
bindir=$(cd "${1:-bin}" && pwd)
here=$(cd "$(dirname "$0")" && pwd)
PATH="$bindir:$PATH"
export PATH
for part in "$here"/bench-*.sh; do
	[ -f "$part" ] || continue
	sh "$part"
done
