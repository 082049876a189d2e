#!/bin/bash
# make check: run every bats file in TAP, then say "N tests, M failures"
# on one line, so a run with no tests or a failure shows at a glance.
set -o pipefail
here=$(cd "$(dirname "$0")" && pwd)
log=$(mktemp)
trap 'rm -f "$log"' EXIT
bats --formatter tap "$@" "$here" | tee "$log"
status=$?
tests=$(grep -cE '^(not )?ok ' "$log")
failures=$(grep -cE '^not ok ' "$log")
echo "$tests tests, $failures failures"
[ "$tests" -gt 0 ] || status=1
exit $status
