#!/bin/sh
# make demo: start the bundled sample API on a free port of 127.0.0.1,
# mirror its image_analysis resource with rest-sync into
# out/image_analysis.jsonl and show the first records; the same by the
# pipes; then a rest-sync interrupted, its --status, and the run that
# resumes it, whose recap ends the demo; and stop the server.
set -eu
bindir=$(cd "${1:-bin}" && pwd)
here=$(cd "$(dirname "$0")" && pwd)
PATH="$bindir:$PATH"
. "$here/server.sh"
server_up 250

# The seed's dlt configuration as JSON, pointed at the local sample API.
sed "s|http://127.0.0.1:8080|$base|" "$here/fixtures/image_analysis.json" \
	> "$tmp/image_analysis.json"
config=$tmp/image_analysis.json

# The secret, as dlt.secrets["api_key"] resolves it: from the environment.
API_KEY=sekrit-key-123
export API_KEY

out=$(pwd)/out
mkdir -p "$out"
echo "# The main job: every resource of the configuration mirrored, each"
echo "# table replaced or merged only once its whole extract arrived."
echo "$ rest-sync -c image_analysis.json -C out"
rest-sync -c "$config" -C out 2>&1
echo
echo "$ wc -l out/image_analysis.jsonl"
(cd "$out" && wc -l image_analysis.jsonl)
echo
echo "$ head -n 2 out/image_analysis.jsonl | jq ."
head -n 2 "$out/image_analysis.jsonl" | jq .
echo
# require_key=1 makes the sample API refuse a request without the key.
echo "# The parts rest-sync runs, joined by hand:"
echo "$ rest-paginate -c image_analysis.json -q require_key=1 \\"
echo "    | rest-select -c image_analysis.json \\"
echo "    | (cd out && rest-merge -c image_analysis.json)"
rest-paginate -c "$config" -q require_key=1 \
	| rest-select -c "$config" \
	| (cd "$out" && rest-merge -c "$config" 2>&1)
echo
# A run stopped half way, as a Ctrl-C or a cron job's timeout stops it,
# while the sample API takes 10 s to send its second page: the page
# fetched waits beside the table for the next run.
rm -f out/image_analysis.jsonl out/image_analysis.jsonl.schema.json
curl -fsS --noproxy '*' -X POST -d '[{"path": "/v1/resource",
	"action": "slow", "delay": 10, "skip": 1, "times": 1}]' \
	"$base/_faults" >/dev/null
echo "$ timeout -s INT 3 rest-sync -c image_analysis.json -C out"
timeout -s INT 3 rest-sync -c "$config" -C out 2>&1 || true
echo "$ rest-sync -c image_analysis.json -C out --status"
rest-sync -c "$config" -C out --status
echo "$ rest-sync -c image_analysis.json -C out"
rest-sync -c "$config" -C out 2>&1
