#!/bin/sh
# make soak: the whole pipeline against the local test API with faults
# injected at random (seeded), checked against the server's record list.
#
#   sh tests/soak.sh [-s] [BINDIR]
#
# -s runs the short version (part of make check).  Prints what it injected
# and what it checked; exits non-zero at the first difference.
set -eu
records=200000
faults=60
kills=5
if [ "${1:-}" = -s ]; then
	records=20000
	faults=12
	kills=2
	shift
fi
bindir=$(cd "${1:-bin}" && pwd)
here=$(cd "$(dirname "$0")" && pwd)
PATH="$bindir:$PATH"
seed=${SOAK_SEED:-20261124}
. "$here/server.sh"
server_up $records
url="$base/v1/resource"
pages=$((records / 100))

# Fault rules for one run: each picks a random page and a kind.
inject() {	# seed
	python3 - "$1" "$faults" "$pages" > "$tmp/faults.json" <<'PY'
import json, random, sys
seed, n, pages = (int(a) for a in sys.argv[1:])
rng = random.Random(seed)
kinds = ["503-burst", "502-burst", "429-retry-after", "drop", "truncate",
         "slow", "reset"]
rules = []
for _ in range(n):
    kind = rng.choice(kinds)
    rule = {"path": "/v1/resource",
            "args": {"offset": str(rng.randrange(pages) * 100)},
            "kind": kind}
    if kind.endswith("burst"):
        rule.update(action="status", status=int(kind[:3]),
                    times=rng.randint(2, 3))
    elif kind == "429-retry-after":
        rule.update(action="status", status=429,
                    headers={"Retry-After": "1"})
    elif kind == "slow":
        rule.update(action="slow", delay=0.3)
    else:
        rule.update(action=kind)
    rules.append(rule)
json.dump(rules, sys.stdout)
PY
	curl -fsS -X POST --data-binary "@$tmp/faults.json" \
		"$base/_faults" >/dev/null
}

kinds() {
	python3 -c 'import collections, json, sys
c = collections.Counter(r["kind"] for r in json.load(open(sys.argv[1])))
print(", ".join(f"{n} {k}" for k, n in sorted(c.items())))' "$tmp/faults.json"
}

# The table must hold every record of the server exactly once.
check() {	# table
	n=$(wc -l < "$1")
	sed 's/^{"id":\([0-9]*\),.*/\1/' "$1" | sort -n > "$tmp/ids"
	seq 1 $records > "$tmp/want"
	if ! cmp -s "$tmp/ids" "$tmp/want"; then
		echo "soak: $1: $n rows; ids differ from the server's:" >&2
		diff "$tmp/want" "$tmp/ids" | head -n 5 >&2
		exit 1
	fi
}

opts="-s --limit 100 --retries 5 --backoff-factor 0.05 --max-retry-delay 2"
opts="$opts --timeout 5"

echo "soak: $records records, $pages pages, seed $seed"
inject "$seed"
start=$(date +%s)
rest-paginate $opts "$url" | rest-select data | rest-merge -s -k id "$tmp/seq.jsonl"
check "$tmp/seq.jsonl"
echo "soak: sequential: $(kinds) injected; $records records, none missing" \
	"or doubled ($(( $(date +%s) - start )) s)"

curl -fsS -X POST "$base/_reset" >/dev/null
inject $((seed + 1))
start=$(date +%s)
rest-paginate $opts -P 8 "$url" | rest-select data | rest-merge -s -k id "$tmp/par.jsonl"
check "$tmp/par.jsonl"
cmp "$tmp/seq.jsonl" "$tmp/par.jsonl"
echo "soak: -P 8: $(kinds) injected; the table equals the sequential one" \
	"($(( $(date +%s) - start )) s)"

# Stop rest-paginate at random moments; each run resumes where the last
# one said, merging into the same table, which must end up complete.
curl -fsS -X POST "$base/_reset" >/dev/null
inject $((seed + 2))
# Every other page is slowed down a little, so a run always lasts long
# enough to be stopped.
python3 -c 'import json, sys
rules = json.load(open(sys.argv[1]))
rules.append({"path": "/v1/resource", "action": "slow", "delay": 0.01,
              "times": -1, "kind": "pace"})
json.dump(rules, open(sys.argv[1], "w"))' "$tmp/faults.json"
curl -fsS -X POST --data-binary "@$tmp/faults.json" "$base/_faults" >/dev/null
offset=0
runs=0
killed=0
mkfifo "$tmp/pipe"
while :; do
	runs=$((runs + 1))
	rest-paginate $opts --offset $offset "$url" >"$tmp/pipe" \
		2>"$tmp/paginate.err" &
	ppid=$!
	rest-select data <"$tmp/pipe" | rest-merge -s -k id "$tmp/kill.jsonl" &
	mpid=$!
	if [ $killed -lt $kills ]; then
		sleep "$(python3 -c "import random; r = random.Random($seed + $runs); print(r.uniform(0.2, 0.8))")"
		kill -TERM $ppid 2>/dev/null && killed=$((killed + 1))
	fi
	status=0
	wait $ppid 2>/dev/null || status=$?
	wait $mpid
	[ $status -eq 0 ] && break
	next=$(sed -n 's/.*resume with --offset \([0-9]*\)$/\1/p' \
		"$tmp/paginate.err" | tail -n 1)
	if [ -z "$next" ]; then
		echo "soak: rest-paginate exited $status without a resume line:" >&2
		cat "$tmp/paginate.err" >&2
		exit 1
	fi
	offset=$next
done
check "$tmp/kill.jsonl"
cmp "$tmp/seq.jsonl" "$tmp/kill.jsonl"
echo "soak: killed $killed times, resumed each time: the table is complete" \
	"($runs runs)"
stats=$(curl -fsS "$base/_stats")
echo "soak: server: $stats"
