#!/usr/bin/env bats
# Beyond one machine: the README's GNU parallel recipe, run on this host
# against the local test API and sharded four ways, and the Kubernetes
# Indexed Job of examples/, checked as YAML and against the programs'
# options, and its command lines run as its pods would run them.  Each
# sharded table must equal the table of an unsharded rest-sync.

bats_require_minimum_version 1.5.0

load server
load manpage

setup_file() { server_start --records 950; }
teardown_file() { server_stop; }

setup() {
	server_reset
	export API_KEY=sekrit-key-123
	TOP=$BATS_TEST_DIRNAME/..
	MANIFEST=$TOP/examples/k8s-indexed-job.yaml
	export PARALLEL_HOME=$BATS_TEST_TMPDIR/parallel
	cd "$BATS_TEST_TMPDIR"
}

# unsharded_table: the table of one rest-sync of the seed's configuration
# against the local API, in unsharded/.
unsharded_table() {
	jq --arg base "$BASE" '.client.base_url = $base' \
	    "$BATS_TEST_DIRNAME/fixtures/image_analysis.json" >api.json
	run -0 timeout 60 rest-sync -s -c api.json -C unsharded
	[ "$(wc -l <unsharded/image_analysis.jsonl)" -eq 950 ]
	server_reset
}

# readme_recipe: the GNU parallel recipe of README.md, as it is written.
readme_recipe() {
	awk '/^## Beyond one machine/ { on = 1 }
	    on && /^    total=\$\(rest-fetch/ { code = 1 }
	    code { sub(/^    /, ""); print }
	    code && /^rest-merge/ { exit }' "$TOP/README.md"
}

@test "the README's GNU parallel recipe, four shards on this host, equals an unsharded sync" {
	local recipe
	command -v parallel >/dev/null ||
	    skip "GNU parallel is missing (apt-get install parallel)"
	unsharded_table
	recipe=$(readme_recipe)
	[ "$(wc -l <<<"$recipe")" -eq 5 ]
	# Only the hosts and the URL change: four jobs on this host, the
	# local API.
	assert_equal "$(grep -c -- '--sshlogin 4/host1,4/host2' <<<"$recipe")" 1
	assert_equal "$(grep -o 'URL' <<<"$recipe" | wc -l)" 2
	recipe=${recipe//--sshlogin 4\/host1,4\/host2/--sshlogin 4\/:}
	recipe=${recipe//URL/$BASE/v1/resource}
	mkdir sharded
	run -0 bash -c 'cd sharded && timeout 120 bash -euo pipefail -c "$1"' recipe "$recipe"
	assert_output --regexp "^rest-merge: image_analysis.jsonl: 950 inserted, .*, 950 rows$"
	cmp unsharded/image_analysis.jsonl sharded/image_analysis.jsonl
	# One request for the total (no offset: -1), then each page once:
	# the ten pages of 950 records in four shards of three pages.
	run -0 bash -c "curl -fsS '$BASE/_requests' |
	    jq -r '.args.offset // -1' | sort -n | uniq -c |
	    awk '{ print \$1, \$2 }' | paste -sd' '"
	assert_output '1 -1 1 0 1 100 1 200 1 300 1 400 1 500 1 600 1 700 1 800 1 900'
}

# manifest_query WHAT: what python3's yaml module reads in the manifest:
#   summary   one line per document: its kind, name and what matters;
#   scripts   each container's name and the rest-* invocations of its
#             script, one a line: the program, then its options;
#   pods DIR  each container's command and environment, as DIR/NAME.cmd
#             (NUL-separated) and DIR/NAME.env (NAME=VALUE lines).
manifest_query() {
	python3 - "$MANIFEST" "$@" <<'EOF'
import os, re, sys
import yaml

path, what = sys.argv[1], sys.argv[2]
with open(path) as f:
    docs = [d for d in yaml.safe_load_all(f) if d is not None]

def containers(doc):
    spec = doc.get("spec", {}).get("template", {}).get("spec", {})
    return spec.get("containers", [])

def env_of(c):
    out = {}
    for e in c.get("env", []):
        if "value" in e:
            out[e["name"]] = e["value"]
        else:
            ref = e["valueFrom"]
            kind = next(iter(ref))
            out[e["name"]] = "<%s %s/%s>" % (kind, ref[kind]["name"],
                                              ref[kind]["key"])
    return out

if what == "summary":
    for d in docs:
        spec = d.get("spec", {})
        line = [d["kind"], d["metadata"]["name"],
                "step=" + d["metadata"]["labels"]["step"]]
        if d["kind"] == "Job":
            line += ["mode=%s" % spec.get("completionMode", "NonIndexed"),
                     "completions=%s" % spec.get("completions", 1)]
            for c in containers(d):
                env = env_of(c)
                line += ["SHARDS=%s" % env.get("SHARDS"),
                         "API_KEY=%s" % env.get("API_KEY")]
                mounts = ["%s:%s" % (m["name"], m["mountPath"])
                          for m in c.get("volumeMounts", [])]
                line += ["mounts=" + ",".join(mounts)]
            vols = [v["persistentVolumeClaim"]["claimName"]
                    for v in spec["template"]["spec"]["volumes"]]
            line += ["claims=" + ",".join(vols)]
        print(" ".join(line))
elif what == "scripts":
    for d in docs:
        for c in containers(d):
            script = c["command"][-1].replace("\\\n", " ")
            for cmd in re.split(r"\||\n|;|\$\(|\)", script):
                words = cmd.split()
                if words and words[0].startswith("rest-"):
                    print(c["name"], words[0],
                          *[w.split("=")[0] for w in words[1:]
                            if w.startswith("-")])
elif what == "pods":
    out = sys.argv[3]
    for d in docs:
        for c in containers(d):
            with open(os.path.join(out, c["name"] + ".cmd"), "w") as f:
                f.write("\0".join(c["command"]) + "\0")
            with open(os.path.join(out, c["name"] + ".env"), "w") as f:
                for k, v in env_of(c).items():
                    f.write("%s=%s\n" % (k, v))
EOF
}

need_yaml() {
	python3 -c 'import yaml' 2>/dev/null ||
	    skip "python3's yaml module is missing (apt-get install python3-yaml)"
}

@test "k8s example: valid YAML, an Indexed Job of SHARDS pods and a merge Job on one volume" {
	need_yaml
	run -0 manifest_query summary
	assert_output 'PersistentVolumeClaim restpipe-data step=fetch
Job restpipe-shards step=fetch mode=Indexed completions=4 SHARDS=4 API_KEY=<secretKeyRef restpipe-api/api_key> mounts=data:/data claims=restpipe-data
Job restpipe-merge step=merge mode=NonIndexed completions=1 SHARDS=4 API_KEY=None mounts=data:/data claims=restpipe-data'
	# The key never stands in the manifest.
	run grep -n "$API_KEY\|api_key:" "$MANIFEST"
	assert_output ''
}

@test "k8s example: its command lines use only the programs' real options" {
	local pod prog opts opt known n=0
	need_yaml
	run -0 manifest_query scripts
	assert_output --regexp '^shard rest-paginate .*
shard rest-shard-range *
shard rest-select *
merge rest-merge .*$'
	while read -r pod prog opts; do
		known=$(help_options "$prog" long; help_options "$prog" short)
		for opt in $opts; do
			if ! grep -qxF -- "$opt" <<<"$known"; then
				fail "$pod: $prog has no option $opt"
			fi
			n=$((n + 1))
		done
	done <<<"$output"
	[ "$n" -ge 8 ]
}

# run_pod NAME [NAME=VALUE...]: run the container NAME's command as its pod
# would, with its environment, the volume under data/, the local API for
# the example's, and the given variables.
run_pod() {
	local name=$1 line
	local -a cmd env=()
	shift
	mapfile -d '' -t cmd <"pods/$name.cmd"
	while IFS= read -r line; do
		line=${line//https:\/\/api.example.com/$BASE}
		line=${line//=\/data/=$BATS_TEST_TMPDIR\/data}
		env+=("$line")
	done <"pods/$name.env"
	env -i PATH="$PATH" HOME="$HOME" "${env[@]}" "$@" \
	    timeout 60 "${cmd[@]}"
}

@test "k8s example: its pods, run here, shard and merge into the table of an unsharded sync" {
	local total i
	need_yaml
	unsharded_table
	mkdir pods data
	manifest_query pods pods
	total=$(rest-fetch -s -q limit=1 "$BASE/v1/resource" | rest-select total)
	assert_equal "$total" 950
	server_reset
	# The four pods at once, each with its JOB_COMPLETION_INDEX.
	for i in 0 1 2 3; do
		run_pod shard JOB_COMPLETION_INDEX=$i TOTAL="$total" API_KEY="$API_KEY" \
		    >"shard-$i.log" 2>&1 &
	done
	for i in 0 1 2 3; do
		wait -n || { cat shard-*.log; false; }
	done
	run -0 ls data/shards
	assert_output 'shard-0.jsonl
shard-1.jsonl
shard-2.jsonl
shard-3.jsonl'
	run -0 run_pod merge
	assert_output ''
	cmp unsharded/image_analysis.jsonl data/image_analysis.jsonl
	# Every page once, the key in the query of each.
	run -0 bash -c "curl -fsS '$BASE/_requests' | jq -r .args.offset | sort -n | uniq -d"
	assert_output ''
	run -0 bash -c "curl -fsS '$BASE/_requests' | jq -r .args.api_key | sort | uniq -c"
	assert_output --regexp "^ +10 $API_KEY\$"
}

@test "k8s example: a shard that failed leaves no file, and the merge refuses to run without it" {
	local total=950
	need_yaml
	mkdir pods data
	manifest_query pods pods
	server_faults '[{"path":"/v1/resource","args":{"offset":"700"},"action":"status","status":404,"times":-1}]'
	run -69 run_pod shard JOB_COMPLETION_INDEX=2 TOTAL=$total API_KEY="$API_KEY"
	assert_output --partial 'HTTP 404'
	run -0 ls data/shards
	assert_output 'shard-2.part'
	server_reset
	for i in 0 1 3; do
		run -0 run_pod shard JOB_COMPLETION_INDEX=$i TOTAL=$total API_KEY="$API_KEY"
	done
	run -66 run_pod merge
	assert_output 'merge: shard 2 of 4 is missing'
	[ ! -e data/image_analysis.jsonl ]
	run -0 run_pod shard JOB_COMPLETION_INDEX=2 TOTAL=$total API_KEY="$API_KEY"
	run -0 run_pod merge
	[ "$(wc -l <data/image_analysis.jsonl)" -eq 950 ]
}
