#!/bin/sh
# make unit, and make check before the bats suite: run each unit test
# program given, print its TAP lines, then "unit: N checks, M failures".
#
# Each program runs under a 60 s limit in a fresh $TMPDIR.  One that
# exits non-zero with no failed check (a crash, a sanitizer report, a
# leak, a timeout) or prints a plan other than the checks it ran counts
# as one more failure.
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
checks=0
failures=0
for prog in "$@"; do
	name=${prog##*/}
	mkdir "$tmp/$name"
	echo "# unit/$name"
	TMPDIR=$tmp/$name timeout 60 "$prog" >"$tmp/$name.out" 2>&1
	status=$?
	cat "$tmp/$name.out"
	n=$(grep -cE '^(not )?ok ' "$tmp/$name.out")
	m=$(grep -cE '^not ok ' "$tmp/$name.out")
	if ! grep -qx "1\.\.$n" "$tmp/$name.out"; then
		echo "unit: $name: the plan is missing or wrong"
		m=$((m + 1))
	elif [ "$status" -ne 0 ] && [ "$m" -eq 0 ]; then
		echo "unit: $name: exit status $status with no failed check"
		m=1
	fi
	checks=$((checks + n))
	failures=$((failures + m))
done
echo "unit: $checks checks, $failures failures"
[ "$checks" -gt 0 ] && [ "$failures" -eq 0 ]
