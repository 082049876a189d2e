#!/bin/bash
# make check: run every bats file in TAP, then say "N tests, M failures"
# on one line, so a run with no tests or a failure shows at a glance.
#
# Every program the tests run is bounded: the rest-* found on PATH are
# reached through shims that kill a run still going after
# RESTPIPE_TEST_TIMEOUT seconds (30), so a bug in a stop rule fails in
# seconds instead of hanging the suite.  The count of tests run must be
# the count of @test lines in the files; under CI (CI set) a skipped test
# fails the run.
set -o pipefail
here=$(cd "$(dirname "$0")" && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
log=$tmp/log

# The shim execs the program, so it keeps the shim's pid (kill $! and
# SIGINT reach the program itself); the watchdog, a bash named bash,
# reads a pipe that the program holds open, so it ends when the program
# does.
mkdir "$tmp/bin"
for prog in rest-fetch rest-paginate rest-select rest-merge rest-sync; do
	real=$(command -v "$prog") || continue
	cat >"$tmp/bin/$prog" <<EOF
#!/bin/bash
exec 9> >(exec bash -c '
	read -r -t "\$1" _
	if [ \$? -gt 128 ]; then
		echo "$prog: killed by the test timeout after \$1 s" >&2
		kill -KILL "\$2"
	fi' watchdog "\${RESTPIPE_TEST_TIMEOUT:-30}" \$\$ >/dev/null)
exec "$real" "\$@"
EOF
	chmod +x "$tmp/bin/$prog"
done
PATH=$tmp/bin:$PATH
export PATH

# Files named run alone (make check-reword); else the whole directory.
files=("$here")
for arg; do
	case $arg in
	*.bats) files=() ;;
	esac
done
bats --formatter tap "$@" "${files[@]}" | tee "$log"
status=$?
tests=$(grep -cE '^(not )?ok ' "$log")
failures=$(grep -cE '^not ok ' "$log")
skipped=$(grep -cE '^ok .* # skip' "$log")
declared=$(cat "$here"/*.bats | grep -cE '^@test ')
echo "$tests tests, $failures failures, $skipped skipped"
if [ "$tests" -eq 0 ]; then
	status=1
elif [ $# -eq 0 ] && [ "$tests" -ne "$declared" ]; then
	echo "run.sh: $tests tests ran, but the files declare $declared" >&2
	status=1
fi
if [ -n "${CI:-}" ] && [ "$skipped" -gt 0 ]; then
	echo "run.sh: under CI a skipped test is a failure:" >&2
	grep -E '^ok .* # skip' "$log" >&2
	status=1
fi
exit $status
