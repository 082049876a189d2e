#!/bin/sh
# commits.sh [RANGE]: check the message of every commit in RANGE with
# tests/commit-msg.sh, as the commit-msg hook does when one is made.
# RANGE defaults to the commits since .ci/history-base, the commit before
# the rule came in: so CI checks every commit a change adds.
set -u
cd "$(dirname "$0")/.."
range=${1:-$(cat .ci/history-base)..HEAD}
base=${range%%..*}
if ! git rev-parse -q --verify "$base^{commit}" >/dev/null; then
	echo "commits: $base is not in this clone's history; fetch it" \
	    "(git fetch --unshallow) to check $range" >&2
	exit 1
fi
tmp=$(mktemp) || exit 1
trap 'rm -f "$tmp"' EXIT
status=0 n=0
for c in $(git rev-list --no-merges "$range"); do
	git log -1 --format=%B "$c" >"$tmp"
	lines=$(git show --numstat --format= "$c" |
	    awk '{ n += $1 + $2 } END { print n + 0 }')
	if ! out=$(sh tests/commit-msg.sh "$tmp" "$lines" 2>&1); then
		printf '%s\n' "commits: $(git log -1 --format='%h %s' "$c")" \
		    "$out" >&2
		status=1
	fi
	n=$((n + 1))
done
echo "commits: $n checked in $range"
exit $status
